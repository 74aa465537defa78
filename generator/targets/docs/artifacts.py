"""The generated-artifact browser: every file under ``output/``, grouped, with a download.

The list comes from planning every other family at generate time, so it grows as families
are added. The pages hold only the list; the MkDocs plugin fills in each file's highlighted
content and copies the file for download when the site is built, from ``output/`` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.artifact import Artifact
from generator.locale import N_
from generator.targets.docs.site import Page, Site

FILES = N_("Generated files")
PLACEHOLDER_CLASS = "deployplan-artifact"


@dataclass(frozen=True)
class Group:
    """Files shown on one page: a service's, or one top-level folder's."""

    key: str
    page: str
    service: str | None
    files: list[Artifact]


def groups(site: Site) -> list[Group]:
    """Service groups in deploy order, then folders alphabetically."""
    outputs = sorted(site.outputs(), key=lambda a: str(a.path))
    by_service: dict[str, list[Artifact]] = {name: [] for name in site.service_order}
    folders: dict[str, list[Artifact]] = {}
    for artifact in outputs:
        if artifact.service in by_service:
            by_service[artifact.service].append(artifact)
        if artifact.service is None:
            folders.setdefault(artifact.path.parts[0], []).append(artifact)
    found = [
        Group(name, f"artifacts/services/{name}.md", name, files)
        for name, files in by_service.items()
        if files
    ]
    found += [
        Group(folder, f"artifacts/{folder}.md", None, files)
        for folder, files in sorted(folders.items())
    ]
    return found


def pages(site: Site) -> list[Page]:
    """The browser's index and one page per group."""
    found = groups(site)
    listed = [
        site.page(
            g.page,
            "artifact-group.md.j2",
            (FILES,),
            group=g,
            files=[_file(a) for a in g.files],
            placeholder=PLACEHOLDER_CLASS,
        )
        for g in found
    ]
    index = site.page(
        "artifacts/index.md",
        "artifacts.md.j2",
        (FILES,),
        groups=found,
        total=sum(len(g.files) for g in found),
    )
    return [index, *listed]


def _file(artifact: Artifact) -> dict[str, Any]:
    return {
        "path": str(artifact.path),
        "family": artifact.family,
        "environment": artifact.environment,
        "executable": artifact.executable,
    }


def files(site: Site) -> list[str]:
    """Every file the browser shows, for the plugin to highlight and copy."""
    return sorted(str(a.path) for a in site.outputs())
