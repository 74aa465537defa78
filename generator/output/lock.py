"""One run at a time per output root.

The lock is an ``flock`` on the root directory itself: it puts no file into the tree (a
run that changes nothing leaves every mtime alone, and there is nothing to commit or
clean up), and the kernel drops it when its holder dies, even by SIGKILL, so a crashed
run never leaves a stale lock behind. Who holds it (pid, host, command, since when) is
kept in a small file in the user's cache directory, for the message a waiting run prints
when it gives up.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import socket
import sys
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from generator.errors import OutputConflict

TIMEOUT_VARIABLE = "DEPLOYPLAN_LOCK_TIMEOUT"
_DEFAULT_TIMEOUT = 60.0
_POLL = 0.05


class OutputLocked(OutputConflict):
    """Another run holds the lock on an output root and did not let go in time."""


@contextlib.contextmanager
def locked(roots: Sequence[Path], *, create: bool) -> Iterator[None]:
    """Hold the lock on every root in ``roots`` (in that order, so runs never deadlock).

    ``create`` makes missing roots first; without it a missing root is not locked, as
    there is nothing in it to protect (``--check`` creates nothing).
    """
    with contextlib.ExitStack() as stack:
        for base in roots:
            if create:
                base.mkdir(parents=True, exist_ok=True)
            elif not base.is_dir():
                continue
            stack.enter_context(_locked_root(base))
        yield


@contextlib.contextmanager
def _locked_root(base: Path) -> Iterator[None]:
    descriptor = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _acquire(descriptor, base)
        holder = _holder_file(base)
        _record_holder(holder)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                holder.unlink()
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock


def _acquire(descriptor: int, base: Path) -> None:
    limit = _timeout()
    deadline = time.monotonic() + limit
    while True:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise OutputLocked(_refusal(base, limit)) from None
            time.sleep(_POLL)


def _timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(TIMEOUT_VARIABLE, _DEFAULT_TIMEOUT)))
    except ValueError:
        return _DEFAULT_TIMEOUT


def _refusal(base: Path, waited: float) -> str:
    return (
        f"{base} is being written by another deployplan run ({_describe_holder(base)});"
        f" gave up after waiting {waited:g} s, nothing was written\n"
        f"hint: let that run finish and run again (set {TIMEOUT_VARIABLE} to wait longer)"
    )


def _describe_holder(base: Path) -> str:
    try:
        info = json.loads(_holder_file(base).read_text(encoding="utf-8"))
        return f"pid {info['pid']} on {info['host']}, `{info['command']}`, since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "holder unknown: it runs as another user or has just started"


def _holder_file(base: Path) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(str(base.resolve()).encode()).hexdigest()[:32]
    return cache / "deployplan" / "locks" / f"{key}.json"


def _record_holder(holder: Path) -> None:
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        "since": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    # the holder's name only helps a message: failing to record it is no reason to stop
    with contextlib.suppress(OSError):
        holder.parent.mkdir(parents=True, exist_ok=True)
        temp = holder.with_name(f"{holder.name}.{os.getpid()}")
        temp.write_text(json.dumps(info), encoding="utf-8")
        temp.replace(holder)
