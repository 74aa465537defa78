"""Keeping the last run's bytes of artifacts whose inputs did not change.

The run cache records, per generated file, the digest of what rendering it read (its
context, its templates, the marker's spec label) and the sha256 of the bytes written.
When a run finds the same digest, and the file on disk still has the size, times and
inode the last run left and the recorded sha256, those bytes are what rendering would
produce again: they are read back instead. The files kept this way are passed on to
the writer as *verified*, with their stat, so it can skip comparing them.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from generator.artifact import Artifact, Root

FileState = tuple[int, ...]


def file_state(path: Path) -> FileState | None:
    """What tells a file apart from an edited one: size, mtime, ctime, inode, mode."""
    try:
        info = os.lstat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode)


@dataclass(frozen=True)
class Previous:
    """What the last run wrote at one path: its inputs' digest, sha256 and file state."""

    inputs: str
    sha256: str
    state: FileState


@dataclass
class Reuse:
    """The last run's renders, and this run's, keyed by the file's name under its root
    as given (the run cache is kept per resolved roots and working directory)."""

    roots: Mapping[Root, Path]
    previous: Mapping[str, Previous] = field(default_factory=dict)
    #: this run's renders: absolute path → (inputs digest, sha256 of the bytes)
    renders: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: files kept from the last run, with the state they were read in (for the writer)
    verified: dict[tuple[Root, PurePosixPath], FileState] = field(default_factory=dict)

    def target(self, artifact: Artifact) -> str:
        """The file the artifact is written to, named as the run cache names it."""
        return str(self.roots[artifact.root] / artifact.path)

    def kept(self, artifact: Artifact, inputs: str) -> bytes | None:
        """The bytes on disk when rendering ``artifact`` would write them again."""
        target = self.target(artifact)
        last = self.previous.get(target)
        if last is None or last.inputs != inputs:
            return None
        state = file_state(Path(target))
        if state is None or state != last.state:
            return None
        try:
            content = Path(target).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(content).hexdigest() != last.sha256:
            return None
        self.verified[artifact.root, artifact.path] = state
        self.renders[target] = (inputs, last.sha256)
        return content

    def record(self, artifact: Artifact, inputs: str, content: bytes) -> None:
        """Note what ``artifact`` rendered to, for the next run."""
        self.renders[self.target(artifact)] = (inputs, hashlib.sha256(content).hexdigest())


#: The reuse of the running `generate`, for renders made while planning (compliance
#: evidence renders other families' files) as well as the run's own.
_CURRENT: contextvars.ContextVar[Reuse | None] = contextvars.ContextVar("reuse", default=None)


def current() -> Reuse | None:
    """The reuse :func:`active` made current, if any."""
    return _CURRENT.get()


@contextlib.contextmanager
def active(reuse: Reuse) -> Iterator[Reuse]:
    """Make ``reuse`` the one every :func:`~generator.render.render` call uses."""
    token = _CURRENT.set(reuse)
    try:
        yield reuse
    finally:
        _CURRENT.reset(token)
