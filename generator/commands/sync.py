"""``deployplan sync SERVICE DEST``: one service's pipelines, scripts and config, written
into an application repository checkout, owned through a manifest there.

Layout in the application repository:

- ``output/services/<service>/pipelines/<path>`` -> ``<path>`` (``.github/workflows/…``,
  ``.gitlab-ci.yml``): CI systems only read them there; the scripts beside them that
  configure the CI's environments go to ``deployplan/<script>``;
- every other ``output/services/<service>/<path>`` -> ``deployplan/<path>``
  (``deployplan/deploy/<env>/deploy.sh``, config, manifests): one folder, so the scripts
  keep their relative paths to each other.

The writer is the one ``generate`` uses: hand-written files are never overwritten, hand
edits are shown as diffs and kept unless ``--force``, and ``--check`` writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import click

from generator.artifact import RenderedFile, Root
from generator.commands.generate import template_dirs
from generator.commands.validate import report, spec_label
from generator.errors import UsageProblem
from generator.spec.validate import validate_file
from generator.suggest import did_you_mean
from generator.targets.pipelines import PIPELINES_FOLDER
from generator.targets.pipelines.service import APP_FOLDER

if TYPE_CHECKING:
    from generator.targets.context import PlanContext


@dataclass(frozen=True)
class SyncOptions:
    service: str
    dest: Path
    spec: Path
    templates: Path | None
    check: bool
    force: bool


def run(options: SyncOptions) -> int:
    if not options.dest.is_dir():
        raise UsageProblem(
            f"{options.dest} is not a directory: check out the application repository first"
        )
    result = validate_file(options.spec, spec_label(options.spec))
    report(result)
    if result.plan is None or result.loaded is None:
        return 1
    services = [service.name for service in result.plan.services]
    if options.service not in services:
        hint = did_you_mean(options.service, services) or "known: " + ", ".join(services)
        raise UsageProblem(f"no service called {options.service}; {hint}")

    from generator import output
    from generator.targets.context import PlanContext

    label = repository_label(options.spec)
    context = PlanContext(result.plan, label, result.loaded.positions)
    files = service_files(context, options.service, template_dirs(options.templates))
    scope = output.Scope(service=options.service)
    changes = output.plan_changes(files, {Root.OUTPUT: options.dest}, scope, spec_label=label)
    if options.check:
        checked = output.check(changes)
        if checked.current:
            click.echo(f"{options.dest}: {options.service} is in sync with {label}", err=True)
            return 0
        click.echo(checked.report, nl=False)
        click.echo(
            f"{options.dest} has drifted from the spec: run `deployplan sync {options.service}"
            f" {options.dest}` and commit the result",
            err=True,
        )
        return 1
    written = output.apply(changes, force=options.force)
    click.echo(f"{options.dest}: {written.summary()}", err=True)
    return 0


def service_files(context: PlanContext, service: str, dirs: list[Path]) -> list[RenderedFile]:
    """``service``'s files, rendered and placed where they go in its repository."""
    from generator.render import render
    from generator.targets import plan_all

    prefix = ("services", service)
    artifacts = [
        artifact
        for artifact in plan_all(context)
        if artifact.root is Root.OUTPUT
        and artifact.service == service
        and artifact.path.parts[:2] == prefix
    ]
    rendered = render(artifacts, template_dirs=dirs, spec_label=context.spec_label)
    return [replace(file, path=repository_path(file.path)) for file in rendered]


def repository_path(path: PurePosixPath) -> PurePosixPath:
    """Where ``output/services/<service>/<rest>`` goes in the application repository."""
    rest = path.parts[2:]
    if rest[:1] == (PIPELINES_FOLDER,):
        # CI systems read dot paths only; scripts beside them join the other scripts
        if rest[1].startswith("."):
            return PurePosixPath(*rest[1:])
        return PurePosixPath(APP_FOLDER, *rest[1:])
    return PurePosixPath(APP_FOLDER, *rest)


def repository_label(spec: Path) -> str:
    """The spec's path inside its git repository: the same in every checkout, so files
    synced from a laptop and from a CI job's fresh clone carry the same marker."""
    resolved = spec.resolve()
    for parent in resolved.parents:
        if (parent / ".git").exists():
            return resolved.relative_to(parent).as_posix()
    return spec_label(spec)
