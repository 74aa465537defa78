"""Text built in Python that is English data and, on a page, a translated sentence.

A check's result or an evidence note is read by tools (JSON, JUnit, the terminal) in
English and by people on the site in the manual's language. A :class:`Message` is both:
it *is* the English text (a ``str``), and it keeps its catalog id and values so a page
can translate it. Its values may be messages themselves, :class:`Code` (an identifier,
shown as inline code) or a :class:`Listing` of values.

``Message("...")`` is also the marker ``scripts/update-catalogs`` extracts: the id must
be a plain string literal with ``%(name)s`` placeholders (a literal ``%`` is ``%%``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.locale import translations


@dataclass(frozen=True)
class Code:
    """An identifier in a message, shown as inline code: `` `name` `` in plain text."""

    text: str

    def __str__(self) -> str:
        return f"`{self.text}`"


@dataclass(frozen=True)
class Listing:
    """Values in a message, joined by ``separator``."""

    items: tuple[Any, ...]
    separator: str = ", "

    def __str__(self) -> str:
        return self.separator.join(map(str, self.items))


class Message(str):
    """A catalog message with its values, as its English text."""

    id: str
    values: dict[str, Any]

    def __new__(cls, id: str, /, **values: Any) -> Message:
        english = super().__new__(cls, id % {name: str(v) for name, v in values.items()})
        english.id = id
        english.values = values
        return english

    def __reduce__(self) -> tuple[Any, ...]:
        # str's own reduce would rebuild from the English text, which is no id
        return _rebuild, (self.id, self.values)


def _rebuild(id: str, values: dict[str, Any]) -> Message:
    return Message(id, **values)


def _backticks(text: str) -> str:
    return f"`{text}`"


def shown(
    value: Any,
    language: str,
    escape: Callable[[Any], str] = str,
    code: Callable[[str], str] = _backticks,
) -> str:
    """``value`` in ``language``: a message translated, its values put back in.

    The translated sentence is the project's own text and kept as is; every value that
    is not itself a message goes through ``escape``, and every :class:`Code` through
    ``code``. With the defaults the result is plain text.
    """
    if isinstance(value, Message):
        text = translations(language).gettext(value.id) if value.id else ""
        return text % {
            name: shown(item, language, escape, code) for name, item in value.values.items()
        }
    if isinstance(value, Code):
        return code(value.text)
    if isinstance(value, Listing):
        return value.separator.join(shown(item, language, escape, code) for item in value.items)
    return escape(value)
