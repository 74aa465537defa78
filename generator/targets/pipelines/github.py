"""GitHub Actions: ``ci.yml``, ``deploy.yml`` and ``release.yml`` for one service.

Spec text that reaches a workflow (commands, URLs) is made inert for GitHub's own
``${{ }}`` syntax too: the YAML escaping of the renderer does not cover it.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

from generator import __version__
from generator.artifact import Artifact, Root
from generator.targets.pipelines.service import ServicePipeline, Stage
from generator.targets.pipelines.triggers import PRODUCTION_TYPES, Branch, BranchDeploy

WORKFLOWS = ("ci", "deploy", "release")
# Workflows are named after their service: several services can share one repository.
_DEPLOY_ONLY = ("deploy",)
_LOGIN_NAMES = {
    "vault": "Vault",
    "aws_secrets_manager": "AWS",
    "gcp_secret_manager": "Google Cloud",
    "azure_key_vault": "Azure",
}


def inert(text: str | None) -> str | None:
    """``text`` with GitHub's expression syntax written as an expression printing it."""
    return None if text is None else text.replace("${{", "${{ '${{' }}")


def artifacts(
    sp: ServicePipeline, base: PurePosixPath, spec: tuple[str, str] | None
) -> list[Artifact]:
    """``<service>-ci.yml``, ``-deploy.yml`` and ``-release.yml`` under
    ``base/.github/workflows/``; ``spec`` feeds the drift job.

    A service CI does not build (upstream, managed) gets the deploy workflow alone, and
    only when it has something to deploy.
    """
    if not sp.has_pipelines:
        return []
    context = _context(sp, spec)
    return [
        Artifact(
            root=Root.OUTPUT,
            path=base / ".github" / "workflows" / workflow_name(sp.name, name),
            template=f"pipelines/github/{name}.yml.j2",
            family="pipelines",
            context=context,
            service=sp.service.name,
        )
        for name in (WORKFLOWS if sp.builds else _DEPLOY_ONLY)
    ]


def workflow_name(service: str, workflow: str) -> str:
    """File name of one of a service's workflows, e.g. ``web-ci.yml``."""
    return f"{service}-{workflow}.yml"


def _context(sp: ServicePipeline, spec: tuple[str, str] | None) -> dict[str, Any]:
    tools = sp.tools
    gates = ["build", *_scan_jobs(sp)]
    deploy_calls = [call for deploy in sp.triggers.deploys if (call := _call(sp, deploy))]
    production = sp.stages_of(PRODUCTION_TYPES)
    return {
        "p": sp,
        "actions": {
            "checkout": tools.action("actions/checkout"),
            "cosign": tools.action("sigstore/cosign-installer"),
            "upload": tools.action("actions/upload-artifact"),
        },
        "tools": {"cosign": tools.version("cosign")},
        "kube": {
            "kubectl": tools.version("kubectl"),
            "helm": tools.version("helm"),
            "argocd": tools.version("argocd"),
        },
        "ghcr": sp.pipeline.registry.split("/")[0] == "ghcr.io",
        "archive": f"{sp.name}-release.tar.gz",
        "archive_name": f"{sp.name}-release",
        "release_root": sp.source_path or ".",
        "deploy_workflow": workflow_name(sp.name, "deploy"),
        "upgrade_environments": " ".join(s.environment for s in sp.stages if not s.production),
        "images": {name: tools.image(name) for name in ("trivy", "grype", "gitleaks")},
        "registry_host": sp.pipeline.registry.split("/")[0],
        "commands": {
            "build": inert(sp.service.build_command),
            "test": inert(sp.service.test_command),
        },
        "gate_jobs": gates,
        "promote_needs": ["check-tag", *_scan_jobs(sp)],
        "publish_condition": _publish_condition(sp),
        "deploy_calls": deploy_calls,
        "stages": {stage.environment: _stage(sp, stage) for stage in sp.stages},
        "names": _LOGIN_NAMES,
        "release_needs": ["promote"] if sp.image else ["check-tag", *_scan_jobs(sp)],
        "release_call": _release_call(production),
        "release_deploy_needs": [
            *(["release", "promote"] if sp.image else []),
            *(["archive"] if sp.archive else []),
        ],
        "drift": _drift(sp, spec),
    }


def _scan_jobs(sp: ServicePipeline) -> list[str]:
    jobs = []
    if sp.gates.secret_scan:
        jobs.append("secret-scan")
    if sp.gates.dependency_scan:
        jobs.append("dependency-scan")
    return jobs


def _publish_condition(sp: ServicePipeline) -> str:
    """Images are pushed on pushes, and for pull requests only where they are deployed."""
    if any(deploy.pull_requests for deploy in sp.triggers.deploys):
        return f"${{{{ github.event_name == 'push' || ({_SAME_REPO}) }}}}"
    return "${{ github.event_name == 'push' }}"


