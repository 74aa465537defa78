"""Seed §10.2: knowledge base, best practices, lessons learned, and a tag index."""

from __future__ import annotations

from typing import Any

from generator.locale import N_
from generator.targets.docs.provenance import provenance
from generator.targets.docs.site import Page, Site

KNOWLEDGE = N_("Knowledge")


def pages(site: Site) -> list[Page]:
    """Articles, best practices, post-incident reviews, tags."""
    kt = site.plan.knowledge_transfer
    practices: dict[str, list[tuple[int, Any, list[tuple[str, str]]]]] = {}
    for n, practice in enumerate(kt.best_practices, 1):
        related = _related(site, set(practice.tags))
        practices.setdefault(practice.area, []).append((n, practice, related))
    section = (KNOWLEDGE,)
    owner = [site.plan.project.owner]
    return [
        site.page(
            "knowledge/articles.md",
            "articles.md.j2",
            section,
            base=kt.knowledge_base,
            provenance=provenance(site, owner, ("knowledge_transfer", "knowledge_base")),
        ),
        site.page(
            "knowledge/best-practices.md",
            "practices.md.j2",
            section,
            areas=practices,
            provenance=provenance(site, owner, ("knowledge_transfer", "best_practices")),
        ),
        site.page(
            "knowledge/lessons-learned.md",
            "lessons.md.j2",
            section,
            lessons=sorted(kt.lessons_learned, key=lambda lesson: lesson.date, reverse=True),
            teams=site.teams,
            provenance=provenance(
                site,
                [item.owner for lesson in kt.lessons_learned for item in lesson.action_items]
                or owner,
                ("knowledge_transfer", "lessons_learned"),
            ),
        ),
        site.page(
            "knowledge/tags.md",
            "tags.md.j2",
            section,
            tags=tag_index(site),
            provenance=provenance(site, owner, ("knowledge_transfer",)),
        ),
    ]


def _related(site: Site, tags: set[str]) -> list[tuple[str, str]]:
    """Reviews and articles sharing a tag with a practice: (title, link), reviews first."""
    kt = site.plan.knowledge_transfer
    by_date = sorted(kt.lessons_learned, key=lambda lesson: lesson.date, reverse=True)
    return [
        *(
            (f"{lesson.title} ({lesson.date.isoformat()})", f"lessons-learned.md#review-{n}")
            for n, lesson in enumerate(by_date, 1)
            if tags & set(lesson.tags)
        ),
        *(
            (article.title, f"articles.md#article-{n}")
            for n, article in enumerate(kt.knowledge_base.articles, 1)
            if tags & set(article.tags)
        ),
    ]


def tag_index(site: Site) -> dict[str, list[tuple[str, str]]]:
    """Tag -> (title, link) of every article, practice and review carrying it."""
    kt = site.plan.knowledge_transfer
    index: dict[str, list[tuple[str, str]]] = {}
    for n, article in enumerate(kt.knowledge_base.articles, 1):
        for tag in article.tags:
            index.setdefault(tag, []).append((article.title, f"articles.md#article-{n}"))
    for n, practice in enumerate(kt.best_practices, 1):
        for tag in practice.tags:
            index.setdefault(tag, []).append((practice.title, f"best-practices.md#practice-{n}"))
    by_date = sorted(kt.lessons_learned, key=lambda lesson: lesson.date, reverse=True)
    for n, lesson in enumerate(by_date, 1):
        for tag in lesson.tags:
            index.setdefault(tag, []).append((lesson.title, f"lessons-learned.md#review-{n}"))
    return dict(sorted(index.items()))
