"""Where deployplan's own files are, importable without Jinja2 or pydantic."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def builtin_templates_dir() -> Path:
    """The built-in templates: inside an installed wheel, or the repository's ``templates/``."""
    packaged = _PACKAGE / "_templates"
    return packaged if packaged.is_dir() else _PACKAGE.parent / "templates"
