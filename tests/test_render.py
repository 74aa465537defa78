"""The renderer: escaping by output kind, marker headers, overrides, template problems."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jinja2.sandbox
import markdown
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from generator.artifact import Artifact, Root
from generator.errors import TemplateProblem
from generator.paths import builtin_templates_dir
from generator.render import (
    MARKER,
    OutputKind,
    Raw,
    escape,
    make_environment,
    output_kind,
    render,
    visible_bidi,
)
from tests.conftest import ROOT, run_cli
from tests.site.hostile_spec import write_hostile_spec

SPEC = "specs/deployplan.yaml"
NOTE = MARKER.format(spec_label=SPEC)
PROPERTY_TEMPLATES = Path(__file__).parent / "render_templates"
MARKDOWN_EXTENSIONS = [
    "admonition",
    "attr_list",
    "def_list",
    "footnotes",
    "md_in_html",
    "tables",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "pymdownx.tabbed",
    "pymdownx.highlight",
    "pymdownx.inlinehilite",
    "pymdownx.emoji",
    "pymdownx.mark",
    "pymdownx.caret",
    "pymdownx.tilde",
    "pymdownx.keys",
    "pymdownx.critic",
    "pymdownx.arithmatex",
    "pymdownx.snippets",
    "pymdownx.tasklist",
]
HOSTILE = [
    "$(id)",
    "`id`",
    "'",
    '"',
    "\\",
    "; rm -rf ~",
    "${HOME}",
    "\n- key: x",
    "\r\n",
    "\t",
    "<script>alert(1)</script>",
    "{: onclick=x}",
    '--8<-- "passwd"',
    "--8<-- passwd",
    ":smile:",
    "==x==",
    "^^x^^",
    "~~x~~",
    "++ctrl+alt++",
    "{++x++}",
    "{>>x<<}",
    "$$x$$",
    "\\(x\\)",
    "[x](javascript:alert(1))",
    "<http://x>",
    "[^1]",
    "!!! note",
    "??? note",
    "=== tab",
    "| a |",
    "#",
    "***",
    "1.",
    "    ",
    "---",
    "```",
    "#!python",
    "&amp;",
    "<!--",
    "-->",
    "yes",
    "null",
    "~",
    "0x1F",
    "1e3",
    ".inf",
    "%",
    "\u202e",
    "\u2066x\u2069",
    "\u200f",
    "\u061c",
    "\u202a\u202c",
]
hostile = st.lists(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=3)), max_size=8).map(
    "".join
)
values = st.one_of(st.text(), hostile)


def build_file_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def artifact(path: str, template: str | None = None, **context: Any) -> Artifact:
    return Artifact(
        root=Root.OUTPUT,
        path=PurePosixPath(path),
        template=template or f"{path}.j2",
        family="test",
        context=context,
    )


def render_text(dirs: list[Path], path: str, template: str | None = None, **context: Any) -> str:
    [rendered] = render([artifact(path, template, **context)], template_dirs=dirs, spec_label=SPEC)
    return rendered.content.decode("utf-8")


def render_source(tmp_path: Path, path: str, source: str, **context: Any) -> str:
    """Render a one-off template named after the output ``path``, without the marker."""
    build_file_tree(tmp_path, {f"{path}.j2": source})
    [rendered] = render(
        [artifact(path, **context)], template_dirs=[tmp_path], spec_label=SPEC, header=False
    )
    return rendered.content.decode("utf-8")


def render_property(template: str, **context: Any) -> str:
    path = template.removesuffix(".j2").replace("prop/", "")
    return render_text([PROPERTY_TEMPLATES], path, template, **context)


def problem(artifacts: list[Artifact], dirs: list[Path]) -> str:
    with pytest.raises(TemplateProblem) as raised:
        render(artifacts, template_dirs=dirs, spec_label=SPEC)
    return str(raised.value)


def collapse(text: str) -> str:
    return " ".join(text.split())


CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(text: str) -> str:
    """How Markdown escaping shows ``text``: control characters as spaces, bidirectional
    controls as their escapes, text between matching backticks as code (without them)."""
    return collapse(visible_bidi(CONTROLS.sub(" ", CODE_SPAN.sub(r"\2", text))))


# Matching runs of backticks around text on one line that neither starts nor ends with one.
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)([^\n\r]*?[^`\n\r])\1(?!`)")


ONE_LINE_SPACES = str.maketrans(
    dict.fromkeys([*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029], " ")
)


def without_bidi(text: str) -> str:
    """``text``, asserted to hold no raw bidirectional control (they reorder the display)."""
    assert BIDI.search(text) is None, ascii(text)
    return text


class Page(HTMLParser):
    """What a reader sees in rendered HTML: its tags, its text, its links, its code."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self._text: list[str] = []
        self._code: list[str] | None = None
        self.code: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "br":
            self._text.append(" ")
        if tag == "a":
            self.hrefs += [value or "" for name, value in attrs if name == "href"]
        if tag == "code":
            self._code = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "code" and self._code is not None:
            self.code.append("".join(self._code))
            self._code = None

    def handle_data(self, data: str) -> None:
        self._text.append(data)
        if self._code is not None:
            self._code.append(data)

    @property
    def text(self) -> str:
        return collapse("".join(self._text))


