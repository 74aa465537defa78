"""Training that teaches: lessons, self-checks and checklists carry the spec's own values.

Each example spec is generated once (scripts and manual); the assertions compare the
training pages with the validated plan, so they hold for any spec, not one case.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.render.markdown import md_inline
from generator.spec.model import DeploymentPlan
from generator.spec.validate import validate_file
from generator.targets.monitoring.alert_rules import alert_name
from tests.conftest import ROOT, run_cli

EXAMPLES = [
    "specs/deployplan.yaml",
    "specs/examples/vm-fleet.yaml",
    "specs/examples/compose-helm.yaml",
    "specs/examples/gitops.yaml",
]
QUESTION = re.compile(r'^\?\?\? question "(?P<ask>[^\n]*)"\n\n    (?P<answer>[^\n]*)$', re.M)
SCRIPT = re.compile(r"^(output/\S+\.sh)", re.M)
FENCE = re.compile(r"^```bash\n(.*?)\n```$", re.M | re.S)


def _generate(spec: Path, root: Path) -> Path:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(root / "cache"))
        result = run_cli(
            "generate", str(spec), "--out", str(root / "output"), "--docs", str(root / "docs")
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


def page(root: Path, path: str) -> str:
    return (root / "docs" / path).read_text(encoding="utf-8")


def answers(text: str) -> dict[str, str]:
    """Self-check question -> its folded answer."""
    return {m["ask"]: m["answer"] for m in QUESTION.finditer(text)}


def test_every_example_module_teaches_concepts(built: tuple[DeploymentPlan, Path]) -> None:
    plan, _ = built
    taught = {c.value for m in plan.training.training_modules for c in m.concepts}
    assert {"stages_and_gates", "rollback", "backups_and_restores", "secrets"} <= taught


def test_lessons_hold_the_real_stages_gates_and_windows(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    for module in plan.training.training_modules:
        text = page(root, f"training/modules/{module.name}.md")
        concepts = {c.value for c in module.concepts}
        if "stages_and_gates" in concepts:
            assert_flow_rows(plan, text)
        if "freeze_windows" in concepts:
            assert plan.version_management is not None
            for w in plan.version_management.release_policy.freeze_windows:
                assert (
                    f"| <code>{w.name}</code> | {md_inline(w.start.isoformat())} "
                    f"| {md_inline(w.end.isoformat())} | "
                ) in text
        if "canary" in concepts:
            assert_canaries(plan, text)
        if "approvals" in concepts:
            assert plan.version_management is not None
            for a in plan.version_management.release_policy.approvals:
                approvers = ", ".join(f"<code>{r}</code>" for r in a.approvers)
                assert f"| <code>{a.environment}</code> | {approvers} | {a.required} | " in text


def assert_canaries(plan: DeploymentPlan, text: str) -> None:
    """Every canary rollout with its traffic steps, and what holds each step."""
    for service in plan.services:
        for env, target in service.targets.items():
            if target.strategy.value != "canary":
                continue
            steps = "% → ".join(str(step) for step in target.canary_steps)
            line = next(
                line
                for line in text.splitlines()
                if line.startswith(f"- <code>{service.name}</code> in <code>{env}</code> ")
            )
            assert f": {steps}% of the traffic. " in line
            gitops = plan.automation.gitops if plan.automation else None
            if target.delivery.value == "gitops" and gitops:
                assert f"holds each weight for {gitops.rollouts.step_pause} " in line


def assert_flow_rows(plan: DeploymentPlan, text: str) -> None:
    """Every stage with its timeout and retries, every gate with its attempts."""
    assert plan.deployment_flow is not None
    for stage in plan.deployment_flow.stages:
        after = ", ".join(f"<code>{d}</code>" for d in stage.depends_on) or "—"
        assert (
            f"| <code>{stage.name}</code> | {after} | {stage.timeout} | {stage.retries} | "
        ) in text
    for gate in plan.deployment_flow.validation_points:
        assert f" | {gate.retries + 1} × {gate.interval}, at most {gate.deadline} | " in text, (
            gate.name
        )


def test_lessons_hold_the_real_backups_recovery_and_alerts(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    for module in plan.training.training_modules:
        text = page(root, f"training/modules/{module.name}.md")
        concepts = {c.value for c in module.concepts}
        if "backups_and_restores" in concepts:
            for p in plan.disaster_recovery.recovery_points:
                row = f"| <code>{p.name}</code> | <code>{p.service}</code> | {p.rpo} | {p.rto} | "
                assert row in text
            for job in plan.backup_strategy.schedule.jobs:
                assert f"<code>{md_inline(job.cron)}</code>" in text
        if "disaster_recovery" in concepts:
            strategy = plan.disaster_recovery.failover_strategy
            assert strategy is not None
            assert f"output/disaster-recovery/{strategy.secondary}/failover.sh --drill" in text
            for step in plan.disaster_recovery.recovery_procedures:
                assert f"| <code>{step.name}</code>: " in text
        if "alerts" in concepts:
            for t in plan.health_check.alert_thresholds.thresholds:
                assert f"| <code>{alert_name(t.name)}</code> | " in text


def test_every_command_of_a_lesson_is_a_generated_script(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    shown = 0
    for module in plan.training.training_modules:
        text = page(root, f"training/modules/{module.name}.md")
        for block in FENCE.findall(text):
            for path in SCRIPT.findall(block):
                assert (root / path).is_file(), f"{module.name}: {path}"
                shown += 1
    assert shown > 0


def test_self_check_answers_come_from_the_spec(built: tuple[DeploymentPlan, Path]) -> None:
    plan, root = built
    found: dict[str, str] = {}
    for module in plan.training.training_modules:
        found |= answers(page(root, f"training/modules/{module.name}.md"))
    vm = plan.version_management
    assert vm is not None
    approvals = ", ".join(f"<code>{a.environment}</code>" for a in vm.release_policy.approvals)
    assert found["Which environments need an approval before a deploy?"] == approvals
    for p in plan.disaster_recovery.recovery_points:
        assert found[f"What is the RPO of {p.name}, and what protects it?"].startswith(
            f"At most {p.rpo} of data may be lost, and service must be back within {p.rto}."
        )
    flow = plan.deployment_flow
    assert flow is not None
    gate = flow.validation_points[0]
    outcome = {
        "rollback": "the release is rolled back",
        "abort": "the deploy stops, and the release stays as it is",
        "continue": "the deploy goes on, and the failure is only reported",
    }[gate.on_failure]
    assert found[f"What happens when the gate {gate.name} fails?"] == (
        f"It is tried {gate.retries + 1} times, {gate.interval} apart, for at most "
        f"{gate.deadline}; when it still fails, {outcome}."
    )


@pytest.mark.parametrize("built", EXAMPLES[:1], indirect=True, ids=["deployplan"])
def test_the_shop_self_check_says_which_alert_pages_whom(
    built: tuple[DeploymentPlan, Path],
) -> None:
    _plan, root = built
    found = answers(page(root, "training/modules/observability-and-alerting.md"))
    assert found["Whom does StorefrontErrors page, and in what order?"] == (
        "Escalation path <code>customer_facing</code>: "
        "0m <code>sre</code> → 15m <code>orders</code> → 30m <code>platform</code>"
    )


def test_certification_checklists_list_required_items(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    text = page(root, "training/certification.md")
    modules = {m.name: m for m in plan.training.training_modules}
    exercises = {e.name: e for e in plan.training.hands_on_exercises}
    score = plan.training.certification_requirements.passing_score
    sections = re.split(r"^## ", text, flags=re.M)
    for role in plan.training.certification_requirements.roles:
        [section] = [s for s in sections if s.startswith(f"{role.role}\n")]
        for name in role.modules:
            m = modules[name]
            assert f"- [ ] [{md_inline(m.title)}](modules/{name}.md) ({m.duration})" in section
            asked = len(QUESTION.findall(page(root, f"training/modules/{name}.md")))
            assert (
                f"- [ ] [{md_inline(m.title)}](modules/{name}.md#self-check): "
                f"{asked} questions, at least {score}% answered right"
            ) in section
        for name in role.exercises:
            e = exercises[name]
            assert f"- [ ] [{md_inline(e.title)}](exercises/{name}.md) " in section


def test_exercises_show_duration_expected_output_and_cleanup(
    built: tuple[DeploymentPlan, Path],
) -> None:
    plan, root = built
    for e in plan.training.hands_on_exercises:
        text = page(root, f"training/exercises/{e.name}.md")
        assert e.duration is not None
        assert f"It takes about {e.duration}." in text
        assert f"**What you should see:** {md_inline(e.expected)}" in text
        assert f"```bash\n{e.verification.command}\n```" in text
        cleanup = text[text.index("## Clean up") :]
        for number, step in enumerate(e.cleanup, 1):
            shown = md_inline(step) if isinstance(step, str) else "**"
            assert f"\n{number}. {shown}" in cleanup
        if not e.cleanup:
            assert "The exercise leaves nothing behind to undo" in cleanup


def test_training_pages_have_substance(built: tuple[DeploymentPlan, Path]) -> None:
    _, root = built
    for path in sorted((root / "docs" / "training").rglob("*.md")):
        body = re.sub(r"```.*?```|<[^>]+>|&#\d+;|[|#*`\[\]()-]", " ", path.read_text(), flags=re.S)
        assert len(re.findall(r"\w+", body)) >= 150, path.name


FREE_TEXT = """
security:
  access_controls:
    identity_provider: okta
    roles:
      - name: operator
        permissions: {production: [deploy]}

