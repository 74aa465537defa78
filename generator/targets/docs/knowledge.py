"""Seed §10.2: knowledge base, best practices, lessons learned, and a tag index.

A page is planned only when the spec has something for it. Articles, practices and reviews
that share a tag are listed under one another, so a reader who lands on one finds the rest.
"""

from __future__ import annotations

from typing import Any

from generator.locale import N_
from generator.spec.model.manuals import LessonLearned
from generator.targets.docs.provenance import provenance
from generator.targets.docs.site import Page, Site

KNOWLEDGE = N_("Knowledge")


def pages(site: Site) -> list[Page]:
    """Articles, best practices, post-incident reviews, tags: those the spec has."""
    kt = site.plan.knowledge_transfer
    owner = [site.plan.project.owner]
    section = (KNOWLEDGE,)
    present = {
        "articles": bool(kt.knowledge_base.articles),
        "practices": bool(kt.best_practices),
        "lessons": bool(kt.lessons_learned),
    }
    found = []
    if present["articles"]:
        found.append(
            site.page(
                "knowledge/articles.md",
                "articles.md.j2",
                section,
                base=kt.knowledge_base,
                related=[
                    _related(site, set(a.tags), f"articles.md#article-{n}")
                    for n, a in enumerate(kt.knowledge_base.articles, 1)
                ],
                present=present,
                provenance=provenance(site, owner, ("knowledge_transfer", "knowledge_base")),
            )
        )
    if present["practices"]:
        found.append(
            site.page(
                "knowledge/best-practices.md",
                "practices.md.j2",
                section,
                areas=_practices(site),
                provenance=provenance(site, owner, ("knowledge_transfer", "best_practices")),
            )
        )
    if present["lessons"]:
        found.append(_lessons_page(site, section))
    tags = tag_index(site)
    if tags:
        found.append(
            site.page(
                "knowledge/tags.md",
                "tags.md.j2",
                section,
                tags=tags,
                provenance=provenance(site, owner, ("knowledge_transfer",)),
            )
        )
    return found


def _practices(site: Site) -> dict[str, list[tuple[int, Any, list[tuple[str, str]]]]]:
    areas: dict[str, list[tuple[int, Any, list[tuple[str, str]]]]] = {}
    for n, practice in enumerate(site.plan.knowledge_transfer.best_practices, 1):
        related = _related(site, set(practice.tags), f"best-practices.md#practice-{n}")
        areas.setdefault(practice.area, []).append((n, practice, related))
    return areas


def _lessons_page(site: Site, section: tuple[str, ...]) -> Page:
    kt = site.plan.knowledge_transfer
    lessons = newest_first(kt.lessons_learned)
    items = [item for lesson in lessons for item in lesson.action_items]
    manuals = {m.service: m.name for m in site.plan.operational_documentation.operation_manuals}
    return site.page(
        "knowledge/lessons-learned.md",
        "lessons.md.j2",
        section,
        lessons=lessons,
        related=[
            _related(site, set(lesson.tags), f"lessons-learned.md#review-{n}")
            for n, lesson in enumerate(lessons, 1)
        ],
        manuals=manuals,
        action_items={
            "total": len(items),
            "open": sum(1 for item in items if item.status != "done"),
        },
        teams=site.teams,
        provenance=provenance(
            site,
            [item.owner for item in items] or [site.plan.project.owner],
            ("knowledge_transfer", "lessons_learned"),
        ),
    )


def newest_first(lessons: list[LessonLearned]) -> list[LessonLearned]:
    """Reviews in the order the page shows them (and numbers their anchors)."""
    return sorted(lessons, key=lambda lesson: lesson.date, reverse=True)


def _related(site: Site, tags: set[str], itself: str) -> list[tuple[str, str]]:
    """Reviews, practices and articles sharing a tag with an entry: (title, link)."""
    return [(title, link) for title, link, own in _entries(site) if tags & own and link != itself]


def _entries(site: Site) -> list[tuple[str, str, set[str]]]:
    kt = site.plan.knowledge_transfer
    return [
        *(
            (
                f"{lesson.title} ({lesson.date.isoformat()})",
                f"lessons-learned.md#review-{n}",
                set(lesson.tags),
            )
            for n, lesson in enumerate(newest_first(kt.lessons_learned), 1)
        ),
        *(
            (p.title, f"best-practices.md#practice-{n}", set(p.tags))
            for n, p in enumerate(kt.best_practices, 1)
        ),
        *(
            (a.title, f"articles.md#article-{n}", set(a.tags))
            for n, a in enumerate(kt.knowledge_base.articles, 1)
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
    for n, lesson in enumerate(newest_first(kt.lessons_learned), 1):
        for tag in lesson.tags:
            index.setdefault(tag, []).append((lesson.title, f"lessons-learned.md#review-{n}"))
    return dict(sorted(index.items()))
