"""Seed §10.1: training modules, hands-on exercises, certification, competency matrix."""

from __future__ import annotations

from typing import Any

from generator.locale import N_
from generator.spec.model.manuals import Exercise, TrainingModule
from generator.spec.model.types import duration_seconds
from generator.targets.docs import lessons
from generator.targets.docs.actions import shown_steps
from generator.targets.docs.provenance import provenance
from generator.targets.docs.site import CERTIFICATION, COMPETENCY, Page, Site

TRAINING = N_("Training")
MODULES = N_("Training modules")
EXERCISES = N_("Hands-on exercises")
_TRAINING = ("training",)


def pages(site: Site) -> list[Page]:
    """The curriculum, a page per module and exercise, certification and the matrix."""
    training = site.plan.training
    requirements = provenance(site, [], (*_TRAINING, "certification_requirements"))
    return [
        site.page(
            "training/index.md",
            "training.md.j2",
            (TRAINING,),
            **curriculum(site),
            provenance=provenance(site, [], (*_TRAINING, "training_modules")),
        ),
        *(
            site.page(
                f"training/modules/{m.name}.md",
                "module.md.j2",
                (TRAINING, MODULES),
                **module(site, m),
                provenance=provenance(
                    site,
                    [],
                    (*_TRAINING, "training_modules", index),
                    *dict.fromkeys(lessons.SECTIONS[c] for c in m.concepts),
                ),
            )
            for index, m in enumerate(training.training_modules)
        ),
        *(
            site.page(
                f"training/exercises/{e.name}.md",
                "exercise.md.j2",
                (TRAINING, EXERCISES),
                **exercise(site, e),
                provenance=provenance(site, [], (*_TRAINING, "hands_on_exercises", index)),
            )
            for index, e in enumerate(training.hands_on_exercises)
        ),
        *(
            site.page(
                path,
                template,
                (TRAINING,),
                **values(site),
                provenance=requirements,
            )
            for path, template, values in (
                (CERTIFICATION, "certification.md.j2", certification),
                (COMPETENCY, "competency.md.j2", competency),
            )
            if site.writes(path)
        ),
    ]


def curriculum(site: Site) -> dict[str, Any]:
    """Modules in an order that respects prerequisites, and the total time per role."""
    modules = _ordered(site.plan.training.training_modules)
    roles = sorted({r for m in modules for r in m.audience})
    return {
        "modules": modules,
        "exercises": site.plan.training.hands_on_exercises,
        "hours": {
            role: _hours(sum(duration_seconds(m.duration) for m in modules if role in m.audience))
            for role in roles
        },
    }


def _ordered(modules: list[TrainingModule]) -> list[TrainingModule]:
    done: list[TrainingModule] = []
    names: set[str] = set()
    pending = list(modules)
    while pending:
        ready = [m for m in pending if set(m.prerequisites) <= names] or pending[:1]
        done.append(ready[0])
        names.add(ready[0].name)
        pending.remove(ready[0])
    return done


def _hours(seconds: float) -> str:
    hours = seconds / 3600
    return f"{hours:g}h"


def module(site: Site, m: TrainingModule) -> dict[str, Any]:
    """A module: its lessons, exercises, self-check, and the roles it certifies."""
    training = site.plan.training
    return {
        "module": m,
        "practice": lessons.practice_environment(site, m),
        "lessons": lessons.lessons(site, m),
        "questions": self_check(site, m),
        "exercises": _exercises_of(site, m),
        "required_for": [
            r.role for r in training.certification_requirements.roles if m.name in r.modules
        ],
        "titles": {x.name: x.title for x in training.training_modules},
    }


def self_check(site: Site, m: TrainingModule) -> list[dict[str, Any]]:
    """The module's questions: its lessons' (from the spec), then one per exercise."""
    return [
        *lessons.questions(site, m),
        *({"kind": "exercise_check", "exercise": e} for e in _exercises_of(site, m)),
    ]


def _exercises_of(site: Site, m: TrainingModule) -> list[Exercise]:
    return [e for e in site.plan.training.hands_on_exercises if e.module == m.name]


def exercise(site: Site, e: Exercise) -> dict[str, Any]:
    """An exercise with the environment it runs in."""
    modules = {m.name: m for m in site.plan.training.training_modules}
    return {
        "exercise": e,
        "steps": shown_steps(site.plan, e.steps),
        "cleanup": shown_steps(site.plan, e.cleanup),
        "module": modules.get(e.module),
        "env": site.plan.environments.get(e.environment),
        "required_for": [
            r.role
            for r in site.plan.training.certification_requirements.roles
            if e.name in r.exercises
        ],
    }


def certification(site: Site) -> dict[str, Any]:
    """Per role: the modules, exercises and self-checks to complete, renewal and assessor."""
    training = site.plan.training
    return {
        "requirements": training.certification_requirements,
        "modules": {m.name: m for m in training.training_modules},
        "exercises": {e.name: e for e in training.hands_on_exercises},
        "questions": {m.name: len(self_check(site, m)) for m in training.training_modules},
        "hours": _role_hours(site),
    }


def _role_hours(site: Site) -> dict[str, str]:
    """Per certified role, the time its required modules and exercises take."""
    training = site.plan.training
    modules = {m.name: m for m in training.training_modules}
    exercises = {e.name: e for e in training.hands_on_exercises}
    return {
        r.role: _hours(
            sum(duration_seconds(modules[n].duration) for n in r.modules if n in modules)
            + sum(_exercise_seconds(exercises.get(n)) for n in r.exercises)
        )
        for r in training.certification_requirements.roles
    }


def _exercise_seconds(e: Exercise | None) -> float:
    return duration_seconds(e.duration) if e is not None and e.duration else 0.0


def competency(site: Site) -> dict[str, Any]:
    """Role × module: required for certification, recommended (audience), or neither;
    per role what certification asks, per module what it teaches."""
    training = site.plan.training
    certified = {r.role: r for r in training.certification_requirements.roles}
    required = {role: set(r.modules) for role, r in certified.items()}
    modules = _ordered(training.training_modules)
    roles = sorted({*required, *(role for m in modules for role in m.audience)})
    hours = _role_hours(site)
    return {
        "modules": modules,
        "rows": [
            {
                "role": role,
                "cells": [
                    "required"
                    if m.name in required.get(role, set())
                    else ("recommended" if role in m.audience else "")
                    for m in modules
                ],
                "certification": certified.get(role),
                "hours": hours.get(role),
                "recommended": [
                    m
                    for m in modules
                    if role in m.audience and m.name not in required.get(role, set())
                ],
            }
            for role in roles
        ],
        "questions": {m.name: len(self_check(site, m)) for m in modules},
        "passing_score": training.certification_requirements.passing_score,
    }
