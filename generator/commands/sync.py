"""``deployplan sync SERVICE DEST``: one service's pipelines, scripts and config, written
into an application repository checkout, owned through a manifest there.

Several services can share one application repository (a monorepo); each keeps to its
own files, so syncing one never touches another's:

- ``output/services/<service>/pipelines/.github/workflows/<service>-*.yml`` ->
  ``.github/workflows/`` (GitHub reads workflows there only; they carry the service's
  name, and ``paths:`` filters when the spec gives its ``source_paths``);
- its ``.gitlab-ci.yml`` -> ``deployplan/<service>/gitlab-ci.yml``; the repository's
  ``.gitlab-ci.yml`` includes the pipeline of every service the manifest lists
  (``rules: changes:`` where the repository holds several), and belongs to no one
  service;
- every other ``output/services/<service>/<path>`` -> ``deployplan/<service>/<path>``
  (``deployplan/<service>/deploy/<env>/deploy.sh``, config, manifests, the scripts that
  configure the CI's environments): one folder, so the scripts keep their relative paths.

A repository synced with the older single-service layout (``deployplan/deploy/…``,
``.github/workflows/ci.yml``) is migrated by the next sync: its manifest lists those
files as the service's, so they are pruned as the new ones are written.

The writer is the one ``generate`` uses: hand-written files are never overwritten, hand
edits are shown as diffs and kept unless ``--force``, and ``--check`` writes nothing.
"""

from __future__ import annotations

import json
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

GITLAB_FILE = ".gitlab-ci.yml"
GITLAB_SERVICE_FILE = "gitlab-ci.yml"

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
    files += gitlab_root(context, options.service, options.dest, files)
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
    service, rest = path.parts[1], path.parts[2:]
    folder = PurePosixPath(APP_FOLDER, service)
    if rest[:1] == (PIPELINES_FOLDER,):
        if rest[1] == ".github":
            return PurePosixPath(*rest[1:])  # GitHub reads workflows there only
        if rest[1] == GITLAB_FILE:
            return folder / GITLAB_SERVICE_FILE  # included by the repository's file
        return folder.joinpath(*rest[1:])
    return folder.joinpath(*rest)


def gitlab_root(
    context: PlanContext, service: str, dest: Path, files: list[RenderedFile]
) -> list[RenderedFile]:
    """The repository's ``.gitlab-ci.yml``: it includes every synced service's pipeline."""
    from generator.render import OutputKind, with_marker

    ours = PurePosixPath(APP_FOLDER, service, GITLAB_SERVICE_FILE)
    services = _gitlab_services(dest) - {service}
    if any(file.path == ours for file in files):
        services.add(service)
    if not services:
        return []
    paths = _source_paths(context)
    text = "include:\n" + "".join(
        _include(name, paths.get(name), alone=len(services) == 1) for name in sorted(services)
    )
    content = with_marker(text, OutputKind.YAML, context.spec_label).encode()
    return [
        RenderedFile(
            root=Root.OUTPUT, path=PurePosixPath(GITLAB_FILE), content=content, family="pipelines"
        )
    ]


def _include(service: str, source: str | None, *, alone: bool) -> str:
    """One ``include:`` entry; ``rules: changes:`` only where the service has a folder."""
    entry = f"  - local: {APP_FOLDER}/{service}/{GITLAB_SERVICE_FILE}\n"
    if alone or source is None:
        return entry  # without its source folder, any change may concern the service
    # a merge request or push runs the pipelines of the services it changes; tag, web
    # and scheduled pipelines have nothing to compare with, and run every service's
    changes = [f"{APP_FOLDER}/{service}/**/*", f"{source}/**/*"]
    return (
        entry
        + "    rules:\n      - changes:\n"
        + "".join(f"          - {path}\n" for path in changes)
    )


def _gitlab_services(dest: Path) -> set[str]:
    """Services whose GitLab pipeline the repository's manifest lists."""
    from generator.output import MANIFEST_NAME

    try:
        files = json.loads((dest / MANIFEST_NAME).read_bytes())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()  # the writer reports a broken manifest itself
    found = set()
    for path in files if isinstance(files, dict) else ():
        parts = PurePosixPath(path).parts
        if len(parts) == 3 and parts[0] == APP_FOLDER and parts[2] == GITLAB_SERVICE_FILE:
            found.add(parts[1])
    return found


def _source_paths(context: PlanContext) -> dict[str, str]:
    automation = context.plan.automation
    return dict(automation.ci_cd_pipeline.source_paths) if automation else {}


def repository_label(spec: Path) -> str:
    """The spec's path inside its git repository: the same in every checkout, so files
    synced from a laptop and from a CI job's fresh clone carry the same marker."""
    resolved = spec.resolve()
    for parent in resolved.parents:
        if (parent / ".git").exists():
            return resolved.relative_to(parent).as_posix()
    return spec_label(spec)
