"""The manual's message catalogs: complete, current, and escaping like any other value."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath

import pytest

from generator.artifact import Artifact, Root
from generator.locale import LANGUAGES, catalog_path, catalogs, translations
from generator.render import render
from tests.conftest import ROOT, run_cli

_PLACEHOLDER = re.compile(r"%\(\w+\)s|%%")


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_is_current_with_the_templates(language: str) -> None:
    committed = catalog_path(language).read_text(encoding="utf-8")
    assert committed == catalogs.update(language, catalogs.extract()), (
        "run scripts/update-catalogs and translate the new messages"
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated(language: str) -> None:
    assert catalogs.missing(language) == []


def test_a_message_without_a_japanese_translation_is_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    known = catalogs.extract()
    monkeypatch.setattr(
        catalogs, "extract", lambda: {**known, "A sentence nobody translated": ["x.j2:1"]}
    )
    assert catalogs.missing("ja") == ["A sentence nobody translated"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language: str) -> None:
    for message in catalogs.load(language):
        if message.id and message.string:
            assert sorted(_PLACEHOLDER.findall(str(message.id))) == sorted(
                _PLACEHOLDER.findall(str(message.string))
            ), message.id


def test_japanese_catalog_translates() -> None:
    assert translations("ja").gettext("Incident response") == "インシデント対応"
    assert translations("fr").gettext("Incident response") == "Incident response"


def _render(tmp_path: Path, output: str, source: str, **context: object) -> str:
    (tmp_path / "t").mkdir(exist_ok=True)
    (tmp_path / "t" / "page.j2").write_text(source, encoding="utf-8")
    artifact = Artifact(Root.DOCS, PurePosixPath(output), "t/page.j2", "docs", context=context)
    [rendered] = render([artifact], template_dirs=[tmp_path], spec_label="s", header=False)
    return rendered.content.decode()


def test_values_in_a_message_are_escaped_and_the_message_is_not(tmp_path: Path) -> None:
    source = "{% trans name=name %}Runbook of **{{ name }}**{% endtrans %}"
    assert _render(tmp_path, "a.md", source, name="<b>x</b>", language="en") == (
        "Runbook of **&#60;b&#62;x&#60;/b&#62;**\n"
    )
    assert _render(tmp_path, "a.md", source, name="x", language="ja") == "Runbook of **x**\n"


def test_in_a_shell_script_the_whole_message_is_one_word(tmp_path: Path) -> None:
    source = "echo {% trans name=name %}deploying {{ name }}{% endtrans %}"
    assert _render(tmp_path, "a.sh", source, name="$(rm -rf ~)") == (
        "echo 'deploying $(rm -rf ~)'\n"
    )


def test_recovery_and_alert_pages_are_extracted() -> None:
    sources = {
        where.rsplit(":", 1)[0] for places in catalogs.extract().values() for where in places
    }
    assert {
        "recovery/index.md.j2",
        "recovery/runbook.md.j2",
        "monitoring/alerts.md.j2",
    } <= sources


@pytest.fixture(scope="module")
def yoyaku_operations(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("yoyaku")
    result = run_cli(
        "generate",
        str(ROOT / "specs/examples/ja.yaml"),
        *("--only", "recovery", "--only", "monitoring"),
        *("--out", str(root / "output"), "--docs", str(root / "site_docs")),
    )
    assert result.exit_code == 0, result.output
    return root / "site_docs" / "operations"


def _body(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[2:]


def test_recovery_pages_are_in_japanese(yoyaku_operations: Path) -> None:
    index = _body(yoyaku_operations / "disaster-recovery" / "index.md")
    assert index[:3] == [
        "# 災害復旧",
        "",
        "災害復旧環境ごとに、フェイルオーバーのランブック、それに沿って実行するスクリプト、"
        "フェイルバック、定期訓練があります。",
    ]
    runbook = _body(yoyaku_operations / "disaster-recovery" / "dr.md")
    assert runbook[0] == "# 災害復旧: <code>dr</code> へのフェイルオーバー"
    assert "## フェイルオーバー手順" in runbook
    assert "**訓練の前**" in runbook
    assert "- [ ] 凍結期間やメンテナンスウィンドウが訓練と重ならないことを確認します。" in runbook


def test_alert_page_is_in_japanese(yoyaku_operations: Path) -> None:
    alerts = _body(yoyaku_operations / "alerts.md")
    assert alerts[0] == "# アラート"
    assert alerts[2].startswith("Prometheus はすべての環境でこれらのルールを評価します（")


def test_error_budgets_are_in_japanese(tmp_path: Path) -> None:
    source = (ROOT / "specs/examples/ja.yaml").read_text(encoding="utf-8")
    smtp = '    smtp: {smarthost: "smtp.example.com:587", sender: alerts@yoyaku.example.com}\n'
    slo = (
        "  slos:\n"
        "    - name: web_availability\n"
        "      service: web\n"
        "      objective: 99.5\n"
        "      window: 30d\n"
        "      sli: {error_ratio: 'sum(rate(errors_total[$WINDOW])) / "
        "sum(rate(requests_total[$WINDOW]))'}\n"
    )
    assert smtp in source
    spec = tmp_path / "ja.yaml"
    spec.write_text(source.replace(smtp, smtp + slo), encoding="utf-8")
    result = run_cli(
        "generate",
        str(spec),
        *("--only", "docs", "--only", "monitoring"),
        *("--out", str(tmp_path / "output"), "--docs", str(tmp_path / "site_docs")),
    )
    assert result.exit_code == 0, result.output
    web = _body(tmp_path / "site_docs" / "overview" / "services" / "web.md")
    at = web.index("## サービスレベル目標")
    assert web[at + 2 : at + 5] == [
        "| SLO | 目標 | ローリングウィンドウ | 許容エラー率 | ウィンドウあたりのエラーバジェット |",
        "|---|---|---|---|---|",
        "| <code>web_availability</code> | &#57;&#57;&#46;5% | 30d | &#48;&#46;5% | 216 分 |",
    ]
    assert web[at + 6].startswith(
        "- <code>web_availability</code> バジェットの消費速度が &#49;&#52;&#46;4× 1h/5m, "
        "6× 6h/30m（倍率 × 長い/短いウィンドウ）に達するとページし、3× 1d/2h, 1× 3d/6h で"
        "チケットを起票します。"
    )
    alerts = _body(tmp_path / "site_docs" / "operations" / "alerts.md")
    assert "## エラーバジェット一覧 { #error-budgets }" in alerts
