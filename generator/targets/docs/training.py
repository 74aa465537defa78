"""Seed §10.1: training modules, hands-on exercises, certification, competency matrix."""

from __future__ import annotations

from typing import Any

from generator.locale import N_
from generator.spec.model.manuals import Exercise, TrainingModule
from generator.spec.model.types import duration_seconds
from generator.targets.docs.actions import shown_steps
from generator.targets.docs.site import Page, Site

TRAINING = N_("Training")
MODULES = N_("Training modules")
EXERCISES = N_("Hands-on exercises")


def pages(site: Site) -> list[Page]:
    """The curriculum, a page per module and exercise, certification and the matrix."""
    training = site.plan.training
    return [
        site.page("training/index.md", "training.md.j2", (TRAINING,), **curriculum(site)),
        *(
            site.page(
                f"training/modules/{m.name}.md",
                "module.md.j2",
                (TRAINING, MODULES),
                **module(site, m),
            )
            for m in training.training_modules
        ),
        *(
            site.page(
                f"training/exercises/{e.name}.md",
                "exercise.md.j2",
                (TRAINING, EXERCISES),
                **exercise(site, e),
            )
            for e in training.hands_on_exercises
        ),
        site.page(
            "training/certification.md", "certification.md.j2", (TRAINING,), **certification(site)
        ),
        site.page("training/competency.md", "competency.md.j2", (TRAINING,), **competency(site)),
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
    """A module, its exercises, and the roles whose certification requires it."""
    training = site.plan.training
    return {
        "module": m,
        "exercises": [e for e in training.hands_on_exercises if e.module == m.name],
        "required_for": [
            r.role for r in training.certification_requirements.roles if m.name in r.modules
        ],
        "titles": {x.name: x.title for x in training.training_modules},
    }


def exercise(site: Site, e: Exercise) -> dict[str, Any]:
    """An exercise with the environment it runs in."""
    modules = {m.name: m for m in site.plan.training.training_modules}
    return {
        "exercise": e,
        "steps": shown_steps(site.plan, e.steps),
        "module": modules.get(e.module),
        "env": site.plan.environments.get(e.environment),
        "required_for": [
            r.role
            for r in site.plan.training.certification_requirements.roles
            if e.name in r.exercises
        ],
    }


def certification(site: Site) -> dict[str, Any]:
    """Per role: modules and exercises to complete, renewal and assessor."""
    training = site.plan.training
    return {
        "requirements": training.certification_requirements,
        "modules": {m.name: m for m in training.training_modules},
        "exercises": {e.name: e for e in training.hands_on_exercises},
    }


def competency(site: Site) -> dict[str, Any]:
    """Role × module: required for certification, recommended (audience), or neither."""
    training = site.plan.training
    required = {r.role: set(r.modules) for r in training.certification_requirements.roles}
    modules = _ordered(training.training_modules)
    roles = sorted({*required, *(role for m in modules for role in m.audience)})
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
            }
            for role in roles
        ],
    }
