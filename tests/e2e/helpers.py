"""Specs, generation and script runs shared by the end-to-end deploy tests."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import run_cli

HERE = Path(__file__).resolve().parent
STANDIN = HERE / "bin" / "standin"
STANDIN_NAMES = ("kubectl", "helm", "ansible", "ansible-playbook", "docker", "ssh", "systemctl")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def spec(services: list[dict[str, Any]], env: str = "staging", **sections: Any) -> dict[str, Any]:
    """A small valid spec: one team, ``services``, one environment ``env``."""
    return {
        "project": {"name": "e2e", "description": "End-to-end deploys.", "owner": "ops"}
        | {"teams": [{"name": "ops"}]},
        "services": services,
        "environments": {
            env: {
                "environment_type": env if env in ("staging", "production") else "development",
                "infrastructure": {
                    "compute_resources": {
                        "platform": "this host",
                        "node_pools": [{"name": "host", "count": 1, "cpu": "2", "memory": "4Gi"}],
                    }
                },
            }
        },
        **sections,
    }


def generate(document: Mapping[str, Any], root: Path, *families: str) -> Path:
    """Write ``document`` as ``root/spec.yaml`` and generate; the output folder."""
    (root / "spec.yaml").write_text(yaml.safe_dump(dict(document), sort_keys=False))
    only = [arg for family in families or ("deploy",) for arg in ("--only", family)]
    out = root / "output"
    result = run_cli("generate", str(root / "spec.yaml"), "--out", str(out), "--docs",
                     str(root / "docs"), *only)  # fmt: skip
    assert result.exit_code == 0, result.output
    return out


def environment(root: Path, **extra: str) -> dict[str, str]:
    """The environment the scripts run in: state, audit log and temp files under ``root``."""
    (root / "tmp").mkdir(exist_ok=True)
    return {
        **os.environ,
        "DEPLOYPLAN_STATE_DIR": str(root / "state"),
        "DEPLOYPLAN_AUDIT_LOG": str(root / "audit.jsonl"),
        "DEPLOYPLAN_WORKDIR": str(root),
        "DEPLOYPLAN_ACTOR": "tester",
        "TMPDIR": str(root / "tmp"),
        "E2E_DIR": str(root),
        **extra,
    }


def run(script: Path, *args: str, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(script), *args],
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def audit(root: Path) -> list[dict[str, Any]]:
    path = root / "audit.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def wait_for(path: Path, limit: float = 60) -> None:
    """Wait until ``path`` exists (the bound only keeps a broken test from hanging)."""
    end = time.monotonic() + limit
    while not path.exists():
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.02)


def python() -> str:
    return sys.executable


def standins(root: Path) -> Path:
    """A bin folder whose kubectl, helm, … record their arguments."""
    folder = root / "standins"
    folder.mkdir(exist_ok=True)
    for name in STANDIN_NAMES:
        (folder / name).symlink_to(STANDIN)
    return folder


def recorded(root: Path) -> list[list[str]]:
    path = root / "standins.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
