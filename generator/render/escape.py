"""Escaping by output kind: every value a template prints is made inert for its file.

Like HTML autoescape, escaping is on by default and chosen by the output kind: a shell
template prints each ``{{ value }}`` as one quoted word, a YAML template as a scalar that
loads back to the value, a Markdown template as inert text (:mod:`.markdown`). ``| raw``
is the one explicit exception.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Iterable, Mapping
from enum import StrEnum
from pathlib import PurePosixPath

import jinja2
import markupsafe

from generator.errors import TemplateProblem


class OutputKind(StrEnum):
    """How a generated file's values are escaped and its marker is commented."""

    SHELL = "shell"
    YAML = "yaml"
    MARKDOWN = "markdown"
    JSON = "json"
    XML = "xml"
    TEXT = "text"


_KIND_BY_SUFFIX = {
    **dict.fromkeys((".sh", ".bash"), OutputKind.SHELL),
    **dict.fromkeys((".yml", ".yaml"), OutputKind.YAML),
    ".md": OutputKind.MARKDOWN,
    ".json": OutputKind.JSON,
    **dict.fromkeys((".html", ".xml", ".svg"), OutputKind.XML),
}


def output_kind(path: PurePosixPath | str) -> OutputKind:
    """The kind of a generated file, from its name; unknown names are plain TEXT."""
    return _KIND_BY_SUFFIX.get(PurePosixPath(path).suffix.lower(), OutputKind.TEXT)


class Raw(str):
    """Text printed verbatim: what ``| raw`` and the escaping filters return."""

    __slots__ = ()


