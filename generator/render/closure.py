"""What a template reads: its own source and every template it includes, imports or
extends, followed through the loader as rendering would."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import jinja2
import jinja2.meta

from generator.render.environment import make_environment
from generator.render.escape import OutputKind


class TemplateDigests:
    """Digests of templates with everything they pull in, computed once per run."""

    def __init__(self, template_dirs: Sequence[Path]) -> None:
        self._dirs = tuple(Path(d) for d in template_dirs)
        self._closures: dict[tuple[OutputKind, str], bytes] = {}
        self._sources: dict[tuple[OutputKind, str], tuple[bytes, list[str | None]]] = {}
        self._everything: bytes | None = None

    def of(self, kind: OutputKind, name: str) -> bytes:
        """The digest of template ``name`` as a ``kind`` file renders it."""
        key = (kind, name)
        if key not in self._closures:
            self._closures[key] = self._closure(kind, name)
        return self._closures[key]

    def _closure(self, kind: OutputKind, name: str) -> bytes:
        digest = hashlib.sha256()
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            source, references = self._source(kind, current)
            digest.update(source)
            if None in references:
                # a name computed while rendering: any template may be the one it picks
                digest.update(self._all_templates())
            pending += [r for r in references if r is not None]
        return digest.digest()

    def _source(self, kind: OutputKind, name: str) -> tuple[bytes, list[str | None]]:
        key = (kind, name)
        if key not in self._sources:
            env = make_environment(kind, self._dirs)
            try:
                assert env.loader is not None
                source, filename, _ = env.loader.get_source(env, name)
                references = list(jinja2.meta.find_referenced_templates(env.parse(source)))
                found = f"{name}\0{filename}\0{source}\0".encode("utf-8", "surrogatepass")
            except jinja2.TemplateError as exc:
                # rendering reports it; the digest only has to differ from a found one
                found, references = f"{name}\0<{type(exc).__name__}: {exc}>\0".encode(), []
            self._sources[key] = (found, references)
        return self._sources[key]

    def _all_templates(self) -> bytes:
        if self._everything is None:
            digest = hashlib.sha256()
            for directory in self._dirs:
                for path in sorted(directory.rglob("*")):
                    if path.is_file():
                        digest.update(f"{path}\0".encode() + path.read_bytes() + b"\0")
            self._everything = digest.digest()
        return self._everything
