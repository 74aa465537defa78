"""The built sites in a real browser: navigation, search in two languages, diagrams,
and not one request leaving the machine.

One chromium serves the whole module (see conftest.py); pages share one browser context
whose every request is recorded, and the last test checks where they all went.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from ruamel.yaml import YAML

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


def _runbook_urls(site: BuiltSite, environment: str) -> dict[str, str]:
    """Alert name -> its ``runbook_url`` from the generated rules, on the served site."""
    spec = YAML(typ="safe").load(_spec_of(site).read_text(encoding="utf-8"))
    docs_url = str(spec["project"]["docs_url"]).rstrip("/") + "/"
    rules = YAML(typ="safe").load(
        (site.project / "output" / "monitoring" / environment / "alerts.yml").read_text()
    )
    urls = {
        rule["alert"]: rule["annotations"]["runbook_url"]
        for group in rules["groups"]
        for rule in group["rules"]
        if "alert" in rule
    }
    assert urls and all(url.startswith(docs_url) for url in urls.values()), urls
    return {alert: site.url + url.removeprefix(docs_url) for alert, url in urls.items()}


def _spec_of(site: BuiltSite) -> Path:
    home = (site.project / "site_docs" / "index.md").read_text(encoding="utf-8")
    marker = re.search(r"Generated by deployplan from (\S+?)\.? Do not edit", home)
    assert marker, "the home page lost its generated-by marker"
    return Path(marker[1])


# The code block a reader sees first under the heading the link lands on, and whether
# it is on screen: inside the viewport, below the sticky header, not covered.
FIRST_COMMAND = """
([anchor, needle]) => {
    const follows = (a, b) => a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING;
    const heading = anchor
        ? document.getElementById(anchor)
        : document.querySelector("article h1");
    if (!heading) return {error: "no element with id " + anchor};
    const blocks = [...document.querySelectorAll("article div.highlight, article pre")];
    const block = blocks.find(b => follows(heading, b) && b.innerText.includes(needle));
    if (!block) return {error: "no code block with " + needle + " after #" + anchor};
    const between = [...document.querySelectorAll("article h2, article h3")].filter(
        h => follows(heading, h) && follows(h, block));
    const box = block.getBoundingClientRect();
    const header = document.querySelector(".md-header").getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + 8, box.top + Math.min(box.height / 2, 16));
    return {
        text: block.querySelector("code").innerText,
        top: box.top, bottom: box.bottom, left: box.left, right: box.right,
        headerBottom: header.bottom, width: innerWidth, height: innerHeight,
        covered: !(hit && block.contains(hit)),
        headingsBetween: between.map(h => h.id),
    };
}
"""


@pytest.fixture(scope="module")
def clipboard_context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"])
    ctx.on("request", lambda request: requests.append(request.url))
    yield ctx
    ctx.close()


@pytest.mark.parametrize("name", ["english", "vm_fleet"])
def test_an_alerts_runbook_url_lands_on_the_production_rollback_command(
    clipboard_context: Any, request: pytest.FixtureRequest, name: str
) -> None:
    site: BuiltSite = request.getfixturevalue(name)
    page = clipboard_context.new_page()
    for alert, url in sorted(_runbook_urls(site, "production").items()):
        page.goto(url)
        page.wait_for_load_state("load")
        anchor = urlsplit(url).fragment
        shown = page.evaluate(FIRST_COMMAND, [anchor, "rollback.sh"])
        assert "error" not in shown, (alert, url, shown)
        assert "production" in shown["text"], (alert, shown["text"])
        assert shown["headingsBetween"] == [], (alert, shown)
        assert shown["headerBottom"] <= shown["top"] < shown["bottom"] <= shown["height"], (
            alert,
            shown,
        )
        assert 0 <= shown["left"] < shown["right"] <= shown["width"], (alert, shown)
        assert not shown["covered"], (alert, shown)
    page.close()


@pytest.mark.parametrize("name", ["english", "vm_fleet"])
def test_the_rollback_commands_copy_button_copies_it(
    clipboard_context: Any, request: pytest.FixtureRequest, name: str
) -> None:
    site: BuiltSite = request.getfixturevalue(name)
    alert, url = sorted(_runbook_urls(site, "production").items())[0]
    page = clipboard_context.new_page()
    page.goto(url)
    page.wait_for_load_state("load")
    shown = page.evaluate(FIRST_COMMAND, [urlsplit(url).fragment, "rollback.sh"])
    assert "error" not in shown, (alert, url, shown)
    page.evaluate("() => navigator.clipboard.writeText('')")
    block = page.locator("article div.highlight, article pre").filter(has_text="rollback.sh")
    # Material's copy button: data-md-type="copy" since 9.6, .md-clipboard before
    button = block.first.locator('button[data-md-type="copy"], button.md-clipboard')
    block.first.hover()
    button.click()
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.strip() == shown["text"].strip()
    assert "rollback.sh" in copied and "production" in copied
    page.close()


# Every table cell of the page that a reader cannot reach at this width: off the right
# edge of the viewport and not inside a container that scrolls sideways to it.
UNREACHABLE_CELLS = """
() => {
    const width = document.documentElement.clientWidth;
    const found = [];
    for (const cell of document.querySelectorAll("article td, article th")) {
        const box = cell.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 0.5) continue;
        let scroller = cell.parentElement;
        while (scroller && !(["auto", "scroll"].includes(getComputedStyle(scroller).overflowX)
                && scroller.scrollWidth > scroller.clientWidth)) {
            scroller = scroller.parentElement;
        }
        const within = scroller && scroller !== document.documentElement
            && scroller.getBoundingClientRect().right <= width + 0.5;
        if (!within) found.push(cell.innerText.trim().slice(0, 60));
    }
    return found;
}
"""


@pytest.mark.parametrize("name", ["english", "vm_fleet"])
def test_at_390_px_every_table_cell_can_be_reached(
    browser: Any, request: pytest.FixtureRequest, name: str
) -> None:
    site: BuiltSite = request.getfixturevalue(name)
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    pages = sorted(
        p.relative_to(site.site).as_posix()
        for p in site.site.rglob("*.html")
        if not p.relative_to(site.site).as_posix().startswith(("artifacts/files/", "404"))
    )
    assert len(pages) > 20
    unreachable = {}
    for path in pages:
        page.goto(urljoin(site.url, path))
        page.wait_for_load_state("load")
        cells = page.evaluate(UNREACHABLE_CELLS)
        if cells:
            unreachable[path] = cells
    ctx.close()
    assert unreachable == {}


def test_at_390_px_the_escalation_matrix_fits_the_screen(browser: Any, english: BuiltSite) -> None:
    """Who to call is on screen at a phone's width, without scrolling sideways."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844})
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    page.goto(urljoin(english.url, "incidents/escalation.html"))
    rights = page.eval_on_selector_all(
        "article td, article th", "cells => cells.map(c => c.getBoundingClientRect().right)"
    )
    ctx.close()
    assert len(rights) > 20
    assert max(rights) <= 390


def test_no_request_leaves_the_machine(english: BuiltSite, japanese: BuiltSite) -> None:
    assert requests, "the tests above made no request at all"
    hosts = {urlsplit(url).hostname for url in requests if not url.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}
