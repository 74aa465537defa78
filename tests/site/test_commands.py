"""Every command the manual shows works from the root of the repository holding ``output/``.

For each shipped spec, in English and in Japanese, every shell block of the generated pages
(``bash``, ``sh``, ``shell``, and the ``$ ``-prompted lines of ``console``) is checked:
``bash -n`` parses it; a script it runs is a generated file named the one way the site
names scripts (``output/…`` from the repository root); every option given to a generated
script is one its ``--help`` lists; every other program is a bash builtin, a tool the spec
declares, or a standard tool of an engine, secret provider or monitoring tool the spec uses
(:func:`generator.targets.docs.commands.known_programs`); ``kubectl`` names the context and
the namespace of one of the spec's environments.
"""

from __future__ import annotations

import functools
import html
import re
import subprocess
from pathlib import Path

import pytest

from generator.spec.model import DeploymentPlan
from generator.spec.validate import validate_file
from generator.targets.docs.commands import known_programs
from tests.conftest import ROOT
from tests.site.shell import (
    BUILTINS,
    PROMPT,
    SHELL_LANGUAGES,
    Block,
    Command,
    commands,
    fenced_blocks,
    unwrapped,
)
from tests.site.sites import CASES, BuiltProject, built, case_id

pytestmark = pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])

_SCRIPT_FORMS = (
    re.compile(r"output/services/[a-z0-9-]+/[a-z0-9_/.-]+"),
    re.compile(r"output/environments/[a-z0-9-]+/[a-z0-9_/.-]+"),
    re.compile(r"output/[a-z0-9_-]+/[a-z0-9_/.-]+"),
)
_CODE = re.compile(r"<pre[^>]*>(?:<span></span>)?<code[^>]*>(.*?)</code></pre>", re.S)


@pytest.fixture
def project(case: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> BuiltProject:
    return built(*case, tmp_path_factory)


@functools.cache
def _plan(spec: str) -> DeploymentPlan:
    result = validate_file(ROOT / spec, spec)
    assert result.plan is not None, result
    return result.plan


def _blocks(project: BuiltProject) -> list[Block]:
    return [
        block
        for page in sorted(project.docs.rglob("*.md"))
        for block in fenced_blocks(page, str(page.relative_to(project.docs)))
    ]


def _shell_blocks(project: BuiltProject) -> list[Block]:
    return [b for b in _blocks(project) if b.language in SHELL_LANGUAGES]


def _commands(project: BuiltProject) -> list[tuple[Block, Command]]:
    return [(b, unwrapped(c)) for b in _shell_blocks(project) for c in commands(b.script())]


def test_every_code_block_names_its_language(project: BuiltProject) -> None:
    """A block without a language could hold a command no check below sees."""
    unnamed = [b.where() for b in _blocks(project) if not b.language]
    assert not unnamed, "\n".join(unnamed)


def test_shell_blocks_are_what_the_built_site_shows(project: BuiltProject) -> None:
    missing = []
    for block in _shell_blocks(project):
        page = project.site / Path(block.page).with_suffix(".html")
        shown = {
            html.unescape(re.sub(r"<[^>]+>", "", code)).strip("\n")
            for code in _CODE.findall(page.read_text("utf-8"))
        }
        if block.text.strip("\n") not in shown:
            missing.append(block.where())
    assert not missing, "\n".join(missing)


def test_shell_blocks_parse(project: BuiltProject) -> None:
    failed = []
    for block in _shell_blocks(project):
        done = subprocess.run(
            ["bash", "-n"], input=block.script(), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            failed.append(f"{block.where()}: {done.stderr.strip()}")
        if block.language != "console" and any(
            line.startswith(PROMPT) for line in block.text.splitlines()
        ):
            failed.append(f"{block.where()}: a `$ ` prompt in a {block.language} block")
    assert not failed, "\n".join(failed)


def test_scripts_are_generated_files_named_from_the_repository_root(
    project: BuiltProject,
) -> None:
    wrong = []
    for block, command in _commands(project):
        program = command.program
        if "/" not in program:
            continue
        if not any(form.fullmatch(program) for form in _SCRIPT_FORMS):
            wrong.append(f"{block.where()}: {program} is not a path under output/")
        elif not (project.project / program).is_file():
            wrong.append(f"{block.where()}: {program} is not generated")
        elif not (project.project / program).stat().st_mode & 0o100:
            wrong.append(f"{block.where()}: {program} is not executable")
    assert not wrong, "\n".join(wrong)


def test_options_of_generated_scripts_are_in_their_help(project: BuiltProject) -> None:
    unknown = []
    for block, command in _commands(project):
        script = project.project / command.program
        if not command.program.startswith("output/") or not script.is_file():
            continue
        listed = _help(project.project, command.program)
        for option in _options(command):
            if not re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", listed):
                unknown.append(f"{block.where()}: {command.program} {option}")
    assert not unknown, "\n".join(unknown)


def test_other_programs_are_builtins_or_tools_of_the_plan(
    project: BuiltProject, case: tuple[str, str]
) -> None:
    known = known_programs(_plan(case[0])) | BUILTINS
    unknown = sorted(
        {
            f"{block.where()}: {command.program}"
            for block, command in _commands(project)
            if "/" not in command.program and command.program not in known
        }
    )
    assert not unknown, "\n".join(unknown)


def test_kubectl_names_an_environment_context_and_a_namespace(
    project: BuiltProject, case: tuple[str, str]
) -> None:
    plan = _plan(case[0])
    contexts = {e.configuration.kube_context for e in plan.environments.values()} - {None}
    wrong = []
    for block, command in _commands(project):
        if command.program != "kubectl":
            continue
        given = _values(command, "--context")
        if not given or not set(given) <= contexts:
            wrong.append(f"{block.where()}: kubectl --context {given or 'missing'}")
        if not (_values(command, "--namespace", "-n") or "--all-namespaces" in command.words):
            wrong.append(f"{block.where()}: kubectl without --namespace")
    assert not wrong, "\n".join(wrong)


def _options(command: Command) -> list[str]:
    return [
        word.split("=", 1)[0]
        for word in command.arguments
        if word.startswith("-") and word not in ("-", "--")
    ]


def _values(command: Command, *names: str) -> list[str]:
    """Values of an option written ``--name value``, ``--name=value`` or ``-n value``."""
    found = []
    words = command.arguments
    for n, word in enumerate(words):
        name, equals, value = word.partition("=")
        if name in names:
            found.append(value if equals else (words[n + 1] if n + 1 < len(words) else ""))
    return found


@functools.cache
def _help(root: Path, script: str) -> str:
    """What the generated script's ``--help`` prints, run for real from the project root."""
    done = subprocess.run(
        [script, "--help"], cwd=root, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, f"{script} --help exited {done.returncode}: {done.stderr}"
    return done.stdout + done.stderr