ToHtml = Callable[[str], Page]


@pytest.fixture(scope="module")
def to_html(tmp_path_factory: pytest.TempPathFactory) -> ToHtml:
    """Markdown to HTML as the docs site renders it; snippets may read a planted file."""
    base = tmp_path_factory.mktemp("snippets")
    (base / "passwd").write_text("SNIPPET-LEAKED\n", encoding="utf-8")
    md = markdown.Markdown(
        extensions=MARKDOWN_EXTENSIONS,
        extension_configs={
            "pymdownx.arithmatex": {"generic": True},
            "pymdownx.snippets": {"base_path": [str(base)]},
        },
    )

    def convert(source: str) -> Page:
        md.reset()
        return Page(md.convert(source))

    return convert


def test_the_markdown_harness_sees_injections(to_html: ToHtml) -> None:
    page = to_html('<b>x</b> {++y++} :smile: $z$\n\n--8<-- "passwd"\n')
    assert page.tags == ["p", "b", "ins", "img", "span", "p"]
    assert page.text == "x y \\(z\\) SNIPPET-LEAKED"


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("deploy.sh", OutputKind.SHELL),
        ("lib/common.bash", OutputKind.SHELL),
        (".gitlab-ci.yml", OutputKind.YAML),
        ("rules.YAML", OutputKind.YAML),
        ("docs/index.md", OutputKind.MARKDOWN),
        ("report.json", OutputKind.JSON),
        ("report.html", OutputKind.XML),
        ("junit.xml", OutputKind.XML),
        ("diagram.svg", OutputKind.XML),
        ("crontab", OutputKind.TEXT),
        ("backup.service", OutputKind.TEXT),
        ("backup.timer", OutputKind.TEXT),
        ("app.conf", OutputKind.TEXT),
        ("notes.txt", OutputKind.TEXT),
        (".env", OutputKind.TEXT),
        ("settings.ini", OutputKind.TEXT),
        ("pyproject.toml", OutputKind.TEXT),
    ],
)
def test_output_kind_follows_the_file_name(path: str, kind: OutputKind) -> None:
    assert output_kind(path) is kind
    assert output_kind(PurePosixPath(path)) is kind


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (OutputKind.SHELL, "web", "web"),
        (OutputKind.SHELL, "$(rm -rf ~)", "'$(rm -rf ~)'"),
        (OutputKind.SHELL, "it's", "'it'\"'\"'s'"),
        (OutputKind.SHELL, "", "''"),
        (OutputKind.SHELL, None, "''"),
        (OutputKind.SHELL, True, "true"),
        (OutputKind.SHELL, 8080, "8080"),
        (OutputKind.SHELL, "a\nb'\\", "$'a\\nb\\'\\\\'"),
        (OutputKind.YAML, "web-1.example/x_y", "web-1.example/x_y"),
        (OutputKind.YAML, "yes", '"yes"'),
        (OutputKind.YAML, "Off", '"Off"'),
        (OutputKind.YAML, "1.0", '"1.0"'),
        (OutputKind.YAML, "a b", '"a b"'),
        (OutputKind.YAML, "", '""'),
        (OutputKind.YAML, "x\n- key: y", '"x\\n- key: y"'),
        (OutputKind.YAML, "\x85\u2028\x7f", '"\\u0085\\u2028\\u007f"'),
        (OutputKind.YAML, None, "null"),
        (OutputKind.YAML, False, "false"),
        (OutputKind.YAML, 3, "3"),
        (OutputKind.YAML, 1e-05, "1.0e-05"),
        (OutputKind.YAML, 2.5, "2.5"),
        (OutputKind.YAML, math.nan, ".nan"),
        (OutputKind.YAML, -math.inf, "-.inf"),
        (OutputKind.YAML, {"b": [1, "x y"], "a": {}}, '{b: [1, "x y"], a: {}}'),
        (OutputKind.JSON, 'say "hi"\n', '"say \\"hi\\"\\n"'),
        (OutputKind.JSON, {"k": [None, True]}, '{"k": [null, true]}'),
        (OutputKind.JSON, "ü", '"ü"'),
        (OutputKind.MARKDOWN, "plain words", "plain words"),
        (OutputKind.MARKDOWN, "*a* <b>", "&#42;a&#42; &#60;b&#62;"),
        (OutputKind.MARKDOWN, "line\r\nnext\tx", "line<br>next x"),
        (OutputKind.MARKDOWN, "  v1.2-rc ", "&#32;&#32;v1.2-rc&#32;"),
        (OutputKind.MARKDOWN, ":x: {: #i}", "&#58;x: &#123;: #i&#125;"),
        (OutputKind.XML, "<a href='x'>&", "&lt;a href=&#39;x&#39;&gt;&amp;"),
        (OutputKind.XML, "a\nb\x01", "a&#10;b "),
        (OutputKind.TEXT, "0 3 * * * run", "0 3 * * * run"),
        (OutputKind.TEXT, "x\nExecStart=/bin/sh\r\ny", "x\\nExecStart=/bin/sh\\ny"),
        (OutputKind.TEXT, "a\tb\x0bc\u2028d", "a b c d"),
    ],
)
def test_escape_by_kind(kind: OutputKind, value: object, expected: str) -> None:
    assert escape(kind, value) == expected


