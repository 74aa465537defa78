"""Config file lines in TOML, env (shell/dotenv) and ini syntax, every value quoted for it.

YAML and JSON files are written by the renderer's own escaping; these three formats are
plain text to it, so each value is quoted here for the format that reads it. The lines
never contain a raw line break: a newline in a value is written as an escape.
"""

from __future__ import annotations

import math
import re

Value = str | int | float | bool

_TOML_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ENV_PLAIN = re.compile(r"[A-Za-z0-9_./:@%+,=-]*")
_INI_PLAIN = re.compile(r"[A-Za-z0-9_.:/+-]+")


def toml_line(key: str, value: Value) -> str:
    """``key = value`` in TOML."""
    name = key if _TOML_BARE_KEY.fullmatch(key) else _toml_string(key)
    return f"{name} = {_toml_value(value)}"


def _toml_value(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    return _toml_string(value)


def _toml_string(text: str) -> str:
    out = []
    for char in text:
        if char in _TOML_ESCAPES:
            out.append(_TOML_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F or 0xD800 <= ord(char) <= 0xDFFF:
            out.append(f"\\u{ord(char) if ord(char) < 0xD800 else 0xFFFD:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def env_line(key: str, value: Value) -> str:
    """``KEY=value`` as bash, systemd EnvironmentFile and dotenv read it."""
    return f"{key}={env_value(value)}"


def env_value(value: Value) -> str:
    """A value as one word for shell-like readers: bare when plain, else double-quoted."""
    text = _scalar(value)
    if _ENV_PLAIN.fullmatch(text):
        return text
    escaped = re.sub(r'([\\"$`])', r"\\\1", text)
    escaped = escaped.replace("\r", "\\r").replace("\n", "\\n")
    return '"' + re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", " ", escaped) + '"'


def ini_line(key: str, value: Value) -> str:
    """``key = value`` as PostgreSQL and most ini readers take it."""
    text = _scalar(value)
    if isinstance(value, bool | int | float) or _INI_PLAIN.fullmatch(text):
        return f"{key} = {text}"
    quoted = re.sub(r"[\x00-\x1f\x7f]", " ", text).replace("\\", "\\\\").replace("'", "''")
    return f"{key} = '{quoted}'"


def _scalar(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


LINE_WRITERS = {"toml": toml_line, "env": env_line, "ini": ini_line}
