"""What every page of the manual site is planned from: the plan, its language, its files."""

from __future__ import annotations

import heapq
import posixpath
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.locale import translations
from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Team
from generator.targets.context import PlanContext

FAMILY = "docs"
# Pages written only when the plan declares what they document (see optional_pages).
RESPONSE = "incidents/response.md"
ESCALATION = "incidents/escalation.md"
CERTIFICATION = "training/certification.md"
COMPETENCY = "training/competency.md"


@dataclass(frozen=True)
class Page:
    """A manual page and where it sits in the navigation (a path of section titles)."""

    artifact: Artifact
    section: tuple[str, ...]


@dataclass(frozen=True)
class Site:
    """The plan, the manual's language, and the files the other families generate."""

    context: PlanContext
    planned: tuple[Artifact, ...] = field(default=())

    @property
    def plan(self) -> DeploymentPlan:
        return self.context.plan

    @property
    def language(self) -> str:
        return self.plan.project.docs_language.value

    @cached_property
    def gettext(self) -> Callable[[str], str]:
        """Translate a message (for text built in Python, e.g. navigation titles)."""
        return translations(self.language).gettext

    @property
    def title(self) -> str:
        """The site's name in the manual's language: the home page's heading."""
        return self.gettext("%(name)s operations manual") % {"name": self.plan.project.name}

    def page(self, path: str, template: str, section: tuple[str, ...], **values: Any) -> Page:
        """A page at ``path`` under ``site_docs/``, rendered by ``docs/<template>``."""
        where = PurePosixPath(path)
        root = posixpath.relpath(".", where.parent.as_posix())
        artifact = Artifact(
            root=Root.DOCS,
            path=where,
            template=f"docs/{template}",
            family=FAMILY,
            context={
                "language": self.language,
                "project": self.plan.project,
                "spec_label": self.context.spec_label,
                "root": "" if root == "." else root + "/",
                "absent": self.absent,
                **values,
            },
        )
        return Page(artifact, section)

    @cached_property
    def absent(self) -> tuple[str, ...]:
        """The optional pages this plan does not write; templates leave out links to them.
        A tuple, not a set: page contexts are fingerprinted, and a set's order is not stable."""
        return tuple(path for path, written in optional_pages(self.plan).items() if not written)

    def writes(self, path: str) -> bool:
        """Whether the site has the page at ``path`` (every page but the absent ones)."""
        return path not in self.absent

    @cached_property
    def teams(self) -> dict[str, Team]:
        """Teams by name, for contact details."""
        return {team.name: team for team in self.plan.project.teams}

    @cached_property
    def service_order(self) -> list[str]:
        """Services in the order they are deployed: everything a service requires first."""
        return deploy_order(self.plan)

    def services_named(self, names: list[str]) -> list[Service]:
        """The named services, in deploy order."""
        known = self._services_by_name
        wanted = sorted(set(names) & known.keys(), key=self._deploy_position.__getitem__)
        return [known[n] for n in wanted]

    @cached_property
    def _services_by_name(self) -> dict[str, Service]:
        found: dict[str, Service] = {}
        for service in self.plan.services:
            found.setdefault(service.name, service)
        return found

    @cached_property
    def _deploy_position(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.service_order)}

    @cached_property
    def _outputs_by_service(self) -> dict[str | None, list[Artifact]]:
        by_service: dict[str | None, list[Artifact]] = {}
        for artifact in self.planned:
            if artifact.root is Root.OUTPUT:
                by_service.setdefault(artifact.service, []).append(artifact)
        return by_service

    def outputs(self, **match: str) -> list[Artifact]:
        """Planned files under ``output/`` whose service / environment match."""
        # Indexed by service: service pages ask once per service, over every planned file.
        if "service" in match:
            candidates = self._outputs_by_service.get(match["service"], [])
        else:
            candidates = [a for group in self._outputs_by_service.values() for a in group]
        return [a for a in candidates if all(getattr(a, k) == v for k, v in match.items())]


def optional_pages(plan: DeploymentPlan) -> dict[str, bool]:
    """The pages written only when the plan declares what they document, and whether this
    plan does: a page with nothing to say would only tell the reader the plan is silent."""
    ops, training = plan.operations, plan.training
    certified = training.certification_requirements.roles
    return {
        RESPONSE: bool(
            ops.incident_response
            or plan.operational_documentation.emergency_procedures
            or plan.disaster_recovery.recovery_procedures
        ),
        ESCALATION: bool(ops.escalation_paths),
        CERTIFICATION: bool(certified),
        COMPETENCY: bool(training.training_modules)
        and bool(certified or any(m.audience for m in training.training_modules)),
    }


def deploy_order(plan: DeploymentPlan) -> list[str]:
    """Services sorted so that each comes after the services it requires (spec order ties)."""
    names = [s.name for s in plan.services]
    requires: dict[str, set[str]] = {name: set() for name in names}
    for dependency in plan.deployment_flow.dependencies if plan.deployment_flow else []:
        if not dependency.external and dependency.requires in requires:
            requires[dependency.service].add(dependency.requires)
    # Each step takes the first service in spec order whose requirements are all placed:
    # a heap of spec positions, each service entering it when its last requirement is placed.
    position = {name: i for i, name in enumerate(names)}
    waiting = {name: len(needs) for name, needs in requires.items()}
    dependents: dict[str, list[str]] = {name: [] for name in names}
    for name, needs in requires.items():
        for need in needs:
            dependents[need].append(name)
    ready = [position[n] for n in names if not waiting[n]]
    order: list[str] = []
    while ready:
        name = names[heapq.heappop(ready)]
        order.append(name)
        for dependent in dependents[name]:
            waiting[dependent] -= 1
            if not waiting[dependent]:
                heapq.heappush(ready, position[dependent])
    # the rules reject cycles; should one slip through, keep spec order for the rest
    placed = set(order)
    return order + [n for n in names if n not in placed]
