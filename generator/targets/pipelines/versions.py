"""Version schemes as the release workflow enforces them: a tag glob and a regex.

The regex is a POSIX extended regular expression that bash (``[[ =~ ]]``), GitLab's RE2
and Python's ``re`` all read the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.spec.model.configuration import CalverScheme, SemverScheme

_NUMBER = "(0|[1-9][0-9]*)"
_SEMVER = rf"{_NUMBER}\.{_NUMBER}\.{_NUMBER}(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?"
_CALVER_PARTS = {
    "YYYY": "[1-9][0-9]{3}",
    "YY": _NUMBER,
    "0M": "(0[1-9]|1[0-2])",
    "MM": "([1-9]|1[0-2])",
    "0D": "(0[1-9]|[12][0-9]|3[01])",
    "DD": "([1-9]|[12][0-9]|3[01])",
    "MICRO": _NUMBER,
}
_CALVER_TOKEN = re.compile(r"YYYY|YY|0M|MM|0D|DD|MICRO|[.-]")


@dataclass(frozen=True)
class TagRule:
    """Which tags are releases: ``glob`` selects them, ``pattern`` is the exact rule."""

    scheme: str
    prefix: str
    glob: str
    pattern: str
    example: str


def tag_rule(scheme: SemverScheme | CalverScheme) -> TagRule:
    """The tag glob, the full regex and an example tag of a version scheme."""
    prefix = re.escape(scheme.tag_prefix) if scheme.tag_prefix else ""
    glob = f"{scheme.tag_prefix}[0-9]*"
    if isinstance(scheme, SemverScheme):
        body, example, name = _SEMVER, "1.4.0", "semver"
    else:
        body = "".join(_calver_piece(token) for token in _CALVER_TOKEN.findall(scheme.format))
        example, name = _calver_example(scheme.format), f"calver {scheme.format}"
    return TagRule(name, scheme.tag_prefix, glob, f"^{prefix}{body}$", scheme.tag_prefix + example)


def _calver_piece(token: str) -> str:
    return _CALVER_PARTS.get(token, "\\" + token if token == "." else token)


_EXAMPLE = {"YYYY": "2026", "YY": "26", "0M": "03", "MM": "3", "0D": "09", "DD": "9", "MICRO": "1"}


def _calver_example(fmt: str) -> str:
    return "".join(_EXAMPLE.get(token, token) for token in _CALVER_TOKEN.findall(fmt))