_SAME_REPO = (
    "github.event_name == 'pull_request' && "
    "github.event.pull_request.head.repo.full_name == github.repository"
)


def _ref_test(branch: Branch, ref: str = "github.ref") -> str:
    if branch.prefix:
        return f"startsWith({ref}, 'refs/heads/{branch.name}')"
    return f"{ref} == 'refs/heads/{branch.name}'"


def _call(sp: ServicePipeline, deploy: BranchDeploy) -> dict[str, Any] | None:
    stages = sp.stages_of(deploy.types)
    if not stages:
        return None
    if deploy.pull_requests:
        refs = " || ".join(_ref_test(b, "github.base_ref") for b in deploy.branches)
        refs = refs.replace("'refs/heads/", "'")
        condition = f"{_SAME_REPO} && ({refs})"
    else:
        refs = " || ".join(_ref_test(b) for b in deploy.branches)
        condition = f"github.event_name == 'push' && ({refs})"
    return {
        "name": deploy.name,
        "needs": ["image"] if sp.image else ["build", *_scan_jobs(sp)],
        "condition": f"${{{{ {condition} }}}}",
        "environments": " ".join(stage.environment for stage in stages),
        "oidc": any(_oidc(stage) for stage in stages),
    }


def _release_call(stages: tuple[Stage, ...]) -> dict[str, Any] | None:
    if not stages:
        return None
    return {
        "environments": " ".join(stage.environment for stage in stages),
        "oidc": any(_oidc(stage) for stage in stages),
    }


def _oidc(stage: Stage) -> bool:
    """Whether the deploy job needs an OIDC token: a secret login or cluster credentials."""
    cluster = stage.cluster is not None and stage.cluster.source != "kubeconfig"
    return stage.secrets.uses_oidc or cluster


def _stage(sp: ServicePipeline, stage: Stage) -> dict[str, Any]:
    asked = "inputs.environments"
    if sp.upstream is not None:
        # a push that changes the pin upgrades the environments before production
        upgrade = " ".join(s.environment for s in sp.stages if not s.production)
        asked = f"(inputs.environments || '{upgrade}')"
    wanted = f"contains(format(' {{0}} ', {asked}), ' {stage.environment} ')"
    if stage.previous is not None:
        # run when the previous environment succeeded or was not asked for
        wanted = f"!cancelled() && needs.{stage.previous}.result != 'failure' && {wanted}"
    windows = "\n".join(f"{w.name} {w.start} {w.end}" for w in stage.freeze_windows)
    return {
        "condition": f"${{{{ {wanted} }}}}",
        "url": inert(stage.url),
        "freeze": windows,
        "oidc": _oidc(stage),
        "cluster": cluster_settings(stage),
    }


def cluster_settings(stage: Stage) -> dict[str, Any] | None:
    """What the cluster-credentials step needs: its source and its environment."""
    c = stage.cluster
    if c is None:
        return None
    settings: dict[str, str]
    if c.source == "kubeconfig":
        return {"source": c.source, "secret": c.secret, "settings": ()}
    if c.source == "eks":
        settings = {
            "AUDIENCE": "sts.amazonaws.com",
            "CLUSTER": c.cluster,
            "CLUSTER_REGION": c.region,
            "AWS_ROLE_ARN": c.role_arn,
        }
    elif c.source == "gke":
        settings = {
            "AUDIENCE": f"//iam.googleapis.com/{c.workload_identity_provider}",
            "CLUSTER": c.cluster,
            "CLUSTER_LOCATION": c.location,
            "CLUSTER_PROJECT": c.project,
            "GCP_WORKLOAD_IDENTITY_PROVIDER": c.workload_identity_provider,
            "GCP_SERVICE_ACCOUNT": c.service_account,
        }
    else:
        settings = {
            "AUDIENCE": "api://AzureADTokenExchange",
            "CLUSTER": c.cluster,
            "CLUSTER_RESOURCE_GROUP": c.resource_group,
            "AKS_TENANT_ID": c.tenant_id,
            "AKS_SUBSCRIPTION_ID": c.subscription_id,
            "AKS_CLIENT_ID": c.client_id,
        }
    return {"source": c.source, "settings": tuple(settings.items())}


def _drift(sp: ServicePipeline, spec: tuple[str, str] | None) -> dict[str, str] | None:
    if not sp.drift_check or spec is None:
        return None
    repository, label = spec
    prefix = "https://github.com/"
    if not repository.startswith(prefix):
        return None
    return {
        "repository": repository.removeprefix(prefix).removesuffix(".git").strip("/"),
        "spec": f".deployplan-spec/{label}",
        "version": __version__,
    }
