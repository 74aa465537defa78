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
from generator.targets.docs.operations import INCIDENTS
from generator.targets.docs.site import FAMILY, Page, Site

SITE_DATA = ".deployplan-site.json"
# Where other families' folders sit in the navigation; the longest matching folder wins.
# Alerts and disaster recovery belong with incident response and escalation.
FOLDER_SECTIONS: dict[str, tuple[str, ...]] = {
    "compliance": (N_("Compliance"),),
    "operations": (INCIDENTS,),
    "operations/disaster-recovery": (INCIDENTS, N_("Disaster recovery")),
}
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
    """Pages other families write into the docs folder, under a section per folder,
    each folder's ``index.md`` first."""
    found = []
    for artifact in sorted(
        (a for a in site.planned if a.root is Root.DOCS and a.family != FAMILY),
        key=lambda a: (str(a.path.parent), a.path.name != "index.md", a.path.name),
    ):
        found.append(Page(artifact, _section(artifact.path)))
    return found


def _section(path: PurePosixPath) -> tuple[str, ...]:
    folders = [str(parent) for parent in path.parents if str(parent) != "."]
    if not folders:
        return (N_("Overview"),)
    known = next((f for f in folders if f in FOLDER_SECTIONS), None)
    return FOLDER_SECTIONS[known] if known else (path.parts[0],)


def site_data(site: Site, nav: Nav, files: list[str]) -> Artifact:
    """``.deployplan-site.json``: the language, the site's name, the navigation, the
    browsable files."""
    data = {"language": site.language, "title": site.title, "nav": nav, "files": files}
    return Artifact(
        root=Root.DOCS,
        path=PurePosixPath(SITE_DATA),
        template="docs/site.json.j2",
        family=FAMILY,
        context={"data": json.dumps(data, indent=2, ensure_ascii=False)},
    )
