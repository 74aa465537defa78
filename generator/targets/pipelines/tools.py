"""Actions and tool images at the versions ``automation.automation_tools`` pins.

A tool the spec does not list falls back to a built-in pin; ``validate`` warns where a
security policy runs it (:mod:`generator.spec.rules.pipelines`).
Actions are pinned to commit SHAs, with the tag in a comment; images to a digest when
the spec gives one.
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
}

# Tool -> (image repository, default version, whether the image tags start with "v").
TOOL_IMAGES = {
    "trivy": ("docker.io/aquasec/trivy", "0.57.1", False),
    "grype": ("docker.io/anchore/grype", "v0.84.0", True),
    "gitleaks": ("ghcr.io/gitleaks/gitleaks", "v8.21.2", True),
    # the -dev variant has a shell, which GitLab jobs need
    "cosign": ("gcr.io/projectsigstore/cosign", "v2.4.1", True),
    "docker": ("docker.io/library/docker", "27.3.1", False),
    "release-cli": ("registry.gitlab.com/gitlab-org/release-cli", "v0.19.0", True),
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
        return tool.version if tool is not None else TOOL_IMAGES[name][1]

    def image(self, name: str, suffix: str = "") -> ImagePin:
        """The tool's image, tagged with its version (``v`` as its registry spells it)."""
        repository, _, v_tags = TOOL_IMAGES[name]
        version = self.version(name)
        tag = "v" + version.removeprefix("v") if v_tags else version.removeprefix("v")
        tool = self._by_name.get(name)
        digest = f"@{tool.digest}" if tool is not None and tool.digest else ""
        return ImagePin(f"{repository}:{tag}{suffix}{digest}", version)
