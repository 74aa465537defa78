"""The site's navigation and settings, written for the MkDocs plugin to read.

``mkdocs.yml`` belongs to the user; the generated navigation reaches MkDocs through
``site_docs/.deployplan-site.json``, which ``generator/mkdocs_plugin.py`` reads.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from generator.artifact import Artifact, Root
from generator.locale import N_
from generator.targets.docs.site import FAMILY, Page, Site

SITE_DATA = ".deployplan-site.json"
FOLDER_TITLES = {"compliance": N_("Compliance")}
HOME = N_("Home")

Nav = list[Any]


def navigation(site: Site, pages: list[Page]) -> Nav:
    """Nested MkDocs ``nav``: pages under translated section titles, in order."""
    nav: Nav = []
    for page in pages:
        path = str(page.artifact.path)
        if path == "index.md":
            nav.append({site.gettext(HOME): path})
            continue
        _insert(nav, [site.gettext(title) for title in page.section], path)
    return nav


def _insert(nav: Nav, titles: list[str], path: str) -> None:
    for title in titles:
        section = next((e for e in nav if isinstance(e, dict) and title in e), None)
        if section is None:
            section = {title: []}
            nav.append(section)
        nav = section[title]
    nav.append(path)


def foreign_pages(site: Site) -> list[Page]:
    """Pages other families write into the docs folder, under a section per folder."""
    found = []
    for artifact in sorted(
        (a for a in site.planned if a.root is Root.DOCS and a.family != FAMILY),
        key=lambda a: str(a.path),
    ):
        parts = artifact.path.parts
        title = FOLDER_TITLES.get(parts[0], parts[0]) if len(parts) > 1 else N_("Overview")
        found.append(Page(artifact, (title,)))
    return found


def site_data(site: Site, nav: Nav, files: list[str]) -> Artifact:
    """``.deployplan-site.json``: the language, the navigation, the browsable files."""
    data = {"language": site.language, "nav": nav, "files": files}
    return Artifact(
        root=Root.DOCS,
        path=PurePosixPath(SITE_DATA),
        template="docs/site.json.j2",
        family=FAMILY,
        context={"data": json.dumps(data, indent=2, ensure_ascii=False)},
    )
