"""The project, its teams, and the services it deploys."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field

from generator.spec.model.gitops import Delivery
from generator.spec.model.types import (
    Duration,
    EnvironmentRef,
    Identifier,
    Name,
    SpecModel,
    TeamRef,
    Text,
    Url,
)


class DocsLanguage(StrEnum):
    EN = "en"
    JA = "ja"


class Team(SpecModel):
    """A team that owns services, answers pages, or approves changes."""

    name: Identifier = Field(description="Unique team name, referenced by owner fields.")
    description: Text = Field("", description="What the team does.")
    email: str | None = Field(
        None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", description="Team mailbox."
    )
    chat_channel: str | None = Field(None, description="Chat channel, e.g. `#shop-platform`.")
    oncall_schedule: str | None = Field(
        None, description="Name of the on-call schedule in the paging tool."
    )
    github_team: str | None = Field(
        None,
        pattern=r"^[a-z0-9][a-z0-9_-]*$",
        description="Slug of the team on GitHub, asked to review deploys to protected "
        "environments [default: `name`].",
    )
    gitlab_group: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)*$",
        description="Full path of the team's GitLab group, e.g. `shop/sre`: allowed to "
        "deploy to and approve deploys to protected environments.",
    )


class Project(SpecModel):
    """What is being deployed, who owns it, and how its manuals are written."""

    name: Name = Field(description="Project name; used in file headers, namespaces and titles.")
    description: Text = Field(description="One paragraph on what the system does and for whom.")
    owner: TeamRef = Field(description="The team accountable for the deployment plan.")
    docs_language: DocsLanguage = Field(
        DocsLanguage.EN, description="Language of the generated manuals: `en` or `ja`."
    )
    repository: Url | None = Field(None, description="Where the spec itself lives.")
    docs_url: Url | None = Field(
        None, description="Where the published manual site is served; used in alert runbooks."
    )
    timezone: str = Field(
        "UTC",
        pattern=r"^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$",
        description="IANA time zone for schedules and windows, e.g. `Asia/Tokyo`.",
    )
    teams: list[Team] = Field(min_length=1, description="Teams referenced anywhere in the spec.")


class ServiceKind(StrEnum):
    WEB = "web"
    API = "api"
    WORKER = "worker"
    DATABASE = "database"
    CACHE = "cache"
    OBJECT_STORAGE = "object_storage"
    QUEUE = "queue"


class Engine(StrEnum):
    """How a service is put onto an environment."""

    KUBERNETES = "kubernetes"
    HELM = "helm"
    ANSIBLE = "ansible"
    COMPOSE = "compose"
    SYSTEMD = "systemd"
    LOCAL = "local"
    MANAGED = "managed"


class Strategy(StrEnum):
    ROLLING = "rolling"
    BLUE_GREEN = "blue_green"
    CANARY = "canary"
    RECREATE = "recreate"


class TrafficController(StrEnum):
    """What splits the traffic of a canary between the release and the stable pods."""

    FLAGGER = "flagger"
    NGINX_INGRESS = "nginx_ingress"


class TargetHooks(SpecModel):
    """The team's own Ansible tasks, included by the generated rollout on each host."""

    before_switch: list[
        Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)*\.ya?ml$")]
    ] = Field(
        default_factory=list,
        description="Tasks files (paths relative to the directory the deploy runs in) "
        "included after the release is installed, before `current` is switched.",
    )
    after_switch: list[
        Annotated[str, Field(pattern=r"^[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9._-]+)*\.ya?ml$")]
    ] = Field(
        default_factory=list,
        description="Tasks files included after the unit runs the new release and the "
        "host's health checks passed.",
    )