@pytest.mark.parametrize("kind", list(OutputKind))
def test_raw_passes_through_every_kind(kind: OutputKind, tmp_path: Path) -> None:
    assert escape(kind, Raw("$(x) *y* <z>")) == "$(x) *y* <z>"
    name = {OutputKind.SHELL: "t.sh", OutputKind.MARKDOWN: "t.md"}.get(kind, f"t.{kind.value}")
    assert output_kind(name) is kind
    assert render_source(tmp_path, name, "{{ v | raw }}", v="$(x) <z>") == "$(x) <z>\n"


def test_text_made_from_raw_is_escaped_again(tmp_path: Path) -> None:
    source = "{{ ('echo ' | raw) ~ v }}\n{{ 'a b' | raw | upper }}\n"
    assert render_source(tmp_path, "t.sh", source, v="$(id)") == "'echo $(id)'\n'A B'\n"


def test_captured_output_is_not_escaped_again(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path,
        {
            "base.sh.j2": "{% block body %}echo {{ v }}{% endblock %}\n",
            "t.sh.j2": (
                "{% extends 'base.sh.j2' %}\n"
                "{% macro step(s) %}run {{ s }}{% endmacro %}\n"
                "{% macro wrap() %}[{{ caller() }}]{% endmacro %}\n"
                "{% block body %}\n"
                "{% set captured %}set {{ v }}{% endset %}\n"
                "{{ super() }}\n"
                "{{ step(v) }}\n"
                "{{ step(v) | indent(2, first=true) }}\n"
                "{% call wrap() %}in {{ v }}{% endcall +%}\n"
                "{{ captured }}\n"
                "{% endblock %}\n"
            ),
        },
    )
    assert render_text([tmp_path], "t.sh", v="a b").splitlines()[1:] == [
        "echo 'a b'",
        "run 'a b'",
        "  run 'a b'",
        "[in 'a b']",
        "set 'a b'",
    ]


def test_shell_join_quotes_each_word(tmp_path: Path) -> None:
    source = "exec {{ args | shell_join }}\n"
    args = ["deploy", "a b", "$(id)", True, None]
    assert (
        render_source(tmp_path, "t.sh", source, args=args) == "exec deploy 'a b' '$(id)' true ''\n"
    )


def test_a_list_printed_whole_is_a_template_problem(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"t.sh.j2": "#!/bin/sh\necho {{ args }}\n"})
    assert problem([artifact("t.sh", args=["a"])], [tmp_path]) == (
        f"{tmp_path}/t.sh.j2:2: error: a list cannot be printed as one value: loop over it"
        " (or use `| shell_join` in a shell script, `| to_yaml` in YAML) (rendering t.sh)"
    )


