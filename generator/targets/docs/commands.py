"""The commands the manuals tell readers to run: the generated scripts, by exact path.

Paths follow the deployment-script contract:
``output/services/<service>/deploy/<env>/{preflight,deploy,verify,rollback,healthcheck}.sh``
and ``output/environments/<env>/deploy-all.sh``; they are built from validated names only.
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.configuration import CalverScheme
from generator.spec.model.process import AutomationTool

OUTPUT = "output"

# Command-line tools each engine and secret provider is driven with.
_ENGINE_TOOLS = {
    "kubernetes": ("kubectl",),
    "helm": ("helm", "kubectl"),
    "ansible": ("ansible", "ansible-playbook", "ssh"),
    "systemd": ("ssh", "rsync", "systemctl", "journalctl"),
    "compose": ("docker", "podman"),
    "local": ("systemctl", "journalctl"),
    "managed": ("aws", "gcloud", "az", "terraform"),
}
# What an operator has on any machine the manuals are followed from.
_COMMON_TOOLS = (
    "git",
    "curl",
    "jq",
    "ssh",
    "grep",
    "sed",
    "awk",
    "sort",
    "head",
    "tail",
    "date",
    "sleep",
    "cat",
    "tee",
    "xargs",
    "wc",
    "openssl",
    "dig",
)
# Programs that come with a monitoring tool or a declared tool package of another name.
_MONITORING_TOOLS = {"prometheus": ("promtool",), "alertmanager": ("amtool",)}
_PACKAGE_PROGRAMS = {
    "postgresql-client": ("psql", "pg_dump", "pg_restore", "pg_basebackup", "pg_isready"),
    "mysql-client": ("mysql", "mysqldump"),
    "awscli": ("aws",),
    "google-cloud-cli": ("gcloud",),
    "azure-cli": ("az",),
    "kafka": ("kafka-consumer-groups.sh", "kafka-topics.sh", "kafka-console-consumer.sh"),
}
_PROVIDER_TOOLS = {
    "vault": "vault",
    "aws_secrets_manager": "aws",
    "gcp_secret_manager": "gcloud",
    "azure_key_vault": "az",
    "sops": "sops",
}


def script(service: str | None, environment: str, name: str) -> str:
    """Path of a generated script, relative to the repository root."""
    if service is None:
        return f"{OUTPUT}/environments/{environment}/{name}"
    return f"{OUTPUT}/services/{service}/deploy/{environment}/{name}"


def deploy_commands(services: list[Service], env: str) -> list[dict[str, Any]]:
    """Per service (deploy order): check, rehearse, deploy and verify, then how to undo."""
    return [
        {
            "service": service,
            "target": service.targets[env],
            "commands": [
                script(service.name, env, "preflight.sh"),
                f'{script(service.name, env, "deploy.sh")} --dry-run --version "$VERSION"',
                f'{script(service.name, env, "deploy.sh")} --version "$VERSION"',
                script(service.name, env, "verify.sh"),
            ],
            "rollback": script(service.name, env, "rollback.sh"),
        }
        for service in services
        if env in service.targets
    ]


def version_example(plan: DeploymentPlan) -> str:
    """A release tag in the plan's version scheme, for the examples."""
    if plan.version_management is None:
        return "1.4.0"
    scheme = plan.version_management.version_scheme
    if isinstance(scheme, CalverScheme):
        sample = {"YYYY": "2026", "YY": "26", "0M": "03", "MM": "3", "0D": "09", "DD": "9"}
        text = scheme.format
        for token, value in sample.items():
            text = text.replace(token, value)
        return scheme.tag_prefix + text.replace("MICRO", "0")
    return f"{scheme.tag_prefix}1.4.0"


def tools_for(
    plan: DeploymentPlan, services: list[Service], environments: list[str]
) -> list[AutomationTool]:
    """Pinned tools an operator needs: the engines' CLIs, the secret provider's, the tests'."""
    wanted: set[str] = set()
    for service in services:
        for env in environments:
            if env in service.targets:
                wanted.update(_ENGINE_TOOLS.get(service.targets[env].engine.value, ()))
    secrets = plan.configuration_management.secrets_management
    if secrets is not None:
        wanted.add(_PROVIDER_TOOLS.get(secrets.provider.value, ""))
    names = {s.name for s in services}
    for scenario in plan.deployment_testing.test_scenarios:
        if names & set(scenario.services):
            wanted.add(scenario.command.split(" ", 1)[0])
    tools = plan.automation.automation_tools if plan.automation else []
    return [t for t in tools if t.name in wanted]


def known_programs(plan: DeploymentPlan) -> frozenset[str]:
    """Every program a command on the site may name: the engines' and secret provider's
    CLIs, the monitoring tools', the automation tools the spec declares, common tools."""
    known = set(_COMMON_TOOLS)
    for service in plan.services:
        for target in service.targets.values():
            known.update(_ENGINE_TOOLS.get(target.engine.value, ()))
    secrets = plan.configuration_management.secrets_management
    if secrets is not None:
        known.add(_PROVIDER_TOOLS.get(secrets.provider.value, ""))
    for monitor in plan.monitoring.monitoring_tools:
        known.update(_MONITORING_TOOLS.get(monitor.name, ()))
    for tool in plan.automation.automation_tools if plan.automation else []:
        known.update({tool.name, *_PACKAGE_PROGRAMS.get(tool.name, ())})
    return frozenset(known - {""})


def secret_location(secret: Any, environment: str) -> str:
    """Where a secret is read in one environment: ``provider:path#key``."""
    override = getattr(secret, "overrides", {}).get(environment)
    path = override.path if override else secret.path
    key = override.key if override else secret.key
    where = path.replace("{environment}", environment)
    return f"{where}#{key}" if key else where
