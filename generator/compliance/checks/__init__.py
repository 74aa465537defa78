"""The library of named checks. Each is one small function ``(AuditContext) -> CheckResult``.

A check judges what the spec says, never prose: it yields pass, fail or not applicable
(nothing in the spec for it to judge) with the values it looked at as evidence. Add one
with the :func:`check` decorator in the module of its topic. Everything a check says is
a :class:`~generator.locale.message.Message`, so the site can show it translated.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator.compliance.context import AuditContext
from generator.compliance.results import CheckResult
from generator.locale.message import Message

CheckFunction = Callable[[AuditContext], CheckResult]


@dataclass(frozen=True)
class Check:
    """A named check: what it verifies, and the function that verifies it."""

    name: str
    title: Message
    description: Message
    run: CheckFunction
    #: Whether the result depends on what a framework demands (retention periods).
    uses_demands: bool = False


CHECKS: dict[str, Check] = {}


def check(
    name: str, title: Message, description: Message, *, uses_demands: bool = False
) -> Callable[[CheckFunction], CheckFunction]:
    """Register the decorated function as the check ``name``.

    ``title`` and ``description`` are messages: English in reports, translated on pages.
    """

    def register(function: CheckFunction) -> CheckFunction:
        if name in CHECKS:
            raise ValueError(f"check {name!r} is defined twice")
        CHECKS[name] = Check(name, title, description, function, uses_demands)
        return function

    return register


# Importing the topic modules registers their checks.
from generator.compliance.checks import (  # noqa: E402
    access,
    audit_trails,
    backups,
    encryption,
    recovery,
    secrets,
    supply_chain,
)

__all__ = [
    "CHECKS",
    "Check",
    "access",
    "audit_trails",
    "backups",
    "check",
    "encryption",
    "recovery",
    "secrets",
    "supply_chain",
]
