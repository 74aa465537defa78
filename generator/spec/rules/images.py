"""Image references a version is appended to: `image` names the repository only.

CI tags each image it builds ``IMAGE:sha-COMMIT`` and each release ``IMAGE:VERSION``, and
the container engines deploy ``IMAGE:VERSION`` (kubernetes: the base's tag or kustomize's
``newTag``; helm: ``image.tag``; compose: ``$IMAGE:$VERSION``), with the upstream's version
for an upstream image. A tag or digest written into ``image`` lands in the middle of that
reference: ``redis:7.4:7.4.1``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.diagnostics import Diagnostic
from generator.spec.model import DeploymentPlan
from generator.spec.model.project import Engine, Service
from generator.spec.rules.context import RuleContext

#: Engines that run ``image`` itself, tagged with the version they deploy.
CONTAINER_ENGINES = frozenset({Engine.KUBERNETES, Engine.HELM, Engine.COMPOSE})


@dataclass(frozen=True)
class ImageReference:
    """An image reference split into its parts."""

    repository: str
    tag: str | None
    digest: str | None

    def shown(self) -> str:
        """The reference as written, the digest's hex cut short."""
        tag = f":{self.tag}" if self.tag else ""
        return self.repository + tag + ("@sha256:…" if self.digest else "")


def parse_image(image: str) -> ImageReference:
    """Split ``image`` at its digest and tag: a tag follows the last ``:`` after the last
    ``/``; a ``:`` before it is a registry's port (``registry.example.com:5000/app``)."""
    name, _, digest = image.partition("@")
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        return ImageReference(name[:colon], name[colon + 1 :], digest or None)
    return ImageReference(name, None, digest or None)


def version_appended(plan: DeploymentPlan, service: Service) -> bool:
    """Whether a version is appended to the service's image: a container engine deploys
    it, or CI builds it (a service neither upstream nor only managed, with CI at all)."""
    targets = service.targets.values()
    managed_only = all(t.engine is Engine.MANAGED for t in targets)
    built = service.upstream is None and not managed_only and plan.automation is not None
    return built or any(t.engine in CONTAINER_ENGINES for t in targets)


def image_repositories(ctx: RuleContext) -> Iterator[Diagnostic]:
    """An image a version is appended to holds no tag or digest of its own."""
    for index, service in enumerate(ctx.plan.services):
        if service.image is None or not version_appended(ctx.plan, service):
            continue
        reference = parse_image(service.image)
        if reference.tag is None and reference.digest is None:
            continue
        yield ctx.at(
            ("services", index, "image"),
            "image-repository",
            _message(service, reference),
            _hint(service, reference),
        )


def _message(service: Service, reference: ImageReference) -> str:
    parts = [f"the tag `{reference.tag}`"] if reference.tag else []
    parts += ["a digest"] if reference.digest else []
    if service.upstream is None:
        appended, version = "each release's version is appended to it", "VERSION"
    else:
        appended, version = "deploys append `upstream.version` to it", service.upstream.version
    return (
        f"`image` `{reference.shown()}` holds {' and '.join(parts)}, and {appended}: "
        f"`{reference.shown()}:{version}`"
    )


def _hint(service: Service, reference: ImageReference) -> str:
    repository = f"write the repository only (`{reference.repository}`)"
    upstream = service.upstream
    if upstream is None:
        digest = ", and `--version TAG@sha256:DIGEST` pins a digest" if reference.digest else ""
        return f"{repository}: each release's version becomes its tag{digest}"
    pins = []
    if reference.tag and reference.tag != upstream.version:
        pins.append(f"the version in `upstream.version: {reference.tag}`")
    if reference.digest and reference.digest != upstream.digest:
        pins.append(f"the digest in `upstream.digest: {reference.digest}`")
    if not pins:
        return f"{repository}: `upstream` pins the same release already"
    return f"{repository} and put {' and '.join(pins)}"
