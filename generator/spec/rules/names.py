"""Unique names and references that resolve."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.diagnostics import Diagnostic
from generator.spec.positions import Path
from generator.spec.rules.catalog import COLLECTIONS, REFERENCES
from generator.spec.rules.context import RuleContext, select
from generator.suggest import did_you_mean


def unique_names(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Names within each collection are unique."""
    for label, pattern in COLLECTIONS.values():
        if pattern[-1] == "@":
            continue  # mapping keys are unique already (duplicate-key)
        first: dict[str, Path] = {}
        for path, name in select(ctx.data, pattern):
            if name in first:
                yield Diagnostic(
                    "duplicate-name",
                    f"{label} `{name}` is defined more than once",
                    ctx.positions.value(path),
                    path,
                    hint=f"give each {label} its own name",
                    notes=(("first defined here", ctx.positions.value(first[name])),),
                )
            else:
                first[name] = path


def references_resolve(ctx: RuleContext) -> Iterator[Diagnostic]:
    """Every reference names something that exists."""
    for pattern, kind in REFERENCES:
        known = ctx.names[kind]
        label = "team or role" if kind == "team_or_role" else COLLECTIONS[kind][0]
        for path, value in select(ctx.data, pattern):
            if not isinstance(value, str) or value in known:
                continue  # a value that is no name at all is the schema's to report
            yield _dangling(ctx, path, value, label, list(known), pattern[-1] == "@")
    yield from _dependency_references(ctx)


def _dependency_references(ctx: RuleContext) -> Iterator[Diagnostic]:
    services = ctx.names["service"]
    for path, dep in select(ctx.data, ("deployment_flow", "dependencies", "*")):
        requires = dep.get("requires") if isinstance(dep, dict) else None
        if isinstance(requires, str) and not dep.get("external") and requires not in services:
            yield _dangling(
                ctx,
                (*path, "requires"),
                requires,
                "service",
                list(services),
                False,
                extra="; set `external: true` for a system outside the plan",
            )


def _dangling(
    ctx: RuleContext,
    path: Path,
    value: Any,
    label: str,
    known: list[str],
    is_key: bool,
    extra: str = "",
) -> Diagnostic:
    hint = did_you_mean(str(value), known)
    if hint is None:
        listed = ", ".join(f"`{k}`" for k in sorted(known)[:12])
        hint = f"defined {label}s: {listed}" if known else f"no {label} is defined"
    location = ctx.positions.key(path) if is_key else ctx.positions.value(path)
    return Diagnostic(
        "unknown-reference",
        f"{label} `{value}` is not defined{extra}",
        location,
        path,
        hint=hint,
    )
