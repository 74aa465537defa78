"""The generated files a check can cite: families planned and rendered on first use.

A check that shows its claim is *enforced* names the generated file and line carrying it.
:class:`RenderedArtifacts` plans and renders only the families asked for, once each per
run, sharing the plans of the run's :class:`~generator.targets.context.PlanContext`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from generator.artifact import RenderedFile

if TYPE_CHECKING:
    from generator.targets.context import PlanContext


@dataclass(frozen=True)
class FoundLine:
    """A line of a generated file: ``output/…`` path, 1-based number, text."""

    file: str
    line: int
    text: str
    environment: str | None
    service: str | None


class ArtifactSource(Protocol):
    """What checks look generated content up in."""

    def find(
        self, family: str, pattern: str, *, environment: str | None = None, name: str = ""
    ) -> list[FoundLine]: ...


class RenderedArtifacts:
    """The rendered files of the families checks ask for, rendered once per run."""

    def __init__(self, context: PlanContext, template_dirs: Sequence[Path] | None = None) -> None:
        self.context = context
        self.template_dirs = template_dirs
        self._rendered: dict[str, list[RenderedFile]] = {}

    def files(self, family: str) -> list[RenderedFile]:
        """Every file ``family`` renders for the plan."""
        if family not in self._rendered:
            from generator.commands.generate import template_dirs
            from generator.render import render
            from generator.targets import plan_family

            # as `generate` renders by default: ./templates first, then the built-in ones
            dirs = self.template_dirs or template_dirs(None)
            artifacts = plan_family(family, self.context)
            self._rendered[family] = render(
                artifacts, template_dirs=dirs, spec_label=self.context.spec_label
            )
        return self._rendered[family]

    def find(
        self, family: str, pattern: str, *, environment: str | None = None, name: str = ""
    ) -> list[FoundLine]:
        """Lines matching ``pattern`` in ``family``'s files of ``environment`` whose path
        matches ``name`` (a regular expression searched in the path)."""
        regex = re.compile(pattern)
        found = []
        for file in self.files(family):
            if environment is not None and file.environment != environment:
                continue
            if name and not re.search(name, str(file.path)):
                continue
            text = file.content.decode("utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                if regex.search(line):
                    shown = f"{file.root.value}/{file.path}"
                    found.append(
                        FoundLine(shown, number, line.strip(), file.environment, file.service)
                    )
        return found


class NoArtifacts:
    """No generated files: every claim stays ``declared`` (for audits of the spec alone)."""

    def find(self, *_: object, **__: object) -> list[FoundLine]:
        return []
