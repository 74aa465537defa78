"""Where every node of the spec came from, by JSON path."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.diagnostics import Location

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Inheritance:
    """A value that an environment got from another one through ``extends``."""

    environment: str
    extends_at: Location


@dataclass
class PositionIndex:
    """Locations of values and of mapping keys, plus what was inherited through ``extends``."""

    file: str
    values: dict[Path, Location] = field(default_factory=dict)
    keys: dict[Path, Location] = field(default_factory=dict)
    inherited: dict[Path, Inheritance] = field(default_factory=dict)
    #: How plain scalars that YAML typed as numbers or booleans were written (``1.10``,
    #: ``true``): what a "quote it" hint shows.
    plain: dict[Path, str] = field(default_factory=dict)
    #: Where a value replaced by a later file (an include, an overlay, ``--set``) was
    #: written before.
    replaced: dict[Path, Location] = field(default_factory=dict)

    def value(self, path: Path) -> Location:
        """Location of the value at ``path``, or of its nearest located ancestor."""
        return self._nearest(self.values, path)

    def key(self, path: Path) -> Location:
        """Location of the key naming ``path`` (falls back to its value, then ancestors)."""
        if path in self.keys:
            return self.keys[path]
        return self.value(path)

    def inheritance(self, path: Path) -> Inheritance | None:
        """How ``path`` (or an ancestor) was inherited, if it was."""
        for end in range(len(path), 1, -1):
            found = self.inherited.get(path[:end])
            if found is not None:
                return found
        return None

    def _nearest(self, table: dict[Path, Location], path: Path) -> Location:
        for end in range(len(path), -1, -1):
            found = table.get(path[:end])
            if found is not None:
                return found
        return Location(self.file, 1, 1)
