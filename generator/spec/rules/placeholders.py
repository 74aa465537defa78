"""``{name}`` placeholders in URLs and commands: only the ones the generator replaces.

A placeholder the generator does not know would reach a script or a probe literally
(``http://{host}:8000/healthz`` is then a request to a host named ``{host}``), so an
unknown one is an error that lists what the field accepts. ``${VAR}`` is the shell's and
``{a,b}`` brace expansion; neither is a placeholder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from generator.diagnostics import Diagnostic
from generator.spec.positions import Path
from generator.spec.rules.context import RuleContext

PLACEHOLDER = re.compile(r"(?<![$\\{])\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")

#: Placeholders replaced in a field, by the field's key: name -> what it stands for.
#: Keys not listed replace none.
KNOWN: Mapping[str, Mapping[str, str]] = {
    # deployment_flow.validation_points[].check.url (generator/targets/deploy/flow.py, vm.py)
    "url": {
        "host": "each host the service is probed at in the environment",
        "port": "the service's port in the environment",
    },
}


def is_url_or_command(key: str, value: str) -> bool:
    """Fields whose text is run or fetched: commands and URLs."""
    return (
        key in ("url", "command")
        or key.endswith(("_url", "_command"))
        or value.startswith(("http://", "https://"))
    )


def known_placeholders(key: str) -> Mapping[str, str]:
    """What ``{…}`` may name in the field ``key``."""
    return KNOWN.get(key, {})


def _strings(data: Any, prefix: Path = ()) -> Iterator[tuple[Path, str, str]]:
    """Every string value with its path and the key it is under."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                yield (*prefix, key), str(key), value
            else:
                yield from _strings(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            if isinstance(value, str) and prefix:
                yield (*prefix, index), str(prefix[-1]), value
            else:
                yield from _strings(value, (*prefix, index))


def _listing(known: Mapping[str, str]) -> str:
    if not known:
        return "this field replaces no placeholders"
    named = (f"`{{{name}}}` ({meaning})" for name, meaning in known.items())
    return "known here: " + ", ".join(named)


#: Values handed to the service as they are (config files, variables): a URL there is the
#: application's own, for it to fill in, never one deployplan fetches.
APPLICATION_DATA: tuple[Path, ...] = (
    ("configuration_management", "config_files"),
    ("configuration_management", "environment_variables"),
)


def unknown_placeholders(ctx: RuleContext) -> Iterator[Diagnostic]:
    """``{name}`` in a URL or command names a placeholder that the field replaces."""
    for path, key, value in _strings(ctx.data):
        if "{" not in value or not is_url_or_command(key, value):
            continue
        if any(path[: len(data)] == data for data in APPLICATION_DATA):
            continue
        known = known_placeholders(key)
        for match in PLACEHOLDER.finditer(value):
            if match.group(1) in known:
                continue
            yield Diagnostic(
                "unknown-placeholder",
                f"`{match.group(0)}` is not a placeholder deployplan replaces in `{key}`; "
                f"it would be used literally",
                ctx.find_text(path, match.group(0)),
                path,
                hint=_listing(known)
                + "; write the value itself, or use a shell variable (`${NAME}`) in commands",
            )
