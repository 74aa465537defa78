"""Deploy rules: a target wherever a service is deployed, resources that fit, strategies
the engine carries out, gates that run where they are scoped, production guarded."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import Location, Severity
from generator.spec.validate import validate_file
from tests.conftest import ROOT
from tests.spec.rules.findings import at, findings

SPEC = """\
project:
  name: shop
  description: A shop.
  owner: ops
  teams:
    - name: ops
services:
  - name: web
    description: The storefront.
    kind: web
    owner: ops
    image: registry.example.com/shop/web
    port: 8080
    targets:
      staging: {engine: kubernetes, namespace: shop}
      production: {engine: kubernetes, strategy: canary, canary_steps: [10, 50, 100]}
  - name: api
    description: The orders API.
    kind: api
    owner: ops
    image: registry.example.com/shop/api
    port: 8080
    targets:
      staging: {engine: helm, chart: "oci://charts.example.com/api"}
      production: {engine: helm, chart: "oci://charts.example.com/api"}
environments:
  staging:
    environment_type: staging
    infrastructure:
      compute_resources:
        platform: eks 1.31
        node_pools:
          - {name: general, count: 2, cpu: "4", memory: 16Gi}
        allocations:
          web: {replicas: 2, cpu: 500m, memory: 512Mi, cpu_limit: "1", memory_limit: 1Gi}
          api: {replicas: 2, cpu: "1", memory: 1Gi}
  production:
    extends: staging
    environment_type: production
    infrastructure:
      compute_resources:
        node_pools:
          - {name: general, count: 3, cpu: "4", memory: 16Gi}
          - {name: large, count: 1, cpu: "8", memory: 32Gi}
        allocations:
          web: {replicas: 3, autoscaling: {min_replicas: 3, max_replicas: 6}}
deployment_flow:
  stages:
    - {name: migrate, action: migrate, command: ./migrate, environments: [staging, production]}
    - {name: deploy, action: deploy, depends_on: [migrate]}
  validation_points:
    - name: ready
      after_stage: deploy
      services: [web, api]
      environments: [staging, production]
      check: {type: http, url: "http://web.shop.svc:8080/healthz"}
  rollback:
    automatic: true