class Target(SpecModel):
    """Where and how one service is deployed in one environment."""

    engine: Engine = Field(description="Deployment engine; `managed` means a cloud service.")
    strategy: Strategy = Field(
        Strategy.ROLLING,
        description="Rollout strategy, one the engine carries out: `kubernetes` all of them; "
        "`ansible`, `compose` and `local` `rolling` or `recreate`; `helm`, `systemd` and "
        "`managed` `rolling`, and `helm` `canary` with `traffic_controller: flagger`.",
    )
    namespace: Name | None = Field(None, description="Kubernetes namespace (kubernetes, helm).")
    chart: str | None = Field(None, description="Helm chart reference (helm).")
    hosts: list[Annotated[str, Field(pattern=r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")]] = (
        Field(
            default_factory=list,
            description="Host names (ansible, systemd; compose: the hosts whose container "
            "engine it reaches over ssh, none for the machine deploy.sh runs on).",
        )
    )
    release_dir: str | None = Field(
        None,
        pattern=r"^/[A-Za-z0-9._/-]+$",
        description="Base directory for releases (systemd, local).",
    )
    canary_steps: list[int] = Field(
        default_factory=list,
        description="Traffic percentages of a canary rollout, e.g. `[10, 50, 100]`.",
    )
    managed_service: str | None = Field(
        None, description="The provider's product, e.g. `aws-rds-postgresql` (managed)."
    )
    release: Name | None = Field(
        None, description="Helm release name (helm); defaults to the service name."
    )
    unit: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9_.@-]+\.service$",
        description="systemd unit restarted on each host (systemd); "
        "defaults to `<service>.service`.",
    )
    ssh_user: str | None = Field(
        None,
        pattern=r"^[a-z_][a-z0-9_-]*$",
        description="User the deploy logs in as over ssh (systemd).",
    )
    serial: (
        Annotated[int, Field(ge=1)] | Annotated[str, Field(pattern=r"^([1-9][0-9]?|100)%$")] | None
    ) = Field(
        None,
        description="Hosts switched per batch of a rolling rollout (ansible): a count, or a "
        "percentage of the hosts such as `25%`; each batch passes its health checks before "
        "the next starts. Default: 1 in production, else all hosts at once.",
    )
    port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="Port the service listens on in this environment; overrides the "
        "service's `port` for its probes, units and proxy upstreams.",
    )
    address: str | None = Field(
        None,
        pattern=r"^[A-Za-z0-9]([A-Za-z0-9.:-]*[A-Za-z0-9])?$",
        description="Address the service is reached at in this environment (local, "
        "compose); on VM engines each host is probed on its own name.",
    )
    hooks: TargetHooks | None = Field(
        None,
        description="The team's own Ansible tasks files, run on each host around the "
        "switch (ansible).",
    )
    chart_version: str | None = Field(
        None,
        pattern=r"^v?[0-9]+\.[0-9]+\.[0-9]+([-+][A-Za-z0-9.+-]+)?$",
        description="Exact chart version deployed (helm `--version`), e.g. `4.2.1`; "
        "without it helm takes the newest chart.",
    )
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="Helm values for this environment, merged over the ones generated from "
        "the spec (helm): a mapping's keys merge, anything else replaces.",
    )
    traffic_controller: TrafficController | None = Field(
        None,
        description="What splits a canary's traffic: `flagger` (helm: a Flagger Canary that "
        "shifts the chart's traffic step by step and rolls back on failed analysis) or "
        "`nginx_ingress` (kubernetes: canary-weight annotations on a second Ingress, exact "
        "for requests through the ingress). Without one, a kubernetes canary splits by pod "
        "counts chosen so each step's share is exact.",
    )
    secret_store: Name | None = Field(
        None,
        description="External Secrets Operator ClusterSecretStore that reads the secret "
        "provider (kubernetes, helm): the workload's secrets come from an ExternalSecret. "
        "Without one, deploy.sh creates the Secret from the values it fetched.",
    )
    config_dir: str | None = Field(
        None,
        pattern=r"^/[A-Za-z0-9._/-]*$",
        description="Directory in the container that config file paths are relative to "
        "(kubernetes, helm, compose) [default: `/etc/<service>`].",
    )
    service_account: Name | None = Field(
        None,
        description="ServiceAccount the pods run as, with its API token mounted (kubernetes), "
        "for a workload that calls the Kubernetes API; without it pods get no token.",
    )
    runner_namespace: Name | None = Field(
        None,
        description="Namespace of the in-cluster CI runners that run deploy.sh (kubernetes): "
        "the NetworkPolicy admits their gates and health checks. Without it, a self-hosted "
        "deploy runner is admitted from the environment's `vpc_cidr`.",
    )
    container_healthcheck: Text | None = Field(
        None,
        description="Command run inside the container to tell whether it is healthy "
        "(compose), e.g. `redis-cli ping` [default: an HTTP GET of the service's "
        "`health_path` with wget or curl, when it has a port and a health path].",
    )
    container_command: list[Text] = Field(
        default_factory=list,
        description="Arguments that replace the image's command (compose), e.g. "
        '`[redis-server, --requirepass, "${REDIS_PASSWORD}"]`: `${NAME}` is one of the '
        "service's variables, filled when the container is created.",
    )
    data_dir: str | None = Field(
        None,
        pattern=r"^/[A-Za-z0-9._/-]*$",
        description="Where a service that stores data keeps it in its container (compose): "
        "a named volume is mounted there [default: `/data`].",
    )
    delivery: Delivery = Field(
        Delivery.DIRECT,
        description="How the manifests reach the cluster (kubernetes, helm): `direct`, "
        "applied by deploy.sh, or `gitops`, committed to `automation.gitops.repository` at "
        "its layout (a helm target's values, its chart installed by the controller) and "
        "synced by Argo CD or Flux.",
    )


