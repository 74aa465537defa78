"""The deploy scripts of one service in one environment, and what their templates read."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.project import Engine, ServiceKind
from generator.spec.model.recovery import BackupEngine
from generator.spec.model.testing import HealthIndicator
from generator.spec.model.types import cpu_millicores, duration_seconds
from generator.targets.deploy import compose, flow, gitops, proxy, vm
from generator.targets.deploy.engines import probe_hosts, target_context

SCRIPTS = ("deploy", "rollback", "preflight", "prepare", "verify", "healthcheck")
#: Extra files an engine reads, next to the scripts: file name -> template.
ENGINE_FILES: dict[Engine, tuple[str, ...]] = {
    Engine.HELM: ("values.yaml",),
    Engine.ANSIBLE: ("inventory.ini", "playbook.yml"),
    Engine.COMPOSE: ("compose.yaml",),
}


def script_dir(service: str, env: str) -> PurePosixPath:
    """``services/<service>/deploy/<env>`` under the output root."""
    return PurePosixPath("services", service, "deploy", env)


def artifacts(plan: DeploymentPlan, service: Service, env: str) -> list[Artifact]:
    """``lib.sh``, the six scripts and the engine's own files for ``service`` in ``env``."""
    context = script_context(plan, service, env)
    folder = script_dir(service.name, env)
    names = [("lib.sh", False), *((f"{n}.sh", True) for n in SCRIPTS)]
    names += [(f, False) for f in ENGINE_FILES.get(service.targets[env].engine, ())]
    templates = {name: f"deploy/{name}.j2" for name, _ in names}
    if vm.has_unit(service, env):
        names.append((vm.unit_name(service, env), False))
        templates[names[-1][0]] = "deploy/unit.service.j2"
        context = {**context, "unit": vm.unit_context(plan, service, env)}
    site = proxy.site_name(plan, service, env)
    if site:
        names.append((site, False))
        templates[site] = "deploy/nginx-site.conf.j2"
    return [
        Artifact(
            root=Root.OUTPUT,
            path=folder / name,
            template=templates[name],
            family="deploy",
            context=context,
            environment=env,
            service=service.name,
            executable=executable,
        )
        for name, executable in names
    ]


