""" "Did you mean …?": the nearest valid name for a mistyped one."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(value: str, options: Iterable[str]) -> str | None:
    """The option ``value`` most likely meant: a prefix match, else the nearest spelling."""
    choices = [str(option) for option in options]
    lowered = value.lower()
    prefixed = [c for c in choices if c.lower().startswith(lowered) and lowered]
    if len(prefixed) == 1:
        return prefixed[0]
    close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(value: str, options: Iterable[str]) -> str | None:
    """``did you mean `x`?`` or ``None``."""
    match = closest(value, options)
    return f"did you mean `{match}`?" if match else None
