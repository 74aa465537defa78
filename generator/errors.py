"""The exception root. The CLI turns these into exit codes in one place; none of them print."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generator.diagnostics import Diagnostic

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3


class DeployplanError(Exception):
    """Base of every error deployplan raises on purpose."""

    exit_code = EXIT_FAILED


class SpecInvalid(DeployplanError):
    """The spec has problems; ``diagnostics`` holds every one of them."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) in the spec")
        self.diagnostics = list(diagnostics)


class OutputConflict(DeployplanError):
    """Writing would overwrite or delete something deployplan must not touch."""


class TemplateProblem(DeployplanError):
    """A template is missing or fails to render (a bug in a template, not in the spec)."""


class UsageProblem(DeployplanError):
    """The command line asks for something impossible (bad filter, missing file)."""

    exit_code = EXIT_USAGE
