"""Scale specs for the benchmark: N services deployed to 4 environments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ENVIRONMENTS = {
    "development": "development",
    "staging": "staging",
    "production": "production",
    "dr": "disaster_recovery",
}


def scale_spec(services: int) -> dict[str, Any]:
    """A valid spec with ``services`` services, each in every environment."""
    names = [f"svc-{i:03d}" for i in range(services)]
    return {
        "project": {
            "name": "bench",
            "description": f"Benchmark spec with {services} services.",
            "owner": "platform",
            "teams": [{"name": "platform", "description": "Runs the platform."}],
        },
        "services": [_service(name, i) for i, name in enumerate(names)],
        "environments": {env: _environment(env, kind, names) for env, kind in ENVIRONMENTS.items()},
        "deployment_flow": {
            "stages": [
                {"name": "build", "action": "build"},
                {"name": "test", "action": "test", "depends_on": ["build"]},
                {"name": "deploy", "action": "deploy", "depends_on": ["test"]},
                {"name": "verify", "action": "verify", "depends_on": ["deploy"]},
            ],
            "dependencies": [
                {"service": names[i], "requires": names[i - 1]} for i in range(1, services)
            ],
        },
    }


def _service(name: str, index: int) -> dict[str, Any]:
    return {
        "name": name,
        "description": f"Service number {index}: takes orders and ships them.",
        "kind": "api",
        "owner": "platform",
        "image": f"registry.example.com/bench/{name}",
        "port": 8080,
        "health_path": "/healthz",
        "targets": {
            env: {"engine": "kubernetes", "namespace": f"bench-{env}", "strategy": "rolling"}
            for env in ENVIRONMENTS
        },
    }


def _environment(env: str, kind: str, names: list[str]) -> dict[str, Any]:
    replicas = 3 if kind == "production" else 1
    # room for every replica's 250m request, whatever the size: 64 per 16-CPU node
    nodes = max(50, -(-len(names) * replicas // 48))
    return {
        "environment_type": kind,
        "description": f"The {env} environment.",
        "region": "eu-west-1",
        "infrastructure": {
            "compute_resources": {
                "platform": "kubernetes 1.30",
                "node_pools": [{"name": "general", "count": nodes, "cpu": "16", "memory": "64Gi"}],
                "allocations": {
                    name: {
                        "replicas": replicas,
                        "cpu": "250m",
                        "memory": "256Mi",
                        "cpu_limit": "500m",
                        "memory_limit": "512Mi",
                    }
                    for name in names
                },
            },
            "network_configuration": {
                "domain": f"{env}.example.com",
                "ingresses": [
                    {"host": f"{name}.{env}.example.com", "service": name} for name in names
                ],
            },
        },
        "configuration": {"url": f"https://{env}.example.com", "protected": kind == "production"},
    }


def write_scale_spec(services: int, directory: Path) -> Path:
    """Write the scale spec for ``services`` services; return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"scale-{services}.yaml"
    path.write_text(yaml.safe_dump(scale_spec(services), sort_keys=False), encoding="utf-8")
    return path
