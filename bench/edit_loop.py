"""The edit loop: one service's description edited, then ``generate`` and ``docs serve``.

``edit_generate`` times an incremental ``generate`` after the edit against the full one;
``serve_rebuild`` starts ``deployplan docs serve`` on a project holding the scale spec,
edits the spec, and times from the file write until the served page of that service
shows the new text (the regenerate and MkDocs' rebuild together).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

EDITED = "svc-007"


def edit_description(spec: Path, round_number: int) -> str:
    """Give ``svc-007`` a new description (different each round); returns it."""
    new = f"Service number 7: edited {round_number}, takes orders."
    # inside the quotes the YAML writer put around it (the text holds ": ")
    text = re.sub(r"Service number 7:[^'\n]*", new, spec.read_text(encoding="utf-8"), count=1)
    spec.write_text(text, encoding="utf-8")
    return new


def edit_generate(measure: Callable[..., float], argv: list[str], spec: Path, repeat: int) -> float:
    """Best time of an incremental ``generate`` after a one-line edit (the tree is
    current before each edit)."""
    rounds = iter(range(1, 1_000))
    return measure(argv, repeat, before=lambda: edit_description(spec, next(rounds)))


def serve_rebuild(deployplan: str, spec: Path, project: Path, repeat: int) -> float:
    """Best time from writing a one-line edit to the served page showing it."""
    shutil.rmtree(project, ignore_errors=True)
    (project / "specs").mkdir(parents=True)
    shutil.copy(spec, project / "specs" / "deployplan.yaml")
    root = Path(__file__).resolve().parents[1]
    shutil.copy(root / "mkdocs.yml", project / "mkdocs.yml")
    port = _free_port()
    server = subprocess.Popen(
        [deployplan, "docs", "serve", "--dev-addr", f"127.0.0.1:{port}"],
        cwd=project,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    page = f"http://127.0.0.1:{port}/overview/services/{EDITED}.html"
    try:
        _wait_for(page, "Service number 7", timeout=1800)
        best = float("inf")
        for round_number in range(1, repeat + 1):
            time.sleep(2)  # MkDocs' watcher settles after the previous build
            start = time.perf_counter()
            new = edit_description(project / "specs" / "deployplan.yaml", round_number)
            _wait_for(page, new.partition(": ")[2], timeout=900)
            best = min(best, time.perf_counter() - start)
        return best
    finally:
        server.terminate()
        server.wait(timeout=60)


def _wait_for(url: str, text: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if text in response.read().decode("utf-8", errors="replace"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"{url} did not show {text!r} within {timeout} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
