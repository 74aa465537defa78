"""Which port each health probe of a service uses in an environment."""

from __future__ import annotations

import pytest

from generator.spec.model import Service
from generator.spec.model.testing import HealthIndicator
from generator.targets.deploy.vm import indicator_port


def web(port: int | None, staging_port: int | None) -> Service:
    return Service.model_validate(
        {
            "name": "web",
            "description": "A web app.",
            "kind": "web",
            "owner": "ops",
            "port": port,
            "targets": {
                "staging": {"engine": "local", "port": staging_port},
                "production": {"engine": "local"},
            },
        }
    )


def http(port: int | None) -> HealthIndicator:
    return HealthIndicator(name="http", service="web", type="http", path="/", port=port)


@pytest.mark.parametrize(
    ("service_port", "staging_port", "named", "expected"),
    [
        # the indicator names the service's port, as the example spec's do: each
        # environment's own port
        (8000, 8100, 8000, {"staging": 8100, "production": 8000}),
        (8000, 8100, None, {"staging": 8100, "production": 8000}),
        # a management port of its own stays the same everywhere
        (8000, 8100, 9090, {"staging": 9090, "production": 9090}),
        # no port on the service: the environment's port where it has one
        (None, 8100, 9090, {"staging": 8100, "production": 9090}),
        (None, None, 9090, {"staging": 9090, "production": 9090}),
    ],
)
def test_an_indicator_probes_the_environments_own_port_unless_it_names_another(
    service_port: int | None, staging_port: int | None, named: int | None, expected: dict[str, int]
) -> None:
    service = web(service_port, staging_port)
    ports = {env: indicator_port(http(named), service, env) for env in expected}
    assert ports == expected
