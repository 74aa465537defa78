"""Helm targets delivered through GitOps: the controller installs the chart, the GitOps
repository holds its values.

A promotion writes the service's folder: ``values.yaml`` (the values deploy/<env>/ holds),
``release.yaml`` (``image.tag`` and ``image.digest`` of the promoted image) and
``companions/`` (NetworkPolicy, ConfigMap, ExternalSecret beside the chart). Argo CD's
Application takes the chart from its OCI registry and both values files from the folder
(a ``$values`` source); for Flux the folder is a Kustomization of an ``OCIRepository``, a
``HelmRelease`` and a ConfigMap of the two values files, whose hashed name changes the
HelmRelease, so a new digest upgrades the release.
"""

from __future__ import annotations

from typing import Any

from generator.spec.model import Service
from generator.spec.model.gitops import GitOps
from generator.spec.model.project import Engine

OCI = "oci://"
HELM_API = "helm.toolkit.fluxcd.io/v2"
SOURCE_API = "source.toolkit.fluxcd.io/v1"
#: The layer of an OCI artifact that holds a Helm chart.
CHART_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
VALUE_FILES = ("values.yaml", "release.yaml")
COMPANIONS = "companions"


def delivered(service: Service, env: str) -> bool:
    """Whether ``service`` is a Helm release in ``env`` (its chart installed by the
    controller when it is delivered through GitOps)."""
    return service.targets[env].engine is Engine.HELM


def chart(service: Service, env: str) -> tuple[str, str]:
    """``oci://HOST/PATH/NAME`` as (``oci://HOST/PATH``, ``NAME``)."""
    reference = service.targets[env].chart or ""
    repository, _, name = reference.rpartition("/")
    return repository, name


def release(service: Service, env: str) -> str:
    """The Helm release's name."""
    return service.targets[env].release or service.name


def argocd_sources(
    gitops: GitOps, service: Service, env: str, companions: bool
) -> list[dict[str, Any]]:
    """The chart from its registry with the folder's two values files, and the companions."""
    repository, name = chart(service, env)
    folder = gitops.path(env, service.name)
    sources: list[dict[str, Any]] = [
        {
            # Argo CD names an OCI Helm registry without its scheme
            "repoURL": repository.removeprefix(OCI),
            "chart": name,
            "targetRevision": service.targets[env].chart_version,
            "helm": {
                "releaseName": release(service, env),
                "valueFiles": [f"$values/{folder}/{file}" for file in VALUE_FILES],
            },
        },
        {"repoURL": gitops.repository, "targetRevision": gitops.branch, "ref": "values"},
    ]
    if companions:
        sources.append(
            {
                "repoURL": gitops.repository,
                "targetRevision": gitops.branch,
                "path": f"{folder}/{COMPANIONS}",
            }
        )
    return sources


def chart_repository(service: Service, env: str) -> str:
    """The registry Argo CD pulls the chart from, as its AppProject admits it."""
    return chart(service, env)[0].removeprefix(OCI)


def flux_folder(
    service: Service, env: str, interval: str, companions: bool
) -> dict[str, dict[str, Any]]:
    """What the promotion copies into the service's folder for Flux, file name -> data;
    ``interval`` is how often Flux checks the chart and the release."""
    values = f"{service.name}-values"
    repository, name = chart(service, env)
    source = {
        "apiVersion": SOURCE_API,
        "kind": "OCIRepository",
        "metadata": {"name": f"{service.name}-chart"},
        "spec": {
            "interval": interval,
            "url": f"{repository}/{name}",
            "ref": {"tag": service.targets[env].chart_version},
            "layerSelector": {"mediaType": CHART_LAYER, "operation": "copy"},
        },
    }
    helm_release = {
        "apiVersion": HELM_API,
        "kind": "HelmRelease",
        "metadata": {"name": release(service, env)},
        "spec": {
            "interval": interval,
            "releaseName": release(service, env),
            "chartRef": {"kind": "OCIRepository", "name": f"{service.name}-chart"},
            "valuesFrom": [
                {"kind": "ConfigMap", "name": values, "valuesKey": file} for file in VALUE_FILES
            ],
            # as helm --atomic: a failed upgrade is rolled back
            "install": {"remediation": {"retries": 3}},
            "upgrade": {"remediation": {"retries": 3, "remediateLastFailure": True}},
        },
    }
    kustomization = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": [
            "ocirepository.yaml",
            "helmrelease.yaml",
            *([COMPANIONS] if companions else []),
        ],
        "configMapGenerator": [{"name": values, "files": list(VALUE_FILES)}],
        "configurations": ["kustomizeconfig.yaml"],
    }
    # the ConfigMap's hashed name reaches the HelmRelease, which then upgrades
    names = {
        "nameReference": [
            {
                "kind": "ConfigMap",
                "version": "v1",
                "fieldSpecs": [{"path": "spec/valuesFrom/name", "kind": "HelmRelease"}],
            }
        ]
    }
    return {
        "kustomization.yaml": kustomization,
        "kustomizeconfig.yaml": names,
        "ocirepository.yaml": source,
        "helmrelease.yaml": helm_release,
    }
