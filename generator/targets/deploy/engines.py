"""What each deployment engine needs in its scripts, and the extra files it reads.

Engines and the strategies they carry out:

- ``kubernetes``: ``kubectl apply -k`` of the generated overlay with the release's image tag,
  ``rollout status``, ``rollout undo``. ``rolling``/``recreate`` are the Deployment's own
  strategies; ``canary`` runs a second Deployment (``<service>-canary``) for each
  ``canary_steps`` share, gating every step, then promotes: beside the stable pods in
  numbers that make the share exact (same Service), or behind an NGINX canary Ingress at
  that weight (``traffic_controller: nginx_ingress``);
  ``blue_green`` brings the release up at full size as ``<service>-preview`` (no traffic),
  gates it, then switches the main Deployment with all new pods ready before any old one
  goes (maxSurge 100 %, maxUnavailable 0).
- ``helm``: ``helm upgrade --install --atomic --wait`` of the pinned ``chart_version`` with
  generated values, ``helm rollback``; the chart's own Deployment strategy applies
  (``rolling``), or a Flagger Canary's steps (``canary`` with ``traffic_controller: flagger``).
- ``ansible``: ``ansible-playbook`` with a generated inventory and playbook: batches of
  ``serial`` hosts (1 in production by default; ``recreate`` every host at once), each
  host unpacked, installed, configured, switched, restarted and health-checked before
  the next batch; see :mod:`generator.targets.deploy.vm`.
- ``compose``: Docker Compose v2 or podman-compose (detected) recreates the service's one
  container per host with the release's image, on the target's ``hosts`` one after another
  over ssh (``rolling``), or on the deploy machine; each host's container must run and pass
  its health check before the next. The release and the one before are labels on the
  container; see :mod:`generator.targets.deploy.compose`.
- ``systemd``: release directories over ssh, unpacked and installed on every host; the
  migrate stage on the first host, under its own lock, before any switch; then host after
  host an atomic ``current`` symlink switch, ``systemctl restart`` and that host's own
  health checks (``rolling`` only; a data store's replicas before its primary). Each host
  records its deploys, so pruning follows deploy order and any machine can roll back.
- ``local``: the same release directories on this host; the start command runs in the
  background with a pid file. One instance: it is stopped, switched and started.
- ``managed``: nothing to roll out (the provider runs it, ``rolling`` being the default);
  checks still run.
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Engine, Strategy, Target
from generator.spec.model.types import duration_seconds
from generator.targets.deploy import gitops

#: Strategies each engine can carry out; the rules reject other combinations.
STRATEGIES: dict[Engine, frozenset[Strategy]] = {
    Engine.KUBERNETES: frozenset(Strategy),
    Engine.HELM: frozenset({Strategy.ROLLING}),
    Engine.ANSIBLE: frozenset({Strategy.ROLLING, Strategy.RECREATE}),
    Engine.COMPOSE: frozenset({Strategy.ROLLING, Strategy.RECREATE}),
    Engine.SYSTEMD: frozenset({Strategy.ROLLING}),
    Engine.LOCAL: frozenset({Strategy.ROLLING, Strategy.RECREATE}),
    Engine.MANAGED: frozenset({Strategy.ROLLING}),
}

#: Commands each engine's scripts call; preflight checks they are installed.
TOOLS: dict[Engine, tuple[str, ...]] = {
    Engine.KUBERNETES: ("kubectl",),
    Engine.HELM: ("helm", "kubectl"),
    Engine.ANSIBLE: ("ansible-playbook", "ansible"),
    Engine.COMPOSE: (),
    Engine.SYSTEMD: ("ssh", "tar"),
    Engine.LOCAL: ("setsid", "tar"),
    Engine.MANAGED: (),
}


def namespace(plan: DeploymentPlan, target: Target, env: str) -> str:
    """The Kubernetes namespace of a target: its own, the environment's, or the project's."""
    return target.namespace or plan.environments[env].configuration.namespace or plan.project.name


def replicas(plan: DeploymentPlan, service: str, env: str) -> int:
    """Instances of ``service`` in ``env`` (1 when nothing is allocated)."""
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(service)
    return allocation.replicas if allocation else 1


def target_context(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """Every engine setting a script template may read, with neutral defaults."""
    target = service.targets[env]
    environment = plan.environments[env]
    return {
        "engine": target.engine.value,
        "strategy": target.strategy.value,
        "namespace": namespace(plan, target, env),
        "kube_context": environment.configuration.kube_context or "",
        "chart": target.chart or "",
        "release": target.release or service.name,
        "hosts": list(target.hosts),
        "ssh_user": target.ssh_user or "",
        "unit": target.unit or f"{service.name}.service",
        "release_dir": target.release_dir or f"/opt/{service.name}",
        "port": target.port or service.port or 0,
        "canary_steps": [p for p in target.canary_steps if p < 100],
        "managed_service": target.managed_service or "",
        "image": service.image or "",
        "install_command": service.install_command or "",
        "install_timeout": str(int(duration_seconds(service.install_timeout))),
        "start_command": service.start_command or "",
        "replicas": replicas(plan, service.name, env),
        "compose_project": f"{plan.project.name}-{env}",
        "inventory_group": service.name.replace("-", "_"),
        "tools": list(gitops.tools(plan, service, env) or TOOLS[target.engine]),
        "kubernetes": _kubernetes_settings(plan, service, env),
    }


def _kubernetes_settings(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    # imported here: the rollout settings build on the scripts module, which imports this one
    from generator.targets.deploy.rollout import script_settings

    return script_settings(plan, service, env)


def probe_hosts(plan: DeploymentPlan, service: Service, env: str) -> list[str]:
    """Where health probes reach the service from the deploy job."""
    target = service.targets[env]
    if target.engine in (Engine.KUBERNETES, Engine.HELM):
        return [f"{service.name}.{namespace(plan, target, env)}.svc.cluster.local"]
    if target.engine in (Engine.SYSTEMD, Engine.ANSIBLE) or (
        target.engine is Engine.COMPOSE and target.hosts
    ):
        return list(target.hosts)
    if target.engine is Engine.MANAGED:
        return []
    return [target.address or "127.0.0.1"]
