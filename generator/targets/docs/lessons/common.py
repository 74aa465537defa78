"""What the lessons share: the environment and the service whose commands they show."""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan, EnvironmentType
from generator.spec.model.project import ServiceKind
from generator.targets.docs.site import Site

Lesson = dict[str, Any]
_APPLICATIONS = (ServiceKind.WEB, ServiceKind.API, ServiceKind.WORKER)


def production(plan: DeploymentPlan) -> str | None:
    """The first production environment, if any."""
    return next(iter(plan.environments_of_type(EnvironmentType.PRODUCTION)), None)


def first_service(site: Site, env: str) -> str | None:
    """The first service deployed to ``env``, an application before a data store: the
    one whose commands a lesson shows."""
    deployed = [n for n in site.service_order if env in site.plan.service(n).targets]
    apps = [n for n in deployed if site.plan.service(n).kind in _APPLICATIONS]
    return next(iter(apps or deployed), None)


def minutes(seconds: float) -> str:
    """``seconds`` as whole minutes, with hours from 60 minutes on (``1h05m``)."""
    count = round(seconds / 60)
    return f"{count // 60}h{count % 60:02d}m" if count >= 60 else f"{count}m"
