"""``deployplan init`` scaffolds a project that validates and generates at once."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from tests.conftest import run_cli


def test_init_then_validate_and_generate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = run_cli("init", str(tmp_path / "my-shop"))
    assert result.exit_code == 0
    monkeypatch.chdir(tmp_path / "my-shop")
    assert run_cli("validate").exit_code == 0
    assert run_cli("generate").exit_code == 0
    assert Path("output/environments/production/environment.yaml").is_file()
    assert Path("site_docs/reference/spec.md").is_file()
    assert (
        Path("specs/deployplan.yaml")
        .read_text()
        .startswith("# yaml-language-server: $schema=deployplan.schema.json\n")
    )
    assert "name: my-shop\n" in Path("specs/deployplan.yaml").read_text()
    assert run_cli("generate", "--check").exit_code == 0


def test_init_never_overwrites(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: mine\n")
    result = run_cli("init", str(tmp_path), "--name", "shop")
    assert result.exit_code == 1
    assert f"init would overwrite existing files: {tmp_path / 'mkdocs.yml'}" in result.output
    assert (tmp_path / "mkdocs.yml").read_text() == "site_name: mine\n"
    assert not (tmp_path / "specs").exists()


def test_init_rejects_a_name_that_is_not_a_dns_label(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path), "--name", "My Shop")
    assert result.exit_code == 2
    assert "`My Shop` is not a valid project name" in result.output


def test_init_vm_scaffolds_an_ansible_fleet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run_cli("init", str(tmp_path / "fleet"), "--template", "vm")
    assert result.exit_code == 0, result.output
    assert "created fleet (a web app and a worker on VMs" in result.output
    monkeypatch.chdir(tmp_path / "fleet")
    validated = run_cli("validate")
    assert validated.exit_code == 0, validated.output
    assert "error" not in validated.output.replace("0 errors", "")
    assert run_cli("generate").exit_code == 0
    assert Path("output/services/web/deploy/production/playbook.yml").is_file()
    assert not Path("output/services/web/kubernetes").exists()
    assert run_cli("generate", "--check").exit_code == 0


def test_init_offers_every_shape_it_has() -> None:
    from generator.cli import init
    from generator.commands.init import SHAPES

    template = next(p for p in init.params if p.name == "shape")
    assert isinstance(template.type, click.Choice)
    assert list(template.type.choices) == list(SHAPES)


def test_init_rejects_an_unknown_shape(tmp_path: Path) -> None:
    result = run_cli("init", str(tmp_path), "--template", "mainframe")
    assert result.exit_code == 2
    assert "Invalid value for '--template'" in result.output