def test_escaping_filters_exist_only_for_their_kind(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"t.sh.j2": "echo {{ v | code }}\n"})
    assert problem([artifact("t.sh", v="x")], [tmp_path]) == (
        f"{tmp_path}/t.sh.j2:1: error: No filter named 'code'. (rendering t.sh)"
    )


def test_to_yaml_writes_block_yaml_that_loads_back(tmp_path: Path) -> None:
    data = {
        "name": "web",
        "on": "yes",
        "pools": [{"name": "a b", "count": 2}, ["x", 1.5]],
        "empty": [],
        "none": None,
    }
    source = "top:\n{{ data | to_yaml(indent=2) }}\n"
    text = render_source(tmp_path, "t.yaml", source, data=data)
    assert text == (
        "top:\n"
        "  name: web\n"
        '  "on": "yes"\n'
        "  pools:\n"
        '    - name: "a b"\n'
        "      count: 2\n"
        "    - - x\n"
        "      - 1.5\n"
        "  empty: []\n"
        "  none: null\n"
    )
    assert yaml.safe_load(text) == {"top": data}


def test_md_block_keeps_paragraphs(tmp_path: Path) -> None:
    source = "{{ v | md_block }}\n"
    v = "First *line*\nsecond.\r\n\r\n  \n# Not a heading\n\n\n"
    assert render_source(tmp_path, "t.md", source, v=v) == (
        "First &#42;line&#42;<br>second.\n\n&#35; Not a heading\n"
    )


def test_code_shows_the_value_exactly(tmp_path: Path, to_html: ToHtml) -> None:
    text = render_source(tmp_path, "t.md", "Run {{ v | code }}.\n", v="<b>{++x++}</b>\nnext")
    assert text == (
        "Run <code>&#60;b&#62;&#123;&#43;&#43;x&#43;&#43;&#125;&#60;/b&#62; next</code>.\n"
    )
    page = to_html(text)
    assert (page.tags, page.code) == (["p", "code"], ["<b>{++x++}</b> next"])


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://example.com/a b?q=1&r=(2)",
            "[Docs](https://example.com/a%20b?q=1&amp;r=%282%29)",
        ),
        ("../runbooks/db.md#restore", "[Docs](../runbooks/db.md#restore)"),
        ("javascript:alert(1)", "Docs"),
        ("&#106;avascript:alert(1)", "[Docs](&amp;#106;avascript:alert%281%29)"),
        (" JavaScript:alert(1)", "Docs"),
        ("//evil.example", "Docs"),
        ("http:relative", "Docs"),
    ],
)
def test_link_only_to_http_and_relative_urls(url: str, expected: str, tmp_path: Path) -> None:
    source = "{{ 'Docs' | link(url) }}\n"
    assert render_source(tmp_path, "t.md", source, url=url) == expected + "\n"


SHEBANG = "#!/usr/bin/env bash\n"


@pytest.mark.parametrize(
    ("path", "source", "expected"),
    [
        ("t.sh", SHEBANG + "set -eu\n", f"{SHEBANG}# {NOTE}\nset -eu\n"),
        ("t.sh", "set -eu\n", f"# {NOTE}\nset -eu\n"),
        ("t.yaml", "---\nkey: 1\n", f"# {NOTE}\n---\nkey: 1\n"),
        ("crontab", "0 3 * * * backup\n", f"# {NOTE}\n0 3 * * * backup\n"),
        ("backup.service", "[Unit]\n", f"# {NOTE}\n[Unit]\n"),
        ("t.md", "# Title\n", f"<!-- {NOTE} -->\n\n# Title\n"),
        (
            "t.md",
            "---\ntitle: Runbook\n---\n# Title\n",
            f"---\ntitle: Runbook\n---\n<!-- {NOTE} -->\n\n# Title\n",
        ),
        (
            "t.xml",
            '<?xml version="1.0"?>\n<r/>\n',
            f'<?xml version="1.0"?>\n<!-- {NOTE} -->\n<r/>\n',
        ),
        ("t.xml", '<?xml version="1.0"?><r/>', f'<?xml version="1.0"?>\n<!-- {NOTE} -->\n<r/>\n'),
        ("t.html", "<!DOCTYPE html>\n", f"<!-- {NOTE} -->\n<!DOCTYPE html>\n"),
        ("t.json", "{}\n", "{}\n"),
    ],
)
def test_marker_header_placement(path: str, source: str, expected: str, tmp_path: Path) -> None:
    build_file_tree(tmp_path, {f"{path}.j2": source})
    assert render_text([tmp_path], path) == expected


