"""What a target family plans and what the renderer hands to the writer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePosixPath
from typing import Any


class Root(StrEnum):
    """Where a generated file lives: the artifacts tree or the MkDocs docs_dir."""

    OUTPUT = "output"
    DOCS = "docs"


@dataclass(frozen=True)
class Artifact:
    """One file to generate: which template renders it, with what context.

    ``environment`` and ``service`` say which slice of the spec it belongs to, so that
    ``--env`` / ``--service`` filters and pruning can tell files apart.
    """

    root: Root
    path: PurePosixPath
    template: str
    family: str
    context: Mapping[str, Any] = field(default_factory=dict)
    environment: str | None = None
    service: str | None = None
    executable: bool = False


@dataclass(frozen=True)
class RenderedFile:
    """An artifact rendered to its final bytes, marker header included."""

    root: Root
    path: PurePosixPath
    content: bytes
    family: str
    environment: str | None = None
    service: str | None = None
    executable: bool = False
