"""Reporters: diagnostics as text with source excerpts, as JSON, as GitHub annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from generator.diagnostics import Diagnostic, Severity
from generator.spec.load import SourceFile

# Terminal control characters (and bidi overrides) from a hostile spec are shown, not obeyed.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """``text`` with control characters written as escapes (``\\x1b``)."""
    return _INVISIBLE.sub(lambda m: repr(m.group())[1:-1], text)


def format_text(diagnostics: Sequence[Diagnostic], sources: dict[str, SourceFile]) -> str:
    """``FILE:LINE:COL: error[CODE]: MESSAGE`` with the source line, a caret and hints."""
    blocks = [_text_block(d, sources.get(d.location.file)) for d in diagnostics]
    blocks.append(_summary(diagnostics))
    return "\n".join(blocks) + "\n"


def _text_block(diagnostic: Diagnostic, source: SourceFile | None) -> str:
    loc = diagnostic.location
    lines = [
        f"{loc.file}:{loc.line}:{loc.column}: "
        f"{diagnostic.severity.value}[{diagnostic.code}]: {visible(diagnostic.message)}"
    ]
    if source is not None:
        lines.extend(_excerpt(source, loc.line, loc.column))
    for note, where in diagnostic.notes:
        lines.append(f"  note: {visible(note)} ({where.file}:{where.line}:{where.column})")
    if diagnostic.hint:
        lines.append(f"  hint: {visible(diagnostic.hint)}")
    return "\n".join(lines)


def _excerpt(source: SourceFile, line: int, column: int) -> list[str]:
    # Clipped: a line holding a megabyte value would otherwise be printed whole.
    text = visible(source.line(line)[: column + 200].expandtabs(1))
    if not text.strip():
        return []
    gutter = str(line)
    start = min(column - 1, len(text))
    pad = " " * len(gutter)
    width = min(_token_width(text[start:]), 60)
    return [f" {gutter} | {text}", f" {pad} | {' ' * start}{'^' * width}"]


def _token_width(rest: str) -> int:
    """How much of the line to underline: a key up to its colon, else the value."""
    rest = rest.split(" #", 1)[0].rstrip()
    if rest[:1] in "[{\"'":
        return 1 if rest[:1] in "[{" else len(rest) or 1
    key = rest.split(": ", 1)[0]
    if key != rest or rest.endswith(":"):
        return len(key.rstrip(":")) or 1
    return len(rest.rstrip(",")) or 1


def _summary(diagnostics: Sequence[Diagnostic]) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    parts = [f"{errors} error{'s' * (errors != 1)}"]
    if warnings:
        parts.append(f"{warnings} warning{'s' * (warnings != 1)}")
    return ", ".join(parts)


def format_json(diagnostics: Sequence[Diagnostic]) -> str:
    """The diagnostics as a JSON list, one object each; invisible characters as escapes."""
    return (
        _escape_invisible_json(
            json.dumps(
                [
                    {
                        "file": d.location.file,
                        "line": d.location.line,
                        "column": d.location.column,
                        "code": d.code,
                        "severity": d.severity.value,
                        "message": d.message,
                        "path": d.dotted_path,
                        "hint": d.hint,
                        "notes": [
                            {"message": n, "file": w.file, "line": w.line, "column": w.column}
                            for n, w in d.notes
                        ],
                    }
                    for d in diagnostics
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        + "\n"
    )


def _escape_invisible_json(text: str) -> str:
    # json.dumps already escapes C0 controls; the rest become \uXXXX, which JSON reads back
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def format_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands, so problems show up on the changed lines."""
    out = []
    for d in diagnostics:
        loc = d.location
        level = "error" if d.severity is Severity.ERROR else "warning"
        message = visible(d.message) + (f"\nhint: {visible(d.hint)}" if d.hint else "")
        out.append(
            f"::{level} file={_prop(loc.file)},line={loc.line},col={loc.column},"
            f"title={_prop('deployplan ' + d.code)}::{_data(message)}"
        )
    return "\n".join(out) + ("\n" if out else "")


def _data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(value: str) -> str:
    return _data(value).replace(":", "%3A").replace(",", "%2C")
