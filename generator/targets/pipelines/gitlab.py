"""GitLab CI: one ``.gitlab-ci.yml`` per service.

GitLab expands ``$NAME`` inside ``variables:``; spec text put there has each ``$``
doubled, so it reaches the job exactly as written.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from generator import __version__
from generator.artifact import Artifact, Root
from generator.targets.pipelines.github import cluster_settings
from generator.targets.pipelines.service import ServicePipeline, Stage
from generator.targets.pipelines.triggers import Branch

_TIERS = {
    "development": "development",
    "staging": "staging",
    "production": "production",
    "disaster_recovery": "other",
}
TOKEN_NAMES = {
    "vault": "VAULT_ID_TOKEN",
    "aws_secrets_manager": "AWS_ID_TOKEN",
    "gcp_secret_manager": "GCP_ID_TOKEN",
    "azure_key_vault": "AZURE_ID_TOKEN",
}


def inert(text: str | None) -> str | None:
    """``text`` as a GitLab variable value that expands to itself."""
    return None if text is None else text.replace("$", "$$")


def artifacts(
    sp: ServicePipeline, base: PurePosixPath, spec: tuple[str, str] | None
) -> list[Artifact]:
    """``base/.gitlab-ci.yml``: the service's jobs, named ``<service>:<job>`` so that the
    pipelines of services sharing a repository can be included side by side."""
    if not sp.has_pipelines:
        return []
    return [
        Artifact(
            root=Root.OUTPUT,
            path=base / ".gitlab-ci.yml",
            template="pipelines/gitlab/gitlab-ci.yml.j2",
            family="pipelines",
            context=_context(sp, spec),
            service=sp.service.name,
        )
    ]


def _context(sp: ServicePipeline, spec: tuple[str, str] | None) -> dict[str, Any]:
    tools = sp.tools
    scans = _scan_jobs(sp)
    image = sp.image
    return {
        "p": sp,
        "registry_host": sp.pipeline.registry.split("/")[0],
        "images": {
            "trivy": tools.image("trivy"),
            "grype": tools.image("grype"),
            "gitleaks": tools.image("gitleaks"),
            "dind": tools.image("docker", suffix="-dind"),
        },
        "tools": {"cosign": tools.version("cosign")},
        "kube": {
            "kubectl": tools.version("kubectl"),
            "helm": tools.version("helm"),
            "argocd": tools.version("argocd"),
        },
        "archive": f"{sp.name}-release.tar.gz",
        "release_root": sp.source_path or ".",
        "package_url": "$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/generic/$SERVICE/"
        "$CI_COMMIT_TAG/$SERVICE-$CI_COMMIT_TAG.tar.gz",
        "commands": {
            "build": inert(sp.service.build_command),
            "test": inert(sp.service.test_command),
        },
        "rules": {
            "build": " || ".join(_branch_test(b) for b in sp.triggers.build_branches),
            "publish": _publish_rule(sp),
        },
        "check_jobs": _jobs(sp, "build", *scans),
        "sign_needs": _jobs(sp, "build-image", *(["image-scan"] if sp.gates.image_scan else [])),
        "promote_needs": _jobs(
            sp, "check-tag", *scans, *(["image-scan"] if sp.gates.image_scan else [])
        ),
        "release_needs": _jobs(
            sp,
            *(["promote"] if image else []),
            *(["build"] if sp.archive else []),
            "release-notes",
        ),
        "token_names": TOKEN_NAMES,
        "tag_pattern": inert(sp.tag.pattern),
        "stages": {stage.environment: _stage(sp, stage) for stage in sp.stages},
        "drift": _drift(sp, spec),
    }


def job(sp: ServicePipeline, name: str) -> str:
    """A job's name in the pipeline: prefixed with its service."""
    return f"{sp.name}:{name}"


def _jobs(sp: ServicePipeline, *names: str) -> list[str]:
    return [job(sp, name) for name in names]


def _scan_jobs(sp: ServicePipeline) -> list[str]:
    return [
        job
        for job, wanted in (
            ("secret-scan", sp.gates.secret_scan),
            ("dependency-scan", sp.gates.dependency_scan),
        )
        if wanted
    ]


def _branch_test(branch: Branch, variable: str = "$CI_COMMIT_BRANCH") -> str:
    if branch.prefix:
        return f"{variable} =~ /^{_regex(branch.name)}/"
    return f'{variable} == "{branch.name}"'


def _regex(text: str) -> str:
    return re.escape(text).replace("/", "\\/")


