"""``deployplan init``: scaffold a project that validates and generates at once."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import click

from generator.artifact import Artifact, Root
from generator.errors import OutputConflict, UsageProblem

#: System shapes ``init --template`` scaffolds: name -> what it starts from.
SHAPES = {
    "kubernetes": "a web service on Kubernetes, development and production",
    "vm": "a web app and a worker on VMs with Ansible, systemd units and nginx",
}
# Scaffold template -> file it becomes, relative to the project directory.
SCAFFOLD = {
    "init/{shape}.yaml.j2": "specs/deployplan.yaml",
    "init/mkdocs.yml.j2": "mkdocs.yml",
}
GITIGNORE = "site/\n"
_DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$")


def run(directory: Path, name: str | None, shape: str = "kubernetes") -> int:
    project = name or _name_from(directory)
    if not _DNS_LABEL.match(project):
        raise UsageProblem(
            f"`{project}` is not a valid project name (a DNS label: lowercase letters, digits "
            "and '-'); pass one with --name"
        )
    if shape not in SHAPES:
        raise UsageProblem(f"no `{shape}` template; choose one of: {', '.join(SHAPES)}")
    files = _scaffold_files(project, shape)
    taken = [str(directory / path) for path in files if (directory / path).exists()]
    if taken:
        raise OutputConflict(
            "init would overwrite existing files: "
            + ", ".join(taken)
            + "; move them away or init another directory"
        )
    for path, content in files.items():
        target = directory / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    (directory / "templates").mkdir(exist_ok=True)
    (directory / "output").mkdir(exist_ok=True)
    click.echo(
        f"created {project} ({SHAPES[shape]}) in {directory}\n"
        f"next: cd {directory} && deployplan validate && deployplan generate",
        err=True,
    )
    return 0


def _name_from(directory: Path) -> str:
    raw = directory.resolve().name.lower()
    return re.sub(r"[^a-z0-9]+", "-", raw).strip("-") or "project"


def _scaffold_files(project: str, shape: str) -> dict[str, str]:
    from generator.paths import builtin_templates_dir
    from generator.render import render
    from generator.spec.schema import schema_text

    artifacts = [
        Artifact(Root.OUTPUT, PurePosixPath(target), template.format(shape=shape), family="init")
        for template, target in SCAFFOLD.items()
    ]
    rendered = render(
        [
            Artifact(a.root, a.path, a.template, a.family, context={"name": project})
            for a in artifacts
        ],
        template_dirs=[builtin_templates_dir()],
        spec_label="deployplan init",
        header=False,
    )
    files = {str(f.path): f.content.decode("utf-8") for f in rendered}
    files["specs/deployplan.schema.json"] = schema_text()
    files[".gitignore"] = GITIGNORE
    return files