"""

CODES = (
    "target-missing",
    "target-incomplete",
    "strategy-unsupported",
    "canary-steps",
    "image-repository",
    "resources-exceeded",
    "limit-below-request",
    "gate-never-runs",
    "production-ungated",
    "production-rollback",
    "unknown-reference",
)


def changed(old: str, new: str, text: str = SPEC) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def nth(text: str, needle: str, n: int, column_of: str | None = None) -> Location:
    """Where ``column_of`` (default ``needle``) starts on the ``n``-th line holding ``needle``."""
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    line = lines[n - 1]
    column = text.splitlines()[line - 1].index(column_of or needle) + 1
    return Location("spec.yaml", line, column)


def test_the_spec_above_is_clean(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(SPEC)
    assert validate_file(tmp_path / "spec.yaml", "spec.yaml").diagnostics == []


@pytest.mark.parametrize("spec", ["deployplan.yaml", "examples/minimal.yaml", "examples/ja.yaml"])
def test_the_example_specs_pass_every_deploy_rule(spec: str) -> None:
    result = validate_file(ROOT / "specs" / spec, spec)
    assert [d for d in result.diagnostics if d.code in CODES] == []


# ── a target wherever the service is deployed ────────────────────────────────────────


def test_an_allocation_and_a_gate_without_a_target_point_at_the_targets(tmp_path: Path) -> None:
    text = changed('      staging: {engine: helm, chart: "oci://charts.example.com/api"}\n', "")
    [finding] = findings(tmp_path, text, "target-missing")
    assert finding.message == (
        "service `api` is deployed to `staging`, but has no target there: nothing would deploy it"
    )
    assert finding.location == nth(text, "targets:", 2)
    assert finding.notes == (
        ("`staging` allocates resources to `api` here", at(text, "api: {replicas: 2", "api")),
        (
            "validation point `ready` gates `api` in `staging`",
            at(text, "      environments: [staging", "staging"),
        ),
    )
    assert finding.hint == (
        "add `staging: {engine: …}` to its targets (`kubernetes`, `helm`, `ansible`, "
        "`compose`, `systemd`, `local`, `managed`), or take `api` out of `staging`"
    )


def test_an_inherited_allocation_does_not_make_a_deployment(tmp_path: Path) -> None:
    text = changed('      production: {engine: helm, chart: "oci://charts.example.com/api"}\n', "")
    text = changed("      services: [web, api]\n", "      services: [web]\n", text)
    assert findings(tmp_path, text, "target-missing") == []


def test_a_gate_naming_the_service_and_environment_makes_a_deployment(tmp_path: Path) -> None:
    text = changed('      production: {engine: helm, chart: "oci://charts.example.com/api"}\n', "")
    [finding] = findings(tmp_path, text, "target-missing")
    assert finding.notes == (
        (
            "validation point `ready` gates `api` in `production`",
            at(text, "      environments: [staging", "production"),
        ),
    )


def test_ingresses_volumes_and_test_scenarios_make_deployments(tmp_path: Path) -> None:
    text = changed(
        '      staging: {engine: helm, chart: "oci://charts.example.com/api"}\n',
        "",
        SPEC.replace('          api: {replicas: 2, cpu: "1", memory: 1Gi}\n', ""),
    )
    text = changed("      services: [web, api]\n", "      services: [web]\n", text)
    text = changed(
        "  production:\n    extends: staging\n",
        "      network_configuration:\n"
        "        ingresses: [{host: api.example.com, service: api}]\n"
        "      storage_requirements:\n"
        "        volumes: [{name: invoices, service: api, size: 1Gi, mount_path: /data}]\n"
        "  production:\n    extends: staging\n",
        text,
    )
    text += (
        "deployment_testing:\n"
        "  test_scenarios:\n"
        "    - {name: smoke, type: smoke, services: [api], environments: [staging],"
        " command: ./smoke}\n"
    )
    [finding] = findings(tmp_path, text, "target-missing")
    assert [note for note, _ in finding.notes] == [
        "`staging` routes `api.example.com` to `api` here",
        "`staging` mounts volume `invoices` for `api` here",
        "test scenario `smoke` tests `api` in `staging`",
    ]
    assert finding.notes[0][1] == at(text, "service: api}]", "api}]")


BASE = """\
  base:
    environment_type: development
    infrastructure:
      compute_resources:
        platform: eks 1.31
        node_pools: [{name: general, count: 1, cpu: "2", memory: 8Gi}]
        allocations:
          web: {cpu: 100m, memory: 128Mi}
