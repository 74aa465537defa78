"""Nodes for a text only py-yaml12 reads: its data, each node located by searching the text.

Both ruamel parsers refuse some valid YAML 1.2 (tabs as separators, a line break inside a
flow key, an empty key). For such a text the data comes from py-yaml12 and is turned
into the nodes ruamel would have composed, so the loader's checks apply unchanged. The
positions are found by walking the text in document order: each key is searched for
from where the previous node was found, and a value starts at the first character after
its key that is no separator. They are what a reader would point at in ordinary files;
in unusual layouts they can be off by a token.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from typing import Any

from ruamel.yaml.error import StreamMark
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

_TAG = "tag:yaml.org,2002:"
_PLAIN = "deployplan:plain"
# Whitespace, comments, indicators and document markers between two nodes.
_SEPARATORS = re.compile(r"(?:\s+|#[^\n]*|---|\.\.\.|[-?:,\[\]{}](?=[\s,\[\]{}]|$))*")


def locate(label: str, text: str, data: Any) -> Node:
    """The nodes of ``data`` with positions found in ``text``."""
    return _Locator(label, text).node(data)


class _Locator:
    def __init__(self, label: str, text: str) -> None:
        self.label = label
        self.text = text
        self.cursor = 0
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def node(self, value: Any) -> Node:
        mark = self._mark(self._skip())
        if isinstance(value, dict):
            pairs = []
            for key, item in value.items():
                key_node = self._key(key)
                pairs.append((key_node, self.node(item)))
            return MappingNode(_TAG + "map", pairs, mark, mark, flow_style=False)
        if isinstance(value, list):
            return SequenceNode(_TAG + "seq", [self.node(v) for v in value], mark, mark)
        return self._scalar(value, mark)

    def _key(self, key: Any) -> Node:
        if isinstance(key, str):
            found = self._find(key)
            mark = self._mark(found if found is not None else self._skip())
            return ScalarNode(_TAG + "str", key, mark, mark)
        return self.node(_unwrap(key))

    def _scalar(self, value: Any, mark: StreamMark) -> Node:
        if hasattr(value, "tag") and hasattr(value, "value"):  # yaml12.Yaml: a kept tag
            inner = value.value
            tag = str(value.tag)
            if isinstance(inner, dict | list):
                node = self.node(inner)
                node.tag = tag
                return node
            self._find(str(inner))
            return ScalarNode(tag, str(inner), mark, mark)
        if isinstance(value, str):
            self._find(value.split("\n", 1)[0])
            return ScalarNode(_TAG + "str", value, mark, mark)
        self._find(_plain_text(value))
        return ScalarNode(_PLAIN, _plain_text(value), mark, mark)

    def _skip(self) -> int:
        match = _SEPARATORS.match(self.text, self.cursor)
        self.cursor = match.end() if match else self.cursor
        return self.cursor

    def _find(self, written: str) -> int | None:
        """Where ``written`` next starts (plain or quoted); the cursor moves past it."""
        start = self._skip()
        if not written:
            return None
        window = self.text[start : start + 4 * len(written) + 400]
        for form in (written, f'"{written}"', f"'{written}'"):
            at = window.find(form)
            if at >= 0:
                self.cursor = start + at + len(form)
                return start + at
        return None

    def _mark(self, index: int) -> StreamMark:
        line = bisect_right(self.line_starts, index) - 1
        return StreamMark(self.label, index, line, index - self.line_starts[line])


def _unwrap(value: Any) -> Any:
    """A complex key (py-yaml12 wraps it to keep it hashable) as its list or mapping."""
    return getattr(value, "value", value)


def _plain_text(value: Any) -> str:
    """A typed scalar written back as the plain text that types to it again."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    return repr(value)
