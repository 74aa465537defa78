"""A spec's source lines, as diagnostics quote them: the same lines as ``splitlines``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from generator.spec.load import SourceFile

LINES = st.lists(st.text(alphabet="ab: -#", max_size=6), max_size=6)


@given(LINES, st.sampled_from(["\n", "\r\n"]), st.booleans())
def test_every_line_is_the_line_splitlines_gives(
    lines: list[str], ending: str, final: bool
) -> None:
    text = ending.join(lines) + (ending if final and lines else "")
    source = SourceFile("spec.yaml", text)
    expected = text.splitlines()
    assert [source.line(n) for n in range(len(expected) + 3)] == ["", *expected, "", ""]
