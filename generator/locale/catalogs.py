"""Keep the message catalogs in step with the templates and the docs family's code.

``extract()`` finds every message; ``update()`` rewrites each ``.po`` file so it holds
exactly those messages: new ones are added untranslated (English gets the message itself),
vanished ones are dropped, existing translations are kept. Run ``scripts/update-catalogs``.

A message with a context (``pgettext``, ``{% trans "context" %}``) is keyed as gettext
stores it, ``context`` + ``\x04`` + ``message``, and written with its ``msgctxt``.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from generator.locale import DOMAIN, LANGUAGES, catalog_path
from generator.paths import builtin_templates_dir

_PACKAGE = Path(__file__).resolve().parents[1]
# Where messages live: the templates of the manual, the compliance, recovery and alert
# pages, the Python that plans them or words check results, and the control descriptions
# of the frameworks.
SOURCES: tuple[tuple[Path, str], ...] = (
    (builtin_templates_dir() / "docs", "**.j2"),
    (builtin_templates_dir() / "compliance", "**.md.j2"),
    (builtin_templates_dir() / "recovery", "**.md.j2"),
    (builtin_templates_dir() / "monitoring", "**.md.j2"),
    (_PACKAGE / "targets" / "docs", "**.py"),
    (_PACKAGE / "compliance", "**.py"),
    (_PACKAGE / "compliance" / "frameworks", "*.yaml"),
    (_PACKAGE / "locale", "**.py"),
)
_METHODS = {".j2": "jinja2", ".py": "python", "yaml": "generator.locale.catalogs:extract_yaml"}
#: The gettext-style markers: ``_``/``gettext`` in templates, ``N_`` and ``Message`` in Python.
KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "N_": None,
    "Message": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
CONTEXT_SEPARATOR = "\x04"
_JINJA_OPTIONS = {
    "trimmed": "true",
    "newstyle_gettext": "true",
    "silent": "false",
    "extensions": "jinja2.ext.do,jinja2.ext.loopcontrols",
    "trim_blocks": "true",
    "lstrip_blocks": "true",
}


def extract() -> dict[str, list[str]]:
    """Message -> where it is used (``file:line``), in a stable order."""
    found: dict[str, list[str]] = {}
    for message, where in _messages():
        found.setdefault(message, []).append(where)
    return dict(sorted(found.items()))


def _messages() -> Iterator[tuple[str, str]]:
    for directory, pattern in SOURCES:
        method = next(m for suffix, m in _METHODS.items() if pattern.endswith(suffix))
        method_map = [(pattern, method)]
        options = {pattern: _JINJA_OPTIONS} if method == "jinja2" else {}
        for filename, line, message, _, context in extract_from_dir(
            directory,
            method_map=method_map,
            options_map=options,
            keywords=KEYWORDS,
        ):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    where = f"{directory.name}/{filename}:{line}"
                    yield key(context, text), where


def key(context: str | None, message: str) -> str:
    """The key of ``message`` in ``context``: the message itself when there is none."""
    return f"{context}{CONTEXT_SEPARATOR}{message}" if context else message


def split(message_key: str) -> tuple[str | None, str]:
    """``(context, message)`` of a key made by :func:`key`."""
    context, separator, message = message_key.partition(CONTEXT_SEPARATOR)
    return (context, message) if separator else (None, message_key)


def extract_yaml(
    fileobj: IO[bytes], *_keywords_and_tags: object, **_options: object
) -> Iterator[tuple[int, None, str, list[str]]]:
    """Babel extraction method: the ``description`` of each control of a framework file.

    Control titles are the frameworks' official English names and stay untranslated.
    """
    from ruamel.yaml import YAML

    data = YAML(typ="rt").load(fileobj.read().decode("utf-8"))
    for control in data.get("controls", []):
        if control.get("description"):
            yield control.lc.key("description")[0] + 1, None, str(control["description"]), []


def load(language: str) -> Catalog:
    """The ``.po`` catalog of ``language`` as committed."""
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


def update(language: str, messages: dict[str, list[str]]) -> str:
    """The ``.po`` text of ``language`` holding exactly ``messages``."""
    path = catalog_path(language)
    old = load(language) if path.exists() else Catalog(locale=language, domain=DOMAIN)
    new = Catalog(
        locale=language,
        domain=DOMAIN,
        project="deployplan",
        version="",
        copyright_holder="deployplan maintainers",
        charset="utf-8",
        fuzzy=False,
    )
    for message_key, places in messages.items():
        context, message = split(message_key)
        previous = old.get(message, context=context)
        translated = previous.string if previous is not None and previous.string else ""
        if language == "en" and not translated:
            translated = message
        locations = [(p.rsplit(":", 1)[0], 0) for p in places]
        new.add(message, translated, locations=locations, context=context)
    buffer = io.BytesIO()
    write_po(buffer, new, width=100, omit_header=False, sort_output=True, no_location=False)
    return _stable(buffer.getvalue().decode("utf-8"))


def _stable(text: str) -> str:
    # the header records the time of writing; drop it so unchanged catalogs stay unchanged
    lines = [
        ln
        for ln in text.splitlines()
        if not ln.startswith(('"POT-Creation-Date', '"PO-Revision-Date'))
    ]
    return "\n".join(lines) + "\n"


def missing(language: str) -> list[str]:
    """Messages with no translation in ``language`` (empty or fuzzy)."""
    catalog = load(language)
    return sorted(
        message_key
        for message_key in extract()
        if (entry := catalog.get(split(message_key)[1], context=split(message_key)[0])) is None
        or not entry.string
        or entry.fuzzy
    )


def main() -> int:
    """Rewrite every catalog; print the messages still to translate."""
    messages = extract()
    for language in LANGUAGES:
        path = catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(update(language, messages), encoding="utf-8")
        todo = missing(language)
        print(f"{path}: {len(messages)} messages, {len(todo)} untranslated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
