"""Seed §2: deployment environments and their infrastructure."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, SerializerFunctionWrapHandler, model_serializer

from generator.spec.model.types import (
    Cpu,
    Duration,
    EnvironmentRef,
    Identifier,
    Name,
    Percent,
    ServiceRef,
    Size,
    SpecModel,
    Text,
    Url,
)


class EnvironmentType(StrEnum):
    """The seed's ``EnvironmentType``."""

    DEVELOPMENT = "development"
    STAGING = "staging"
    PRODUCTION = "production"
    DISASTER_RECOVERY = "disaster_recovery"


class NodePool(SpecModel):
    """A group of identical machines or cluster nodes."""

    name: Identifier = Field(description="Pool name.")
    count: int = Field(ge=1, description="Number of nodes.")
    cpu: Cpu = Field(description="CPU per node.")
    memory: Size = Field(description="Memory per node.")
    instance_type: str | None = Field(None, description="Provider machine type, e.g. `m6i.xlarge`.")


class Autoscaling(SpecModel):
    min_replicas: int = Field(ge=1, description="Lower bound of replicas.")
    max_replicas: int = Field(ge=1, description="Upper bound of replicas.")
    target_cpu_percent: Percent = Field(70, description="Average CPU utilisation to aim for.")


class Allocation(SpecModel):
    """Resources one service gets in one environment (``allocate_resources``)."""

    replicas: int = Field(1, ge=0, description="Number of instances.")
    cpu: Cpu = Field(description="CPU request per instance.")
    memory: Size = Field(description="Memory request per instance.")
    cpu_limit: Cpu | None = Field(None, description="CPU limit per instance; at least the request.")
    memory_limit: Size | None = Field(
        None, description="Memory limit per instance; at least the request."
    )
    autoscaling: Autoscaling | None = Field(None, description="Horizontal autoscaling bounds.")


class ComputeResources(SpecModel):
    """Capacity of the environment and what each service may use of it."""

    platform: str = Field(description="Where workloads run, e.g. `eks 1.30` or `bare metal`.")
    node_pools: list[NodePool] = Field(min_length=1, description="The machines available.")
    allocations: dict[ServiceRef, Allocation] = Field(
        default_factory=dict,
        description="Service name -> resources it is allocated. Allocating a service deploys "
        "it to this environment, so it needs a target here. All allocations together, each "
        "at its largest replica count (`autoscaling.max_replicas`, else `replicas`), fit in "
        "the node pools (CPU and memory apart), and each instance fits on one node; managed "
        "services run elsewhere and do not count.",
    )


class Ingress(SpecModel):
    host: str = Field(
        pattern=r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$",
        description="Public host name.",
    )
    service: ServiceRef = Field(description="Service the host routes to.")
    path: str = Field("/", pattern=r"^/[^\s]*$", description="Path prefix.")
    tls: bool = Field(True, description="Serve over TLS.")


_PATH = r"^/[A-Za-z0-9._/-]+$"
_HOST = r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$"
#: Mozilla's "intermediate" cipher list for TLS 1.2 (TLS 1.3 suites are fixed by OpenSSL).
INTERMEDIATE_CIPHERS = (
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
)


class ReverseProxy(SpecModel):
    """nginx in front of services on VMs (ansible, systemd): one site per ingress host."""

    hosts: list[Annotated[str, Field(pattern=_HOST)]] = Field(
        default_factory=list,
        description="Machines nginx runs on [default: the hosts of the service it routes to].",
    )
    certificate_dir: str = Field(
        "/etc/ssl/deployplan",
        pattern=_PATH,
        description="Where each host name's certificate chain `<host>.crt` and key "
        "`<host>.key` are installed on the proxy machines.",
    )
    sites_dir: str = Field(
        "/etc/nginx/conf.d",
        pattern=_PATH,
        description="Folder nginx includes site files from.",
    )
    tls_ciphers: str = Field(
        INTERMEDIATE_CIPHERS,
        pattern=r"^[A-Za-z0-9:_+!-]+$",
        description="OpenSSL cipher list for TLS 1.2; the TLS floor comes from `security`.",
    )
    hsts_max_age: Duration = Field(
        "365d", description="`Strict-Transport-Security` max-age of TLS sites; `0s` sends none."
    )
    client_max_body_size: Size = Field("10Mi", description="Largest request body accepted.")
    connect_timeout: Duration = Field("5s", description="Longest wait to connect upstream.")
    read_timeout: Duration = Field("60s", description="Longest wait for an upstream answer.")


