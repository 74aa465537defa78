"""Stand-ins for `gh` and `curl` on PATH: they record every call and answer from a table.

Each call appends one JSON line to ``$FAKE_LOG``. ``$FAKE_RESPONSES`` (JSON) maps what a
call asks for to its answer: for gh the endpoint -> printed text; for curl
``"METHOD URL"`` -> ``[status, body]`` (404 and no body when absent).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

_GH = """
import json, os, sys
args = sys.argv[1:]
stdin = sys.stdin.read() if "--input" in args else None
with open(os.environ["FAKE_LOG"], "a") as log:
    call = {"argv": args, "stdin": stdin, "GH_REPO": os.environ.get("GH_REPO")}
    log.write(json.dumps(call) + "\\n")
rest, endpoint = args[1:], ""
while rest:
    word, rest = rest[0], rest[1:]
    if word in ("--method", "--jq", "--input"):
        rest = rest[1:]
    elif not word.startswith("-"):
        endpoint = word
        break
print(json.loads(os.environ.get("FAKE_RESPONSES", "{}")).get(endpoint, ""), end="")
"""

_CURL = """
import json, os, sys
args = sys.argv[1:]
seen = []
for arg in args:
    if arg.startswith("@/dev/fd/"):
        with open(arg[1:]) as header:
            arg = "@" + header.read()
    seen.append(arg)
with open(os.environ["FAKE_LOG"], "a") as log:
    log.write(json.dumps({"argv": seen, "raw": args}) + "\\n")
method = args[args.index("--request") + 1]
responses = json.loads(os.environ.get("FAKE_RESPONSES", "{}"))
status, body = responses.get(f"{method} {args[-1]}", [404, ""])
print(f"{body}\\n{status}", end="")
"""


def install(bin_dir: Path) -> None:
    """Write executable ``gh`` and ``curl`` stand-ins into ``bin_dir``."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, body in (("gh", _GH), ("curl", _CURL)):
        path = bin_dir / name
        path.write_text(f"#!{sys.executable}\n{body}", encoding="utf-8")
        path.chmod(0o755)


def calls(log: Path) -> list[dict[str, Any]]:
    """Every recorded call, in order."""
    if not log.exists():
        return []
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
