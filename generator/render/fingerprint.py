"""Fingerprints of render contexts: equal fingerprints mean the template sees equal data.

A context is walked the way a template can reach it — mapping items in order, sequence
items, an object's attributes and slots, a function's closure — and hashed. Objects
shared by many contexts (the plan's services, the list of every artifact the docs family
shows) are hashed once per run: the digest of each container and object is remembered
by identity while the contexts are alive. Anything the walk cannot see through (a C
object with hidden state, a cycle) makes the context opaque: its artifact is always
rendered.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import hashlib
import re
import types
from collections.abc import Mapping
from pathlib import PurePath
from typing import Any


class Opaque(Exception):
    """A value whose content the walk cannot see: its context has no fingerprint."""


#: Immutable values whose repr shows all they hold (for subclasses, their state follows).
_REPR_TYPES = (
    str,
    int,
    float,
    bytes,
    PurePath,
    datetime.date,
    datetime.time,
    datetime.timedelta,
    decimal.Decimal,
    re.Pattern,
)
_MISSING = object()


@functools.cache
def _slots(cls: type) -> tuple[str, ...]:
    names: list[str] = []
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        names += [slots] if isinstance(slots, str) else list(slots)
    return tuple(n for n in dict.fromkeys(names) if n not in ("__dict__", "__weakref__"))


def _name(cls: type) -> bytes:
    return f"{cls.__module__}.{cls.__qualname__}".encode()


class Fingerprints:
    """Digests of values; valid while the values are alive and unchanged."""

    def __init__(self) -> None:
        self._memo: dict[int, bytes] = {}
        self._open: set[int] = set()

    def of(self, value: object) -> bytes | None:
        """The digest of ``value``, or None when some part of it is opaque."""
        try:
            return self._chunk(value)
        except (Opaque, RecursionError):
            return None

    def _chunk(self, value: Any) -> bytes:
        kind = type(value)
        if kind is str:
            text: str = value
            return b"s%d:" % len(text) + text.encode("utf-8", "surrogatepass")
        if kind is int or kind is bool or value is None:
            return b"i" + repr(value).encode()
        if kind is float:
            return b"f" + repr(value).encode()
        known: bytes | None = self._memo.get(id(value))
        if known is not None:
            return known
        if id(value) in self._open:
            raise Opaque("a cycle")
        self._open.add(id(value))
        try:
            parts = self._parts(value)
        finally:
            self._open.discard(id(value))
        digest = b"h" + hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()
        self._memo[id(value)] = digest
        return digest

    def _parts(self, value: Any) -> list[bytes]:
        cls = type(value)
        head = _name(cls)
        if isinstance(value, enum.Enum):
            return [b"e", head, value.name.encode()]
        if isinstance(value, Mapping):
            chunk = self._chunk
            return [b"d", head, *(chunk(k) + chunk(v) for k, v in value.items())]
        if isinstance(value, list | tuple):
            return [b"l", head, *map(self._chunk, value), *self._state(value)]
        if isinstance(value, set | frozenset):
            return [b"S", head, *sorted(map(self._chunk, value))]
        if isinstance(value, (str, int, float, bytes, PurePath, *_REPR_TYPES)):
            return [b"r", head, repr(value).encode(), *self._state(value)]
        if isinstance(value, type):
            return [b"c", _name(value)]
        if isinstance(value, types.FunctionType):
            return self._function(value)
        if isinstance(value, types.MethodType):
            return [b"m", self._chunk(value.__func__), self._chunk(value.__self__)]
        if isinstance(value, types.BuiltinFunctionType):
            owner = value.__self__
            plain = owner is None or isinstance(owner, types.ModuleType)
            bound = b"" if plain else self._chunk(owner)
            return [b"b", (value.__module__ or "").encode(), value.__qualname__.encode(), bound]
        if isinstance(value, functools.partial):
            return [b"p", *map(self._chunk, (value.func, value.args, value.keywords))]
        state = self._state(value)
        if not state and not hasattr(value, "__dict__"):
            raise Opaque(f"a {cls.__qualname__} has no visible state")
        return [b"o", head, *state]

    def _state(self, value: Any) -> list[bytes]:
        """An object's attributes and slots (a subclass of a builtin may have some)."""
        chunk = self._chunk
        attributes = getattr(value, "__dict__", None) or {}
        parts = [b"a" + chunk(name) + chunk(item) for name, item in attributes.items()]
        cls: type = type(value)
        for slot in _slots(cls):
            item = getattr(value, slot, _MISSING)
            parts.append(slot.encode() + (b"-" if item is _MISSING else chunk(item)))
        return parts

    def _function(self, value: types.FunctionType) -> list[bytes]:
        code = value.__code__
        cells = [cell.cell_contents for cell in value.__closure__ or ()]
        return [
            b"F",
            f"{value.__module__}.{value.__qualname__}:{code.co_firstlineno}".encode(),
            code.co_code,
            self._chunk(value.__defaults__),
            self._chunk(value.__kwdefaults__),
            *map(self._chunk, cells),
        ]
