"""Filters the manual pages need beyond the renderer's Markdown ones.

Loaded as a Jinja2 extension (see ``EXTENSIONS`` in ``generator/render.py``); the filters
exist only in Markdown templates, where their output is Markdown the reader sees as code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import jinja2
from jinja2.ext import Extension

from generator.render import Raw, md_inline, visible_bidi

_BACKTICKS = re.compile(r"`+")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def code_block(value: object, language: str = "") -> Raw:
    """``{{ command | code_block("bash") }}``: a fenced block showing ``value`` verbatim.

    A fence shows its content literally; the only way out of one is a line with an equal
    or longer run of backticks, so the fence is made longer than any run in the content.
    A list of lines is joined with newlines.
    """
    text = _lines(value)
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    info = language if re.fullmatch(r"[a-z0-9]*", language) else ""
    return Raw(f"{fence}{info}\n{text}\n{fence}")


def _lines(value: object) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, Iterable):
        text = "\n".join(str(line) for line in value)
    else:
        text = str(value)
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    return visible_bidi(_CONTROLS.sub(" ", text))


def mermaid_label(value: object) -> Raw:
    """A quoted Mermaid label: quotes and markup characters become Mermaid entity codes."""
    text = visible_bidi(re.sub(r"[\x00-\x1f\x7f]", " ", str(value)))
    escaped = re.sub(r'["<>&#;`]', lambda m: f"#{ord(m.group())};", text)
    return Raw(f'"{escaped}"')


def attribute(value: object) -> Raw:
    """An attr_list value (``{#id}``, ``{data-x=…}``): only name characters are kept."""
    return Raw(re.sub(r"[^A-Za-z0-9_.:/-]", "-", str(value)))


class MarkdownBlocks(Extension):
    """Adds ``code_block``, ``mermaid_label`` and ``attribute`` to Markdown templates."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        finalize = environment.finalize
        if finalize is not None and finalize("<") == md_inline("<"):
            environment.filters.update(
                code_block=code_block, mermaid_label=mermaid_label, attribute=attribute
            )