def test_markdown_marker_does_not_hide_the_title(tmp_path: Path, to_html: ToHtml) -> None:
    build_file_tree(tmp_path, {"t.md.j2": "# Title\n\nBody.\n"})
    assert to_html(render_text([tmp_path], "t.md")).tags == ["h1", "p"]


def test_spec_label_cannot_escape_the_marker_comment(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"t.sh.j2": "true\n", "t.md.j2": "x\n"})
    label = "a\nrm -rf ~ --> b"
    files = render([artifact("t.sh"), artifact("t.md")], template_dirs=[tmp_path], spec_label=label)
    one_line = MARKER.format(spec_label="a\\nrm -rf ~ --> b")
    assert [f.content.decode() for f in files] == [
        f"# {one_line}\ntrue\n",
        f"<!-- {one_line.replace('-->', '->')} -->\n\nx\n",
    ]


def test_user_templates_override_builtin_ones_by_path(tmp_path: Path) -> None:
    user, builtin = tmp_path / "user", tmp_path / "builtin"
    build_file_tree(
        builtin,
        {"deploy/run.sh.j2": "{% include 'deploy/_step.j2' %}\n", "deploy/_step.j2": "builtin"},
    )
    build_file_tree(user, {"deploy/_step.j2": "user {{ v }}"})
    [rendered] = render(
        [artifact("run.sh", "deploy/run.sh.j2", v="a b")],
        template_dirs=[user, builtin],
        spec_label=SPEC,
        header=False,
    )
    assert rendered.content == b"user 'a b'\n"


def test_undefined_value_names_template_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"templates/t.sh.j2": "#!/bin/sh\n\necho {{ servce.name }}\n"})
    assert problem([artifact("out/t.sh", "t.sh.j2")], [Path("templates")]) == (
        "templates/t.sh.j2:3: error: 'servce' is undefined (rendering out/t.sh)"
    )


def test_syntax_error_names_template_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"templates/t.md.j2": "# T\n{% for x in xs %}\n{{ x }\n"})
    assert problem([artifact("t.md")], [tmp_path / "templates"]) == (
        "templates/t.md.j2:3: error: unexpected '}' (rendering t.md)"
    )


def test_error_in_an_included_template_names_that_template(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(
        tmp_path,
        {
            "templates/t.yaml.j2": "a: 1\n{% include '_part.j2' %}\n",
            "templates/_part.j2": "b: 2\nc: {{ 1 // zero }}\n",
        },
    )
    assert problem([artifact("t.yaml", zero=0)], [Path("templates")]) == (
        "templates/_part.j2:2: error: ZeroDivisionError: integer division or modulo by zero"
        " (rendering t.yaml)"
    )


def test_all_problems_are_reported_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"t/ok.sh.j2": "true\n", "t/bad.sh.j2": "echo {{ env.name }}\n"})
    artifacts = [
        artifact("a/ok.sh", "ok.sh.j2"),
        artifact("a/bad.sh", "bad.sh.j2", env={}),
        artifact("a/missing.md", "missing.md.j2"),
        artifact("b/bad.sh", "bad.sh.j2", env={}),
        artifact("c/bad.sh", "bad.sh.j2", env={}),
        artifact("b/missing.md", "missing.md.j2"),
    ]
    assert problem(artifacts, [Path("t")]) == (
        "t/bad.sh.j2:1: error: 'dict object' has no attribute 'name'"
        " (rendering a/bad.sh and 2 more)\n"
        "missing.md.j2: error: template 'missing.md.j2' not found in t"
        " (rendering a/missing.md and 1 more)"
    )


