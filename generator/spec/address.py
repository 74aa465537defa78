"""Addresses of spec nodes as people write them: ``services.storefront.port``.

A part is a mapping key, a list index (``services[0]`` or ``services.0``) or, in a list
of named items, an item's ``name`` (``services.storefront``); a key holding a dot or a
bracket is quoted: ``annotations["cert-manager.io/cluster-issuer"]``. ``explain`` and
``--set`` read addresses this way.
"""

from __future__ import annotations

import re
from typing import Any

from generator.spec.positions import Path

_PART = re.compile(r'\[(\d+)\]|\["([^"]*)"\]|([^.\[\]"]+)')
_PLAIN_KEY = re.compile(r'[^.\[\]"]+')


class AddressError(ValueError):
    """An address that is malformed or names nothing; ``options`` are the names there."""

    def __init__(self, message: str, options: list[str] | None = None) -> None:
        super().__init__(message)
        self.options = options or []


def parse_address(text: str) -> list[str | int]:
    """``a.b[0].c`` as its parts; a bare number is an index only where a list is."""
    parts: list[str | int] = []
    position = 0
    for match in _PART.finditer(text):
        gap = text[position : match.start()]
        if gap not in ("", ".") or (gap == "" and position and match.group(3)):
            raise AddressError(f"`{text}` is not an address like `services.storefront.port`")
        index, quoted, key = match.groups()
        parts.append(int(index) if index is not None else quoted if quoted is not None else key)
        position = match.end()
    if not parts or text[position:]:
        raise AddressError(f"`{text}` is not an address like `services.storefront.port`")
    return parts


def address_of(path: Path) -> str:
    """The address of a data path, as :func:`parse_address` reads it back."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part) and not part.isdigit():
            out += f".{part}" if out else part
        else:
            out += f'["{part}"]'
    return out


def find(data: Any, parts: list[str | int]) -> Path:
    """The data path an address names in ``data``; :class:`AddressError` if none."""
    path: list[str | int] = []
    node = data
    for part in parts:
        step = _step(node, part)
        if step is None:
            raise AddressError(f"`{_shown(path, part)}` is not in the spec", _children(node))
        path.append(step)
        node = node[step]
    return tuple(path)


def _step(node: Any, part: str | int) -> str | int | None:
    if isinstance(node, dict):
        key = str(part)
        return key if key in node else None
    if not isinstance(node, list):
        return None
    if isinstance(part, int) or part.isdigit():
        index = int(part)
        return index if index < len(node) else None
    return next(
        (i for i, item in enumerate(node) if isinstance(item, dict) and item.get("name") == part),
        None,
    )


def _children(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [str(key) for key in node]
    if isinstance(node, list):
        named = [str(item["name"]) for item in node if isinstance(item, dict) and "name" in item]
        return named or [str(i) for i in range(len(node))]
    return []


def _shown(path: list[str | int], part: str | int) -> str:
    from generator.diagnostics import format_path

    return format_path((*path, part))
