"""What the VM engines (ansible, systemd) roll out besides the release: the systemd unit
of each service with a start command, the rollout's batches and per-host probes, and the
files the hosts read (config, secrets, the deploy's own facts).

On every host a release lives in ``<release_dir>/releases/<version>``; ``current`` points
at the running one; ``shared/config/`` holds the environment's config files,
``shared/secrets.env`` (``0600``, the service user's) the secrets, ``shared/deploy.env``
the port and version; ``releases.json`` (ansible), or ``history`` and ``previous``
(systemd), record the current and previous release and the order of the deploys that
succeeded, so that any machine can roll back and pruning follows deploy order.
"""

from __future__ import annotations

import math
import re
from typing import Any

from generator.spec.model import DeploymentPlan, EnvironmentType, Service
from generator.spec.model.project import Engine, ServiceKind, Strategy
from generator.spec.model.testing import HealthIndicator
from generator.spec.model.types import cpu_millicores, duration_seconds, size_bytes

VM_ENGINES = frozenset({Engine.ANSIBLE, Engine.SYSTEMD})
#: Kinds that hold state: never released by a restart, left out of deploy-all.
STATEFUL = frozenset({ServiceKind.DATABASE, ServiceKind.CACHE, ServiceKind.QUEUE})
#: Applications: one of these with ``stores_data`` keeps files, but is released like any app.
APPLICATIONS = frozenset({ServiceKind.WEB, ServiceKind.API, ServiceKind.WORKER})
#: Placeholders replaced in health URLs, per host a probe reaches.
URL_PLACEHOLDERS = ("{host}", "{port}")


def stateful(service: Service) -> bool:
    """A data store: a database, cache or queue, or any other service that is not an
    application and stores data (object storage, say). Changed only by an explicit
    procedure (confirmed, backed up first, replicas before the primary), never as part
    of a release of the applications."""
    if service.kind in STATEFUL:
        return True
    return service.stores_data and service.kind not in APPLICATIONS


def has_unit(service: Service, env: str) -> bool:
    """A generated systemd unit runs the service in ``env``: an application with a start
    command on a VM engine. A data store keeps the unit its host runs it with (Debian's
    ``postgresql@17-main.service``, say): a generated one would replace it."""
    target = service.targets[env]
    return target.engine in VM_ENGINES and bool(service.start_command) and not stateful(service)


def unit_name(service: Service, env: str) -> str:
    return service.targets[env].unit or f"{service.name}.service"


def env_port(service: Service, env: str) -> int:
    """The port ``service`` listens on in ``env``: the target's, else the service's."""
    return service.targets[env].port or service.port or 0


def indicator_port(indicator: HealthIndicator, service: Service, env: str) -> int:
    """The port a health indicator of ``service`` probes in ``env``.

    An indicator that names no port, or the service's own ``port``, probes the port the
    service listens on in ``env`` (the target's ``port`` where it differs per
    environment). One that names another port (a management port, say) probes that one
    everywhere.
    """
    own = env_port(service, env)
    if indicator.port is None or not own:
        return indicator.port or own
    if service.port is not None and indicator.port != service.port:
        return indicator.port
    return own


def serial(plan: DeploymentPlan, service: Service, env: str) -> int | str:
    """Hosts per batch: the target's ``serial``; else 1 in production or for stateful
    services (one host at a time), all hosts at once elsewhere and for ``recreate``."""
    target = service.targets[env]
    if target.serial is not None:
        return target.serial
    production = plan.environments[env].environment_type is EnvironmentType.PRODUCTION
    if stateful(service) or (production and target.strategy is Strategy.ROLLING):
        return 1
    return "100%"


def systemd_word(text: str) -> str:
    """One ``ExecStart=`` argument: double-quoted, with systemd's ``$`` and ``%`` doubled."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    escaped = re.sub(r"[\x00-\x1f\x7f]", " ", escaped)
    return '"' + escaped.replace("$", "$$").replace("%", "%%") + '"'


def shell_exec(command: str) -> str:
    """``/bin/bash -c COMMAND`` as a unit's command line, run like the local engine does."""
    return f"/bin/bash -c {systemd_word(command)}"


