"""The render floor: a bare Jinja2 render of the same templates and contexts.

Run as a fresh process on a pickle of the planned artifacts, so that the floor pays the
interpreter start and Jinja2 import that ``deployplan generate`` pays too.
"""

from __future__ import annotations

import pickle
import sys
from pathlib import Path
from typing import Any

import jinja2


def main(pickled: Path, templates: Path) -> None:
    saved: dict[str, Any] = pickle.loads(pickled.read_bytes())
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n", "jinja2.ext.loopcontrols", "jinja2.ext.do"],
    )
    # Untranslated and unescaped: the templates' own work, nothing of deployplan's.
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    # The same filter names must exist for the templates to compile; bare ones do nothing.
    for name in saved["filters"]:
        env.filters[name] = _identity
    # a stand-in may hand a list on to `indent` where the real filter made it text
    indent = env.filters["indent"]
    env.filters["indent"] = lambda value, *args, **kwargs: indent(str(value), *args, **kwargs)
    total = 0
    for template, context in saved["jobs"]:
        total += len(env.get_template(template).render(context))
    print(total)


def _identity(value: Any, *args: Any, **kwargs: Any) -> Any:
    del args, kwargs
    return value


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