def as_text(value: object) -> str:
    """A scalar as text. A collection has no single textual form: templates loop over it."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        raise TemplateProblem(
            f"a {type(value).__name__} cannot be printed as one value: loop over it"
            " (or use `| shell_join` in a shell script, `| to_yaml` in YAML)"
        )
    return str(value)  # StrictUndefined raises its own error here


CONTROLS = (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
#: Bidirectional controls ("Trojan Source", CVE-2021-42574): invisible, they reorder how
#: the text around them is displayed, so a reviewer reads something other than what runs.
#: No output carries them raw: each kind writes its own escape, or a visible ``\u202e``.
BIDI_CONTROLS = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_VISIBLE_BIDI = {c: f"\\u{c:04x}" for c in BIDI_CONTROLS}
_ONE_LINE = str.maketrans(
    {**dict.fromkeys(CONTROLS, " "), "\n": "\\n", "\r": "\\n", **_VISIBLE_BIDI}
)


def visible_bidi(text: str) -> str:
    """``text`` with each bidirectional control shown as its escape (``\\u202e``)."""
    return text.translate(_VISIBLE_BIDI)


def text_line(value: object) -> str:
    """TEXT: a value can never start a new line (of a crontab, a unit, a config file)."""
    return as_text(value).replace("\r\n", "\n").translate(_ONE_LINE)


_ANSI_C = str.maketrans(
    {
        **{c: f"\\x{c:02x}" for c in (*range(1, 0x20), 0x7F)},
        # bytes, not \u: bash expands \u202e only under a UTF-8 locale (not cron's C)
        **{c: "".join(f"\\x{b:02x}" for b in chr(c).encode()) for c in BIDI_CONTROLS},
        **{ord(c): f"\\{c}" for c in "\\'"},
        **{ord(c): f"\\{e}" for c, e in zip("\t\n\r", "tnr", strict=True)},
        0: "",
    }
)
_SHELL_SAFE = re.compile(r"[\w@%+=:,./-]+", re.ASCII)
_SHELL_CONTROL = re.compile("[\x00-\x1f\x7f" + "".join(map(chr, BIDI_CONTROLS)) + "]")


def shell_word(value: object) -> str:
    """SHELL: one word, whatever the value contains. Bash strings cannot hold NUL."""
    text = as_text(value)
    if _SHELL_SAFE.fullmatch(text):
        return text
    if _SHELL_CONTROL.search(text) is None:
        return shlex.quote(text)
    # bash's $'…' keeps a multi-line value on one line, safe from CRLF conversion
    return "$'" + text.translate(_ANSI_C) + "'"


def shell_join(values: Iterable[object]) -> Raw:
    """``{{ args | shell_join }}``: each item quoted as one word, separated by spaces."""
    return Raw(" ".join(shell_word(value) for value in values))


_YAML_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./-]*")
_YAML_SPECIAL = frozenset({"y", "n", "yes", "no", "true", "false", "on", "off", "null"})
# not printable in YAML, or a line break to YAML 1.1: must be written as escapes
_YAML_UNPRINTABLE = re.compile(
    "[\x7f-\x9f\u2028\u2029\ufffe\uffff" + "".join(map(chr, BIDI_CONTROLS)) + "]"
)


def yaml_value(value: object) -> str:
    """YAML: a flow scalar or collection that loads back to exactly ``value``."""
    if isinstance(value, str):
        if _YAML_PLAIN.fullmatch(value) and value.lower() not in _YAML_SPECIAL:
            return value
        quoted = json.dumps(value, ensure_ascii=False)
        return _YAML_UNPRINTABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", quoted)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, float):
        return _yaml_float(value)
    if isinstance(value, Mapping):
        items = (f"{yaml_value(k)}: {yaml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(map(yaml_value, value)) + "]"
    return yaml_value(as_text(value))


def _yaml_float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    mantissa, e, exponent = repr(value).partition("e")
    # YAML 1.1 (PyYAML) reads 1e-05 as a string: its floats need a dot
    return f"{mantissa}{'' if '.' in mantissa else '.0'}{e}{exponent}"


def to_yaml(value: object, indent: int = 0) -> Raw:
    """``{{ data | to_yaml(indent=2) }}``: block YAML, scalars as the finalize writes them."""
    return Raw("\n".join(" " * indent + line for line in _yaml_lines(value)))


def _yaml_lines(value: object) -> list[str]:
    if isinstance(value, Mapping) and value:
        return [ln for k, v in value.items() for ln in _yaml_entry(f"{yaml_value(k)}:", v)]
    if isinstance(value, list | tuple) and value:
        return [line for item in value for line in _yaml_entry("-", item)]
    return [yaml_value(value)]


def _yaml_entry(lead: str, value: object) -> list[str]:
    if not isinstance(value, Mapping | list | tuple) or not value:
        return [f"{lead} {yaml_value(value)}"]
    first, *rest = _yaml_lines(value)
    if lead == "-":
        return [f"- {first}", *(f"  {line}" for line in rest)]
    return [lead, f"  {first}", *(f"  {line}" for line in rest)]


JSON_ESCAPES = str.maketrans({c: f"\\u{c:04x}" for c in BIDI_CONTROLS})


def json_value(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, default=_json_default)
    # outside strings JSON has only ASCII: every bidi control is inside one, where \u works
    return text.translate(JSON_ESCAPES)


def _json_default(value: object) -> object:
    if isinstance(value, jinja2.Undefined):
        value._fail_with_undefined_error()
    raise TypeError(f"a {type(value).__name__} has no JSON form")


_XML_CHARS = str.maketrans(
    {
        **dict.fromkeys((*range(0x20), 0xFFFE, 0xFFFF), " "),
        "\t": "&#9;",
        "\n": "&#10;",
        "\r": "&#13;",
        **{c: f"&#x{c:04X};" for c in BIDI_CONTROLS},
    }
)


def xml_text(value: object) -> str:
    """XML/HTML: escaped text; control characters XML 1.0 forbids become spaces."""
    return str(markupsafe.escape(as_text(value))).translate(_XML_CHARS)


# Characters that start Markdown or extension syntax anywhere in a line: emphasis, code,