def script_context(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """Everything the templates of one service × environment read."""
    environment = plan.environments[env]
    flow_spec = plan.deployment_flow
    policy = plan.version_management.release_policy if plan.version_management else None
    stages = flow.stages_for(plan, service, env)
    return {
        "project": plan.project.name,
        "service": service.name,
        "description": service.description,
        "port": vm.env_port(service, env),
        "environment": env,
        "environment_type": environment.environment_type.value,
        "confirm": flow.needs_confirmation(plan, env),
        "audit_log": environment.configuration.audit_log,
        "target": target_context(plan, service, env),
        "stages": stages,
        "checks": _checks(stages),
        "freeze_windows": flow.freeze_windows(plan, env),
        "hotfixes_during_freeze": policy.hotfixes_during_freeze if policy else True,
        "rollback_automatic": flow_spec.rollback.automatic if flow_spec else True,
        "keep_releases": flow_spec.rollback.keep_releases if flow_spec else 5,
        "prometheus_url": prometheus_url(plan),
        "health": _health(plan, service, env),
        "scenarios": _scenarios(plan, service.name, env),
        "criteria": gate_criteria(plan, service, env),
        "secret_vars": _secret_vars(plan, service.name),
        "env_vars": plain_variables(plan, service.name, env),
        "allocation": _allocation(plan, service.name, env),
        "rollback_timeout": _rollback_timeout(plan),
        "stateful": vm.stateful(service),
        "managed": service.targets[env].engine is Engine.MANAGED,
        "backup_first": vm.stateful(service) and service.targets[env].engine is not Engine.MANAGED,
        "backups": _backups_first(plan, service, env) if vm.stateful(service) else [],
        "vm": _vm(plan, service, env),
        "proxy": proxy.site_context(plan, service, env),
        "gitops": gitops.context(plan, service, env),
        "compose": (
            compose.context(plan, service, env)
            if service.targets[env].engine is Engine.COMPOSE
            else {}
        ),
    }


def _checks(stages: list[dict[str, Any]]) -> list[str]:
    """What a deploy checks, in order: each stage's command or verify.sh, and its gates."""
    checks = []
    for stage in stages:
        if stage["kind"] in ("command", "verify"):
            checks.append("verify.sh" if stage["kind"] == "verify" else f"stage {stage['name']}")
        checks += [f"gate {gate['name']}" for gate in stage["gates"]]
    return checks


def _vm(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any]:
    """What the Ansible rollout and the systemd engine read."""
    target = service.targets[env]
    migrate = flow.migration(plan, service, env)
    site = proxy.site_name(plan, service, env)
    group = service.name.replace("-", "_")
    hooks = target.hooks
    return {
        "group": group,
        "serial": vm.serial(plan, service, env),
        "stateful": vm.stateful(service),
        "unit": vm.unit_name(service, env),
        "unit_file": vm.has_unit(service, env),
        "user": service.user or service.name,
        "install_command": service.install_command or "",
        "install_timeout": flow.seconds(service.install_timeout),
        "migrate_command": migrate["command"] if migrate else "",
        "migrate_timeout": migrate["timeout"] if migrate else "0",
        "secret_names": _all_secret_vars(plan, service.name),
        "probes": vm.host_probes(plan, service, env),
        "probe_retries": 30,
        "hooks_before": list(hooks.before_switch) if hooks else [],
        "hooks_after": list(hooks.after_switch) if hooks else [],
        "proxy": {"group": f"{group}_proxy", "site": site} if site else None,
        "proxy_hosts": proxy.proxy_hosts(plan, service, env) if site else [],
        "sites_dir": plan.environments[
            env
        ].infrastructure.network_configuration.reverse_proxy.sites_dir,
    }


#: Backups that copy nothing before a change: the provider's own, or a running replication.
_NOT_BEFORE_A_CHANGE = frozenset({BackupEngine.PROVIDER_PITR, BackupEngine.OBJECT_REPLICATION})


def _backups_first(plan: DeploymentPlan, service: Service, env: str) -> list[str]:
    """The backups a data store's deploy runs before it changes anything: the complete
    ones (full, logical, snapshot) of ``service`` in ``env``, else the others."""
    backups = [
        b
        for b in plan.backup_strategy.backup_types
        if b.service == service.name and env in b.environments
        and b.engine not in _NOT_BEFORE_A_CHANGE
    ]  # fmt: skip
    complete = [b for b in backups if b.kind in ("full", "logical", "snapshot")]
    return [b.name for b in complete or backups]


def _all_secret_vars(plan: DeploymentPlan, service: str) -> list[str]:
    """Every variable of ``service`` filled from a secret, required or not."""
    return sorted(
        v.name
        for v in plan.configuration_management.environment_variables
        if v.secret and (not v.services or service in v.services)
    )


def plain_variables(plan: DeploymentPlan, service: str, env: str) -> dict[str, str]:
    """Variables with plain values that ``service`` gets in ``env``, by name."""
    return {
        v.name: v.overrides.get(env, v.value or "")
        for v in sorted(plan.configuration_management.environment_variables, key=lambda v: v.name)
        if not v.secret and (not v.services or service in v.services)
    }


def _allocation(plan: DeploymentPlan, service: str, env: str) -> dict[str, Any]:
    allocations = plan.environments[env].infrastructure.compute_resources.allocations
    allocation = allocations.get(service)
    if allocation is None:
        return {"replicas": 1}
    cores = format(cpu_millicores(allocation.cpu) / 1000, "g")
    return {**allocation.model_dump(mode="json", exclude_none=True), "cpus": cores}


def _rollback_timeout(plan: DeploymentPlan) -> str:
    """A rollback may take as long as the deploy stage (10 minutes when none is set)."""
    stages = plan.deployment_flow.stages if plan.deployment_flow else []
    deploys = [s.timeout for s in stages if s.action.value == "deploy"]
    return flow.seconds(deploys[0]) if deploys else "600"


def prometheus_url(plan: DeploymentPlan) -> str:
    """The first metrics tool's URL the plan declares, or ``""``."""
    tools = [t for t in plan.monitoring.monitoring_tools if t.kind == "metrics" and t.url]
    return tools[0].url or "" if tools else ""


def _health(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    indicators = [i for i in plan.health_check.health_indicators if i.service == service.name]
    if not indicators and service.health_path and vm.env_port(service, env):
        indicators = [
            HealthIndicator(
                name="health", service=service.name, type="http", path=service.health_path
            )
        ]
    hosts = probe_hosts(plan, service, env)
    probes = []
    for indicator in indicators:
        port = vm.indicator_port(indicator, service, env)
        for host in hosts if indicator.type != "command" else [""]:
            url = f"http://{host}:{port}{indicator.path or '/'}" if indicator.type == "http" else ""
            probes.append(
                {
                    "name": indicator.name,
                    "type": indicator.type,
                    "host": host,
                    "port": port,
                    "url": url,
                    "command": indicator.command or "",
                    "expect_status": indicator.expect_status,
                    "timeout": flow.seconds(indicator.timeout),
                }
            )
    return probes


def _scenarios(plan: DeploymentPlan, service: str, env: str) -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "type": s.type.value,
            "command": s.command,
            "timeout": flow.seconds(s.timeout),
            "required": s.required,
        }
        for s in plan.deployment_testing.test_scenarios
        if service in s.services and env in s.environments
    ]


