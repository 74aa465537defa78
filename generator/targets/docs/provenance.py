"""Who owns a manual page and the spec lines it is generated from, for its closing line.

A line is shown as ``FILE:LINE``; when the spec names its repository and the file is
inside it, the line links to the file at that line there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from generator.spec.model.project import Team
from generator.targets.context import PlanContext
from generator.targets.docs.site import Site


@dataclass(frozen=True)
class Source:
    """One place in the spec: its file as shown, its line, and a link when there is one."""

    file: str
    line: int
    url: str


@dataclass(frozen=True)
class Provenance:
    """The owners of a page and the spec lines it comes from."""

    owners: list[Team]
    sources: list[Source]


def provenance(
    where: Site | PlanContext, owners: list[str], *paths: tuple[str | int, ...]
) -> Provenance:
    """The page's owning teams (the plan's owner when none is given) and its spec lines."""
    context = where.context if isinstance(where, Site) else where
    teams = {team.name: team for team in context.plan.project.teams}
    names = list(dict.fromkeys(owners)) or [context.plan.project.owner]
    return Provenance(
        owners=[teams[name] for name in names if name in teams],
        sources=list(dict.fromkeys(source(context, *path) for path in paths)),
    )


def source(where: Site | PlanContext, *path: str | int) -> Source:
    """Where ``path`` is written in the spec."""
    context = where.context if isinstance(where, Site) else where
    location = context.positions.value(tuple(path))
    return Source(location.file, location.line, _url(context, location.file, location.line))


def _url(context: PlanContext, file: str, line: int) -> str:
    repository = context.plan.project.repository
    written = PurePosixPath(file)
    if not repository or written.is_absolute() or ".." in written.parts:
        return ""
    return f"{str(repository).rstrip('/')}/blob/HEAD/{written}#L{line}"
