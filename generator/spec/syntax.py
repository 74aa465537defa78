"""YAML syntax errors reported where the fault is, not where the parser gave up.

A parser notices a missing colon on the line after it, an unclosed quote at the end of the
file, a tab wherever the indentation stops adding up. Before reporting the parser's
position, the lines up to it are read for these three faults, and the first one found is
reported on its own line, with a hint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.diagnostics import Diagnostic, Location

_TAB_HINT = "YAML does not allow tabs for indentation; indent with spaces"
# A block-mapping line: `key:` or `key: value` (the key plain or quoted), or a list item.
_PAIR = re.compile(r"""^\s*(-\s+)?("[^"]*"|'[^']*'|[^\s#'"\[\]{}][^#]*?)\s*:(\s|$)""")
_ITEM = re.compile(r"^\s*-(\s|$)")
_WORDS = re.compile(r"^(\s*)([A-Za-z_][\w.-]*)\s+(\S.*?)\s*$")
_OPENING_QUOTE = re.compile(r"""(^\s*(-\s+)?|:\s+|-\s+)(["'])""")


@dataclass(frozen=True)
class ParserError:
    """What a parser said: a message and where (1-based), maybe where the construct began."""

    message: str
    line: int
    column: int
    context_line: int | None = None
    context_column: int | None = None


def syntax_problem(label: str, text: str, error: ParserError) -> Diagnostic:
    """The diagnostic for a syntax error: at the fault the lines show, else where reported."""
    lines = text.splitlines()
    last = min(max(error.line, 1), max(len(lines), 1))
    found = (
        None
        if "single document" in error.message
        else (
            _tab_in_indentation(lines, last)
            or _unclosed_quote(lines, last, error)
            or _missing_colon(lines, last)
        )
    )
    notes: tuple[tuple[str, Location], ...] = ()
    hint: str | None
    if found is not None:
        line, column, message, hint = found
    elif error.context_line is not None:
        # An unclosed bracket or block: report where it opens.
        line, column = error.context_line, error.context_column or 1
        message = f"invalid YAML: {error.message}"
        hint = "close it, or quote the value if the bracket or quote is part of the text"
        notes = (("the parser gave up here", Location(label, error.line, error.column)),)
    else:
        line, column = error.line, error.column
        message, hint = f"invalid YAML: {error.message}", _hint_for(error.message)
    return Diagnostic("yaml-syntax", message, Location(label, line, column), hint=hint, notes=notes)


def _hint_for(message: str) -> str | None:
    if "single document" in message:
        return "a spec is one YAML document; remove the extra `---`"
    if "\\t" in message or "tab" in message:
        return _TAB_HINT
    return None


Found = tuple[int, int, str, str]


def _tab_in_indentation(lines: list[str], last: int) -> Found | None:
    """A tab among the leading whitespace of a line, up to the reported one."""
    # The reported line, the one before it and the one after (a parser may stop at the
    # scalar before the tab).
    for number in (n for n in (last, last - 1, last + 1) if 0 < n <= len(lines)):
        line = lines[number - 1]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip() and not _in_block_scalar(lines, number):
            column = indent.index("\t") + 1
            return number, column, "invalid YAML: a tab indents this line", _TAB_HINT
    return None


def _in_block_scalar(lines: list[str], number: int) -> bool:
    """Whether line ``number`` is text of a ``|`` or ``>`` block above it."""
    indent = len(lines[number - 1]) - len(lines[number - 1].lstrip())
    for above in range(number - 1, 0, -1):
        line = lines[above - 1]
        if not line.strip():
            continue
        own = len(line) - len(line.lstrip())
        if own < indent:
            return bool(re.search(r"[|>][-+0-9]*\s*(#.*)?$", line))
    return False


def _unclosed_quote(lines: list[str], last: int, error: ParserError) -> Found | None:
    """A quoted value opened on a line and never closed on it, before the reported line."""
    if error.context_line is not None and "quoted scalar" in error.message:
        where, column = error.context_line, error.context_column or 1
        return where, column, "invalid YAML: this quoted value is never closed", _QUOTE_HINT
    for number in range(1, last + 1):
        text = lines[number - 1]
        opening = _OPENING_QUOTE.search(text)
        if opening is None or text.lstrip().startswith("#"):
            continue
        quote, start = opening.group(3), opening.end(3)
        if not _closes(text[start:], quote):
            return number, start, "invalid YAML: this quoted value is never closed", _QUOTE_HINT
    return None


_QUOTE_HINT = "close the quote on the same line, or write the value without quotes"


def _closes(rest: str, quote: str) -> bool:
    if quote == "'":
        return bool(re.match(r"^([^']|'')*'", rest))
    return bool(re.match(r'^([^"\\]|\\.)*"', rest))


def _missing_colon(lines: list[str], last: int) -> Found | None:
    """A line of plain words among ``key: value`` lines: its colon is missing."""
    for number in range(last, max(last - 2, 0), -1):
        line = lines[number - 1]
        words = _WORDS.match(line)
        if words is None or _PAIR.match(line) or _ITEM.match(line):
            continue
        if not _has_sibling_pair(lines, number, len(words.group(1))):
            continue
        key, value = words.group(2), words.group(3)
        return (
            number,
            len(words.group(1)) + 1,
            f"invalid YAML: `{line.strip()}` is not a `key: value` pair; the colon is missing",
            f"write `{key}: {value}`",
        )
    return None


def _has_sibling_pair(lines: list[str], number: int, indent: int) -> bool:
    """Whether the nearest non-blank line above or below, at this indentation, is a pair."""
    for step in (-1, 1):
        other = number + step
        while 0 < other <= len(lines):
            line = lines[other - 1]
            if line.strip() and not line.lstrip().startswith("#"):
                own = len(line) - len(line.lstrip())
                if own == indent:
                    return bool(_PAIR.match(line))
                if own < indent:
                    break
            other += step
    return False
