"""The built sites in a real browser: navigation, search in two languages, diagrams,
and not one request leaving the machine.

One chromium serves the whole module (see conftest.py); pages share one browser context
whose every request is recorded, and the last test checks where they all went.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest

from tests.site.conftest import BuiltSite

# Material draws each diagram into a closed shadow root; opened here so the test can
# look inside. The page behaves the same otherwise.
OPEN_SHADOW_ROOTS = """
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
    return attach.call(this, { ...init, mode: "open" });
};
"""
MANUALS = {
    "install/install-kubernetes-services.html": "Install the shop services on Kubernetes",
    "configure/configure-payments.html": "Configure payments and Stripe",
    "troubleshoot/troubleshoot-checkout.html": "Checkout failures",
    "operate/run-orders-api.html": "Operating orders-api",
    "maintain/calendar.html": "Maintenance calendar",
    "maintain/postgres_minor_upgrade.html": "Upgrading PostgreSQL minor versions",
    "incidents/response.html": "Incident response",
    "incidents/escalation.html": "Escalation matrix",
    "incidents/emergency/emergency-region-failover.html": "Fail over to the DR region",
    "training/index.html": "Training",
    "training/modules/incident-command.html": "Running an incident",
    "training/exercises/restore-orders-db.html": "Restore the orders database from a dump",
    "training/certification.html": "Certification requirements",
    "training/competency.html": "Competency matrix",
    "knowledge/articles.html": "Knowledge base",
    "knowledge/best-practices.html": "Best practices",
    "knowledge/lessons-learned.html": "Lessons learned",
    "overview/backups.html": "Backup schedule",
    "artifacts/index.html": "Generated files",
    "reference/traceability.html": "Traceability",
}

requests: list[str] = []


@pytest.fixture(scope="module")
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context()
    ctx.add_init_script(OPEN_SHADOW_ROOTS)
    ctx.on("request", lambda request: requests.append(request.url))
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    tab = context.new_page()
    yield tab
    tab.close()


def _heading(page: Any) -> str:
    """The page's title without the permalink sign after it."""
    return str(page.locator("article h1").evaluate("h => h.firstChild.textContent")).strip()


def _nav_links(page: Any, base: str) -> set[str]:
    hrefs = page.eval_on_selector_all(
        "nav.md-nav--primary a.md-nav__link[href]", "links => links.map(a => a.href)"
    )
    return {urlsplit(href).path.lstrip("/") for href in hrefs if href.startswith(base)}


def _pages_in(nav: list[Any]) -> Iterator[str]:
    for entry in nav:
        values = [entry] if isinstance(entry, str) else list(entry.values())
        for value in values:
            if isinstance(value, list):
                yield from _pages_in(value)
            else:
                yield value.removesuffix(".md") + ".html"


def test_site_loads(page: Any, english: BuiltSite) -> None:
    page.goto(english.url)
    assert page.title() == "shop operations manual"
    assert _heading(page) == "shop operations manual"


def test_every_generated_page_is_reachable_from_the_navigation(
    page: Any, english: BuiltSite
) -> None:
    page.goto(english.url)
    data = json.loads((english.project / "site_docs" / ".deployplan-site.json").read_text())
    expected = set(_pages_in(data["nav"]))
    assert expected <= _nav_links(page, english.url) | {"index.html"}
    generated = {
        p.relative_to(english.project / "site_docs").with_suffix(".html").as_posix()
        for p in (english.project / "site_docs").rglob("*.md")
    }
    assert generated == expected


def test_navigation_reaches_every_manual(page: Any, english: BuiltSite) -> None:
    page.goto(english.url)
    links = _nav_links(page, english.url)
    for path, title in MANUALS.items():
        assert path in links, path
        page.goto(urljoin(english.url, path))
        assert _heading(page) == title
        assert len(page.locator("article").inner_text()) > 300, path


def _search(page: Any, url: str, term: str) -> list[str]:
    page.goto(url)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    results = page.locator(".md-search-result__item").first
    # Typed key by key, as a reader does: Material searches on keyboard input. The index
    # is built in a web worker after the page loads, which takes a while on a busy
    # machine (the Japanese segmenter most of all); a reader who sees nothing types again.
    for _ in range(8):
        box.fill("")
        box.press_sequentially(term)
        try:
            results.wait_for(timeout=15_000)
            break
        except Exception:  # playwright's TimeoutError: the index was not ready yet
            continue
    results.wait_for(timeout=15_000)
    found: list[str] = page.eval_on_selector_all(
        ".md-search-result__item a.md-search-result__link", "links => links.map(a => a.href)"
    )
    return found


def test_search_finds_the_right_page_in_english(page: Any, english: BuiltSite) -> None:
    found = _search(page, english.url, "vacuumdb")
    assert urlsplit(found[0]).path.startswith("/maintain/postgres_vacuum_reindex.html")


def test_search_finds_the_right_page_in_japanese(page: Any, japanese: BuiltSite) -> None:
    found = _search(page, japanese.url, "月初")
    assert urlsplit(found[0]).path.startswith("/knowledge/lessons-learned.html")


def test_deployment_flow_renders_as_svg(page: Any, english: BuiltSite) -> None:
    page.goto(urljoin(english.url, "overview/deployment-flow.html"))
    diagram = page.locator("div.mermaid svg").first
    diagram.wait_for()
    labels = diagram.locator(".nodeLabel").all_inner_texts()
    assert {"build", "migrate", "deploy", "rollout_complete"} <= set(labels)


def test_no_request_leaves_the_machine(english: BuiltSite, japanese: BuiltSite) -> None:
    assert requests, "the tests above made no request at all"
    hosts = {urlsplit(url).hostname for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}
