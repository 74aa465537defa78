"""The compliance pages in Japanese: worded from the catalogs, values escaped, built strictly."""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import pytest
from babel.messages.catalog import Catalog

from generator.compliance.checks import CHECKS
from generator.locale import catalogs
from generator.locale.message import Code, Listing, Message, shown
from tests.compliance.helpers import BASE, spec_text
from tests.conftest import ROOT, build_file_tree, run_cli
from tests.site.conftest import build_site

_PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _pages(tmp_path: Path, spec: str) -> dict[str, str]:
    build_file_tree(tmp_path, {"spec.yaml": spec})
    result = run_cli(
        "generate", "spec.yaml", "--only", "compliance", "--out", "out", "--docs", "docs"
    )
    assert result.exit_code == 0, result.output
    return {p.name: p.read_text("utf-8") for p in sorted((tmp_path / "docs").rglob("*.md"))}


@pytest.fixture(scope="module")
def japanese(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp_path = tmp_path_factory.mktemp("ja")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.chdir(tmp_path)
        return _pages(tmp_path, (ROOT / "specs" / "examples" / "ja.yaml").read_text("utf-8"))


def test_the_summary_is_japanese(japanese: dict[str, str]) -> None:
    page = japanese["index.md"].splitlines()
    assert "# コンプライアンス" in page
    assert '!!! success "必須のコントロールはすべて合格しています"' in page
    assert "| フレームワーク | 必須 | 状態 | 合格 | 不合格 | 対象外 |" in page
    assert "| [yoyaku の独自コントロール](custom.md) | はい | 合格 | 1 | 0 | 0 |" in page
    assert "[アクセス制御マトリクス](access-control.md)も参照してください。" in page
    assert "| チェック | 状態 | 根拠 | 結果 |" in page
    assert (
        "| 本番データは保存時に暗号化される (<code>encryption_at_rest</code>) | 合格 | 宣言 "
        "| 本番データは保存時に暗号化されています。 |"
    ) in page
    assert "| 証跡 | 記録する内容 | 保存先 | 保持期間 | 改ざん防止 |" in page
    assert "四半期ごとに、platform (platform@example.com) がレビューします。" in page


def test_a_control_page_shows_each_check_s_evidence_tier(japanese: dict[str, str]) -> None:
    page = japanese["iso27001-a-8-13.md"].splitlines()
    assert "根拠: 検証済み（このコントロールに必要なのは 強制）。" in page
    assert "| 生成ファイル | 行 | 示していること |" in page
    assert (
        "| <code>output/compliance/probes/production/backup-recency.sh</code> | プローブ "
        "| 各バックアップの最新スナップショットの経過時間 |"
    ) in page


def test_a_framework_dashboard_keeps_the_official_control_titles(
    japanese: dict[str, str],
) -> None:
    page = japanese["iso27001.md"].splitlines()
    assert "# ISO/IEC 27001 2022" in page
    assert "必須です。不合格のコントロールがあると `deployplan audit` が失敗します。" in page
    assert "| 状態 | コントロール | 名称 | チェック |" in page
    assert (
        "| 合格 | [A.8.15](iso27001-a-8-15.md) | Logging | <code>audit_trail_events</code> "
        "(合格, 宣言), <code>audit_trail_retention</code> (合格, 宣言), "
        "<code>audit_trail_tamper_protection</code> (合格, 宣言) |"
    ) in page
    assert (
        "| 合格 | [A.8.13](iso27001-a-8-13.md) | Information backup | <code>backup_coverage</code> "
        "(合格, 検証済み), <code>backup_encryption</code> (合格, 宣言), <code>backup_offsite_copy"
        "</code> (合格, 宣言), <code>backup_restore_testing</code> (合格, 宣言), "
        "<code>backup_retention</code> (対象外) |"
    ) in page


def test_a_control_page_explains_its_evidence_in_japanese(japanese: dict[str, str]) -> None:
    page = japanese["iso27001-a-8-13.md"].splitlines()
    assert "# A.8.13 Information backup" in page
    assert "[ISO/IEC 27001 2022](iso27001.md): 合格。" in page
    assert (
        "本番データはバックアップされ、暗号化され、オフサイトにコピーされ、保持され、"
        "リストアテストされます。"
    ) in page
    assert "## 本番データのバックアップは暗号化される: 合格" in page
    assert "| | 計画書の値 | 値 | 計画書の行 | 示していること |" in page
    rows = [row for row in page if "backup_strategy.backup_types&#91;0&#93;.encryption_key" in row]
    assert rows[0].startswith("| 適合 | ")
    assert rows[0].endswith(
        "| <code>reserve_db_dump</code> は <code>backup-encryption-key</code> で暗号化されます |"
    )


def test_the_access_control_matrix_is_japanese(japanese: dict[str, str]) -> None:
    page = japanese["access-control.md"].splitlines()
    assert page[2:5] == [
        "# アクセス制御マトリクス",
        "",
        "各環境で誰が何をできるかを `security.access_controls` から示します（ID は "
        "<code>google-workspace</code> で管理し、セッションは最長 8h 続きます）。",
    ]
    assert "| ロール | チーム | MFA | staging | production | dr | " in page


def _english_fragments() -> set[str]:
    """Stretches of fixed English text from the compliance sources' messages."""
    fragments: set[str] = set()
    for message, places in catalogs.extract().items():
        if any(p.startswith(("compliance/", "frameworks/")) for p in places):
            fragments.update(f for f in _PLACEHOLDER.split(message) if len(f.strip()) >= 12)
    return fragments


def test_no_english_sentence_is_left_on_the_japanese_pages(japanese: dict[str, str]) -> None:
    fragments = _english_fragments()
    assert len(fragments) > 200  # templates, checks and framework descriptions
    left = {(name, f) for name, page in japanese.items() for f in fragments if f in page}
    assert left == set()


def test_the_catalogs_hold_the_compliance_messages() -> None:
    found = {
        message: [place.rsplit(":", 1)[0] for place in places]
        for message, places in catalogs.extract().items()
    }
    assert found["Spec line"] == ["compliance/_macros.md.j2"]
    assert found["%(service)s stores data in %(environments)s"] == [
        "compliance/checks/encryption.py"
    ]
    assert found["Audit trails are kept at least a year."] == ["frameworks/pci_dss.yaml"]
    titles = {str(c.title) for c in CHECKS.values()} | {str(c.description) for c in CHECKS.values()}
    ids = {c.title.id for c in CHECKS.values()} | {c.description.id for c in CHECKS.values()}
    assert ids <= set(found)
    assert len(titles) == 2 * len(CHECKS)


def test_a_compliance_message_without_a_translation_fails_the_catalog_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    committed = catalogs.load("ja")
    untranslated = Catalog(locale="ja", domain=committed.domain)
    for entry in committed:
        if entry.id:
            blank = entry.id == "Every required control passes"
            untranslated.add(entry.id, "" if blank else entry.string, context=entry.context)
    monkeypatch.setattr(catalogs, "load", lambda language: untranslated)
    assert catalogs.missing("ja") == ["Every required control passes"]


def test_a_message_is_its_english_text_and_translates_with_its_values() -> None:
    note = Message(
        "%(role)s signs in with MFA; needed for %(reasons)s",
        role=Code("ops"),
        reasons=Listing(
            (
                Message(
                    "%(permissions)s in %(environment)s",
                    permissions="deploy",
                    environment="production",
                ),
                Message("policy %(policy)s", policy=Code("mfa_all")),
            ),
            "; ",
        ),
    )
    english = "`ops` signs in with MFA; needed for deploy in production; policy `mfa_all`"
    assert note == english
    assert shown(note, "en") == english
    assert shown(note, "ja") == (
        "`ops` は MFA でサインインします。必要な理由: production での deploy; ポリシー `mfa_all`"
    )


HOSTILE = spec_text(
    project=BASE["project"] + "  docs_language: ja\n",
    security="""\
security:
  access_controls:
    identity_provider: "<script>alert(1)</script>"
    roles: [{name: ops, teams: [ops], mfa: true, permissions: {production: [deploy]}}]
""",
    compliance="""\
compliance:
  compliance_requirements:
    - framework: custom
      custom_controls:
        - {id: OWN-1, title: "<img src=x onerror=alert(1)> | ]] &", checks: [audit_trail_events]}
  audit_trails:
    - {name: d, events: [deployment], destination: "s3://x/<b>`id`</b> | *x*", retention: 1d}
  reporting_requirements: {formats: [html]}
""",
)


def test_values_in_japanese_messages_are_escaped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pages = _pages(tmp_path, HOSTILE)
    for name, page in pages.items():
        html = markdown.markdown(page, extensions=["tables", "attr_list", "md_in_html"])
        for tag in ("<script", "<img", "<b>", "<em>"):
            assert tag not in html, name
    assert (
        "<code>d</code> は deployment を s3://x/&#60;b&#62;<code>id</code>&#60;/b&#62; &#124; "
        "&#42;x&#42; に記録します |"
    ) in pages["custom-own-1.md"]


def test_the_japanese_site_builds_strictly(tmp_path: Path) -> None:
    done = build_site("specs/examples/ja.yaml", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stdout + done.stderr
    html = (tmp_path / "site" / "compliance" / "index.html").read_text("utf-8")
    assert '<html lang="ja"' in html
    assert '<h1 id="コンプライアンス">コンプライアンス' in html
    assert "<th>フレームワーク</th>" in html
    control = (tmp_path / "site" / "compliance" / "iso27001-a-8-13.html").read_text("utf-8")
    assert "<th>計画書の値</th>" in control
    assert (
        "<code>reserve_db_dump</code> は <code>backup-encryption-key</code> で暗号化されます"
        in (control)
    )
