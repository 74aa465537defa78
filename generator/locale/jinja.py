"""Jinja2's i18n extension, wired to the message catalogs and to escaping by output kind.

Templates write ``{% trans name=value %}…%(name)s…{% endtrans %}`` or ``_("…")``. Where
one English word carries several meanings ("After": elapsed time, or depends on), a
message context tells them apart: ``{% trans "stage depends on" %}After{% endtrans %}``
or ``pgettext("stage depends on", "After")``; a spec value shown as a word goes through
``| spec_value("its meaning")`` (see :mod:`generator.locale.values`). The language is
the template context's ``language`` (English when absent). Values passed to a message
are escaped like any ``{{ value }}``; the translated sentence itself is text the project
wrote. In Markdown and XML it may carry markup (a code span, a link), so it is printed
as is around the escaped values; in every other kind (shell, YAML, JSON, plain text)
the whole sentence is one value and escaped as one.

Text built in Python arrives as a :class:`~generator.locale.message.Message`:
``{{ _(result.summary) }}`` translates it the same way (its :class:`Code` values become
inline code in Markdown), and ``{{ title | translated }}`` gives its plain translated
text, escaped as one value where it is printed (e.g. as a link's label). Any other
value passes ``| translated`` unchanged: text from the spec is never looked up.
"""

from __future__ import annotations

from typing import Any

import jinja2
from jinja2.ext import InternationalizationExtension
from jinja2.runtime import Context

from generator.locale import translations
from generator.locale.message import Message, shown
from generator.locale.values import SPEC_VALUES, english
from generator.render import Raw


class I18n(InternationalizationExtension):
    """``jinja2.ext.i18n`` with new-style gettext, trimmed messages and kind-aware escaping."""

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.policies["ext.i18n.trimmed"] = True
        environment.newstyle_gettext = True  # type: ignore[attr-defined]
        environment.globals.update(
            gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
        )
        environment.filters["translated"] = _translated
        environment.filters["spec_value"] = _spec_value


def _language(context: Context) -> str:
    return str(context.get("language", "en"))


@jinja2.pass_context
def _gettext(context: Context, message: str, /, **variables: Any) -> str:
    if isinstance(message, Message):
        return _message(context.environment, message, _language(context))
    text = translations(_language(context)).gettext(message)
    return _format(context.environment, text, variables)


@jinja2.pass_context
def _translated(context: Context, value: Any) -> Any:
    return shown(value, _language(context)) if isinstance(value, Message) else value


@jinja2.pass_context
def _spec_value(context: Context, value: Any, meaning: str) -> str:
    words = english(value)
    if (meaning, words) not in SPEC_VALUES:
        return str(getattr(value, "value", value))
    return translations(_language(context)).pgettext(meaning, words)


@jinja2.pass_context
def _ngettext(context: Context, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    text = translations(_language(context)).ngettext(singular, plural, num)
    return _format(context.environment, text, {"num": num, **variables})


@jinja2.pass_context
def _pgettext(context: Context, message_context: str, message: str, /, **variables: Any) -> str:
    text = translations(_language(context)).pgettext(message_context, message)
    variables.pop("context", None)  # Jinja's trans tag passes the context as a value too
    return _format(context.environment, text, variables)


@jinja2.pass_context
def _npgettext(
    context: Context,
    message_context: str,
    singular: str,
    plural: str,
    num: int,
    /,
    **variables: Any,
) -> str:
    text = translations(_language(context)).npgettext(message_context, singular, plural, num)
    variables.pop("context", None)
    return _format(context.environment, text, {"num": num, **variables})


def _format(environment: jinja2.Environment, text: str, variables: dict[str, Any]) -> str:
    finalize = environment.finalize
    assert finalize is not None  # the renderer always escapes through finalize
    if _is_markup(environment):
        return Raw(text % {name: finalize(value) for name, value in variables.items()})
    return text % variables


def _message(environment: jinja2.Environment, message: Message, language: str) -> str:
    if not _is_markup(environment):
        return shown(message, language)
    finalize = environment.finalize
    assert finalize is not None
    # Markdown prints identifiers with its `code` filter; XML has no inline code
    code = environment.filters.get("code") or (lambda text: finalize(f"`{text}`"))
    return Raw(shown(message, language, escape=finalize, code=code))


def _is_markup(environment: jinja2.Environment) -> bool:
    # Markdown and XML escape "<" as a character reference; shell, YAML, JSON and plain
    # text quote it or keep it. Asking the finalizer keeps the kinds defined in one place.
    finalize = environment.finalize
    return finalize is not None and str(finalize("<")).startswith("&")
