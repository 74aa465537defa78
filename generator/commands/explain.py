"""``deployplan explain PATH``: a value, where it came from, and the files that use it.

Which generated files use a value is found by changing it: the plan is rendered as it is
and again with the value at PATH changed (a number plus one, a boolean flipped, a
string extended), and every file whose bytes differ uses it. The compliance reports
record a digest of the whole plan (and OSCAL UUIDs derived from it), so they change
with any value: a file that differs only there is listed apart. A value that cannot be
changed and stay valid (an enum, a reference, a pattern) falls back to the files of its
environment or service whose text contains the value, and the answer says so.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from generator.commands.generate import template_dirs
from generator.commands.validate import report, spec_label
from generator.errors import UsageProblem
from generator.spec.layers import Layers
from generator.spec.validate import validate_file

if TYPE_CHECKING:
    from generator.artifact import RenderedFile
    from generator.spec.load import LoadedSpec
    from generator.spec.model import DeploymentPlan
    from generator.spec.provenance import Provenance

#: Where each root's files are shown (``generate``'s default folders).
SHOWN_ROOTS = {"output": "output", "docs": "site_docs"}


@dataclass(frozen=True)
class ExplainOptions:
    address: str
    spec: Path
    output_format: str
    templates: Path | None
    layers: Layers


@dataclass(frozen=True)
class Users:
    """The generated files that use a value, and how they were found."""

    files: list[str]
    method: str  # "changed" or "contains"
    digest_only: list[str] = field(default_factory=list)


def run(options: ExplainOptions) -> int:
    """Validate, locate the value, find its users, print the answer."""
    label = spec_label(options.spec)
    result = validate_file(options.spec, label, options.layers)
    report(result)
    if result.plan is None or result.loaded is None:
        return 1
    provenance = explain(result.loaded, result.plan, options.address)
    users = find_users(result.loaded, result.plan, provenance, label, options.templates)
    if options.output_format == "json":
        click.echo(json.dumps(as_json(provenance, users), indent=2, ensure_ascii=False))
    else:
        click.echo(as_text(provenance, users), nl=False)
    return 0


def explain(loaded: LoadedSpec, plan: DeploymentPlan, address: str) -> Provenance:
    """The provenance of ``address``; :class:`UsageProblem` with a hint if there is none."""
    from generator.spec.address import AddressError
    from generator.spec.provenance import locate
    from generator.suggest import did_you_mean

    try:
        return locate(loaded, model_data(plan), address)
    except AddressError as exc:
        missing = str(exc).split("`")[1].rsplit(".", 1)[-1] if "`" in str(exc) else ""
        hint = did_you_mean(missing, exc.options) if exc.options else None
        raise UsageProblem(f"explain {address}: {exc}" + (f"; {hint}" if hint else "")) from None


def model_data(plan: DeploymentPlan) -> dict[str, Any]:
    """The validated plan as spec data, defaults included."""
    data: dict[str, Any] = plan.model_dump(mode="json", by_alias=True)
    return data


def find_users(
    loaded: LoadedSpec,
    plan: DeploymentPlan,
    provenance: Provenance,
    label: str,
    templates: Path | None,
) -> Users:
    """The generated files that change when the value changes (else: that contain it)."""
    dirs = template_dirs(templates)
    before = _render(plan, loaded, label, dirs)
    for changed in _changed_plans(loaded, plan, provenance):
        try:
            after = _render(changed, loaded, label, dirs)
        except Exception:  # a changed value some planner cannot take: try the next one
            continue
        names = sorted({*before, *after} - {k for k in before if before[k] == after.get(k)})
        digests = (_digest(plan), _digest(changed))
        only = [
            n
            for n in names
            if _without_digest(before.get(n), digests[0])
            == _without_digest(after.get(n), digests[1])
        ]
        return Users([n for n in names if n not in only], "changed", only)
    return Users(_containing(before, provenance), "contains")


def _digest(plan: DeploymentPlan) -> str:
    from generator.compliance.evaluate import plan_digest

    return plan_digest(plan)


_UUID = re.compile(rb"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _without_digest(content: bytes | None, digest: str) -> bytes | None:
    """``content`` with the plan's digest, its short form and UUIDs made neutral."""
    if content is None:
        return None
    for form in (digest, digest[:12]):
        content = content.replace(form.encode(), b"<digest>")
    return _UUID.sub(b"<uuid>", content)


