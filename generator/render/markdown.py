"""Markdown escaping: values as inert inline text, paragraphs, inline code and links."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from generator.render.escape import BIDI_CONTROLS, CONTROLS, Raw, as_text

# links, raw HTML and entities, tables, critic and attr_list braces, mark/caret/tilde,
# keys (++), math ($). Encoded as numeric entities, they render as themselves.
_MD_INLINE = str.maketrans(
    {
        **dict.fromkeys(CONTROLS, " "),
        "\n": "<br>",
        "\r": "<br>",
        **{c: f"&#{ord(c)};" for c in "\\`*{}[]<>&|~^=+$"},
        # a browser would apply a character reference: shown as its escape instead
        **{c: f"&#92;u{c:04x}" for c in BIDI_CONTROLS},
    }
)
# Syntax that only counts at the start of a line (headings, lists, quotes, admonitions,
# details, rules, ordered lists) and emoji shortcodes (`:name:`). Values never span
# lines (newlines become <br>), so only the value's own start matters.
_MD_LINE_START = re.compile(r"^(?:[#\-!?:.]|[0-9]+[.)])")
_MD_EMOJI = re.compile(r":(?=[A-Za-z0-9_+-])")
# `_` emphasises only at a word's edge; inside a word (`disaster_recovery`) it is text.
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
_EDGE_SPACES = re.compile(r"^ +| +$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# A code span: a run of backticks, content on one line that neither starts nor ends with
# a backtick, and a run of the same length (CommonMark's rule, kept within one line).
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)([^\n]*?[^`\n])\1(?!`)")


def _entity(match: re.Match[str]) -> str:
    return "".join(f"&#{ord(c)};" for c in match.group())


def md_inline(value: object) -> str:
    """MARKDOWN: inert inline text, safe in a paragraph, a list item or a table cell.

    Text between matching backticks (`` `kubectl get pods` ``) is shown as inline code,
    as inert as the rest: a spec writes commands and names in free text that way.
    """
    pieces = _CODE_SPAN.split(as_text(value).replace("\r\n", "\n"))
    # split() alternates: text, a span's backticks, its content, text, ...
    return _edges(
        "".join(
            _inert(piece) if index % 3 == 0 else code(piece)
            for index, piece in enumerate(pieces)
            if index % 3 != 1
        )
    )


def _inert(text: str) -> str:
    text = _MD_EMOJI.sub("&#58;", text.translate(_MD_INLINE))
    return _MD_UNDERSCORE.sub("&#95;", text)


def _edges(text: str) -> str:
    text = _MD_LINE_START.sub(_entity, text)
    if text.startswith(" ") or text.endswith(" "):
        # leading spaces could start a code block, trailing ones a hard line break
        return _EDGE_SPACES.sub(lambda m: "&#32;" * len(m.group()), text)
    return text


def md_block(value: object) -> Raw:
    """``{{ text | md_block }}``: paragraphs kept (blank lines), line breaks as ``<br>``."""
    text = as_text(value).replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = _PARAGRAPH_BREAK.split(text)
    return Raw("\n\n".join(md_inline(p.strip()) for p in paragraphs if p.strip()))


def code(value: object) -> Raw:
    """``{{ name | code }}``: inline code, shown exactly as the value (newlines as spaces).

    A backtick span is not enough: pymdownx.critic rewrites ``{++x++}`` before code
    spans are parsed, and inlinehilite reads a leading ``#!lang``. ``<code>`` with
    inert content shows the same text with no such surprises.
    """
    flat = re.sub(r"\r\n?|\n", " ", as_text(value))
    return Raw(f"<code>{_edges(_inert(flat))}</code>")


def link(text: object, url: object) -> Raw:
    """``{{ title | link(url) }}``: a link for http(s) and relative URLs; else just the text."""
    target = as_text(url)
    label = md_inline(text) or md_inline(target)
    if not _is_safe_url(target):
        return Raw(label)
    # Percent-encoding keeps link syntax, math, keys, code and table pipes out of the
    # URL; &amp; stops the browser decoding "&#106;avascript:" into another scheme.
    href = quote(target, safe="/:?#&=%@,;+").replace("&", "&amp;")
    return Raw(f"[{label}]({href})")


def _is_safe_url(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme in ("http", "https") and bool(parts.netloc)
    return not parts.netloc
