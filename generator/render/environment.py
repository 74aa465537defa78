"""The Jinja2 environments: sandboxed, strict, escaping by output kind, with compiled
templates kept between runs in the user's cache directory."""

from __future__ import annotations

import contextlib
import functools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import jinja2.sandbox

from generator.render.escape import (
    OutputKind,
    Raw,
    as_text,
    json_value,
    shell_join,
    shell_word,
    text_line,
    to_yaml,
    xml_text,
    yaml_value,
)
from generator.render.markdown import code, link, md_block, md_inline

EXTENSIONS: tuple[str, ...] = (
    "jinja2.ext.loopcontrols",
    "jinja2.ext.do",
    # jinja2.ext.i18n bound to the message catalogs (see generator/locale/jinja.py)
    "generator.locale.jinja.I18n",
    "generator.targets.docs.filters.MarkdownBlocks",
)

ESCAPE_BY_KIND: dict[OutputKind, Callable[[object], str]] = {
    OutputKind.SHELL: shell_word,
    OutputKind.YAML: yaml_value,
    OutputKind.MARKDOWN: md_inline,
    OutputKind.JSON: json_value,
    OutputKind.XML: xml_text,
    OutputKind.TEXT: text_line,
}
_FILTERS_BY_KIND: dict[OutputKind, dict[str, Callable[..., Raw]]] = {
    OutputKind.SHELL: {"shell_join": shell_join},
    OutputKind.YAML: {"to_yaml": to_yaml},
    OutputKind.MARKDOWN: {"md_block": md_block, "code": code, "link": link},
}


def escape(kind: OutputKind, value: object) -> str:
    """``value`` as a template of ``kind`` prints it: escaped, unless it is :class:`Raw`."""
    return value if isinstance(value, Raw) else ESCAPE_BY_KIND[kind](value)


def _finalizer(escape_value: Callable[[object], str]) -> Callable[[object], str]:
    def finalize(value: object) -> str:
        return value if isinstance(value, Raw) else escape_value(value)

    return finalize


def raw(value: object) -> Raw:
    """``{{ value | raw }}``: the one explicit way to print a value unescaped."""
    return Raw(as_text(value))


def _keeps_raw(jinja_filter: Callable[..., str]) -> Callable[..., str]:
    """Indenting or trimming trusted output (a macro's, a caller's) leaves it trusted."""

    def apply(value: object, *args: Any, **kwargs: Any) -> str:
        result = jinja_filter(value, *args, **kwargs)
        return Raw(result) if isinstance(value, Raw) else result

    return apply


def _concat_trusted(parts: Iterable[str]) -> Raw:
    return Raw("".join(parts))


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.sandbox.SandboxedEnvironment):
    """Every template, built-in or the user's, runs in Jinja2's sandbox: it reaches only
    public attributes and safe calls, never Python internals (``__class__``,
    ``__globals__``, ``os``). Mutable: templates build lists with ``{% do %}``."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._safe_attributes: dict[tuple[type, str], bool] = {}

    def getattr(self, obj: Any, attribute: str) -> Any:
        # `x.name` tries the attribute first, then the key. Most lookups are keys of
        # context dicts, never dict attributes: skip the failing attribute lookup.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        # Jinja's verdict depends only on the attribute's name and the object's type, and
        # templates read the same few attributes of the same few types thousands of times.
        key = (type(obj), attr)
        safe = self._safe_attributes.get(key)
        if safe is None:
            safe = self._safe_attributes[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    # Compiled templates join captured output (macro and call bodies, set blocks,
    # super()) with this. That output was escaped as it rendered: printed again, it
    # must not be escaped twice, as with Markup under HTML autoescape.
    concat = staticmethod(_concat_trusted)


def make_environment(kind: OutputKind, template_dirs: Sequence[Path]) -> jinja2.Environment:
    """The Jinja2 environment for ``kind``; ``template_dirs`` are searched in order.

    Cached per (kind, dirs) and shared: do not modify it.
    """
    return _environment(kind, tuple(Path(d) for d in template_dirs))


@functools.lru_cache(maxsize=32)
def _environment(kind: OutputKind, template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(d) for d in template_dirs]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        finalize=_finalizer(ESCAPE_BY_KIND[kind]),
        extensions=EXTENSIONS,
        bytecode_cache=_bytecode_cache(kind),
    )
    env.filters.update(
        raw=raw, indent=_keeps_raw(env.filters["indent"]), trim=_keeps_raw(env.filters["trim"])
    )
    env.filters.update(_FILTERS_BY_KIND.get(kind, {}))
    return env


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between runs; an unwritable cache only costs speed."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError, ValueError, EOFError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache(kind: OutputKind) -> jinja2.BytecodeCache | None:
    # Compiled code depends on the kind's filters and on Jinja2's version: one folder each.
    # A bucket is keyed by the template's file name and checked against its source.
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "deployplan" / f"jinja-{jinja2.__version__}-{kind.value}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _CompiledTemplates(str(folder))
