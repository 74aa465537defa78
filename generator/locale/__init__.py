"""Message catalogs: every sentence of the generated site in English and Japanese.

Messages are English (the msgids); ``<language>/LC_MESSAGES/deployplan.po`` holds each
language's translations. The ``.po`` files are the only committed form: they are compiled
in memory on first use, so there is no ``.mo`` file to forget to rebuild.
``scripts/update-catalogs`` re-extracts the messages from the templates, the docs family
and the compliance checks after an edit, and the tests fail while a message lacks a
translation. Text built in Python is a :class:`~generator.locale.message.Message`.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

LANGUAGES: tuple[str, ...] = ("en", "ja")
DOMAIN = "deployplan"
LOCALE_DIR = Path(__file__).resolve().parent


def catalog_path(language: str) -> Path:
    """The ``.po`` file of ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language``; an unknown language gets the English text."""
    if language not in LANGUAGES:
        return gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated where it is shown."""
    return message
