"""Fingerprints of render contexts: equal fingerprints mean the template sees equal data.

A context is serialized with pickle, whose C implementation walks a large context in a
fraction of the time rendering it takes, then hashed. Three things are adjusted so the
same data gives the same bytes in every process: a set inside an object (a model's
``fields_set``, a dataclass field) is written sorted — set order follows string hashes,
which differ per process —; a function defined inside another is written as its code and
closure (pickle only names functions); and an :class:`~generator.artifact.Artifact` held
by a context (the docs family lists every other file) is written as its own fingerprint,
computed once per run. A context pickle cannot write has no fingerprint: its artifact is
always rendered.
"""

from __future__ import annotations

import enum
import hashlib
import io
import pickle
import types
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

from generator.artifact import Artifact

Reduced = tuple[Callable[..., object], tuple[object, ...]]


def _state(*parts: object) -> None:
    """Stands for the reconstructor in fingerprints; they are never loaded."""


class Fingerprints:
    """Digests of contexts; valid while the contexts are alive and unchanged."""

    def __init__(self) -> None:
        self._artifacts: dict[int, str | None] = {}

    def of(self, context: Mapping[str, Any]) -> str | None:
        """The digest of ``context``, or None when pickle cannot write some part of it."""
        buffer = io.BytesIO()
        try:
            _Pickler(buffer, self, context).dump(context)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError, _Opaque):
            return None
        return hashlib.blake2b(buffer.getvalue(), digest_size=20).hexdigest()

    def artifact(self, artifact: Artifact) -> str | None:
        """The digest of everything that decides ``artifact``'s bytes but the templates."""
        key = id(artifact)
        if key not in self._artifacts:
            self._artifacts[key] = None  # a context holding its own artifact is opaque
            context = self.of(artifact.context)
            described = (
                f"{artifact.root}\0{artifact.path}\0{artifact.template}\0{artifact.family}\0"
                f"{artifact.environment}\0{artifact.service}\0{artifact.executable}\0{context}"
            )
            self._artifacts[key] = None if context is None else described
        return self._artifacts[key]


class _Opaque(Exception):
    """A context that holds the artifact being fingerprinted."""


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, owner: Fingerprints, top: object) -> None:
        super().__init__(file, protocol=5)
        self._owner = owner
        self._top = top

    def reducer_override(self, obj: Any) -> Reduced | Any:
        # not called for None, bool, int, float, str, bytes, dict, list, tuple, set
        if isinstance(obj, Artifact):
            digest = self._owner.artifact(obj)
            if digest is None:
                raise _Opaque
            return _state, ("artifact", digest)
        if isinstance(obj, type | enum.Enum | PurePath | types.BuiltinFunctionType):
            return NotImplemented
        if isinstance(obj, types.FunctionType):
            return NotImplemented if "<" not in obj.__qualname__ else _function(obj)
        if isinstance(obj, types.MethodType | set | frozenset):
            return NotImplemented
        attributes = getattr(obj, "__dict__", None)
        slots = _slot_values(obj)
        if attributes is None and not slots:
            return NotImplemented
        fields = {k: _sorted(v) for k, v in (attributes or {}).items()}
        return _state, (type(obj), _base_value(obj), fields, {k: _sorted(v) for k, v in slots})


def _function(function: types.FunctionType) -> Reduced:
    code = function.__code__
    cells = tuple(cell.cell_contents for cell in function.__closure__ or ())
    where = f"{function.__module__}.{function.__qualname__}:{code.co_firstlineno}"
    return _state, (where, code.co_code, function.__defaults__, function.__kwdefaults__, cells)


def _base_value(obj: object) -> object:
    """What a subclass of a builtin holds as that builtin (a ``str`` subclass's text)."""
    if isinstance(obj, str):
        return str(obj)
    if isinstance(obj, bytes | int | float):
        return repr(obj)
    if isinstance(obj, tuple | list):
        return list(obj)
    if isinstance(obj, dict):
        return dict(obj)
    return None


def _slot_values(obj: object) -> list[tuple[str, object]]:
    names: list[str] = []
    for klass in type(obj).__mro__:
        declared = klass.__dict__.get("__slots__", ())
        names += [declared] if isinstance(declared, str) else list(declared)
    missing = object()
    found = [(n, getattr(obj, n, missing)) for n in dict.fromkeys(names) if n != "__weakref__"]
    return [(n, v) for n, v in found if v is not missing and n != "__dict__"]


def _sorted(value: object) -> object:
    if isinstance(value, set | frozenset):
        return sorted(value, key=repr)
    return value
