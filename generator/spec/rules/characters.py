"""Bidirectional control characters: text that displays differently from what it is.

An override (U+202E) in a path, a name or a command makes a reviewer read one thing while
scripts run another ("Trojan Source"); in such fields it is an error. In prose it may be
legitimate in right-to-left languages, so there it is a warning, and renderers escape it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Diagnostic, Location, Severity
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext

BIDI_CONTROL = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

#: Keys of free text (the model's ``Text`` fields that are prose, not code or names).
PROSE_KEYS = frozenset(
    {
        "area",
        "body",
        "data",
        "description",
        "expect",
        "failback",
        "fix",
        "likely_cause",
        "notes",
        "objectives",
        "precautions",
        "prerequisites",
        "purpose",
        "reason",
        "responsibilities",
        "root_cause",
        "steps",
        "summary",
        "symptom",
        "title",
        "topics",
        "trigger",
        "verification",
        "when",
    }
)


def _strings(data: Any, prefix: Path = ()) -> Iterator[tuple[Path, str, bool, bool]]:
    """(path, text, is a mapping key, is prose) for every string in the spec."""
    if isinstance(data, dict):
        for key, value in data.items():
            path = (*prefix, key)
            yield path, str(key), True, False
            if isinstance(value, str):
                yield path, value, False, key in PROSE_KEYS
            else:
                yield from _strings(value, path)
    elif isinstance(data, list):
        prose = bool(prefix) and prefix[-1] in PROSE_KEYS
        for index, value in enumerate(data):
            if isinstance(value, str):
                yield (*prefix, index), value, False, prose
            else:
                yield from _strings(value, (*prefix, index))


def bidi_controls(ctx: RuleContext) -> Iterator[Diagnostic]:
    """No bidirectional controls in names, references, paths or commands; warn in prose."""
    for path, text, is_key, prose in _strings(ctx.data):
        found = BIDI_CONTROL.search(text)
        if found is None:
            continue
        char = found.group()
        start = ctx.positions.key(path) if is_key else ctx.positions.value(path)
        yield _finding(ctx.find_after(start, char), path, char, prose)


def _finding(location: Location, path: Path, char: str, prose: bool) -> Diagnostic:
    what = f"U+{ord(char):04X} ({unicodedata.name(char, 'bidirectional control').lower()})"
    if prose:
        return Diagnostic(
            "bidi-control",
            f"this text contains {what}, which reorders how the text around it is shown",
            location,
            path,
            severity=Severity.WARNING,
            hint="remove it unless the text is right-to-left prose that needs it; "
            "generated files show it escaped",
        )
    return Diagnostic(
        "bidi-control",
        f"this value contains {what}, so it would read differently from what it is",
        location,
        path,
        hint="remove the character: names, references, paths and commands are plain text",
    )
