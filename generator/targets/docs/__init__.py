"""The ``docs`` family: the manual site generated into the MkDocs docs_dir.

Each module plans one group of pages; :func:`plan` puts them in navigation order and adds
the navigation data the MkDocs plugin reads.
"""

from __future__ import annotations

from generator.artifact import Artifact
from generator.targets.context import PlanContext
from generator.targets.docs import (
    artifacts,
    backups,
    knowledge,
    manuals,
    navigation,
    operations,
    overview,
    reference,
    runbooks,
    traceability,
    training,
)
from generator.targets.docs.site import FAMILY, Page, Site


def plan(context: PlanContext) -> list[Artifact]:
    """Every manual page, in navigation order, and the site data."""
    site = Site(context, tuple(_other_families(context)))
    pages = [
        *overview.pages(site),
        *backups.pages(site),
        *manuals.pages(site),
        *operations.pages(site),
        *runbooks.pages(site),
        *training.pages(site),
        *knowledge.pages(site),
        *navigation.foreign_pages(site),
        *artifacts.pages(site),
    ]
    found = reference.pages(site)
    listed = [str(p.artifact.path) for p in [*pages, *found]]
    pages += [found[0], traceability.page(site, listed), found[1]]
    nav = navigation.navigation(site, _ordered(pages))
    own = [p.artifact for p in pages if p.artifact.family == FAMILY]
    return [*own, navigation.site_data(site, nav, artifacts.files(site))]


def _ordered(pages: list[Page]) -> list[Page]:
    # the environment matrix is planned with the reference pages but shown in the overview
    overview_pages = [p for p in pages if p.section[:1] == (overview.OVERVIEW,)]
    return [
        *pages[:1],
        *overview_pages,
        *(p for p in pages[1:] if p.section[:1] != (overview.OVERVIEW,)),
    ]


def _other_families(context: PlanContext) -> list[Artifact]:
    """What every other family generates, for the file browser, the navigation and the
    traceability page."""
    from generator.targets import FAMILIES, plan_family

    return [a for name in sorted(FAMILIES) if name != FAMILY for a in plan_family(name, context)]
