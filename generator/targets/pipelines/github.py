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
    """The three workflows under ``base/.github/workflows/``; ``spec`` feeds the drift job."""
    context = _context(sp, spec)
    return [
        Artifact(
            root=Root.OUTPUT,
            path=base / ".github" / "workflows" / f"{name}.yml",
            template=f"pipelines/github/{name}.yml.j2",
            family="pipelines",
            context=context,
            service=sp.service.name,
        )
        for name in WORKFLOWS
    ]


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
        },
        "tools": {"cosign": tools.version("cosign")},
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
        "ci_secrets": sorted({v for s in sp.stages for v in s.secrets.ci_variables}),
        "stages": {stage.environment: _stage(stage) for stage in sp.stages},
        "names": _LOGIN_NAMES,
        "release_needs": ["promote"] if sp.service.image else ["check-tag", *_scan_jobs(sp)],
        "release_call": _release_call(production),
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
        "needs": ["image"] if sp.service.image else ["build", *_scan_jobs(sp)],
        "condition": f"${{{{ {condition} }}}}",
        "environments": " ".join(stage.environment for stage in stages),
        "oidc": any(stage.secrets.uses_oidc for stage in stages),
    }


def _release_call(stages: tuple[Stage, ...]) -> dict[str, Any] | None:
    if not stages:
        return None
    return {
        "environments": " ".join(stage.environment for stage in stages),
        "oidc": any(stage.secrets.uses_oidc for stage in stages),
    }


def _stage(stage: Stage) -> dict[str, Any]:
    wanted = f"contains(format(' {{0}} ', inputs.environments), ' {stage.environment} ')"
    if stage.previous is not None:
        # run when the previous environment succeeded or was not asked for
        wanted = f"!cancelled() && needs.{stage.previous}.result != 'failure' && {wanted}"
    windows = "\n".join(f"{w.name} {w.start} {w.end}" for w in stage.freeze_windows)
    return {
        "condition": f"${{{{ {wanted} }}}}",
        "url": inert(stage.url),
        "freeze": windows,
    }


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
