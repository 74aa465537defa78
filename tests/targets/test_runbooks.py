"""Alert runbooks and typed steps: what an operator paged at night finds where the link lands.

Each example spec is generated once (rules and manual); the assertions compare the pages
with the validated plan, so they hold for any engine and any spec, not one case.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml

from generator.spec.model import DeploymentPlan
from generator.spec.model.environments import EnvironmentType
from generator.spec.model.gitops import Delivery
from generator.spec.model.project import Engine
from generator.spec.model.steps import FailoverStep, RollbackStep, ScaleStep
from generator.spec.validate import validate_file
from generator.targets.deploy.engines import namespace
from tests.conftest import ROOT, run_cli

EXAMPLES = [
    "specs/deployplan.yaml",
    "specs/examples/vm-fleet.yaml",
    "specs/examples/compose-helm.yaml",
    "specs/examples/gitops.yaml",
]
TAB = re.compile(r'^=== "(?P<name>[^"\n]+)"\n(?P<body>(?:\n|    [^\n]*\n)*)', re.M)
KUBECTL_WRITES = re.compile(r"kubectl\b[^\n]*\b(apply|scale|patch|delete|edit|set|rollout undo)\b")


def _generate(spec: Path, root: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root / "cache"))
        result = run_cli(
            "generate",
            str(spec),
            *("--only", "docs", "--only", "monitoring"),
            *("--out", str(root / "output"), "--docs", str(root / "docs")),
        )
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module", params=EXAMPLES, ids=lambda s: Path(s).stem)
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DeploymentPlan, Path]:
    spec = ROOT / request.param
    result = validate_file(spec, request.param)
    assert result.plan is not None
    return result.plan, _generate(spec, tmp_path_factory.mktemp(spec.stem))


def _rules(root: Path) -> list[dict[str, Any]]:
    """Every alerting rule of every environment."""
    found = []
    for path in sorted((root / "output" / "monitoring").glob("*/*alerts.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            found += group["rules"]
    return found


def _tabs(text: str, heading: str) -> dict[str, str]:
    """The content tabs of the section under ``## heading``: environment -> its text."""
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return {m["name"]: m["body"] for m in TAB.finditer(section)}


def _production(plan: DeploymentPlan, service: str) -> str:
    targets = plan.service(service).targets
    kinds = (EnvironmentType.PRODUCTION, EnvironmentType.DISASTER_RECOVERY)
    for kind in (*kinds, EnvironmentType.STAGING, EnvironmentType.DEVELOPMENT):
        found = [e for e in targets if plan.environments[e].environment_type is kind]
        if found:
            return found[0]
    raise AssertionError(service)


def test_every_alert_links_to_its_own_runbook(built: tuple[DeploymentPlan, Path]) -> None:
    plan, root = built
    rules = _rules(root)
    assert rules
    docs_url = plan.project.docs_url
    assert docs_url is not None
    for rule in rules:
        name = rule["alert"]
        url = rule["annotations"]["runbook_url"]
        assert url == f"{docs_url}/operations/alerts/{name.lower()}.html"
        text = (root / "docs" / "operations" / "alerts" / f"{name.lower()}.md").read_text()
        assert f"\n# {name} {{ #{name.lower()} }}\n" in text
        # the old anchors of the alerts page stay, and lead to the runbook
        index = (root / "docs" / "operations" / "alerts.md").read_text()
        assert f"## {name} {{ #{name.lower()} }}" in index
        assert f"(alerts/{name.lower()}.md)" in index