SANDBOX_ESCAPES = {
    "{{ ''.__class__.__mro__ }}": "access to attribute '__class__' of 'str' object is unsafe.",
    "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}": (
        "access to attribute '__init__' of 'type' object is unsafe."
    ),
    "{{ lipsum.__globals__['os'].system('touch PWNED') }}": (
        "access to attribute '__globals__' of 'function' object is unsafe."
    ),
    "{{ (lipsum | attr('__globals__')).os.system('touch PWNED') }}": (
        "access to attribute '__globals__' of 'function' object is unsafe."
    ),
    "{{ self._TemplateReference__context }}": (
        "access to attribute '_TemplateReference__context' of 'TemplateReference' object is unsafe."
    ),
    "{% set g = joiner.__init__.__globals__ %}{{ g }}": (
        "access to attribute '__init__' of 'type' object is unsafe."
    ),
    "{{ [].__class__.__base__.__subclasses__() }}": (
        "access to attribute '__class__' of 'list' object is unsafe."
    ),
    "{{ '{0.__class__}'.format('x') }}": (
        "access to attribute '__class__' of 'str' object is unsafe."
    ),
    "{% if namespace.__init__.__globals__ %}x{% endif %}": (
        "access to attribute '__init__' of 'type' object is unsafe."
    ),
}


