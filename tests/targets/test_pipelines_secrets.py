"""How deploy jobs log in to their secret provider, from the compose and Helm example."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from generator.targets.pipelines.secrets import secret_access
from tests.targets.test_deploy_scripts import example


def _unchanged(data: dict[str, Any]) -> None:
    pass


def test_aws_logins_take_the_region_of_each_environment(tmp_path: Path) -> None:
    plan = example(tmp_path, _unchanged)
    api = next(s for s in plan.services if s.name == "api")
    settings = {
        env: dict(secret_access(plan, api, env).logins[0].settings) for env in ("production", "dr")
    }
    assert settings == {
        "production": {
            "AWS_REGION": "eu-west-1",
            "AWS_ROLE_ARN": "arn:aws:iam::210987654321:role/trackline-deploy-production",
        },
        "dr": {
            "AWS_REGION": "eu-central-1",
            "AWS_ROLE_ARN": "arn:aws:iam::210987654321:role/trackline-deploy-dr",
        },
    }
