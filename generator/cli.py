"""The command line: click parses and wires; command modules do the work.

Command modules are imported inside each command so that ``deployplan --help`` and
``--version`` stay fast (no Jinja2, jsonschema or pydantic at start-up).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator import __version__
from generator.errors import EXIT_INTERNAL, DeployplanError

if TYPE_CHECKING:
    from generator.spec.layers import Layers

DEFAULT_SPEC = "specs/deployplan.yaml"

spec_argument = click.argument(
    "spec", default=DEFAULT_SPEC, type=click.Path(dir_okay=False, path_type=Path)
)


def _layer_options(function: Callable[..., None]) -> Callable[..., None]:
    """``-f/--overlay`` and ``--set``: what CI puts on top of the spec, in order."""
    function = click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="PATH=VALUE",
        help="Set one value (a YAML scalar), e.g. "
        "services.storefront.port=8080; after the overlays (repeatable).",
    )(function)
    return click.option(
        "-f",
        "--overlay",
        "overlays",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="A partial spec merged over SPEC and its includes (repeatable, in order).",
    )(function)


def _layers(overlays: tuple[Path, ...], settings: tuple[str, ...]) -> Layers:
    from generator.spec.layers import Layers

    return Layers(overlays, settings)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="deployplan", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Turn one deployment-plan spec into scripts, pipelines, alerts and manuals.

    \b
    Exit codes: 0 success; 1 invalid spec, failed check or drift;
    2 usage error; 3 internal error.
    """
    ctx.obj = {"debug": debug}


@cli.command()
@spec_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print problems.",
)
@_layer_options
@click.pass_context
def validate(
    ctx: click.Context,
    spec: Path,
    output_format: str,
    overlays: tuple[Path, ...],
    settings: tuple[str, ...],
) -> None:
    """Check SPEC (with its includes): schema, types and semantic rules, every problem
    at once."""
    from generator.commands import validate as command

    _run(ctx, lambda: command.run(spec, output_format, _layers(overlays, settings)))


@cli.command()
@spec_argument
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "junit", "sarif", "oscal"]),
    default="text",
    show_default=True,
    help="How to print the result.",
)
@click.option(
    "--now",
    default=None,
    metavar="DATETIME",
    help="When the assessment happened, for OSCAL (ISO 8601) [default: $SOURCE_DATE_EPOCH, "
    "else the current time].",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the evidence of passing checks too.")
@_layer_options
@click.pass_context
def audit(
    ctx: click.Context,
    spec: Path,
    output_format: str,
    now: str | None,
    verbose: bool,
    overlays: tuple[Path, ...],
    settings: tuple[str, ...],
) -> None:
    """Evaluate the compliance checks of SPEC; exit 1 when a required control fails."""
    from generator.commands import audit as command

    layers = _layers(overlays, settings)
    _run(ctx, lambda: command.run(spec, output_format, now, verbose, layers))


@cli.command()
@spec_argument
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output"))
@click.option("--docs", type=click.Path(file_okay=False, path_type=Path), default=Path("site_docs"))
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Templates overriding the built-in ones by path [default: ./templates].",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if anything would change.")
@click.option("--force", is_flag=True, help="Overwrite generated files that were edited by hand.")
@click.option("--only", "families", multiple=True, help="Only this artifact family (repeatable).")
@click.option("--env", "environment", default=None, help="Only artifacts of this environment.")
@click.option("--service", default=None, help="Only artifacts of this service.")
@click.option("--jobs", type=click.IntRange(1), help="Render processes [default: the cores].")
@_layer_options
@click.pass_context
def generate(
    ctx: click.Context,
    spec: Path,
    out: Path,
    docs: Path,
    templates: Path | None,
    check: bool,
    force: bool,
    families: tuple[str, ...],
    environment: str | None,
    service: str | None,
    jobs: int | None,
    overlays: tuple[Path, ...],
    settings: tuple[str, ...],
) -> None:
    """Render every artifact and manual page of SPEC into --out and --docs."""
    from generator.commands import generate as command

    options = command.GenerateOptions(
        spec=spec,
        out=out,
        docs=docs,
        templates=templates,
        check=check,
        force=force,
        families=frozenset(families) or None,
        environment=environment,
        service=service,
        layers=_layers(overlays, settings),
        jobs=jobs,
    )
    _run(ctx, lambda: command.run(options))


@cli.command()
@click.argument("address", metavar="PATH")
@click.option(
    "--spec",
    default=DEFAULT_SPEC,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The deployment-plan spec.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="How to print the answer.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Templates overriding the built-in ones by path [default: ./templates].",
)
@_layer_options
@click.pass_context
def explain(
    ctx: click.Context,
    address: str,
    spec: Path,
    output_format: str,
    templates: Path | None,
    overlays: tuple[Path, ...],
    settings: tuple[str, ...],
) -> None:
    """Show the value at PATH (e.g. services.storefront.port), where it was written or
    that it is a default, and which generated files use it."""
    from generator.commands import explain as command

    options = command.ExplainOptions(
        address, spec, output_format, templates, _layers(overlays, settings)
    )
    _run(ctx, lambda: command.run(options))