class Upstream(SpecModel):
    """A service run from someone else's image, pinned, never built here."""

    version: str = Field(
        pattern=r"^[A-Za-z0-9_][A-Za-z0-9_.+-]{0,127}$",
        description="The pinned upstream release: the image tag deploys append to `image` "
        "(helm: `image.tag`), e.g. `7.4.1`. Changing it deploys an upgrade. A helm chart's "
        "version is the target's `chart_version`.",
    )
    digest: str | None = Field(
        None,
        pattern=r"^sha256:[0-9a-f]{64}$",
        description="Content digest of the image, `sha256:<64 hex>` (helm: `image.digest`): "
        "deploys pull this exact image whatever the tag now points at.",
    )


class Service(SpecModel):
    """An application or data store that the plan deploys."""

    name: Name = Field(description="Unique DNS-label name of the service.")
    description: Text = Field(description="What the service does.")
    kind: ServiceKind = Field(description="What sort of component it is.")
    owner: TeamRef = Field(description="The team that owns the service.")
    repository: Url | None = Field(None, description="The application repository.")
    image: str | None = Field(
        None,
        # a digest passes the pattern so that validate can say where it belongs
        pattern=r"^[a-z0-9][a-z0-9._/:-]*(@sha256:[0-9a-f]{64})?$",
        description="Container image repository, without tag or digest, e.g. "
        "`registry.example.com/shop/orders` or `redis`: CI tags what it builds with the "
        "release version, and deploys append the version they deploy (an upstream's "
        "`version`) as the tag. A registry's port is part of it: "
        "`registry.example.com:5000/orders`.",
    )
    port: int | None = Field(None, ge=1, le=65535, description="Port the service listens on.")
    health_path: str | None = Field(
        None, pattern=r"^/[^\s]*$", description="HTTP path answering the health check."
    )
    build_command: Text | None = Field(None, description="Builds the service in CI.")
    test_command: Text | None = Field(None, description="Runs the service's tests in CI.")
    start_command: Text | None = Field(
        None, description="Starts a release (systemd and local engines)."
    )
    stores_data: bool = Field(False, description="Whether the service holds state to back up.")
    targets: dict[EnvironmentRef, Target] = Field(
        description="Environment name -> how the service is deployed there. The service "
        "needs a target in every environment it is deployed to: one that allocates it "
        "resources, routes an ingress or mounts a volume for it (itself, not through "
        "`extends`), or whose validation points or test scenarios name the service and the "
        "environment together. An environment that others extend and that no service "
        "targets is a template and needs none."
    )
    exposure: Literal["public", "internal", "private"] = Field(
        "internal", description="Who may reach it: the internet, other services, or nobody."
    )
    upstream: Upstream | None = Field(
        None,
        description="Run someone else's image at a pinned version (e.g. Redis): no build, "
        "push or release workflow; a version change is deployed as an upgrade. On helm, the "
        "target's `chart_version` pins the chart.",
    )
    install_command: Text | None = Field(
        None,
        description="Installs an unpacked release on each host, run in its release "
        "directory before the switch (ansible, systemd, local), e.g. "
        "`python3 -m venv .venv && .venv/bin/pip install --no-index *.whl`.",
    )
    install_timeout: Duration = Field("10m", description="Longest the install command may take.")
    reload_command: Text | None = Field(
        None,
        description="Makes a running release reread its configuration (systemd `ExecReload`), "
        "e.g. `kill -HUP $MAINPID`.",
    )
    user: str | None = Field(
        None,
        pattern=r"^[a-z_][a-z0-9_-]*$",
        description="System user the service runs as on VMs [default: the service name].",
    )
