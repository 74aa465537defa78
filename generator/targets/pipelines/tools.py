"""Actions and tool images at the versions ``automation.automation_tools`` pins.

A tool the spec does not list falls back to a built-in pin; ``validate`` warns where a
security policy runs it (:mod:`generator.spec.rules.pipelines`).
Actions are pinned to commit SHAs, with the tag in a comment; images to a digest: the
spec's, else the built-in one of the default tag.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.spec.model.process import AutomationTool


@dataclass(frozen=True)
class ActionPin:
    """A GitHub action reference: ``uses`` is ``owner/repo@sha``, ``tag`` its version."""

    uses: str
    tag: str


@dataclass(frozen=True)
class ImagePin:
    """A tool's container image and the version of the tool inside."""

    image: str
    version: str


# Built-in pins: (tag, commit SHA) of each action the generated workflows use.
DEFAULT_ACTIONS = {
    "actions/checkout": ("v4.2.2", "11bd71901bbe5b1630ceea73d27597364c9af683"),
    "sigstore/cosign-installer": ("v3.7.0", "dc72c7d5c4d10cd6bcb8cf6e3fd625a9e5e537da"),
    "actions/upload-artifact": ("v4.4.3", "b4b15b8c7c6ac21ea08fcf65892d2ee8f75cf882"),
}

# Tool -> (image repository, default version, whether the image tags start with "v").
TOOL_IMAGES = {
    "trivy": ("docker.io/aquasec/trivy", "0.57.1", False),
    "grype": ("docker.io/anchore/grype", "v0.84.0", True),
    "gitleaks": ("ghcr.io/gitleaks/gitleaks", "v8.21.2", True),
    # the dind image carries the docker CLI too: GitLab builds run in it
    "docker": ("docker.io/library/docker", "27.3.1", False),
}
# Digests of the built-in tags above, so that a default image is pinned by content too.
DEFAULT_DIGESTS = {
    "docker.io/aquasec/trivy:0.57.1": (
        "sha256:5c59e08f980b5d4d503329773480fcea2c9bdad7e381d846fbf9f2ecb8050f6b"
    ),
    "ghcr.io/gitleaks/gitleaks:v8.21.2": (
        "sha256:0e99e8821643ea5b235718642b93bb32486af9c8162c8b8731f7cbdc951a7f46"
    ),
    "docker.io/library/docker:27.3.1-dind": (
        "sha256:25654f4044cf31ea6ca67707a767c2e7773a5266762aeba44e77307f2166ae2d"
    ),
}
# Command-line tools CI jobs download (checksum-verified) at these versions unless the
# spec pins them: cosign on GitLab, kubectl and helm in deploy jobs of a cluster, argocd in
# promotions that read Argo CD's Application status.
DEFAULT_VERSIONS = {
    "cosign": "v2.4.1",
    "kubectl": "v1.31.3",
    "helm": "v3.16.3",
    "argocd": "v2.13.2",
}


class Tools:
    """Look up pins by name, spec first."""

    def __init__(self, tools: list[AutomationTool]) -> None:
        self._by_name = {tool.name: tool for tool in tools}

    def pinned(self, name: str) -> bool:
        """Whether the spec pins ``name`` itself."""
        return name in self._by_name

    def action(self, name: str) -> ActionPin:
        """``uses:`` of an action: the spec's SHA, else its tag, else the built-in pin."""
        tool = self._by_name.get(name)
        if tool is None:
            tag, sha = DEFAULT_ACTIONS[name]
            return ActionPin(f"{name}@{sha}", tag)
        return ActionPin(f"{name}@{tool.sha or tool.version}", tool.version)

    def version(self, name: str) -> str:
        """The version of a tool, e.g. ``v2.4.1`` for cosign."""
        tool = self._by_name.get(name)
        if tool is not None:
            return tool.version
        return DEFAULT_VERSIONS.get(name) or TOOL_IMAGES[name][1]

    def image(self, name: str, suffix: str = "") -> ImagePin:
        """The tool's image, tagged with its version (``v`` as its registry spells it)."""
        repository, _, v_tags = TOOL_IMAGES[name]
        version = self.version(name)
        tag = "v" + version.removeprefix("v") if v_tags else version.removeprefix("v")
        reference = f"{repository}:{tag}{suffix}"
        tool = self._by_name.get(name)
        # the built-in digest is that of the built-in tag: it applies when the spec pins
        # the same version without a digest of its own
        digest = (tool.digest if tool is not None else None) or DEFAULT_DIGESTS.get(reference)
        return ImagePin(f"{reference}@{digest}" if digest else reference, version)
