"""``deployplan generate``: validate, plan, render, then write or check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import click

from generator import runcache
from generator.artifact import Artifact, Root
from generator.commands.validate import report, spec_label
from generator.errors import UsageProblem
from generator.paths import builtin_templates_dir
from generator.spec.layers import NO_LAYERS, Layers
from generator.spec.validate import validate_file
from generator.suggest import did_you_mean


@dataclass(frozen=True)
class GenerateOptions:
    spec: Path
    out: Path
    docs: Path
    templates: Path | None
    check: bool
    force: bool
    families: frozenset[str] | None
    environment: str | None
    service: str | None
    layers: Layers = NO_LAYERS
    #: processes to render with; None: DEPLOYPLAN_JOBS, else the cores when it pays
    jobs: int | None = None


def run(options: GenerateOptions) -> int:
    label = spec_label(options.spec)
    dirs = template_dirs(options.templates)
    record = runcache.cache_file([options.out, options.docs])
    spec_files = [options.spec, *options.layers.overlays]
    stamp = runcache.fingerprint(spec_files, dirs, _option_words(options))
    if not (options.check or options.force) and runcache.is_current(record, stamp):
        click.echo(f"{label}: nothing changed since the last run", err=True)
        return 0
    previous = runcache.previous_renders(record)
    runcache.forget(record)
    result = validate_file(options.spec, label, options.layers)
    report(result)
    if result.plan is None or result.loaded is None:
        return 1

    from generator import output
    from generator.render import Reuse, render
    from generator.render.reuse import active as reuse_active
    from generator.targets import FAMILIES, plan_all
    from generator.targets.context import PlanContext

    _check_filters(
        options,
        list(FAMILIES),
        list(result.plan.environments),
        [s.name for s in result.plan.services],
    )
    context = PlanContext(result.plan, label, result.loaded.positions)
    roots = {Root.OUTPUT: options.out, Root.DOCS: options.docs}
    # planning renders too (compliance evidence): it keeps the last run's bytes as well
    with reuse_active(Reuse(roots, previous)) as reuse:
        artifacts = [a for a in plan_all(context, options.families) if _selected(a, options)]
        files = render(artifacts, template_dirs=dirs, spec_label=label, jobs=options.jobs)
    scope = output.Scope(options.families, options.environment, options.service)
    changes = output.plan_changes(files, roots, scope, spec_label=label, verified=reuse.verified)
    if options.check:
        checked = output.check(changes)
        if checked.current:
            click.echo(f"{label}: generated files are current", err=True)
            return 0
        click.echo(checked.report, nl=False)
        if changes.conflicts:
            advice = (
                "generated files were edited by hand or are in the way: carry hand edits into "
                "the spec (or run `deployplan generate --force`), move hand-written files away"
            )
        else:
            advice = "generated files are out of date: run `deployplan generate` and commit them"
        click.echo(advice, err=True)
        return 1
    written = output.apply(changes, force=options.force)
    click.echo(f"{label}: {written.summary()}", err=True)
    owned = [roots[f.root] / f.path for f in files]
    manifests = [r / output.MANIFEST_NAME for r in roots.values()]
    runcache.remember(
        record,
        stamp,
        [*owned, *manifests],
        written.manifests,
        result.loaded.inputs,
        reuse.renders,
    )
    return 0


def _option_words(options: GenerateOptions) -> list[str]:
    return [
        str(options.spec.resolve()),
        str(options.out.resolve()),
        str(options.docs.resolve()),
        ",".join(sorted(options.families or ())),
        options.environment or "",
        options.service or "",
        *(str(path.resolve()) for path in options.layers.overlays),
        *(f"--set {setting}" for setting in options.layers.settings),
    ]


def template_dirs(user_dir: Path | None) -> list[Path]:
    """The user's templates first (``./templates`` by default), then the built-in ones."""
    builtin = builtin_templates_dir()
    if user_dir is not None and not user_dir.is_dir():
        raise UsageProblem(f"templates folder {user_dir} does not exist")
    user = user_dir if user_dir is not None else Path("templates")
    if user.is_dir() and user.resolve() != builtin.resolve():
        return [user, builtin]
    return [builtin]


def _selected(artifact: Artifact, options: GenerateOptions) -> bool:
    if options.environment is not None and artifact.environment != options.environment:
        return False
    return options.service is None or artifact.service == options.service


def _check_filters(
    options: GenerateOptions, families: list[str], environments: list[str], services: list[str]
) -> None:
    wanted = [("--only", family, families) for family in sorted(options.families or ())]
    if options.environment is not None:
        wanted.append(("--env", options.environment, environments))
    if options.service is not None:
        wanted.append(("--service", options.service, services))
    for flag, value, known in wanted:
        if value not in known:
            hint = did_you_mean(value, known) or "known: " + ", ".join(known)
            raise UsageProblem(f"{flag} {value}: no such name; {hint}")
