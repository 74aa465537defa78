"""What every rule reads: the model, the resolved data and where each node came from."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from generator.diagnostics import Diagnostic, Location
from generator.spec.load import LoadedSpec
from generator.spec.positions import Path
from generator.spec.rules.catalog import COLLECTIONS

if TYPE_CHECKING:
    from generator.spec.model import DeploymentPlan


class RuleContext:
    """The resolved data, its positions and the validated model, shared by all rules."""

    def __init__(self, plan: DeploymentPlan, loaded: LoadedSpec) -> None:
        self.plan = plan
        self.data = loaded.data
        self.positions = loaded.positions
        self.source = loaded.source
        self.sources = loaded.sources
        # Names are read from the data, so references are checked against every name
        # declared, also in sections that failed validation.
        self.names: dict[str, dict[str, Path]] = {
            kind: {value: path for path, value in select(self.data, pattern) if _is_name(value)}
            for kind, (_, pattern) in COLLECTIONS.items()
        }
        self.names["team_or_role"] = {**self.names["team"], **self.names["role"]}

    def find_text(self, path: Path, needle: str) -> Location:
        """Where ``needle`` is written inside the value at ``path`` (else the value itself)."""
        return self.find_after(self.positions.value(path), needle)

    def find_after(self, start: Location, needle: str) -> Location:
        """Where ``needle`` is first written from ``start`` on (else ``start``)."""
        text = self.sources.get(start.file, self.source).text
        offset = 0
        for _ in range(start.line - 1):
            offset = text.index("\n", offset) + 1
        found = text.find(needle, offset + start.column - 1)
        if found < 0:
            return start
        line_start = text.rfind("\n", 0, found) + 1
        return Location(start.file, text.count("\n", 0, found) + 1, found - line_start + 1)

    def at(self, path: Path, code: str, message: str, hint: str | None = None) -> Diagnostic:
        """A diagnostic located at the value of ``path``."""
        return Diagnostic(code, message, self.positions.value(path), path, hint=hint)


def _is_name(value: Any) -> bool:
    return isinstance(value, str)


def select(data: Any, pattern: tuple[str, ...], prefix: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Every (path, value) matching ``pattern``; ``@`` yields mapping keys as values."""
    if not pattern:
        yield prefix, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "@":
        if isinstance(data, dict):
            for key in data:
                yield (*prefix, key), key
    elif head == "*":
        items = data.items() if isinstance(data, dict) else enumerate(data or [])
        if isinstance(data, dict | list):
            for key, value in items:
                yield from select(value, rest, (*prefix, key))
    elif isinstance(data, dict) and head in data:
        yield from select(data[head], rest, (*prefix, head))
