"""Template problems, collected across all artifacts and reported at once."""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

import jinja2

from generator.artifact import Artifact
from generator.errors import TemplateProblem


class Problems:
    """Template problems, one line each, with the artifacts that ran into them."""

    def __init__(self, template_dirs: Sequence[Path]) -> None:
        self._dirs = [Path(d) for d in template_dirs]
        self._artifacts: dict[str, list[PurePosixPath]] = {}

    def line(self, exc: Exception, artifact: Artifact) -> str:
        """The report of ``exc`` (where in which template, what) for :meth:`add`."""
        return f"{self._where(exc, artifact.template)}: error: {self._message(exc)}"

    def add(self, line: str, artifact: Artifact) -> None:
        """Note that ``artifact`` ran into the problem :meth:`line` described."""
        self._artifacts.setdefault(line, []).append(artifact.path)

    def raise_if_any(self) -> None:
        """Raise every problem noted as one TemplateProblem, if there is any."""
        if not self._artifacts:
            return
        lines = []
        for line, paths in self._artifacts.items():
            more = f" and {len(paths) - 1} more" if len(paths) > 1 else ""
            lines.append(f"{line} (rendering {paths[0]}{more})")
        raise TemplateProblem("\n".join(lines))

    def _where(self, exc: Exception, template: str) -> str:
        if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
            return f"{_display(exc.filename)}:{exc.lineno}"
        # Jinja rewrites tracebacks so template frames carry the template file and line
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if self._is_template(frame.filename):
                return f"{_display(frame.filename)}:{frame.lineno}"
        return template

    def _is_template(self, filename: str) -> bool:
        path = Path(filename).resolve()
        return any(path.is_relative_to(d.resolve()) for d in self._dirs)

    def _message(self, exc: Exception) -> str:
        if type(exc) is jinja2.TemplateNotFound:
            searched = ", ".join(_display(d) for d in self._dirs)
            return f"template {exc.name!r} not found in {searched}"
        if isinstance(exc, jinja2.exceptions.SecurityError):
            return f"blocked by the template sandbox: {exc.message}"
        if isinstance(exc, jinja2.TemplateError):
            return exc.message or type(exc).__name__
        if isinstance(exc, TemplateProblem):
            return str(exc)
        return f"{type(exc).__name__}: {exc}"


def _display(path: str | Path) -> str:
    """``path`` relative to the working directory when inside it: shorter messages."""
    absolute = Path(path).absolute()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)