@pytest.mark.parametrize(("source", "refused"), SANDBOX_ESCAPES.items())
def test_a_template_cannot_reach_python_internals(
    source: str, refused: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    build_file_tree(tmp_path, {"templates/deploy/verify.sh.j2": f"#!/bin/sh\necho\n{source}\n"})
    assert problem([artifact("verify.sh", "deploy/verify.sh.j2")], [Path("templates")]) == (
        f"templates/deploy/verify.sh.j2:3: error: blocked by the template sandbox: {refused}"
        " (rendering verify.sh)"
    )
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize("check", [[], ["--check"]])
def test_a_users_template_escaping_the_sandbox_fails_generate_and_writes_nothing(
    check: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    escape_attempt = "echo verify\n{{ cycler.__init__.__globals__.os.system('touch PWNED') }}"
    build_file_tree(
        tmp_path,
        {
            "specs/deployplan.yaml": (ROOT / SPEC).read_text(encoding="utf-8"),
            "templates/deploy/verify.sh.j2": f"#!/usr/bin/env bash\n{escape_attempt}\n",
        },
    )
    result = run_cli("generate", *check)
    assert (result.exit_code, result.output) == (
        1,
        "deployplan: templates/deploy/verify.sh.j2:3: error: blocked by the template sandbox:"
        " access to attribute '__init__' of 'type' object is unsafe."
        " (rendering services/storefront/deploy/development/verify.sh and 19 more)\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["specs", "templates"]


@pytest.mark.parametrize("kind", list(OutputKind))
def test_every_kind_renders_in_the_sandbox(kind: OutputKind, tmp_path: Path) -> None:
    assert isinstance(make_environment(kind, [tmp_path]), jinja2.sandbox.SandboxedEnvironment)


@pytest.mark.parametrize(
    ("path", "document", "loads"),
    [
        ("t.json", json.dumps({"a": "x\u202ey"}, ensure_ascii=False), json.loads),
        ("t.xml", '<r a="x\u202ey">x\u202ey</r>', lambda text: ET.fromstring(text).attrib),
    ],
)
def test_a_document_inserted_raw_carries_no_raw_bidi_control(
    path: str, document: str, loads: Callable[[str], object], tmp_path: Path
) -> None:
    text = without_bidi(render_source(tmp_path, path, "{{ doc | raw }}", doc=document))
    assert loads(text) == {"a": "x\u202ey"}


def test_no_generated_file_carries_a_raw_bidi_control(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    payload = "Upgrade {n} \u202eexe.txt\u202c \u2067rm -rf /\u2069 done"
    (tmp_path / "specs").mkdir()
    write_hostile_spec(tmp_path / "specs" / "deployplan.yaml", payload)
    done = run_cli("generate")
    assert done.exit_code == 0, done.output
    files = [p for p in tmp_path.rglob("*") if p.is_file() and "specs" not in p.parts]
    raw = [str(p) for p in files if BIDI.search(p.read_text(encoding="utf-8"))]
    assert len(files) > 400 and raw == []
    page = (tmp_path / "site_docs" / "index.md").read_text(encoding="utf-8")
    assert "Upgrade 0 &#92;u202eexe.txt&#92;u202c &#92;u2067rm -rf /&#92;u2069 done" in page


def test_a_lone_surrogate_cannot_fail_rendering(tmp_path: Path) -> None:
    assert render_source(tmp_path, "t.yaml", "key: {{ v }}\n", v="a\ud800") == 'key: "a?"\n'


def test_output_is_normalised(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"t.conf.j2": b"a = 1\r\nb = {{ v }}\r\n\r\n\r\n"})
    assert render_text([tmp_path], "t.conf", v="x") == f"# {NOTE}\na = 1\nb = x\n"


def test_rendering_is_deterministic(tmp_path: Path) -> None:
    build_file_tree(
        tmp_path, {"t.yaml.j2": "{% for k, v in data.items() %}{{ k }}: {{ v }}\n{% endfor %}"}
    )
    data = {f"key{i}": f"value {i}" for i in range(50, 0, -1)}
    first, second = (render_text([tmp_path], "t.yaml", data=data).encode() for _ in range(2))
    assert first == second
    assert first.splitlines()[1] == b'key50: "value 50"'


def test_globals_are_visible_and_context_wins(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"t.txt.j2": "{{ project }} {{ env }}\n"})
    artifacts = [artifact("t.txt", env="prod")]
    shared = {"project": "shop", "env": "ignored"}
    [rendered] = render(
        artifacts, template_dirs=[tmp_path], spec_label=SPEC, globals=shared, header=False
    )
    assert rendered.content == b"shop prod\n"


def test_rendered_file_keeps_the_artifact_metadata(tmp_path: Path) -> None:
    build_file_tree(tmp_path, {"run.sh.j2": "true\n"})
    source = Artifact(
        Root.DOCS, PurePosixPath("x/run.sh"), "run.sh.j2", "deploy", {}, "prod", "web", True
    )
    [rendered] = render([source], template_dirs=[tmp_path], spec_label=SPEC)
    assert (rendered.root, rendered.path, rendered.family) == (Root.DOCS, source.path, "deploy")
    assert (rendered.environment, rendered.service, rendered.executable) == ("prod", "web", True)


def test_environment_is_cached_and_strict(tmp_path: Path) -> None:
    env = make_environment(OutputKind.YAML, [tmp_path])
    assert make_environment(OutputKind.YAML, (tmp_path,)) is env
    assert make_environment(OutputKind.SHELL, [tmp_path]) is not env
    assert (env.keep_trailing_newline, env.trim_blocks, env.lstrip_blocks) == (True, True, True)
    assert env.autoescape is False
    assert sorted(env.extensions) == [
        "generator.locale.jinja.I18n",
        "generator.targets.docs.filters.MarkdownBlocks",
        "jinja2.ext.ExprStmtExtension",
        "jinja2.ext.LoopControlExtension",
    ]
    assert (
        env.from_string("{% for x in xs %}{% if x %}{% break %}{% endif %}{% endfor %}").render(
            xs=[1]
        )
        == ""
    )


def test_builtin_templates_are_the_repository_templates() -> None:
    assert builtin_templates_dir() == Path(__file__).resolve().parent.parent / "templates"


# Property tests: any string in, inert text out.


def without_nul(text: str) -> bool:
    return "\x00" not in text


@settings(max_examples=150, deadline=None)
@given(values.filter(without_nul))
def test_shell_value_is_one_word(v: str) -> None:
    # bash cannot hold NUL in a word at all; the quoting drops it
    script = without_bidi(render_property("prop/printf.sh.j2", v=v))
    env = {"PATH": os.environ["PATH"], "LC_ALL": "C"}
    done = subprocess.run(
        ["bash", "-c", script.encode()], capture_output=True, timeout=10, env=env, check=False
    )
    assert (done.returncode, done.stderr, done.stdout) == (0, b"", v.encode())


@given(v=values)
def test_yaml_value_loads_back_exactly(v: str) -> None:
    # The characters YAML forbids literally (C0/C1 controls, DEL, U+FFFE, U+FFFF) and
    # the YAML 1.1 line breaks (U+0085, U+2028, U+2029) are written as \u escapes in a
    # double-quoted scalar. Lone surrogates are the exception: libyaml rejects even
    # their escapes, and they have no UTF-8 form; text() never generates them (see
    # test_a_lone_surrogate_cannot_fail_rendering).
    text = without_bidi(render_property("prop/key.yaml.j2", v=v))
    assert yaml.safe_load(text) == {"key": v}
    assert YAML(typ="safe").load(text) == {"key": v}
    assert YAML(typ="safe", pure=True).load(text) == {"key": v}


@given(v=values)
def test_markdown_paragraph_is_inert(v: str, to_html: ToHtml) -> None:
    page = to_html(without_bidi(render_property("prop/paragraph.md.j2", v=v)))
    assert set(page.tags) <= {"p", "br", "code"}
    assert page.text == shown(f"Text: {v}")


@given(v=values)
def test_markdown_table_cell_is_inert(v: str, to_html: ToHtml) -> None:
    page = to_html(without_bidi(render_property("prop/cell.md.j2", v=v)))
    assert set(page.tags) <= {"table", "thead", "tbody", "tr", "th", "td", "br", "code"}
    assert page.text == shown(f"Name Value x {v}")


@given(v=values)
def test_markdown_block_is_inert(v: str, to_html: ToHtml) -> None:
    page = to_html(without_bidi(render_property("prop/block.md.j2", v=v)))
    assert set(page.tags) <= {"p", "br", "code"}
    assert page.text == shown(v)


@given(v=values)
def test_markdown_code_shows_the_value(v: str, to_html: ToHtml) -> None:
    page = to_html(without_bidi(render_property("prop/code.md.j2", v=v)))
    assert page.tags == ["p", "code"]
    assert page.code == [visible_bidi(CONTROLS.sub(" ", v.replace("\r\n", " ")))]


@given(v=values)
def test_markdown_fence_and_diagram_label_show_bidi_controls(v: str, to_html: ToHtml) -> None:
    page = to_html(without_bidi(render_property("prop/fence.md.j2", v=v)))
    assert BIDI.search(page.text) is None
    # in the code block and in the label, each control is shown as its escape
    for control in set(BIDI.findall(v)):
        assert page.text.count(visible_bidi(control)) >= 2 * v.count(control)


urls = st.one_of(
    values,
    st.tuples(
        st.sampled_from(
            [
                "https://example.com/",
                "http://x.org",
                "/docs/",
                "../a.md",
                "javascript:",
                " JavaScript:",
                "\tjava\nscript:",
                "//evil.example",
                "&#106;avascript:alert(1)",
                "data:text/html,",
                "http:/x",
            ]
        ),
        values,
    ).map("".join),
)


@given(v=values, url=urls)
def test_markdown_link_is_inert_and_safe(v: str, url: str, to_html: ToHtml) -> None:
    page = to_html(without_bidi(render_property("prop/link.md.j2", v=v, url=url)))
    assert set(page.tags) <= {"p", "a", "br", "code"} and len(page.hrefs) <= 1
    for href in page.hrefs:
        parts = urlsplit(href)
        assert parts.scheme in ("http", "https") if parts.scheme else not parts.netloc
        assert re.search(r"[\x00-\x20\\]", href) is None
    assert page.text == shown(f"See {v or url} now.")


@given(v=values)
def test_xml_value_round_trips_through_a_parser(v: str) -> None:
    root = ET.fromstring(without_bidi(render_property("prop/element.xml.j2", v=v)))
    # XML 1.0 cannot carry these characters at all, not even as references
    expected = re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", " ", v)
    assert (root.get("a"), root.text or "") == (expected, expected)


@given(v=values)
def test_text_value_stays_on_its_line(v: str) -> None:
    lines = without_bidi(render_property("prop/line.conf.j2", v=v)).splitlines()
    assert len(lines) == 2 and lines[1].startswith("value = ")
    # what the line shows is the value, control characters as spaces or escapes
    assert lines[1] == "value = " + visible_bidi(
        re.sub(r"\r\n|[\r\n]", r"\\n", v).translate(ONE_LINE_SPACES)
    )


@given(v=values)
def test_json_value_loads_back_exactly(v: str) -> None:
    text = without_bidi(render_property("prop/value.json.j2", v=v))
    assert json.loads(text) == {"key": v}


def test_markdown_backticks_in_free_text_are_inline_code(to_html: ToHtml) -> None:
    text = "Run `kubectl get pods` and read `<b>x</b> & $(id)`; a lone ` stays."
    page = to_html(render_property("prop/paragraph.md.j2", v=text))
    assert page.code == ["kubectl get pods", "<b>x</b> & $(id)"]
    assert "b" not in page.tags
    assert page.text == "Text: Run kubectl get pods and read <b>x</b> & $(id); a lone ` stays."
