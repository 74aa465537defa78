"""Each root's manifest: the files deployplan owns there, with their sha256."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path

from generator.errors import OutputConflict
from generator.output.containment import unsafe_reason
from generator.output.model import MANIFEST_NAME, MANIFEST_VERSION, ManifestEntry


def read_manifest(base: Path) -> dict[str, ManifestEntry]:
    """The entries of ``base``'s manifest ({} when there is none)."""
    target = base / MANIFEST_NAME
    try:
        return parse_manifest(target.read_bytes())
    except FileNotFoundError:
        return {}
    except ValueError as err:
        raise OutputConflict(
            f"{target} is not a valid deployplan manifest: {err}\n"
            f"hint: restore it from version control, or delete it and run again"
        ) from err


def parse_manifest(raw: bytes) -> dict[str, ManifestEntry]:
    """Parse a manifest; ValueError says what is wrong with it."""
    data = json.loads(raw)
    if not isinstance(data, dict) or data.get("manifest_version") != MANIFEST_VERSION:
        raise ValueError(f"manifest_version is not {MANIFEST_VERSION}")
    files = data.get("files")
    if not isinstance(files, dict):
        raise ValueError("'files' is not a mapping")
    return {path: _parse_entry(path, entry) for path, entry in files.items()}


def _parse_entry(path: str, raw: object) -> ManifestEntry:
    reason = unsafe_reason(path)
    if reason is not None:
        raise ValueError(f"unsafe path {path!r}: {reason}")
    if not isinstance(raw, dict):
        raise ValueError(f"the entry for {path!r} is not a mapping")
    sha, family, executable = raw.get("sha256"), raw.get("family"), raw.get("executable")
    environment, service = raw.get("environment"), raw.get("service")
    optional_texts = all(
        value is None or isinstance(value, str) for value in (environment, service)
    )
    if not (
        isinstance(sha, str)
        and isinstance(family, str)
        and isinstance(executable, bool)
        and optional_texts
    ):
        raise ValueError(f"the entry for {path!r} is malformed")
    return ManifestEntry(sha, family, environment, service, executable)


def manifest_bytes(spec_label: str, entries: Mapping[str, ManifestEntry]) -> bytes:
    """The manifest's exact bytes: sorted keys, so identical runs write identical files.

    The layout is ``json.dumps(…, indent=2, sort_keys=True, ensure_ascii=False)``'s,
    written line by line: with ``indent`` json.dumps runs its pure-Python encoder, which
    takes longer than the rest of a no-change run on ten thousand entries.
    """
    files = ",\n".join(_entry_lines(path, entries[path]) for path in sorted(entries))
    body = f"{{\n{files}\n  }}" if files else "{}"
    text = (
        f'{{\n  "files": {body},\n  "manifest_version": {MANIFEST_VERSION},\n'
        f'  "spec": {_json(spec_label)}\n}}\n'
    )
    return text.encode()


_ENTRY_FIELDS = sorted(field.name for field in fields(ManifestEntry))


def _entry_lines(path: str, entry: ManifestEntry) -> str:
    values = ",\n".join(
        f"      {_json(name)}: {_json(getattr(entry, name))}" for name in _ENTRY_FIELDS
    )
    return f"    {_json(path)}: {{\n{values}\n    }}"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