training:
  training_modules:
    - name: basics
      title: The hello site
      audience: [operator]
      objectives: [Explain how the site is served.]
      duration: 1h
      topics: [nginx and its config, Where the logs go]
"""


def test_free_text_topics_still_render(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text((ROOT / "specs/examples/minimal.yaml").read_text() + FREE_TEXT)
    root = _generate(spec, tmp_path)
    text = page(root, "training/modules/basics.md")
    assert "## Topics\n\n- nginx and its config\n- Where the logs go\n" in text
    assert "## Lessons" not in text
    assert "??? question" not in text


def test_a_cleanup_action_names_what_the_plan_has(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = (ROOT / "specs/examples/minimal.yaml").read_text() + FREE_TEXT + CLEANUP
    spec.write_text(text)
    [finding] = [
        d
        for d in validate_file(spec, "spec.yaml").diagnostics
        if d.path == ("training", "hands_on_exercises", 0, "cleanup", 0, "scale")
    ]
    assert finding.message == "service `hello-wbe` is not defined"


CLEANUP = """
  hands_on_exercises:
    - name: restart
      module: basics
      title: Restart the site
      environment: production
      steps: [Stop the container, Start it again]
      verification: {command: curl --fail https://hello.example.com, expect: The page.}
      cleanup:
        - {scale: hello-wbe, replicas: 1, environment: production}
"""


def test_a_concept_without_material_is_an_error(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = (ROOT / "specs/examples/minimal.yaml").read_text() + FREE_TEXT.replace(
        "      duration: 1h\n", "      duration: 1h\n      concepts: [backups_and_restores]\n"
    )
    spec.write_text(text)
    [finding] = [
        d for d in validate_file(spec, "spec.yaml").diagnostics if d.code == "training-concept"
    ]
    assert finding.message == (
        "training module `basics` teaches `backups_and_restores`, but the plan declares no backups"
    )
    assert finding.hint == (
        "add `backup_strategy.backup_types`, or remove `backups_and_restores` "
        "from the module's concepts"
    )
    line = text.splitlines().index("      concepts: [backups_and_restores]") + 1
    assert (finding.location.line, finding.location.column) == (line, 18)
