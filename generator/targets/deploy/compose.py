"""What a compose target's ``compose.yaml`` and engine script read.

One container per host and service (``container_name``), so that a rollout can go host
after host and a rollback can find what runs: the release it runs and the ones before are
labels on the container itself, so a fresh runner rolls back from the host's own record.
Ports are bound by the service's exposure; a data store keeps its data in a named volume;
config files are copied to the host per release and mounted read-only; secrets are taken
from deploy.sh's environment when the container is created, never written to disk.
"""

from __future__ import annotations

import re
from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Engine
from generator.spec.model.types import cpu_millicores, size_bytes
from generator.targets.configuration import secret_variables
from generator.targets.deploy import vm

#: Labels on every container deployplan starts: the release it runs, and the releases of
#: that host newest first (the running one included), which rollbacks step back through.
RELEASE_LABEL = "io.deployplan.release"
HISTORY_LABEL = "io.deployplan.history"
#: Releases a container's history keeps.
HISTORY_LENGTH = 10
#: Where a data store keeps its data in its container when the target does not say.
DEFAULT_DATA_DIR = "/data"


def project_name(plan: DeploymentPlan, env: str) -> str:
    """One compose project per environment: its services share a network on each host."""
    return f"{plan.project.name}-{env}"


def container_name(plan: DeploymentPlan, service: str, env: str) -> str:
    return f"{project_name(plan, env)}-{service}"


def port_binding(service: Service, env: str) -> str | None:
    """``HOST:PORT:PORT`` by exposure: public on every interface; internal on the target's
    ``address`` (else loopback); private on loopback only, for the host's own probes."""
    port = vm.env_port(service, env)
    if not port:
        return None
    if service.exposure == "public":
        return f"{port}:{port}"
    address = service.targets[env].address if service.exposure == "internal" else None
    return f"{address or '127.0.0.1'}:{port}:{port}"


def healthcheck(service: Service, env: str) -> list[str] | None:
    """The container's own health test: the target's command, else an HTTP GET of the
    health path with whichever of wget and curl the image has."""
    target = service.targets[env]
    if target.container_healthcheck:
        return ["CMD-SHELL", target.container_healthcheck]
    port = vm.env_port(service, env)
    if not (port and service.health_path):
        return None
    url = f"http://127.0.0.1:{port}{service.health_path}"
    return ["CMD-SHELL", f"wget -q -O /dev/null {url} || curl -fsS -o /dev/null {url}"]


def dependencies(plan: DeploymentPlan, service: Service, env: str) -> list[str]:
    """Containers that ``service`` requires on its own hosts (compose services of the
    environment on the same hosts): the engine checks they run before it starts a release.
    One on other hosts is reached over the network and checked by the gates instead."""
    if plan.deployment_flow is None:
        return []
    names = {d.requires for d in plan.deployment_flow.dependencies if d.service == service.name}
    hosts = set(service.targets[env].hosts)
    return [
        container_name(plan, other.name, env)
        for other in plan.services
        if other.name in names
        and env in other.targets
        and other.targets[env].engine is Engine.COMPOSE
        and set(other.targets[env].hosts) == hosts
    ]


def limits(plan: DeploymentPlan, service: str, env: str) -> dict[str, str | int]:
    """``cpus`` and ``mem_limit`` from the allocation's limits, else its requests."""
    allocation = plan.environments[env].infrastructure.compute_resources.allocations.get(service)
    if allocation is None:
        return {}
    cpu = allocation.cpu_limit or allocation.cpu
    memory = allocation.memory_limit or allocation.memory
    return {
        "cpus": format(cpu_millicores(cpu) / 1000, "g"),
        "mem_limit": int(size_bytes(memory)),
    }


_DOLLAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$")


def command(args: list[str], plain: dict[str, str], secrets: set[str]) -> list[str]:
    """The container's command as compose reads it: ``${NAME}`` of a plain variable is its
    value, of a secret is left to compose (it fills it from deploy.sh's environment); any
    other ``$`` is literal, for the container's own shell."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in plain:
            return plain[name].replace("$", "$$")
        if name in secrets:
            return match.group(0)
        return "$$" + match.group(0)[1:]

    return [_DOLLAR.sub(one, arg) for arg in args]


def context(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """Everything ``compose.yaml`` and ``engines/compose.sh`` read."""
    target = service.targets[env]
    stores_data = service.stores_data or vm.stateful(service)
    config_paths = sorted(
        c.path for c in plan.configuration_management.config_files if c.service == service.name
    )
    secrets = secret_variables(plan, service, env)
    return {
        "project": project_name(plan, env),
        "container": container_name(plan, service.name, env),
        "port_binding": port_binding(service, env),
        "healthcheck": healthcheck(service, env),
        "data_dir": (target.data_dir or DEFAULT_DATA_DIR) if stores_data else "",
        "config_dir": (target.config_dir or f"/etc/{service.name}") if config_paths else "",
        "config_paths": config_paths,
        "secret_names": sorted({v["variable"] for v in secrets}),
        "required_secrets": sorted({v["variable"] for v in secrets if v["required"]}),
        "dependencies": dependencies(plan, service, env),
        "command": command(
            list(target.container_command),
            _plain(plan, service, env),
            {v["variable"] for v in secrets},
        ),
        "limits": limits(plan, service.name, env),
        "release_label": RELEASE_LABEL,
        "history_label": HISTORY_LABEL,
        "history_length": HISTORY_LENGTH,
    }


def _plain(plan: DeploymentPlan, service: Service, env: str) -> dict[str, str]:
    """The service's plain variables in ``env``, ``PORT`` among them."""
    # imported here: the scripts module builds its context from this one
    from generator.targets.deploy.scripts import plain_variables

    port = vm.env_port(service, env)
    return {**({"PORT": str(port)} if port else {}), **plain_variables(plan, service.name, env)}