"""


@pytest.mark.parametrize(("extended", "missing"), [(True, []), (False, ["base"])])
def test_an_environment_others_extend_and_nobody_targets_is_a_template(
    tmp_path: Path, extended: bool, missing: list[str]
) -> None:
    text = changed("deployment_flow:\n", BASE + "deployment_flow:\n")
    if extended:
        text = changed(
            "  staging:\n    environment_type",
            "  staging:\n    extends: base\n    environment_type",
            text,
        )
    found = findings(tmp_path, text, "target-missing")
    assert [d.message.split("`")[3] for d in found] == missing


# ── resources that fit ───────────────────────────────────────────────────────────────


def test_requests_beyond_the_node_pools_fail_at_the_largest_allocation(tmp_path: Path) -> None:
    text = changed(
        'api: {replicas: 2, cpu: "1", memory: 1Gi}', 'api: {replicas: 8, cpu: "1", memory: 1Gi}'
    )
    [finding] = findings(tmp_path, text, "resources-exceeded")
    assert finding.message == (
        "the services in `staging` request up to 9 CPU (`web` 2 × 500m, `api` 8 × 1), more "
        "than its node pools have: 8 CPU"
    )
    assert finding.location == at(text, "api: {replicas: 8", "api")
    assert finding.notes == (
        ("the node pools of `staging` have 8 CPU in all", nth(text, "node_pools:", 1)),
    )
    assert finding.hint == (
        "lower the replicas, max_replicas or cpu requests (`api` asks for the most, 8 CPU), "
        "or add nodes"
    )


def test_autoscaling_counts_at_its_maximum_and_memory_on_its_own(tmp_path: Path) -> None:
    text = changed("max_replicas: 6}", "max_replicas: 90}")
    text = changed(
        "web: {replicas: 2, cpu: 500m, memory: 512Mi,",
        "web: {replicas: 2, cpu: 200m, memory: 1Gi,",
        text,
    )
    [finding] = findings(tmp_path, text, "resources-exceeded")
    assert finding.message == (
        "the services in `production` request up to 92Gi memory (`web` 90 × 1Gi, `api` 2 × "
        "1Gi), more than its node pools have: 80Gi memory"
    )
    assert finding.location == at(text, "web: {replicas: 3", "web")
    assert finding.notes == (
        ("the node pools of `production` have 80Gi memory in all", nth(text, "node_pools:", 2)),
    )


def test_an_instance_bigger_than_any_node_can_never_be_placed(tmp_path: Path) -> None:
    text = changed(
        '- {name: large, count: 1, cpu: "8", memory: 32Gi}',
        '- {name: large, count: 9, cpu: "8", memory: 32Gi}',
    )
    text = changed(
        "web: {replicas: 3, autoscaling",
        'web: {replicas: 3, cpu: "12", cpu_limit: "12", autoscaling',
        text,
    )
    [finding] = findings(tmp_path, text, "resources-exceeded")
    assert finding.message == (
        "one instance of `web` requests 12 CPU, more than any node of `production` has: it "
        "can never be placed"
    )
    assert finding.location == at(text, 'cpu: "12"', '"12"')
    assert finding.notes == (
        ("the biggest nodes, pool `large`, have 8 CPU", at(text, "{name: large", "{")),
    )
    assert finding.hint == "request at most 8 CPU, or add a node pool with bigger nodes"


def test_managed_services_do_not_run_on_the_node_pools(tmp_path: Path) -> None:
    text = changed(
        'api: {replicas: 2, cpu: "1", memory: 1Gi}', 'api: {replicas: 8, cpu: "1", memory: 1Gi}'
    )
    text = changed(
        '      staging: {engine: helm, chart: "oci://charts.example.com/api"}',
        "      staging: {engine: managed}",
        text,
    )
    assert findings(tmp_path, text, "resources-exceeded") == []


def test_a_limit_below_its_request_fails_with_a_note_at_the_request(tmp_path: Path) -> None:
    text = changed('cpu_limit: "1", memory_limit: 1Gi', "cpu_limit: 250m, memory_limit: 1Gi")
    [finding] = findings(tmp_path, text, "limit-below-request")
    assert finding.message == (
        "`web` in `staging` has a cpu limit of 250m, below its request of 500m: no instance "
        "can be given what it requests"
    )
    assert finding.location == at(text, "cpu_limit: 250m", "250m")
    assert finding.notes == (("the request is set here", at(text, "cpu: 500m", "500m")),)
    assert finding.hint == "raise cpu_limit to at least 500m, or lower cpu"


def test_an_inherited_limit_below_a_raised_request_names_the_extends(tmp_path: Path) -> None:
    text = changed("web: {replicas: 3, autoscaling", "web: {replicas: 3, memory: 2Gi, autoscaling")
    [finding] = findings(tmp_path, text, "limit-below-request")
    assert finding.message == (
        "`web` in `production` has a memory limit of 1Gi, below its request of 2Gi: no "
        "instance can be given what it requests"
    )
    assert finding.location == at(text, "memory_limit: 1Gi", "1Gi")
    assert finding.notes == (
        ("the request is set here", at(text, "memory: 2Gi", "2Gi")),
        (
            "`production` inherits the limit through `extends`",
            at(text, "extends: staging", "staging"),
        ),
    )


# ── strategies, canary steps and complete targets ────────────────────────────────────


def test_a_strategy_the_engine_does_not_carry_out_names_those_it_does(tmp_path: Path) -> None:
    old = '      staging: {engine: helm, chart: "oci://charts.example.com/api"}'
    text = changed(old, old.replace("}", ", strategy: canary}"))
    [finding] = findings(tmp_path, text, "strategy-unsupported")
    assert finding.message == "the `helm` engine cannot carry out a `canary` rollout"
    assert finding.location == at(text, "strategy: canary}", "canary}")
    assert finding.notes == (
        (
            "the engine is chosen here",
            at(text, 'engine: helm, chart: "oci://charts.example.com/api", strategy', "helm"),
        ),
    )
    assert finding.hint == (
        "`helm` supports `rolling`; `canary` needs `kubernetes` or `traffic_controller: flagger`"
    )


@pytest.mark.parametrize(
    ("engine", "strategy", "hint"),
    [
        (
            "systemd, hosts: [db-1]",
            "recreate",
            "`systemd` supports `rolling`; `recreate` needs `ansible`, `compose`, `kubernetes` "
            "or `local`",
        ),
        ("managed", "blue_green", "`managed` supports `rolling`; `blue_green` needs `kubernetes`"),
        (
            "local, release_dir: /srv/web",
            "canary",
            "`local` supports `rolling`, `recreate`; `canary` needs `kubernetes`",
        ),
    ],
)
def test_strategies_follow_what_each_engine_implements(
    tmp_path: Path, engine: str, strategy: str, hint: str
) -> None:
    text = changed(
        "      staging: {engine: kubernetes, namespace: shop}",
        f"      staging: {{engine: {engine}, strategy: {strategy}}}",
    )
    text = changed(
        "    image: registry.example.com/shop/web\n",
        "    image: registry.example.com/shop/web\n    start_command: ./web\n",
        text,
    )
    [finding] = findings(tmp_path, text, "strategy-unsupported")
    assert finding.hint == hint


@pytest.mark.parametrize(
    ("steps", "message", "hint"),
    [
        (
            "[100]",
            "a canary needs at least one step that sends part of the traffic (1 to 99 %)",
            "set e.g. `canary_steps: [10, 50, 100]`",
        ),
        (
            "[50, 10, 100]",
            "canary steps are rising percentages from 1 to 100, not [50, 10, 100]",
            "write each step's share of the traffic, e.g. `[10, 50, 100]`",
        ),
        (
            "[10, 150]",
            "canary steps are rising percentages from 1 to 100, not [10, 150]",
            "write each step's share of the traffic, e.g. `[10, 50, 100]`",
        ),
    ],
)
def test_canary_steps_send_part_of_the_traffic_in_rising_order(
    tmp_path: Path, steps: str, message: str, hint: str
) -> None:
    text = changed("canary_steps: [10, 50, 100]", f"canary_steps: {steps}")
    [finding] = findings(tmp_path, text, "canary-steps")
    assert (finding.message, finding.hint) == (message, hint)
    assert finding.location == at(text, f"canary_steps: {steps}", "[")
    assert finding.notes == (("the strategy is `canary`", at(text, "strategy: canary", "canary")),)


def test_a_canary_without_steps_fails_at_the_strategy(tmp_path: Path) -> None:
    text = changed(", canary_steps: [10, 50, 100]", "")
    [finding] = findings(tmp_path, text, "canary-steps")
    assert finding.location == at(text, "strategy: canary", "canary")


def test_canary_steps_of_another_strategy_are_an_error(tmp_path: Path) -> None:
    text = changed("strategy: canary, canary_steps", "strategy: blue_green, canary_steps")
    [finding] = findings(tmp_path, text, "canary-steps")
    assert finding.message == ("canary_steps are only used by `strategy: canary`, not `blue_green`")
    assert finding.hint == "remove canary_steps, or set `strategy: canary`"
    assert finding.notes == (
        ("the strategy is `blue_green`", at(text, "strategy: blue_green", "blue_green")),
    )


@pytest.mark.parametrize(
    ("target", "message", "hint"),
    [
        (
            "{engine: helm}",
            "the `helm` engine needs the target's `chart`, and `web` has none for `staging`",
            "add `chart: oci://registry.example.com/charts/NAME` to the target",
        ),
        (
            "{engine: systemd}",
            "the `systemd` engine needs the target's `hosts`, and `web` has none for `staging`",
            "add `hosts: [app-1.example.com]` to the target",
        ),
        (
            "{engine: local, release_dir: /srv/web}",
            "the `local` engine needs the service's `start_command`, and `web` has none for "
            "`staging`",
            "set `start_command` on service `web`",
        ),
    ],
)
def test_a_target_without_what_its_engine_reads_is_incomplete(
    tmp_path: Path, target: str, message: str, hint: str
) -> None:
    text = changed("staging: {engine: kubernetes, namespace: shop}", f"staging: {target}")
    [finding] = findings(tmp_path, text, "target-incomplete")
    assert (finding.message, finding.hint) == (message, hint)
    assert finding.location == at(text, f"staging: {target}", "{")
    engine = target.split(",")[0].removesuffix("}").split()[-1]
    assert finding.notes == (("the engine is chosen here", at(text, f"staging: {target}", engine)),)


def test_compose_and_helm_need_the_service_image(tmp_path: Path) -> None:
    text = changed("    image: registry.example.com/shop/api\n", "")
    [staging, production] = findings(tmp_path, text, "target-incomplete")
    assert staging.message == (
        "the `helm` engine needs the service's `image`, and `api` has none for `staging`"
    )
    assert staging.hint == "set `image` on service `api` (a registry path without tag)"
    assert production.location == nth(text, "production: {engine: helm", 1, "{")


# ── gates ────────────────────────────────────────────────────────────────────────────


def test_gates_name_existing_services_and_environments(tmp_path: Path) -> None:
    text = changed("      services: [web, api]", "      services: [web, apl]")
    text = changed(
        "      environments: [staging, production]", "      environments: [staging, prod]", text
    )
    found = findings(tmp_path, text, "unknown-reference")
    assert [(d.message, d.hint, d.location) for d in found] == [
        ("service `apl` is not defined", "did you mean `api`?", at(text, "[web, apl]", "apl")),
        (
            "environment `prod` is not defined",
            "did you mean `production`?",
            at(text, "[staging, prod]", "prod"),
        ),
    ]


def test_a_gate_after_a_stage_that_skips_its_environment_never_runs(tmp_path: Path) -> None:
    text = changed("environments: [staging, production]}", "environments: [staging]}")
    text = changed("      after_stage: deploy", "      after_stage: migrate", text)
    [finding] = findings(tmp_path, text, "gate-never-runs")
    assert finding.message == (
        "validation point `ready` follows stage `migrate`, which does not run in "
        "`production`: the gate never runs there"
    )
    assert finding.location == at(text, "      environments: [staging, production]", "production")
    assert finding.notes == (
        ("stage `migrate` runs only in `staging`", at(text, "environments: [staging]}", "[")),
    )
    assert finding.hint == (
        "add `production` to the environments of stage `migrate`, or gate after a stage that "
        "runs there"
    )


# ── production: gated, and rolled back on its own ────────────────────────────────────


def test_production_without_any_gate_is_a_warning_at_its_type(tmp_path: Path) -> None:
    text = changed("      environments: [staging, production]", "      environments: [staging]")
    [finding] = findings(tmp_path, text, "production-ungated")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "no validation point gates deploys to production environment `production`: a broken "
        "release is only noticed by its users"
    )
    assert finding.location == at(text, "environment_type: production", "production")
    assert finding.notes == (
        ("the validation points are listed here", at(text, "validation_points:")),
    )
    assert finding.hint == (
        "add a validation point after the deploy stage, e.g. an `http` check of the service's "
        "health endpoint"
    )


def test_a_gate_that_carries_on_when_it_fails_gates_nothing(tmp_path: Path) -> None:
    text = changed("  rollback:\n", "      on_failure: continue\n  rollback:\n")
    assert [d.location for d in findings(tmp_path, text, "production-ungated")] == [
        at(text, "environment_type: production", "production")
    ]


def test_a_flow_without_validation_points_notes_the_flow(tmp_path: Path) -> None:
    text = SPEC[: SPEC.index("  validation_points:")]
    [finding] = findings(tmp_path, text, "production-ungated")
    assert finding.notes == (
        ("the deployment flow has no validation_points", at(text, "deployment_flow:")),
    )


def test_a_spec_without_a_deployment_flow_describes_no_flow_to_check(tmp_path: Path) -> None:
    text = SPEC[: SPEC.index("deployment_flow:")]
    assert findings(tmp_path, text, "production-ungated") == []


def test_a_production_service_no_gate_covers_is_a_warning_at_its_target(tmp_path: Path) -> None:
    text = changed("      services: [web, api]", "      services: [web]")
    [finding] = findings(tmp_path, text, "production-ungated")
    assert finding.message == (
        "no validation point gates deploys of `api` to production environment `production`"
    )
    assert finding.location == nth(text, "production: {engine: helm", 1, "production")
    assert finding.hint == "add `api` to the services of a validation point, or add one"


def test_manual_rollback_with_production_is_a_warning(tmp_path: Path) -> None:
    text = changed("    automatic: true", "    automatic: false")
    [finding] = findings(tmp_path, text, "production-rollback")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "automatic rollback is off, so a failed deploy to `production` stays broken until "
        "someone runs rollback.sh"
    )
    assert finding.location == at(text, "automatic: false", "false")
    assert finding.notes == (
        (
            "`production` is a production environment",
            at(text, "environment_type: production", "production"),
        ),
    )
