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


def host_probes(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    """Probes of one host right after its switch: the service's HTTP and TCP health
    indicators, and the HTTP gates whose URL names ``{host}``. ``{host}`` and ``{port}``
    (where the indicator names no port) stay in the URL: the rollout replaces them with
    each host's address and port."""
    port = env_port(service, env)
    probes: list[dict[str, Any]] = []
    for indicator in plan.health_check.health_indicators:
        if indicator.service != service.name or indicator.type == "command":
            continue
        fixed = indicator_port(indicator, service, env)
        # the service's own port differs per host in the inventory: {port} for the rollout
        where = "{port}" if fixed == port else str(fixed)
        probes.append(
            {
                "name": indicator.name,
                "type": indicator.type,
                "url": f"http://{{host}}:{where}{indicator.path or '/'}",
                "port": fixed,
                "own_port": fixed == port,
                "status": indicator.expect_status,
                "timeout": int(duration_seconds(indicator.timeout)) or 1,
            }
        )
    if not probes and service.health_path and port:
        url = f"http://{{host}}:{{port}}{service.health_path}"
        probes.append({"name": "health", "type": "http", "url": url, "port": port})
        probes[-1] |= {"own_port": True, "status": 200, "timeout": 5}
    flow = plan.deployment_flow
    for point in flow.validation_points if flow else []:
        check = point.check
        if check.type != "http" or "{host}" not in check.url:
            continue
        if (point.services and service.name not in point.services) or (
            point.environments and env not in point.environments
        ):
            continue
        probes.append(
            {
                "name": point.name,
                "type": "http",
                "url": check.url,
                "port": port,
                "own_port": True,
                "status": check.expect_status,
                "timeout": 10,
            }
        )
    return probes


def substitute(url: str, host: str, port: int) -> str:
    """``{host}`` and ``{port}`` of a health URL, for one host."""
    return url.replace("{host}", host).replace("{port}", str(port))