def test_the_production_rollback_is_on_screen_before_any_tab(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    for rule in _rules(root):
        service = rule["labels"]["service"]
        env = _production(plan, service)
        text = (root / "docs" / "operations" / "alerts" / f"{rule['alert'].lower()}.md").read_text()
        command = f"```bash\noutput/services/{service}/deploy/{env}/rollback.sh\n```"
        assert command in text
        first_fold = min(
            i for i in (text.find('\n=== "'), text.find("\n??? "), text.find("\n## ")) if i > 0
        )
        assert text.index(command) < first_fold
        assert f"output/services/{service}/deploy/{env}/healthcheck.sh --wait 300" in text


def test_diagnosis_reaches_each_environment_from_an_operators_machine(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    for rule in _rules(root):
        service = plan.service(rule["labels"]["service"])
        text = (root / "docs" / "operations" / "alerts" / f"{rule['alert'].lower()}.md").read_text()
        tabs = _tabs(text, "Diagnosis")
        assert next(iter(tabs)) == _production(plan, service.name)
        assert set(tabs) == set(service.targets)
        for env, body in tabs.items():
            target = service.targets[env]
            assert f"output/services/{service.name}/deploy/{env}/healthcheck.sh" in body
            assert "**Expected:**" in body
            if target.engine in (Engine.KUBERNETES, Engine.HELM):
                context = plan.environments[env].configuration.kube_context
                flag = "--kube-context" if target.engine is Engine.HELM else "--context"
                assert f"{flag} {context} --namespace {namespace(plan, target, env)}" in body
            elif target.engine in (Engine.ANSIBLE, Engine.SYSTEMD):
                unit = target.unit or f"{service.name}.service"
                for host in target.hosts:
                    who = f"{target.ssh_user}@{host}" if target.ssh_user else host
                    assert f"ssh {who} systemctl status {unit} --no-pager" in body
                    assert f"ssh {who} journalctl -u {unit}" in body
            elif target.engine is Engine.COMPOSE:
                assert f"--project-name {plan.project.name}-{env}" in body
                assert f" ps {service.name}" in body and " logs " in body
                for host in target.hosts:
                    assert "DOCKER_HOST=ssh://" in body and host in body
            elif target.engine is Engine.MANAGED and (target.managed_service or "").startswith(
                "aws-rds"
            ):
                region = plan.environments[env].region
                assert f"aws rds describe-db-instances --region {region}" in body


def test_mitigation_rolls_back_each_environment_and_never_writes_to_a_gitops_cluster(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    for rule in _rules(root):
        service = plan.service(rule["labels"]["service"])
        text = (root / "docs" / "operations" / "alerts" / f"{rule['alert'].lower()}.md").read_text()
        mitigation = text.split("\n## Mitigation\n", 1)[1].split("\n### ", 2)[1]
        rollbacks = {m["name"]: m["body"] for m in TAB.finditer(mitigation)}
        for env, body in rollbacks.items():
            rollback = f"output/services/{service.name}/deploy/{env}/rollback.sh"
            assert f"    {rollback} --list\n" in body and f"    {rollback}\n" in body
            assert "healthcheck.sh --wait 300" in body
        gitops = any(t.delivery is Delivery.GITOPS for t in service.targets.values())
        if gitops:
            assert KUBECTL_WRITES.search(text) is None
            assert "### Scale out" not in text
        if plan.disaster_recovery.failover_strategy and plan.environments_of_type(
            EnvironmentType.DISASTER_RECOVERY
        ):
            assert "### Fail over" in text
            assert "output/disaster-recovery/" in text


def test_escalation_and_related_pages(built: tuple[DeploymentPlan, Path]) -> None:
    plan, root = built
    for rule in _rules(root):
        service = plan.service(rule["labels"]["service"])
        text = (root / "docs" / "operations" / "alerts" / f"{rule['alert'].lower()}.md").read_text()
        escalation = text.split("\n## Escalation\n", 1)[1].split("\n## ", 1)[0]
        for path in plan.operations.escalation_paths:
            if service.name in path.services:
                assert f"Path <code>{path.name}</code>" in escalation
        owner = next(t for t in plan.project.teams if t.name == service.owner)
        assert f"| <code>{owner.name}</code> |" in escalation
        related = text.split("\n## Related\n", 1)[1]
        for guide in plan.documentation.troubleshooting_guides:
            if service.name in guide.services:
                assert f"(../../troubleshoot/{guide.name}.md)" in related


def test_typed_steps_expand_into_commands(built: tuple[DeploymentPlan, Path]) -> None:
    plan, root = built
    docs = root / "docs"
    for procedure in plan.operational_documentation.emergency_procedures:
        text = (docs / "incidents" / "emergency" / f"{procedure.name}.md").read_text()
        for step in procedure.steps:
            if isinstance(step, RollbackStep):
                script = f"output/services/{step.rollback}/deploy/{step.environment}/rollback.sh"
                assert f"    ```bash\n    {script} --list\n    ```" in text
                assert f"    {script}\n" in text
                assert "**Verify:**" in text
            if isinstance(step, FailoverStep):
                assert f"    output/disaster-recovery/{step.failover}/failover.sh\n" in text
            if isinstance(step, ScaleStep):
                assert f"--replicas {step.replicas}" in text or f"={step.replicas}" in text
    converted = [
        s
        for p in plan.operational_documentation.emergency_procedures
        for s in p.steps
        if not isinstance(s, str)
    ]
    assert converted, "each example converts some emergency steps to actions"


def test_backticks_in_free_text_are_inline_code(built: tuple[DeploymentPlan, Path]) -> None:
    _, root = built
    for path in (root / "docs").rglob("*.md"):
        text = path.read_text()
        # outside code blocks, no literal backtick pair survives from the spec's text
        prose = re.sub(r"^(```|    ```).*?^\s*```$", "", text, flags=re.M | re.S)
        assert re.search(r"&#96;[^&\n]{1,40}&#96;", prose) is None, path


@pytest.mark.parametrize(
    ("step", "message", "hint"),
    [
        (
            "{rollback: paymnts, environment: production}",
            "error[unknown-reference]: service `paymnts` is not defined",
            "hint: did you mean `payments`?",
        ),
        (
            "{rollback: payments, environment: prod}",
            "error[unknown-reference]: environment `prod` is not defined",
            "hint: did you mean `production`?",
        ),
        (
            "{failover: staging}",
            "error[step-target]: failover: `staging` is not a disaster-recovery environment",
            "hint: disaster-recovery environments: `dr`",
        ),
        (
            "{scale: orders-db, replicas: 2, environment: production}",
            "error[step-target]: scale: `orders-db` runs on systemd, which has no instance "
            "count to change from here",
            "hint: scale kubernetes or helm services; on VMs add hosts to the target instead",
        ),
        (
            "{restore: orders_db_nightly, environment: staging}",
            "error[step-target]: restore: backup `orders_db_nightly` is not taken in `staging`",
            "hint: `orders_db_nightly` is taken in `production`",
        ),
    ],
)
def test_an_action_on_something_unknown_is_an_error_at_its_place(
    tmp_path: Path, step: str, message: str, hint: str
) -> None:
    text = (ROOT / "specs" / "deployplan.yaml").read_text()
    anchor = "        - Reconcile charges once payments recover.\n"
    assert anchor in text
    spec = tmp_path / "deployplan.yaml"
    spec.write_text(text.replace(anchor, f"        - {step}\n{anchor}"))
    line = text[: text.index(anchor)].count("\n") + 1
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    located = [x for x in result.output.splitlines() if x.startswith(f"{spec}:{line}:")]
    assert len(located) == 1 and located[0].endswith(message), result.output
    assert f"  {hint}" in result.output


def test_a_step_naming_no_known_action_lists_the_actions(tmp_path: Path) -> None:
    text = (ROOT / "specs" / "deployplan.yaml").read_text()
    anchor = "        - Reconcile charges once payments recover.\n"
    spec = tmp_path / "deployplan.yaml"
    spec.write_text(text.replace(anchor, f"        - {{rollbak: payments}}\n{anchor}"))
    line = text[: text.index(anchor)].count("\n") + 1
    result = run_cli("validate", str(spec))
    assert result.exit_code == 1
    assert (
        f"{spec}:{line}:11: error[invalid-value]: `operational_documentation."
        "emergency_procedures[1].steps[2]` names no actions; a step is text or exactly one "
        "of: `rollback`, `deploy`, `failover`, `restore`, `healthcheck`, `scale`, `run`"
    ) in result.output
    assert "  hint: did you mean `rollback`?" in result.output


def _words(markdown: str) -> int:
    """Words of body text: no comments, code blocks or tags."""
    text = re.sub(r"<!--.*?-->", "", markdown, flags=re.S)
    text = re.sub(r"^\s*```.*?^\s*```\s*$", "", text, flags=re.S | re.M)
    return len(re.findall(r"[A-Za-z][A-Za-z'-]+", re.sub(r"<[^>]+>", "", text)))


def test_runbook_and_procedure_pages_have_substance(built: tuple[DeploymentPlan, Path]) -> None:
    _, root = built
    docs = root / "docs"
    pages = [
        *docs.glob("operations/alerts/*.md"),
        *docs.glob("incidents/emergency/*.md"),
        *docs.glob("maintain/*.md"),
        *docs.glob("troubleshoot/*.md"),
        *docs.glob("operate/*.md"),
    ]
    assert pages
    thin = {str(p.relative_to(docs)): _words(p.read_text()) for p in pages}
    assert {p: n for p, n in thin.items() if n < 150} == {}


def test_queries_link_to_a_prometheus_graph_of_the_expression(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    prometheus = next(t.url for t in plan.monitoring.monitoring_tools if t.kind == "metrics")
    assert prometheus is not None
    for rule in _rules(root):
        text = (root / "docs" / "operations" / "alerts" / f"{rule['alert'].lower()}.md").read_text()
        expr = quote(rule["expr"].strip(), safe="")
        link = f"({prometheus}/graph?g0.expr={expr}&amp;g0.tab=0&amp;g0.range_input=1h)"
        assert link in text, rule["alert"]
