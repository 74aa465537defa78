"""A site built from a spec with a script-injection payload in every free-text field.

Escaping the Markdown is not enough: the theme prints titles in ``<title>``, the
navigation, the table of contents and the search results. One build, one browser tab,
every page: no payload may run, no injected element may exist, and the titles must show
the payload as the text it is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urljoin

import pytest

from tests.site.conftest import BuiltSite
from tests.site.hostile_spec import PAYLOAD, URL_PAYLOAD, hostile_tree
from tests.site.test_browser import OPEN_SHADOW_ROOTS, _search

# Every element, inside shadow roots too (mermaid draws into one): inline handlers,
# javascript: URLs and HTML data: URLs, scripts that are not the theme's, the payload's image; and
# the links to a URL payload's host. window.__pwned is set by any payload that runs.
INSPECT = r"""() => {
    const injected = [];
    const links = [];
    const roots = [document];
    while (roots.length) {
        for (const el of roots.pop().querySelectorAll("*")) {
            if (el.shadowRoot) roots.push(el.shadowRoot);
            const tag = el.tagName.toLowerCase();
            for (const name of el.getAttributeNames()) {
                if (name.startsWith("on")) injected.push(`${tag}[${name}]`);
                // browsers ignore controls and spaces before a scheme
                const value = (el.getAttribute(name) || "")
                    .replace(/[\u0000-\u0020]/g, "").toLowerCase();
                if (/^(javascript:|vbscript:|data:text\/html)/.test(value)) {
                    injected.push(`${tag}[${name}=${value.slice(0, 40)}]`);
                }
            }
            if (tag === "a" && /^https:\/\/u\d+\.example\.com\//.test(el.href)) {
                links.push(el.href);
            }
            const src = el.getAttribute("src") || "";
            if (tag === "script" && (el.textContent.includes("__pwned")
                    || (src && !src.includes("assets/javascripts/")))) {
                injected.push(`script ${src}`);
            }
            if (tag === "img" && src === "x") injected.push("img[src=x]");
        }
    }
    return {
        pwned: window.__pwned === undefined ? null : String(window.__pwned),
        injected,
        links,
        title: document.title,
    };
}"""
_, _FIELDS, _URLS = hostile_tree()


@dataclass(frozen=True)
class Visit:
    """What one page did in the browser."""

    path: str
    pwned: str | None
    injected: list[str]
    links: list[str]
    title: str
    dialogs: list[str]


def _field(number: str | None) -> str:
    return _FIELDS.get(int(number), number) if number and number.isdigit() else str(number)


def _pages(site: BuiltSite) -> list[str]:
    return sorted(
        page.relative_to(site.site).as_posix()
        for page in site.site.rglob("*.html")
        if not page.is_relative_to(site.site / "artifacts" / "files")
    )


def _inspect(tab: Any, dialogs: list[str], path: str) -> Visit:
    if tab.locator("div.mermaid").count():
        tab.locator("div.mermaid svg").first.wait_for(timeout=15_000)
    found = tab.evaluate(INSPECT)
    return Visit(
        path, found["pwned"], found["injected"], found["links"], found["title"], list(dialogs)
    )


@pytest.fixture(scope="module")
def tab(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    context = browser.new_context()
    context.add_init_script(OPEN_SHADOW_ROOTS)
    page = context.new_page()
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    yield page, dialogs
    context.close()


@pytest.fixture(scope="module")
def visits(hostile: BuiltSite, tab: tuple[Any, list[str]]) -> list[Visit]:
    page, dialogs = tab
    found = []
    for path in _pages(hostile):
        dialogs.clear()
        page.goto(urljoin(hostile.url, path))
        found.append(_inspect(page, dialogs, path))
    return found


def test_the_hostile_site_builds_strictly(hostile: BuiltSite) -> None:
    assert hostile.returncode == 0, hostile.log
    assert "WARNING" not in hostile.log
    assert len(_FIELDS) > 400  # every free-text field of the example, not a sample
    assert len(_URLS) >= 20  # and every URL


def test_no_payload_runs_on_any_page(visits: list[Visit]) -> None:
    assert len(visits) > 90
    ran = {v.path: _field(v.pwned) for v in visits if v.pwned is not None or v.dialogs}
    assert ran == {}


def test_no_injected_element_exists_on_any_page(visits: list[Visit]) -> None:
    assert {v.path: v.injected for v in visits if v.injected} == {}


def test_url_fields_stay_whole_links_to_their_own_address(visits: list[Visit]) -> None:
    """A URL payload ends no attribute and starts no second link: each link to its host
    leads to exactly the URL the spec gave (the browser may percent-encode it)."""
    linked: dict[int, set[str]] = {}
    for visit in visits:
        for href in visit.links:
            number = int(href.removeprefix("https://u").split(".", 1)[0])
            linked.setdefault(number, set()).add(unquote(href))
    assert {
        n: hrefs for n, hrefs in linked.items() if hrefs != {unquote(URL_PAYLOAD.format(n=n))}
    } == {}
    # repositories, environments, dependencies, tools, the knowledge base, ...
    assert len(linked) >= 10, sorted(_FIELDS[n] for n in linked)
    assert set(linked) <= _URLS


def test_page_titles_show_the_payload_as_text(visits: list[Visit]) -> None:
    shown = {
        n
        for v in visits
        for n in map(int, re.findall(r"Upgrade (\d+) ", v.title))
        if PAYLOAD.format(n=n) in v.title
    }
    # titles, headings and names of manuals, procedures, modules, exercises, lessons, ...
    assert len(shown) >= 11, sorted(_FIELDS[n] for n in shown)


def test_search_results_are_inert(hostile: BuiltSite, tab: tuple[Any, list[str]]) -> None:
    page, dialogs = tab
    dialogs.clear()
    found = _search(page, hostile.url, "Upgrade")
    assert len(found) > 10
    visit = _inspect(page, dialogs, "search")
    assert (_field(visit.pwned), visit.injected, visit.dialogs) == ("None", [], [])
    results = page.locator(".md-search-result__item").all_inner_texts()
    # the payload is found, and shown as the text it is
    assert any("</title><script>window.__pwned=" in text for text in results), results[:3]


def test_search_index_holds_the_payload_only_as_text(hostile: BuiltSite) -> None:
    index = json.loads((hostile.site / "search" / "search_index.json").read_text())
    tags = re.compile(r"<\s*/?\s*(script|img|svg|title|textarea)\b", re.IGNORECASE)
    found = [
        (doc["location"], key)
        for doc in index["docs"]
        for key in ("title", "text")
        if tags.search(doc[key])
    ]
    assert found == []
    assert sum("Upgrade" in doc["title"] for doc in index["docs"]) > 10
