"""Message contexts: one English word, several meanings, each translated by its own."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from generator.artifact import Artifact, Root
from generator.locale import catalogs, translations
from generator.render import render


def _render(tmp_path: Path, source: str, language: str, **context: object) -> str:
    (tmp_path / "t").mkdir(exist_ok=True)
    (tmp_path / "t" / "page.md.j2").write_text(source, encoding="utf-8")
    artifact = Artifact(
        Root.DOCS,
        PurePosixPath("page.md"),
        "t/page.md.j2",
        "docs",
        context={"language": language, **context},
    )
    [rendered] = render([artifact], template_dirs=[tmp_path], spec_label="s", header=False)
    return rendered.content.decode()


def test_a_message_in_a_context_is_translated_by_its_meaning(tmp_path: Path) -> None:
    source = (
        '{{ _("After") }} | {{ pgettext("stage depends on", "After") }} | '
        '{% trans "module prerequisites" %}After{% endtrans %}'
    )
    assert _render(tmp_path, source, "ja") == "経過時間 | 依存先 | 前提モジュール\n"
    assert _render(tmp_path, source, "en") == "After | After | After\n"


def test_contexts_are_extracted_as_their_own_messages() -> None:
    messages = catalogs.extract()
    assert "After" in messages
    assert catalogs.key("stage depends on", "After") in messages
    assert catalogs.split(catalogs.key("stage depends on", "After")) == (
        "stage depends on",
        "After",
    )
    assert catalogs.split("After") == (None, "After")
    assert translations("ja").pgettext("gate on failure", "rollback") == "ロールバック"


def test_spec_values_are_shown_as_words_of_the_manuals_language(tmp_path: Path) -> None:
    source = (
        '{{ strategy | spec_value("rollout strategy") }}, '
        '{{ kind | spec_value("environment type") }}, '
        '{{ unknown | spec_value("rollout strategy") }}'
    )
    values = {"strategy": "blue_green", "kind": "disaster_recovery", "unknown": "<b>x_y</b>"}
    assert _render(tmp_path, source, "ja", **values) == (
        "ブルーグリーン, 災害復旧, &#60;b&#62;x_y&#60;/b&#62;\n"
    )
    assert _render(tmp_path, source, "en", **values) == (
        "blue green, disaster recovery, &#60;b&#62;x_y&#60;/b&#62;\n"
    )
