"""Ownership is proven, not claimed: a manifest entry alone never makes a file ours.

A tampered or hand-made manifest could list any file with its correct hash (an
application's ``src/main.go``). So a listed file only counts as generated when it also
carries deployplan's do-not-edit marker; in formats without comments (JSON), where the
renderer adds no marker, its content must still be exactly what was recorded.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

from generator.output.model import ManifestEntry
from generator.render import MARKER, OutputKind, output_kind

_BEFORE, _AFTER = MARKER.split("{spec_label}")
# the marker follows a shebang, front matter or an XML declaration: look a little further
_MARKER = re.compile(re.escape(_BEFORE).encode() + rb"[^\n]*" + re.escape(_AFTER).encode())
_HEAD = 16 * 1024


def sha256(content: bytes) -> str:
    """The hex sha256 the manifest records."""
    return hashlib.sha256(content).hexdigest()


def has_marker(content: bytes) -> bool:
    """Whether ``content`` carries the do-not-edit marker near its start."""
    return _MARKER.search(content, 0, _HEAD) is not None


def takes_marker(path: PurePosixPath | str) -> bool:
    """Whether files at ``path`` get a marker (every format with comments does)."""
    return output_kind(path) is not OutputKind.JSON


def proven(path: PurePosixPath | str, content: bytes, entry: ManifestEntry) -> bool:
    """Whether a file the manifest lists is demonstrably deployplan's."""
    if takes_marker(path) and is_text(content):
        return has_marker(content)
    return sha256(content) == entry.sha256


def is_text(content: bytes) -> bool:
    # a binary file cannot carry a comment: as with JSON, only its hash can prove it
    try:
        content.decode()
    except UnicodeDecodeError:
        return False
    return True
