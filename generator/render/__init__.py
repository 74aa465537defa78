"""Render artifacts through Jinja2, escaping every value for the file being written.

The parts: escaping by output kind (:mod:`.escape`, :mod:`.markdown`), the sandboxed
environments (:mod:`.environment`), the do-not-edit marker (:mod:`.marker`), problem
reports (:mod:`.problems`); for incremental runs, fingerprints of contexts
(:mod:`.fingerprint`) and templates (:mod:`.closure`) and the last run's bytes
(:mod:`.reuse`); rendering over several processes (:mod:`.pool`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from generator.artifact import Artifact, RenderedFile
from generator.render.closure import TemplateDigests
from generator.render.environment import EXTENSIONS, escape, make_environment, raw
from generator.render.escape import (
    BIDI_CONTROLS,
    OutputKind,
    Raw,
    output_kind,
    shell_join,
    to_yaml,
    visible_bidi,
)
from generator.render.fingerprint import Fingerprints
from generator.render.markdown import code, link, md_block, md_inline
from generator.render.marker import MARKER, finish, with_marker
from generator.render.pool import jobs_wanted, run_all
from generator.render.problems import Problems
from generator.render.reuse import Reuse, current

__all__ = [
    "BIDI_CONTROLS",
    "EXTENSIONS",
    "MARKER",
    "OutputKind",
    "Raw",
    "Reuse",
    "code",
    "escape",
    "link",
    "make_environment",
    "md_block",
    "md_inline",
    "output_kind",
    "raw",
    "render",
    "shell_join",
    "to_yaml",
    "visible_bidi",
    "with_marker",
]


def render(
    artifacts: Sequence[Artifact],
    *,
    template_dirs: Sequence[Path],
    spec_label: str,
    globals: Mapping[str, Any] | None = None,
    header: bool = True,
    reuse: Reuse | None = None,
    jobs: int | None = None,
) -> list[RenderedFile]:
    """Render every artifact with its template and context, in order.

    ``globals`` are visible to every template (an artifact's context wins); ``header``
    adds the marker (off for the files ``init`` hands over to the user). With ``reuse``
    (by default the one :func:`~generator.render.reuse.active` made current), an
    artifact whose inputs are those of the last run keeps the bytes it has on disk, and
    every render is recorded for the next run. ``jobs`` forces the number of processes
    (default: ``DEPLOYPLAN_JOBS``, else every available core when the work is large).
    Every template problem across all artifacts is collected and raised as one
    :class:`~generator.errors.TemplateProblem`.
    """
    reuse = reuse if reuse is not None else current()
    shared = dict(globals or {})
    problems = Problems(template_dirs)
    templates: dict[tuple[OutputKind, str], jinja2.Template | Exception] = {}
    for artifact in artifacts:
        key = (output_kind(artifact.path), artifact.template)
        if key not in templates:
            templates[key] = _load(*key, template_dirs)
    inputs = _inputs(artifacts, template_dirs, spec_label, shared, header) if reuse else {}
    kept = {i: reuse.kept(artifacts[i], digest) for i, digest in inputs.items()} if reuse else {}
    todo = [i for i in range(len(artifacts)) if kept.get(i) is None]

    def job(index: int) -> bytes | str:
        artifact = artifacts[todo[index]]
        kind = output_kind(artifact.path)
        template = templates[kind, artifact.template]
        if isinstance(template, Exception):
            return problems.line(template, artifact)
        try:
            text = template.render({**shared, **artifact.context})
        except Exception as exc:  # a template bug of any kind becomes a problem report
            return problems.line(exc, artifact)
        return finish(text, kind, spec_label, header)

    results = run_all(len(todo), job, jobs_wanted(jobs), forced=jobs is not None)
    outcomes = dict(zip(todo, results, strict=True))
    rendered = []
    for index, artifact in enumerate(artifacts):
        found = kept.get(index)
        content = outcomes[index] if found is None else found
        if isinstance(content, str):
            problems.add(content, artifact)
            continue
        if reuse is not None and index in inputs:
            reuse.record(artifact, inputs[index], content)
        rendered.append(_rendered_file(artifact, content))
    problems.raise_if_any()
    return rendered


def _inputs(
    artifacts: Sequence[Artifact],
    template_dirs: Sequence[Path],
    spec_label: str,
    shared: Mapping[str, Any],
    header: bool,
) -> dict[int, str]:
    """The digest of what rendering each artifact reads (contexts that cannot be
    fingerprinted have none: their artifacts always render)."""
    contexts, templates = Fingerprints(), TemplateDigests(template_dirs)
    common = contexts.of(shared)
    found = {}
    for index, artifact in enumerate(artifacts):
        described = contexts.artifact(artifact)
        if described is None or common is None:
            continue
        kind = output_kind(artifact.path)
        digest = hashlib.sha256(templates.of(kind, artifact.template))
        digest.update(f"\0{kind}\0{header}\0{spec_label}\0{common}\0{described}".encode())
        found[index] = digest.hexdigest()
    return found


def _load(kind: OutputKind, name: str, dirs: Sequence[Path]) -> jinja2.Template | Exception:
    try:
        return make_environment(kind, dirs).get_template(name)
    except Exception as exc:  # reported per artifact, like a rendering error
        return exc


def _rendered_file(artifact: Artifact, content: bytes) -> RenderedFile:
    return RenderedFile(
        root=artifact.root,
        path=artifact.path,
        content=content,
        family=artifact.family,
        environment=artifact.environment,
        service=artifact.service,
        executable=artifact.executable,
    )
