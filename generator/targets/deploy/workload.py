"""What a Kubernetes workload receives from the spec: its variables (plain values and
``secretKeyRef`` entries), the Secret they come from, its config files as a ConfigMap, and
the Pod Security "restricted" settings every pod runs with."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from generator.render import to_yaml
from generator.spec.model import DeploymentPlan, Service
from generator.spec.model.configuration import ConfigFile, SecretProvider
from generator.targets import indexes
from generator.targets.configuration import secret_variables
from generator.targets.configuration.formats import LINE_WRITERS
from generator.targets.deploy.scripts import plain_variables

#: The label every pod of a service carries, whatever its track.
NAME = "app.kubernetes.io/name"
#: The user every container runs as: a high UID no host account has (Pod Security, checkov).
RUN_AS = 65532
#: Providers the External Secrets Operator reads; `ci` and `sops` only exist at deploy time.
EXTERNAL_PROVIDERS = frozenset(
    {
        SecretProvider.VAULT,
        SecretProvider.AWS_SECRETS_MANAGER,
        SecretProvider.GCP_SECRET_MANAGER,
        SecretProvider.AZURE_KEY_VAULT,
    }
)
TMP_VOLUME = {"name": "tmp", "emptyDir": {}}
TMP_MOUNT = {"name": "tmp", "mountPath": "/tmp"}
CONFIG_VOLUME = "config"


def secret_name(service: str) -> str:
    """The Secret deploy.sh creates from the values it fetched."""
    return f"{service}-secrets"


def external_secret_name(service: str) -> str:
    """The Secret the External Secrets Operator keeps filled."""
    return f"{service}-external-secrets"


def _external(service: Service, env: str, variable: dict[str, Any]) -> bool:
    target = service.targets[env]
    provider = SecretProvider(variable["location"]["provider"])
    return target.secret_store is not None and provider in EXTERNAL_PROVIDERS


def deploy_time_secrets(plan: DeploymentPlan, service: Service, env: str) -> list[str]:
    """Variables deploy.sh puts into ``<service>-secrets`` (not served by an ExternalSecret)."""
    return [
        v["variable"]
        for v in secret_variables(plan, service, env)
        if not _external(service, env, v)
    ]


def env_entries(plan: DeploymentPlan, service: Service, env: str) -> list[dict[str, Any]]:
    """Every variable the service declares in ``env``: plain values, then secret references."""
    entries: list[dict[str, Any]] = [
        {"name": k, "value": v} for k, v in plain_variables(plan, service.name, env).items()
    ]
    for variable in secret_variables(plan, service, env):
        external = _external(service, env, variable)
        name = external_secret_name if external else secret_name
        reference = {"name": name(service.name), "key": variable["variable"]}
        if not variable["required"]:
            reference["optional"] = True
        entries.append({"name": variable["variable"], "valueFrom": {"secretKeyRef": reference}})
    return entries


def external_secret(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any] | None:
    """The ExternalSecret that fills ``<service>-external-secrets`` from the provider."""
    store = service.targets[env].secret_store
    data = [
        {"secretKey": v["variable"], "remoteRef": _remote_ref(v["location"])}
        for v in secret_variables(plan, service, env)
        if _external(service, env, v)
    ]
    if store is None or not data:
        return None
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": external_secret_name(service.name)},
        "spec": {
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": store},
            "target": {"name": external_secret_name(service.name), "creationPolicy": "Owner"},
            "data": data,
        },
    }


def _remote_ref(location: dict[str, Any]) -> dict[str, str]:
    """The provider's path and field as ESO names them (the store holds mount and address)."""
    ref = {"key": location["path"]}
    if location["key"]:
        ref["property"] = location["key"]
    return ref


def config_files(plan: DeploymentPlan, service: str) -> list[ConfigFile]:
    """The service's config files, in spec order."""
    return list(indexes.config_files(plan).get(service, []))


def config_text(config: ConfigFile, env: str) -> str:
    """The file's content in ``env``, as the configuration family writes it."""
    values = {**config.values, **config.overrides.get(env, {})}
    if config.format == "yaml":
        return str(to_yaml(values)) + "\n"
    if config.format == "json":
        return json.dumps(values, indent=2, ensure_ascii=False) + "\n"
    write = LINE_WRITERS[config.format]
    return "".join(write(k, v) + "\n" for k, v in values.items())


def config_map(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any] | None:
    """The config files as one ConfigMap; its name carries a hash of the content, so a
    changed file rolls the pods (as Kustomize's configMapGenerator does)."""
    data = {c.name: config_text(c, env) for c in config_files(plan, service.name)}
    if not data:
        return None
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:10]
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"{service.name}-config-{digest}"},
        "data": data,
        "immutable": True,
    }


def config_dir(service: Service, env: str) -> str:
    """Where the config file paths are rooted in the container."""
    return service.targets[env].config_dir or f"/etc/{service.name}"


def config_volume(plan: DeploymentPlan, service: Service, env: str) -> dict[str, Any] | None:
    """The ConfigMap as a volume with each file at its spec path."""
    resource = config_map(plan, service, env)
    if resource is None:
        return None
    items = [{"key": c.name, "path": c.path} for c in config_files(plan, service.name)]
    source = {"name": resource["metadata"]["name"], "items": items, "defaultMode": 0o444}
    return {"name": CONFIG_VOLUME, "configMap": source}


def pod_security() -> dict[str, Any]:
    """Pod-level settings of Pod Security "restricted"."""
    return {
        "runAsNonRoot": True,
        "runAsUser": RUN_AS,
        "runAsGroup": RUN_AS,
        "fsGroup": RUN_AS,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security() -> dict[str, Any]:
    """Container-level settings of Pod Security "restricted", with a read-only root."""
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def image(service: Service) -> str:
    """The image reference of the base: an upstream image pinned by version and digest; a
    built image by name only (deploy.sh sets the release's tag and digest)."""
    name = service.image or service.name
    upstream = service.upstream
    if upstream is None:
        return name
    return f"{name}:{upstream.version}" + (f"@{upstream.digest}" if upstream.digest else "")
