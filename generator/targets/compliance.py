"""The ``compliance`` family: the audit as reports in ``output/compliance/`` and site pages.

``compliance.reporting_requirements.formats`` shapes what is written: the JSON report
always, JUnit XML, SARIF and OSCAL when listed, and the pages under ``compliance/`` of
the site for ``html``: a dashboard per framework, a page per control with its evidence
linked to the spec reference and to the spec line, and the access-control matrix.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.compliance import AuditReport, Evidence, evaluate
from generator.compliance.artifacts import RenderedArtifacts
from generator.compliance.checks import CHECKS
from generator.compliance.oscal import to_oscal
from generator.compliance.probes import Probe, planned_probes
from generator.compliance.reports import to_json, to_junit, to_sarif
from generator.compliance.results import ControlResult, Status
from generator.spec.positions import Path
from generator.targets.context import PlanContext

FAMILY = "compliance"
#: Output file per report format (JSON is always written).
REPORTS = {
    "json": ("report.json", to_json),
    "junit": ("junit.xml", to_junit),
    "sarif": ("report.sarif.json", to_sarif),
}


def plan(context: PlanContext) -> list[Artifact]:
    """The reports the spec asks for, the probes, and the compliance pages of the site."""
    generated = RenderedArtifacts(context)
    report = evaluate(context.plan, context.positions, context.spec_label, generated)
    formats = set(context.plan.compliance.reporting_requirements.formats) | {"json"}
    artifacts = [
        _document(name, writer(report))
        for kind, (name, writer) in REPORTS.items()
        if kind in formats
    ]
    if "oscal" in formats:
        artifacts.append(_document("assessment-results.json", to_oscal(report)))
    if "html" in formats:
        artifacts.extend(_pages(context, report))
    return artifacts + _probes(context)


#: The system user the probes run as, and when they run (daily, after the night's backups).
PROBE_USER = "deployplan-probes"
PROBE_CRON = "17 7 * * *"
PROBE_CALENDAR = "*-*-* 07:17:00 UTC"


def _probes(context: PlanContext) -> list[Artifact]:
    """Each environment's probe scripts, and their crontab and systemd units."""
    artifacts = []
    by_environment: dict[str, list[Probe]] = {}
    for probe in planned_probes(context.plan):
        by_environment.setdefault(probe.environment, []).append(probe)
        artifacts.append(
            _probe_file(
                probe.path,
                f"compliance/probes/{probe.name}.sh.j2",
                {**probe.context, "environment": probe.environment},
                probe.environment,
                executable=True,
            )
        )
    for env, probes in by_environment.items():
        artifacts.extend(_schedule(context, env, probes))
    return artifacts


def _schedule(context: PlanContext, env: str, probes: list[Probe]) -> list[Artifact]:
    here = PurePosixPath("compliance", "probes", env)
    entries = [
        {
            "script": probe.path.name,
            "description": probe.description,
            "cron": PROBE_CRON,
            "calendar": PROBE_CALENDAR,
            "unit": f"{context.plan.project.name}-probe-{env}-{probe.name}",
        }
        for probe in probes
    ]
    shared = {
        "environment": env,
        "install_dir": f"/opt/{context.plan.project.name}/compliance-probes/{env}",
        "user": PROBE_USER,
    }
    artifacts = [
        _probe_file(
            here / "crontab", "compliance/probes/crontab.j2", {**shared, "probes": entries}, env
        )
    ]
    for entry in entries:
        for kind in ("service", "timer"):
            path = here / "systemd" / f"{entry['unit']}.{kind}"
            template = f"compliance/probes/probe.{kind}.j2"
            artifacts.append(_probe_file(path, template, {**shared, "probe": entry}, env))
    users = [{"name": PROBE_USER, "description": "deployplan compliance probes"}]
    path = here / "systemd" / "sysusers.conf"
    context_users = {**shared, "name": PROBE_USER, "users": users}
    artifacts.append(_probe_file(path, "backups/sysusers.conf.j2", context_users, env))
    return artifacts


def _probe_file(
    path: PurePosixPath,
    template: str,
    context: dict[str, Any],
    environment: str,
    *,
    executable: bool = False,
) -> Artifact:
    return Artifact(
        root=Root.OUTPUT,
        path=path,
        template=template,
        family=FAMILY,
        context=context,
        environment=environment,
        executable=executable,
    )


def _document(name: str, text: str) -> Artifact:
    template = (
        "compliance/document.xml.j2" if name.endswith(".xml") else "compliance/document.json.j2"
    )
    return Artifact(
        root=Root.OUTPUT,
        path=PurePosixPath("compliance", name),
        template=template,
        family=FAMILY,
        context={"document": text},
    )


def _page(path: str, template: str, **context: Any) -> Artifact:
    return Artifact(
        root=Root.DOCS,
        path=PurePosixPath("compliance", path),
        template=f"compliance/{template}",
        family=FAMILY,
        context=context,
    )