@cli.command()
@click.option(
    "--partial",
    is_flag=True,
    help="The schema for an included file or an overlay: no key is required.",
)
@click.pass_context
def schema(ctx: click.Context, partial: bool) -> None:
    """Print the JSON Schema of the spec (for editors and other validators)."""
    from generator.spec.schema import schema_text

    _run(ctx, lambda: _print(schema_text(partial)))


@cli.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Project name [default: the directory's name].")
@click.option(
    "--template",
    "shape",
    type=click.Choice(["kubernetes", "vm"]),
    default="kubernetes",
    show_default=True,
    help="The system shape to start from: Kubernetes, or VMs with Ansible, systemd and nginx.",
)
@click.pass_context
def init(ctx: click.Context, directory: Path, name: str | None, shape: str) -> None:
    """Scaffold a new deployplan project in DIRECTORY."""
    from generator.commands import init as command

    _run(ctx, lambda: command.run(directory, name, shape))


@cli.command()
@click.argument("service")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--spec",
    default=DEFAULT_SPEC,
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The deployment-plan spec.",
)
@click.option(
    "--templates",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Templates overriding the built-in ones by path [default: ./templates].",
)
@click.option("--check", is_flag=True, help="Write nothing; exit 1 if DEST has drifted.")
@click.option("--force", is_flag=True, help="Overwrite synced files that were edited by hand.")
@click.pass_context
def sync(
    ctx: click.Context,
    service: str,
    dest: Path,
    spec: Path,
    templates: Path | None,
    check: bool,
    force: bool,
) -> None:
    """Write SERVICE's pipelines, scripts and config into the application repository DEST."""
    from generator.commands import sync as command

    options = command.SyncOptions(service, dest, spec, templates, check, force)
    _run(ctx, lambda: command.run(options))


@cli.group()
def docs() -> None:
    """Build or live-preview the manual site (MkDocs) after generating its pages."""


def _docs_options(function: Callable[..., None]) -> Callable[..., None]:
    for option in reversed(
        [
            spec_argument,
            click.option(
                "-f",
                "--config-file",
                type=click.Path(dir_okay=False, path_type=Path),
                default=Path("mkdocs.yml"),
                show_default=True,
                help="The MkDocs configuration.",
            ),
            click.option(
                "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("output")
            ),
            click.option(
                "--templates",
                type=click.Path(file_okay=False, path_type=Path),
                default=None,
                help="Templates overriding the built-in ones by path [default: ./templates].",
            ),
        ]
    ):
        function = option(function)
    return function


@docs.command("build")
@_docs_options
@click.option("--site-dir", type=click.Path(file_okay=False, path_type=Path), default=None)
@click.pass_context
def docs_build(
    ctx: click.Context,
    spec: Path,
    config_file: Path,
    out: Path,
    templates: Path | None,
    site_dir: Path | None,
) -> None:
    """Generate, then `mkdocs build --strict`."""
    from generator.commands import docs as command

    options = command.DocsOptions(spec, config_file, out, templates)
    _run(ctx, lambda: command.build(options, site_dir))


@docs.command("serve")
@_docs_options
@click.option("-a", "--dev-addr", default=None, help="IP:PORT to serve on [default: MkDocs'].")
@click.pass_context
def docs_serve(
    ctx: click.Context,
    spec: Path,
    config_file: Path,
    out: Path,
    templates: Path | None,
    dev_addr: str | None,
) -> None:
    """Generate and serve the site; a change to the spec or a template regenerates it."""
    from generator.commands import docs as command

    options = command.DocsOptions(spec, config_file, out, templates)
    _run(ctx, lambda: command.serve(options, dev_addr))


def _print(text: str) -> int:
    click.echo(text, nl=False)
    return 0


def _run(ctx: click.Context, action: Callable[[], int]) -> None:
    """The one place where errors become exit codes."""
    try:
        code = action()
    except DeployplanError as exc:
        click.echo(f"deployplan: {exc}", err=True)
        code = exc.exit_code
    except KeyboardInterrupt:
        click.echo("deployplan: interrupted", err=True)
        code = 130
    except Exception as exc:
        if ctx.obj.get("debug"):
            raise
        click.echo(
            f"deployplan: internal error: {type(exc).__name__}: {exc} "
            "(rerun with --debug for the traceback)",
            err=True,
        )
        code = EXIT_INTERNAL
    ctx.exit(code)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="deployplan")


if __name__ == "__main__":  # pragma: no cover
    main()
