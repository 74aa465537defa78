"""``inert_title``: a page title stays text wherever Material prints it."""

from __future__ import annotations

import html

import jinja2
import markupsafe
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.mkdocs_plugin import inert_title

# How Material's templates print a title (no autoescape): raw, escaped, and
# through striptags where a page has no meta title.
THEME = [
    jinja2.Environment(autoescape=False).from_string(source)
    for source in ("{{ t }}", "{{ t | e }}", "{{ t | striptags | e }}")
]
hostile = st.lists(
    st.one_of(
        st.sampled_from(["</title>", "<script>", "&lt;", "&#60;", "<!--", "-->", '"', "'", "&"]),
        st.text(max_size=3),
    ),
    max_size=8,
).map("".join)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Upgrade &lt;/title&gt;&lt;script&gt;", "Upgrade &lt;/title&gt;&lt;script&gt;"),
        ("Upgrade &#60;/title&#62;", "Upgrade &lt;/title&gt;"),
        ("Run <code>vacuumdb</code> weekly", "Run vacuumdb weekly"),
        ("Q&amp;A", "Q&amp;A"),
        ("a <!-- c --> b", "a b"),
    ],
)
def test_inert_title(title: str, expected: str) -> None:
    assert inert_title(title) == expected


@given(st.text() | hostile)
def test_a_title_is_text_however_the_theme_prints_it(text: str) -> None:
    # a heading's HTML as MkDocs hands it over: the text, entity-escaped
    title = inert_title(str(markupsafe.escape(text)))
    raw, escaped, stripped = (template.render(t=title) for template in THEME)
    assert raw == escaped == str(title)
    assert "<" not in raw
    shown = " ".join(markupsafe.Markup(raw).striptags().split())
    assert shown == " ".join(html.unescape(str(markupsafe.escape(text))).split())
    assert stripped == str(markupsafe.escape(shown))