def _render(
    plan: DeploymentPlan, loaded: LoadedSpec, label: str, dirs: list[Path]
) -> dict[str, bytes]:
    from generator.render import render
    from generator.targets import plan_all
    from generator.targets.context import PlanContext

    files = render(
        plan_all(PlanContext(plan, label, loaded.positions)), template_dirs=dirs, spec_label=label
    )
    return {_shown(file): file.content for file in files}


def _shown(file: RenderedFile) -> str:
    return f"{SHOWN_ROOTS[file.root.value]}/{file.path}"


def _changed_plans(
    loaded: LoadedSpec, plan: DeploymentPlan, provenance: Provenance
) -> Iterator[DeploymentPlan]:
    """The plan with the value at the path changed, each way the model accepts."""
    from pydantic import ValidationError

    from generator.spec.model import DeploymentPlan

    base = loaded.data if not provenance.is_default else model_data(plan)
    pending = [v for v in _other_values(provenance.value) if v != provenance.value]
    tried = {json.dumps(provenance.value)}
    while pending:
        value = pending.pop(0)
        tried.add(json.dumps(value))
        data = copy.deepcopy(base)
        _put(data, provenance.path, value)
        try:
            yield DeploymentPlan.model_validate_json(json.dumps(data), strict=True)
        except ValidationError as exc:
            # An enum says which values it takes: try those instead.
            choices = [c for c in _choices(exc) if json.dumps(c) not in tried]
            pending.extend(c for c in choices if c != provenance.value and c not in pending)
        except ValueError:
            continue


def _choices(error: Any) -> list[str]:
    found: list[str] = []
    for detail in error.errors(include_url=False):
        expected = (detail.get("ctx") or {}).get("expected")
        if detail["type"] in ("literal_error", "enum") and isinstance(expected, str):
            found.extend(re.findall(r"'([^']*)'", expected))
    return found


def _other_values(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int):
        return [value + 1, value - 1]
    if isinstance(value, float):
        return [value + 1, value / 2]
    if isinstance(value, str):
        return [value + "x", "1" + value, value + "0", value.upper(), value.lower()]
    return []


def _put(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def _containing(files: dict[str, bytes], provenance: Provenance) -> list[str]:
    """Files of the value's environment or service whose text holds the value."""
    value = provenance.value
    if isinstance(value, bool) or value is None or isinstance(value, list | dict):
        return []
    text = str(value).encode()
    if len(text) < 3:
        return []  # a short value is in every file; saying so would mislead
    scope = _scope(provenance.path)
    return [name for name, content in sorted(files.items()) if scope in name and text in content]


def _scope(path: tuple[str | int, ...]) -> str:
    """A part of the output path that files of this environment or service share, if any."""
    if len(path) > 1 and path[0] == "environments":
        return str(path[1])
    return ""


def as_json(provenance: Provenance, users: Users) -> dict[str, Any]:
    """The answer as JSON data."""
    return {
        "path": provenance.dotted,
        "value": provenance.value,
        "default": provenance.is_default,
        "location": _location(provenance.location),
        "through": [
            {"kind": s.kind, "message": s.message, "location": _location(s.location)}
            for s in provenance.steps
        ],
        "files": users.files,
        "files_found_by": users.method,
        "files_with_plan_digest_only": users.digest_only,
    }


def _location(location: Any) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}


def as_text(provenance: Provenance, users: Users) -> str:
    """The answer for people: value, origin, files."""
    lines = [f"{provenance.dotted} = {json.dumps(provenance.value, ensure_ascii=False)}"]
    if provenance.location is not None:
        where = provenance.location
        lines.append(f"  written at {where.file}:{where.line}:{where.column}")
    for step in provenance.steps:
        at = step.location
        suffix = f" ({at.file}:{at.line}:{at.column})" if at is not None else ""
        lines.append(f"  {step.message}{suffix}")
    how = "change with it" if users.method == "changed" else "contain it (by text)"
    if users.files:
        lines.append(f"  {len(users.files)} generated file(s) {how}:")
        lines.extend(f"    {name}" for name in users.files)
    elif users.method == "changed":
        lines.append("  no generated file changes with it")
    else:
        lines.append("  no generated file could be tied to it")
    if users.digest_only:
        lines.append(
            f"  {len(users.digest_only)} more record the plan's digest, which any value changes"
        )
    return "\n".join(lines) + "\n"
