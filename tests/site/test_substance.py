"""Every manual page has substance, names its owner and points at the spec it comes from.

For each shipped spec, in English and in Japanese, every page of the installation,
configuration, operating, troubleshooting, incident, maintenance, knowledge and training
sections of the built site, indexes aside, holds at least 150 words of prose in its main
content. Code blocks, diagrams, heading permalinks and the navigation are not prose and
are not counted. Japanese has no spaces between words: its characters count as words at
2.5 characters a word, the usual ratio of Japanese characters to English words in
translated technical text, so a page translated from a 150-word English page passes.

Each such page ends with a line naming the team that owns it (a team of the spec) and
the spec lines it is generated from, as ``FILE:LINE`` (a link into the repository when
the spec names one).
"""

from __future__ import annotations

import functools
import html
import re
from pathlib import Path

import pytest

from generator.spec.model import DeploymentPlan
from generator.spec.validate import validate_file
from generator.targets.docs.site import optional_pages
from tests.conftest import ROOT
from tests.site.sites import CASES, BuiltProject, built, case_id

each_site = pytest.mark.parametrize("case", CASES, ids=[case_id(c) for c in CASES])

MIN_WORDS = 150
SECTIONS = (
    "install", "configure", "operate", "operations", "troubleshoot", "incidents", "maintain",
    "knowledge", "training",
)  # fmt: skip
#: Pages that list and link the pages of their section rather than explain anything.
INDEXES = frozenset({"knowledge/tags.md"})
CHARACTERS_PER_WORD = 2.5

_ARTICLE = re.compile(r'<article class="md-content__inner[^"]*">(.*?)</article>', re.S)
_NOT_PROSE = re.compile(
    r"<pre\b.*?</pre>|<div class=\"mermaid\".*?</div>|<a class=\"headerlink\".*?</a>"
    r"|<script\b.*?</script>|<style\b.*?</style>",
    re.S,
)
_WORD = re.compile(r"[A-Za-z0-9]+(?:['’.-][A-Za-z0-9]+)*")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_PROVENANCE = re.compile(r'<p class="deployplan-provenance">(.*?)</p>', re.S)
_SOURCE = re.compile(r"(?P<file>[A-Za-z0-9_./-]+\.ya?ml):(?P<line>\d+)")


@pytest.fixture
def project(case: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> BuiltProject:
    return built(*case, tmp_path_factory)


@functools.cache
def _plan(spec: str) -> DeploymentPlan:
    result = validate_file(ROOT / spec, spec)
    assert result.plan is not None, result
    return result.plan


def manual_pages(project: BuiltProject) -> list[str]:
    """Markdown pages of the manual sections, relative to ``site_docs``, indexes aside."""
    return sorted(
        str(page.relative_to(project.docs))
        for section in SECTIONS
        for page in (project.docs / section).rglob("*.md")
        if page.name != "index.md" and str(page.relative_to(project.docs)) not in INDEXES
    )


def _main_content(project: BuiltProject, page: str) -> str:
    built_page = project.site / Path(page).with_suffix(".html")
    found = _ARTICLE.search(built_page.read_text("utf-8"))
    assert found, f"{page}: no main content in {built_page}"
    return found.group(1)


def prose_words(content: str) -> float:
    """Words of prose in an article's HTML: Latin words plus Japanese characters / 2.5."""
    text = re.sub(r"<[^>]+>", " ", _NOT_PROSE.sub(" ", content))
    text = html.unescape(text)
    return len(_WORD.findall(text)) + len(_JAPANESE.findall(text)) / CHARACTERS_PER_WORD


def test_word_count_ignores_code_and_counts_japanese_by_characters() -> None:
    content = (
        '<h1>Title<a class="headerlink" href="#t">¶</a></h1><p>two words</p>'
        "<pre><code>kubectl get pods and many more words</code></pre>"
        "<p>本番環境へのデプロイ</p>"
    )
    assert prose_words(content) == 3 + 10 / CHARACTERS_PER_WORD


@each_site
def test_manual_pages_have_150_words_of_prose(project: BuiltProject, case: tuple[str, str]) -> None:
    pages = manual_pages(project)
    # a site without manual pages is right only for a plan that declares nothing they document
    assert pages or not any(optional_pages(_plan(case[0])).values())
    thin = [
        f"{page}: {words:.0f} words"
        for page in pages
        if (words := prose_words(_main_content(project, page))) < MIN_WORDS
    ]
    assert not thin, "\n".join(thin)


@each_site
def test_manual_pages_name_their_owner_and_spec_lines(
    project: BuiltProject, case: tuple[str, str]
) -> None:
    plan = _plan(case[0])
    teams = {team.name for team in plan.project.teams} | {plan.project.owner}
    missing = []
    for page in manual_pages(project):
        found = _PROVENANCE.search(_main_content(project, page))
        if found is None:
            missing.append(f"{page}: no owner and source line")
            continue
        line = html.unescape(re.sub(r"<[^>]+>", "", found.group(1)))
        if not set(re.findall(r"[a-z0-9][a-z0-9-]*", line)) & teams:
            missing.append(f"{page}: names no team of the spec: {line}")
        sources = list(_SOURCE.finditer(line))
        if not sources:
            missing.append(f"{page}: names no spec line: {line}")
        for source in sources:
            written = Path(source["file"])
            spec = written if written.is_absolute() else ROOT / written
            if not spec.is_file() or int(source["line"]) > len(
                spec.read_text("utf-8").splitlines()
            ):
                missing.append(f"{page}: {source.group()} is no line of a spec file")
    assert not missing, "\n".join(missing)