#: Kinds of service that answer HTTP requests: the ones error-rate and latency fit.
_HTTP_KINDS = frozenset({ServiceKind.WEB, ServiceKind.API})


def serves_http(service: Service, env: str) -> bool:
    """Whether ``service`` answers HTTP in ``env``: a web or API kind with a port there."""
    return service.kind in _HTTP_KINDS and bool(vm.env_port(service, env))


def gate_criteria(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, str]]:
    """Validation criteria that have a query, as (name, query, operator, limit). Error
    rate and latency are measured on HTTP requests, so only services serving HTTP get
    them: a cache or a job runner has no such series, and an empty answer fails."""
    criteria = plan.deployment_testing.validation_criteria
    http = serves_http(service, env)
    checks = (
        ("error_rate", criteria.error_rate_query if http else None, "<=", criteria.max_error_rate),
        (
            "p95_latency",
            criteria.p95_latency_query if http else None,
            "<=",
            duration_seconds(criteria.max_p95_latency),
        ),
        ("availability", criteria.availability_query, ">=", criteria.min_availability),
    )
    return [
        {
            "name": name,
            "query": flow.fill_query(query, service.name, env),
            "operator": operator,
            "limit": format(limit, "g"),
        }
        for name, query, operator, limit in checks
        if query
    ]


def _secret_vars(plan: DeploymentPlan, service: str) -> list[str]:
    """Required variables of ``service`` that come from secrets: preflight checks them."""
    return sorted(
        v.name
        for v in plan.configuration_management.environment_variables
        if v.secret and v.required and (not v.services or service in v.services)
    )


def deploy_all(plan: DeploymentPlan, env: str) -> Artifact:
    """``environments/<env>/deploy-all.sh``: every service in dependency order."""
    return Artifact(
        root=Root.OUTPUT,
        path=PurePosixPath("environments", env, "deploy-all.sh"),
        template="deploy/deploy-all.sh.j2",
        family="deploy",
        context={
            "project": plan.project.name,
            "environment": env,
            "confirm": flow.needs_confirmation(plan, env),
            "audit_log": plan.environments[env].configuration.audit_log,
            "services": flow.service_order(plan, env),
            "stateful": sorted(
                s.name for s in plan.services if env in s.targets and vm.stateful(s)
            ),
            "pinned": {
                s.name: s.upstream.version + (f"@{s.upstream.digest}" if s.upstream.digest else "")
                for s in plan.services
                if env in s.targets and s.upstream
            },
        },
        environment=env,
        executable=True,
    )