def unit_context(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """What ``deploy/unit.service.j2`` reads."""
    target = service.targets[env]
    root = target.release_dir or f"/opt/{service.name}"
    environment = plan.environments[env]
    volumes = environment.infrastructure.storage_requirements.volumes
    mounts = [v for v in volumes if v.service == service.name]
    allocation = environment.infrastructure.compute_resources.allocations.get(service.name)
    limits: dict[str, str] = {}
    if allocation is not None and allocation.memory_limit:
        limits["MemoryMax"] = str(int(size_bytes(allocation.memory_limit)))
    if allocation is not None and allocation.cpu_limit:
        limits["CPUQuota"] = f"{math.ceil(cpu_millicores(allocation.cpu_limit) / 10)}%"
    return {
        "project": plan.project.name,
        "service": service.name,
        "environment": env,
        "description": f"{service.name} ({env}): {service.description}".replace("%", "%%"),
        "user": service.user or service.name,
        "root": root,
        "exec_start": shell_exec(service.start_command or ""),
        "exec_reload": shell_exec(service.reload_command) if service.reload_command else "",
        "writable": sorted({f"{root}/shared/data", *(v.mount_path for v in mounts)}),
        "limits": limits,
        "stop_timeout": "30s",
    }


#: How long a unit with no port to probe must stay active after its restart.
STEADY_SECONDS = 5


def host_probes(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    """Checks of one host right after its switch, in order: for a service with no port,
    that its unit stays active (no crash loop); its health indicators (HTTP, TCP, and
    commands run on the host in the release); the HTTP gates whose URL names ``{host}``.

    ``{host}`` and ``{port}`` (where the indicator names no port) stay in the URL: the
    rollout replaces them with each host's address and port. An indicator is retried
    every second for the rollout's probe time (``DEPLOYPLAN_PROBE_SECONDS``); a gate
    takes its own ``retries``, ``interval`` and ``deadline``, and its ``contains``.
    """
    probes = _indicator_probes(plan, service, env)
    if not env_port(service, env):
        probes.insert(0, _probe("running", "active", timeout=STEADY_SECONDS))
    return probes + _gate_probes(plan, service, env)


def _probe(name: str, kind: str, **fields: Any) -> dict[str, Any]:
    """One host probe with the defaults of an indicator: retried every second."""
    defaults = {"url": "", "port": 0, "own_port": False, "status": 200, "contains": ""}
    defaults |= {"command": "", "timeout": 5, "attempts": 0, "interval": 1, "deadline": 0}
    return {"name": name, "type": kind, **defaults, **fields}


def _indicator_probes(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    port = env_port(service, env)
    probes = []
    for indicator in plan.health_check.health_indicators:
        if indicator.service != service.name:
            continue
        timeout = int(duration_seconds(indicator.timeout)) or 1
        if indicator.type == "command":
            probes.append(
                _probe(indicator.name, "command", command=indicator.command, timeout=timeout)
            )
            continue
        fixed = indicator_port(indicator, service, env)
        # the service's own port differs per host in the inventory: {port} for the rollout
        where = "{port}" if fixed == port else str(fixed)
        url = f"http://{{host}}:{where}{indicator.path or '/'}"
        probes.append(
            _probe(indicator.name, indicator.type, url=url, port=fixed, own_port=fixed == port)
            | {"status": indicator.expect_status, "timeout": timeout}
        )
    if not any(p["type"] != "command" for p in probes) and service.health_path and port:
        url = f"http://{{host}}:{{port}}{service.health_path}"
        probes.insert(0, _probe("health", "http", url=url, port=port, own_port=True))
    return probes


def _gate_probes(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    flow = plan.deployment_flow
    probes = []
    for point in flow.validation_points if flow else []:
        check = point.check
        if check.type != "http" or "{host}" not in check.url:
            continue
        if (point.services and service.name not in point.services) or (
            point.environments and env not in point.environments
        ):
            continue
        port = env_port(service, env)
        probes.append(
            _probe(point.name, "http", url=check.url, port=port, own_port=True, timeout=10)
            | {"status": check.expect_status, "contains": check.contains or ""}
            | {"attempts": point.retries + 1, "interval": _whole(point.interval)}
            | {"deadline": _whole(point.deadline)}
        )
    return probes


def _whole(duration: str) -> int:
    """A duration in whole seconds, at least one."""
    return max(1, math.ceil(duration_seconds(duration)))


def substitute(url: str, host: str, port: int) -> str:
    """``{host}`` and ``{port}`` of a health URL, for one host."""
    return url.replace("{host}", host).replace("{port}", str(port))
