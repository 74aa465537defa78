"""A diagnostic is data: where, what, how bad, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Location:
    """A 1-based position in a source file."""

    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec.

    ``path`` is the JSON path of the offending node (``environments.production.extends``);
    ``notes`` are extra locations, e.g. where an inherited value was defined.
    ``caused_by`` is the path of a node whose own error would explain this one (a target
    missing because a target's environment name is misspelled): when that error is
    reported, this one becomes a note on it instead of an error of its own.
    """

    code: str
    message: str
    location: Location
    path: tuple[str | int, ...] = ()
    severity: Severity = Severity.ERROR
    hint: str | None = None
    notes: tuple[tuple[str, Location], ...] = field(default=())
    caused_by: tuple[str | int, ...] | None = None

    @property
    def dotted_path(self) -> str:
        return format_path(self.path)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, self.code, self.message)


def format_path(path: tuple[str | int, ...]) -> str:
    """``("services", 0, "name")`` -> ``services[0].name``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
