"""Each root's manifest: the files deployplan owns there, with their sha256."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict
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
    """The manifest's exact bytes: sorted keys, so identical runs write identical files."""
    data = {
        "manifest_version": MANIFEST_VERSION,
        "spec": spec_label,
        "files": {path: asdict(entry) for path, entry in entries.items()},
    }
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