class NetworkConfig(SpecModel):
    """Seed ``NetworkConfig``: addressing, ingress, DNS and allowed traffic."""

    vpc_cidr: str | None = Field(
        None,
        pattern=r"^([0-9]{1,3}\.){3}[0-9]{1,3}/[0-9]{1,2}$",
        description="Address range of the environment network.",
    )
    domain: str | None = Field(None, description="Base DNS domain of the environment.")
    ingress_class: str | None = Field(None, description="Ingress controller class, e.g. `nginx`.")
    ingresses: list[Ingress] = Field(default_factory=list, description="Public entry points.")
    allowed_ingress_cidrs: list[str] = Field(
        default_factory=list, description="Source ranges allowed to reach the ingress."
    )
    default_deny: bool = Field(
        True, description="Deny traffic between services unless a dependency allows it."
    )
    reverse_proxy: ReverseProxy = Field(
        default_factory=ReverseProxy,
        description="nginx sites for the ingresses of services on VMs (ansible, systemd).",
    )


class Volume(SpecModel):
    name: Name = Field(description="Volume name.")
    service: ServiceRef = Field(description="Service that mounts it.")
    size: Size = Field(description="Capacity.")
    storage_class: str | None = Field(None, description="Storage class, e.g. `gp3`.")
    mount_path: str = Field(pattern=r"^/[^\s]*$", description="Where the service mounts it.")
    access_mode: str = Field(
        "ReadWriteOnce",
        pattern=r"^(ReadWriteOnce|ReadOnlyMany|ReadWriteMany|ReadWriteOncePod)$",
        description="Kubernetes access mode.",
    )


class Bucket(SpecModel):
    name: Name = Field(description="Logical bucket name used in the spec.")
    bucket: str = Field(description="Provider bucket name.")
    service: ServiceRef | None = Field(None, description="Service that owns the data.")
    versioning: bool = Field(True, description="Keep object versions.")
    region: str | None = Field(None, description="Bucket region.")


class StorageRequirements(SpecModel):
    """Seed ``StorageRequirements``: volumes and object storage."""

    volumes: list[Volume] = Field(default_factory=list, description="Persistent volumes.")
    buckets: list[Bucket] = Field(default_factory=list, description="Object storage buckets.")


class Infrastructure(SpecModel):
    """Seed §2.2 ``Infrastructure``."""

    compute_resources: ComputeResources = Field(description="Nodes and per-service allocations.")
    network_configuration: NetworkConfig = Field(
        default_factory=NetworkConfig, description="Network, ingress and DNS."
    )
    storage_requirements: StorageRequirements = Field(
        default_factory=StorageRequirements, description="Volumes and buckets."
    )


class Operator(StrEnum):
    """A Kubernetes operator whose custom resources deployplan can write."""

    PROMETHEUS = "prometheus"
    VELERO = "velero"


class EnvironmentConfig(SpecModel):
    """Seed ``EnvironmentConfig``: how the environment is reached and run."""

    url: Url | None = Field(None, description="Base URL of the environment.")
    kube_context: str | None = Field(None, description="kubectl context for this environment.")
    namespace: Name | None = Field(None, description="Default Kubernetes namespace.")
    log_level: str = Field(
        "info",
        pattern=r"^(debug|info|warn|error)$",
        description="Default log level of services.",
    )
    protected: bool = Field(
        False, description="Deploys need confirmation and follow the release policy."
    )
    audit_log: str = Field(
        "/var/log/deployplan/audit.jsonl",
        pattern=r"^/[A-Za-z0-9._/-]+$",
        description="Where deploy scripts append their JSON-lines audit records.",
    )
    operators: list[Operator] = Field(
        default_factory=list,
        description="Operators the environment's cluster runs: `prometheus` (the Prometheus "
        "Operator) gets PrometheusRule, ServiceMonitor and Probe resources beside the "
        "Prometheus files; `velero` gets Velero Schedule resources instead of the CronJob "
        "that runs the Velero CLI.",
    )

    @model_serializer(mode="wrap")
    def _without_default_operators(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Left out when none are declared, so the plan digest of specs written before
        # operators existed stays the same.
        data = handler(self)
        if isinstance(data, dict) and not self.operators:
            data.pop("operators", None)
        return data


class DeploymentEnvironment(SpecModel):
    """Seed §2.1 ``DeploymentEnvironment``."""

    extends: EnvironmentRef | None = Field(
        None,
        description="Inherit from another environment: mappings merge, lists and scalars replace.",
    )
    environment_type: EnvironmentType = Field(description="What the environment is for.")
    description: Text = Field("", description="What the environment is for, in words.")
    region: str | None = Field(None, description="Provider region, e.g. `ap-northeast-1`.")
    infrastructure: Infrastructure = Field(description="Compute, network and storage.")
    configuration: EnvironmentConfig = Field(
        default_factory=EnvironmentConfig, description="How it is reached and run."
    )
