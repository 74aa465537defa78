"""Read a spec file's text: within the size limit, as UTF-8, with clean errors.

:class:`SourceFile` keeps the text for showing source lines in diagnostics. The size limit
(``$DEPLOYPLAN_MAX_SPEC_BYTES``, else 32 MiB) is checked before the file is read, and again
on what was read, so a pipe or a growing file cannot get past it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path as FsPath

from generator.diagnostics import Diagnostic, Location
from generator.errors import SpecInvalid, UsageProblem

#: Largest spec file read. The benchmark's 5,000-service spec is about 7.3 MB; four times
#: that leaves room for real plans, while a runaway file fails before it is read.
DEFAULT_MAX_SPEC_BYTES = 32 * 1024 * 1024
MAX_SPEC_BYTES_VARIABLE = "DEPLOYPLAN_MAX_SPEC_BYTES"


@dataclass(frozen=True)
class SourceFile:
    """The text of a spec, kept for showing source lines in diagnostics."""

    label: str
    text: str

    def line(self, number: int) -> str:
        """Line ``number`` (1-based) without its ending; empty past the end."""
        starts = self._line_starts
        if not 0 < number <= len(starts):
            return ""
        end = starts[number] - 1 if number < len(starts) else len(self.text)
        return self.text[starts[number - 1] : end].rstrip("\r\n")

    @cached_property
    def _line_starts(self) -> list[int]:
        # found once per file, so that a diagnostic's excerpt costs one line, not the file
        starts = [0]
        find = self.text.find
        at = find("\n")
        while at != -1:
            starts.append(at + 1)
            at = find("\n", at + 1)
        if starts[-1] == len(self.text) and len(starts) > 1:
            starts.pop()
        return starts


def read_source(path: FsPath, label: str) -> SourceFile:
    """Read and decode a spec file, with clean errors for unreadable or binary input."""
    limit = max_spec_bytes()
    try:
        size = path.stat().st_size
        if size > limit:
            raise SpecInvalid([_too_large(label, size, limit)])
        with path.open("rb") as stream:
            # Bounded even where stat cannot tell (a pipe, a growing file).
            raw = stream.read(limit + 1)
    except OSError as exc:
        hint = _missing_spec_hint(path) if isinstance(exc, FileNotFoundError) else None
        raise SpecInvalid(
            [problem(label, 1, 1, "unreadable", f"cannot read the spec: {exc.strerror}", hint)]
        ) from None
    if len(raw) > limit:
        raise SpecInvalid([_too_large(label, None, limit)])
    if b"\0" in raw:
        line, col = _line_col(raw, raw.index(b"\0"))
        raise SpecInvalid(
            [problem(label, line, col, "binary-file", "the spec is a binary file, not YAML text")]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw, exc.start)
        raise SpecInvalid(
            [
                problem(
                    label,
                    line,
                    col,
                    "not-utf8",
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    hint="save the spec as UTF-8",
                )
            ]
        ) from None
    return SourceFile(label, text.removeprefix("\ufeff"))


def _missing_spec_hint(path: FsPath) -> str:
    """What to do when there is no spec where one was looked for."""
    from generator.suggest import closest

    folder = path.parent
    if folder.is_dir():
        nearby = [p.name for p in folder.iterdir() if p.suffix in (".yaml", ".yml")]
        match = closest(path.name, nearby)
        if match is not None:
            return f"did you mean `{(folder / match).as_posix()}`?"
    return (
        "create one with `deployplan init`, or name the spec to read: the SPEC argument "
        "(`deployplan validate path/to/spec.yaml`), or `--spec PATH` for `sync` and `docs`"
    )


def max_spec_bytes() -> int:
    """The spec size limit: ``$DEPLOYPLAN_MAX_SPEC_BYTES`` bytes, else 32 MiB."""
    setting = os.environ.get(MAX_SPEC_BYTES_VARIABLE, "").strip()
    if not setting:
        return DEFAULT_MAX_SPEC_BYTES
    if not setting.isdigit() or int(setting) == 0:
        raise UsageProblem(
            f"{MAX_SPEC_BYTES_VARIABLE} must be a positive number of bytes, not `{setting}` "
            f"(e.g. {MAX_SPEC_BYTES_VARIABLE}={2 * DEFAULT_MAX_SPEC_BYTES})"
        )
    return int(setting)


def within_size_limit(path: FsPath) -> bool:
    """Whether ``path`` is a file small enough to read again (for showing source lines).

    A device or a pipe has no size to check (``/dev/zero`` never ends), so it is not.
    """
    try:
        return path.is_file() and path.stat().st_size <= max_spec_bytes()
    except (OSError, UsageProblem):
        return False


def _too_large(label: str, size: int | None, limit: int) -> Diagnostic:
    measured = f"{_mib(size)} ({size:,} bytes)" if size is not None else "larger than that"
    return problem(
        label,
        1,
        1,
        "spec-too-large",
        f"the spec `{label}` is {measured}; the limit is {_mib(limit)} ({limit:,} bytes)",
        hint=f"a plan of 5,000 services is about 8 MB; if this file is meant to be read, "
        f"raise the limit with {MAX_SPEC_BYTES_VARIABLE}=<bytes>, "
        f"e.g. {MAX_SPEC_BYTES_VARIABLE}={2 * max(limit, DEFAULT_MAX_SPEC_BYTES)}",
    )


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    line_start = before.rfind(b"\n") + 1
    return before.count(b"\n") + 1, len(before[line_start:].decode("utf-8", "replace")) + 1


def problem(
    label: str, line: int, col: int, code: str, message: str, hint: str | None = None
) -> Diagnostic:
    """A problem of the file as a whole, at ``line``:``col``."""
    return Diagnostic(code, message, Location(label, line, col), hint=hint)