def _review_rule(branches: tuple[Branch, ...]) -> str:
    targets = " || ".join(_branch_test(b, "$CI_MERGE_REQUEST_TARGET_BRANCH_NAME") for b in branches)
    return (
        '$CI_PIPELINE_SOURCE == "merge_request_event" && '
        f"$CI_MERGE_REQUEST_SOURCE_PROJECT_ID == $CI_PROJECT_ID && ({targets})"
    )


def _publish_rule(sp: ServicePipeline) -> str:
    rules = ['$CI_PIPELINE_SOURCE == "push" && $CI_COMMIT_BRANCH']
    rules += [_review_rule(d.branches) for d in sp.triggers.deploys if d.pull_requests]
    return " || ".join(f"({rule})" if len(rules) > 1 else rule for rule in rules)


def _rules(sp: ServicePipeline, stage: Stage) -> list[dict[str, Any]]:
    manual = stage.approval is not None
    rules = [_rule(_manual_run(stage), True)]
    if sp.upstream is not None:
        # no releases of someone else's image: a pushed change of the pin upgrades the
        # environments before production; production is deployed from a manual pipeline
        if not stage.production:
            main = f'$CI_PIPELINE_SOURCE == "push" && {_branch_test(sp.triggers.main)}'
            rules.insert(0, _rule(main, manual, (f"{sp.folder}/**/*",)))
        return rules
    if stage.production:
        rules.insert(0, _rule("$CI_COMMIT_TAG", manual))
    for deploy in sp.triggers.deploys:
        if stage.type in deploy.types:
            branch = " || ".join(_branch_test(b) for b in deploy.branches)
            condition = (
                _review_rule(deploy.branches)
                if deploy.pull_requests
                else f'$CI_PIPELINE_SOURCE == "push" && ({branch})'
            )
            rules.insert(0, _rule(condition, manual))
    return rules


def _stage(sp: ServicePipeline, stage: Stage) -> dict[str, Any]:
    windows = "\n".join(f"{w.name} {w.start} {w.end}" for w in stage.freeze_windows)
    settings = [
        (key, inert(value)) for login in stage.secrets.logins for key, value in login.settings
    ]
    id_tokens = [(TOKEN_NAMES[login.provider], login.audience) for login in stage.secrets.logins]
    cluster = cluster_settings(stage)
    if cluster is not None and cluster["source"] != "kubeconfig":
        audience = dict(cluster["settings"]).pop("AUDIENCE")
        id_tokens.append(("CLUSTER_ID_TOKEN", audience))
        settings += [
            (_cluster_variable(key), value)
            for key, value in cluster["settings"]
            if key != "AUDIENCE"
        ]
    pipeline = sp.pipeline
    return {
        "needs": _needs(sp, stage),
        "rules": _rules(sp, stage),
        "releases_only": stage.production and sp.upstream is None,
        "tier": _TIERS[stage.type.value],
        "url": inert(stage.url),
        "freeze": windows,
        "login_settings": settings,
        "id_tokens": id_tokens,
        "cluster": cluster,
        "runner_tag": pipeline.deploy_runners.get(stage.environment) or pipeline.deploy_runner,
    }


def _cluster_variable(key: str) -> str:
    """GitLab's names of the cluster settings: they must not clash with a secret login's."""
    renamed = {
        "AWS_ROLE_ARN": "CLUSTER_ROLE_ARN",
        "GCP_WORKLOAD_IDENTITY_PROVIDER": "CLUSTER_WORKLOAD_IDENTITY_PROVIDER",
        "GCP_SERVICE_ACCOUNT": "CLUSTER_SERVICE_ACCOUNT",
    }
    return renamed.get(key, key)


def _rule(condition: str, manual: bool, changes: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"condition": condition, "manual": manual, "changes": changes}


def _manual_run(stage: Stage) -> str:
    return (
        '$CI_PIPELINE_SOURCE == "web" && '
        f"$DEPLOY_ENVIRONMENTS =~ /(^| ){_regex(stage.environment)}( |$)/"
    )


def _needs(sp: ServicePipeline, stage: Stage) -> list[dict[str, Any]]:
    jobs = ["build", *_scan_jobs(sp)] if sp.builds else []
    if sp.image:
        jobs += ["build-image", "image-scan", "sign", "promote"]
    if stage.production and sp.builds:
        jobs += ["check-tag", "release"]
    if stage.previous is not None:
        jobs.append(f"deploy-{stage.previous}")
    return [{"job": job(sp, name), "optional": True} for name in jobs]


def _drift(sp: ServicePipeline, spec: tuple[str, str] | None) -> dict[str, str] | None:
    if not sp.drift_check or spec is None:
        return None
    repository, label = spec
    return {"repository": repository, "spec": f".deployplan-spec/{label}", "version": __version__}
