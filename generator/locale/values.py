"""Spec values shown as words in a sentence or a table, translated by their meaning.

A spec enum (``rolling``, ``production``, ``rollback``) is an identifier in the spec and
in scripts, but on a page it is a word a reader reads: ``{{ target.strategy |
spec_value("rollout strategy") }}`` shows it in the manual's language. Each value is a
message in a context naming what it is, since the same English word means different
things in different places ("rollback" as a gate's outcome, "test" as a stage's work).
A value not listed here is shown as it is written in the spec.
"""

from __future__ import annotations


def pgettext(context: str, message: str) -> tuple[str, str]:
    """Mark a value's English words, in its context, for ``scripts/update-catalogs``."""
    return context, message


SPEC_VALUES: frozenset[tuple[str, str]] = frozenset(
    {
        pgettext("rollout strategy", "rolling"),
        pgettext("rollout strategy", "blue green"),
        pgettext("rollout strategy", "canary"),
        pgettext("rollout strategy", "recreate"),
        pgettext("environment type", "development"),
        pgettext("environment type", "staging"),
        pgettext("environment type", "production"),
        pgettext("environment type", "disaster recovery"),
        pgettext("stage action", "build"),
        pgettext("stage action", "test"),
        pgettext("stage action", "scan"),
        pgettext("stage action", "migrate"),
        pgettext("stage action", "deploy"),
        pgettext("stage action", "verify"),
        pgettext("stage action", "approve"),
        pgettext("stage action", "notify"),
        pgettext("gate on failure", "rollback"),
        pgettext("gate on failure", "abort"),
        pgettext("gate on failure", "continue"),
    }
)


def english(value: object) -> str:
    """A spec value as English words: ``blue_green`` is "blue green"."""
    return str(getattr(value, "value", value)).replace("_", " ")