def _pages(context: PlanContext, report: AuditReport) -> list[Artifact]:
    links = _Links(context)
    # the pages are worded in the manual's language (generator/locale)
    page = functools.partial(_page, language=context.plan.project.docs_language.value)
    pages = {
        (f.id, c.id): f"{f.id}-{slug}.md"
        for f in report.frameworks
        for c, slug in zip(f.controls, _slugs(f.controls), strict=True)
    }
    artifacts = [
        page(
            "index.md",
            "index.md.j2",
            report=report,
            checks=[(CHECKS[c.check], c) for c in report.checks],
            STATUS=Status,
        ),
        page("access-control.md", "access-control.md.j2", **access_matrix(context)),
    ]
    for framework in report.frameworks:
        artifacts.append(
            page(f"{framework.id}.md", "framework.md.j2", framework=framework, pages=pages)
        )
        for control in framework.controls:
            artifacts.append(
                page(
                    pages[framework.id, control.id],
                    "control.md.j2",
                    framework=framework,
                    control=control,
                    checks=[(CHECKS[c.check], c) for c in control.checks],
                    needs={c.check: control.needed(c.check).value for c in control.checks},
                    evidence=links.rows,
                )
            )
    return artifacts


def _slugs(controls: tuple[ControlResult, ...]) -> list[str]:
    """File-name slugs of control ids, unique within the framework."""
    seen: set[str] = set()
    slugs = []
    for control in controls:
        base = re.sub(r"[^a-z0-9]+", "-", control.id.lower()).strip("-") or "control"
        slug, number = base, 1
        while slug in seen:
            number += 1
            slug = f"{base}-{number}"
        seen.add(slug)
        slugs.append(slug)
    return slugs


def access_matrix(context: PlanContext) -> dict[str, Any]:
    """Roles × environments × permissions, from ``security.access_controls``."""
    security = context.plan.security
    environments = list(context.plan.environments)
    if security is None:
        return {"environments": environments, "roles": [], "pipeline": None, "access": None}
    access = security.access_controls
    roles = [
        {
            "role": role,
            "cells": [[p.value for p in role.permissions.get(env, [])] for env in environments],
        }
        for role in access.roles
    ]
    pipeline = access.pipeline
    cells = (
        [[p.value for p in pipeline.permissions.get(env, [])] for env in environments]
        if pipeline
        else None
    )
    return {"environments": environments, "roles": roles, "pipeline": cells, "access": access}


class _Links:
    """Where evidence points: the spec reference section and the spec line."""

    def __init__(self, context: PlanContext) -> None:
        self.data = context.plan.model_dump(mode="json", by_alias=True)
        self.line_url = _line_url(context)

    def rows(self, evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
        return [
            {
                "evidence": e,
                "reference": f"../reference/spec.md#{reference_anchor(e.path, self.data)}",
                "value": _shown(e.value),
                "line": self.line_url(e.location.line) if self.line_url else None,
            }
            for e in evidence
        ]


def _shown(value: Any) -> str:
    """A value as JSON, shortened: whole collections are in ``report.json``."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:59] + "…"


def _line_url(context: PlanContext) -> Any:
    """A function line -> URL of that spec line in the repository, where one is known."""
    repository = context.plan.project.repository
    if repository is None or re.search(r"[\s#?]", context.spec_label):
        return None
    versions = context.plan.version_management
    branch = versions.branching_strategy.main_branch if versions else "main"
    host = repository.split("/")[2].lower()
    kind = "-/blob" if "gitlab" in host else "blob" if "github" in host else None
    if kind is None:
        return None
    base = f"{repository.rstrip('/')}/{kind}/{branch}/{context.spec_label}"
    return lambda line: f"{base}#L{line}"


@functools.cache
def _titles() -> tuple[dict[str, str], frozenset[str]]:
    """Spec-reference section title -> anchor, and every prefix of a title."""
    from generator.spec.schema import validation_schema
    from generator.targets.reference import reference_sections

    titles = {s.title: s.slug for s in reference_sections(validation_schema())}
    prefixes = {t[: m.start()] for t in titles for m in re.finditer(r"[.\[ ]|$", t)}
    return titles, frozenset(prefixes)


def reference_anchor(path: Path, data: Any) -> str:
    """The anchor of the deepest spec-reference section documenting ``path``."""
    titles, prefixes = _titles()
    best, current, node = titles["spec"], "", data
    for part in path:
        chosen = next((c for c in _candidates(current, part, node) if c in prefixes), None)
        if chosen is None:
            break
        current = chosen
        node = _child(node, part)
        best = titles.get(current, best)
    # a list or mapping itself: the section of its items
    return titles.get(f"{current}[]", titles.get(f"{current}.<name>", best))


def _candidates(current: str, part: str | int, node: Any) -> list[str]:
    if isinstance(part, int):
        item = _child(node, part)
        kind = item.get("kind") or item.get("type") if isinstance(item, dict) else None
        titles, _ = _titles()
        variants = [
            t
            for t in titles
            if t.startswith(f"{current}[] (") and str(kind) in t[len(current) + 4 : -1].split(" / ")
        ]
        return [*variants, f"{current}[]"]
    prefix = f"{current}." if current else ""
    return [f"{prefix}{part}", f"{prefix}<name>"]


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, dict):
        return node.get(part) if isinstance(part, str) else None
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None
