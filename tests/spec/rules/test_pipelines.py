"""Pipeline rules: OIDC logins for secret reads, pinned security tools, the drift job's
spec repository, approvals for deployed environments, and environment protection."""

from __future__ import annotations

from pathlib import Path

from generator.diagnostics import Severity
from generator.spec.rules.pipelines import SECURITY_TOOLS
from generator.spec.validate import validate_file
from generator.targets.pipelines.tools import DEFAULT_ACTIONS, DEFAULT_VERSIONS, TOOL_IMAGES
from tests.spec.rules.findings import at, findings

SPEC = """\
project:
  name: tiles
  description: Map tiles.
  owner: maps
  repository: https://github.com/example/tiles-plan
  teams:
    - name: maps
    - name: sre
      gitlab_group: maps/sre
services:
  - name: tile-api
    description: Serves map tiles.
    kind: api
    owner: maps
    image: registry.example.com/maps/tile-api
    targets:
      staging: {engine: compose}
      production: {engine: compose}
environments:
  staging:
    environment_type: staging
    infrastructure:
      compute_resources:
        platform: docker compose
        node_pools: [{name: web, count: 1, cpu: "1", memory: 1Gi}]
  production:
    extends: staging
    environment_type: production
  dr:
    extends: staging
    environment_type: disaster_recovery
automation:
  ci_cd_pipeline:
    providers: [github_actions, gitlab_ci]
    registry: registry.example.com/maps
    oidc:
      - provider: vault
        roles: {staging: tiles-staging, production: tiles-prod}
  automation_tools:
    - {name: sigstore/cosign-installer, version: v3.7.0}
    - {name: trivy, version: 0.57.1}
    - {name: gitleaks, version: v8.21.2}
    - {name: cosign, version: v2.4.1}
version_management:
  version_scheme: {type: semver}
  branching_strategy: {model: trunk}
  release_policy:
    approvals:
      - {environment: production, approvers: [oncall], required: 1}
configuration_management:
  environment_variables:
    - {name: TILE_DB_PASSWORD, secret: tile-db-password}
  secrets_management:
    provider: vault
    address: https://vault.example.com
    secrets:
      - {name: tile-db-password, path: maps/tile-db}
      - {name: tile-cdn-key, path: maps/cdn, services: [tile-api]}
security:
  security_policies:
    - {name: deps, kind: dependency_scanning}
    - {name: leaks, kind: secret_scanning}
    - {name: signed, kind: image_signing}
  access_controls:
    identity_provider: okta
    roles:
      - name: oncall
        teams: [sre]
        permissions: {production: [read, deploy, approve]}
"""


def test_the_base_spec_has_no_findings(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC, encoding="utf-8")
    assert validate_file(spec, "spec.yaml").diagnostics == []


def test_a_secret_read_without_an_oidc_role_is_an_error(tmp_path: Path) -> None:
    text = SPEC.replace("staging: tiles-staging, ", "")
    [finding] = findings(tmp_path, text, "oidc-login")
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "deploy jobs read secrets from `vault` with OIDC in `staging`, but "
        "automation.ci_cd_pipeline.oidc has no `vault` login for it"
    )
    assert finding.location == at(text, "    provider: vault", "vault")
    assert finding.notes == (
        ("the roles of the `vault` login are here", at(text, "roles: {production", "{")),
    )
    assert finding.hint == "add a role for `staging` to the roles of the `vault` login"


def test_without_any_oidc_login_the_note_points_at_the_pipeline(tmp_path: Path) -> None:
    text = SPEC.replace(
        "    oidc:\n      - provider: vault\n        roles: {staging: tiles-staging, "
        "production: tiles-prod}\n",
        "",
    )
    [finding] = findings(tmp_path, text, "oidc-login")
    assert finding.message == (
        "deploy jobs read secrets from `vault` with OIDC in `staging`, `production`, but "
        "automation.ci_cd_pipeline.oidc has no `vault` login for them"
    )
    assert finding.notes == (
        ("OIDC logins of deploy jobs are configured here", at(text, "ci_cd_pipeline:")),
    )
    assert finding.hint == (
        "add `- provider: vault` with `roles:` for `staging`, `production` to "
        "automation.ci_cd_pipeline.oidc, or set secrets_management.auth to how deploy jobs "
        "authenticate instead"
    )


def test_a_secret_with_its_own_provider_is_reported_at_that_provider(tmp_path: Path) -> None:
    text = SPEC.replace("path: maps/cdn,", "path: maps/cdn, provider: aws_secrets_manager,")
    [finding] = findings(tmp_path, text, "oidc-login")
    assert finding.message == (
        "deploy jobs read secret `tile-cdn-key` from `aws_secrets_manager` with OIDC in "
        "`staging`, `production`, but automation.ci_cd_pipeline.oidc has no "
        "`aws_secrets_manager` login for them"
    )
    assert finding.location == at(text, "provider: aws_secrets_manager", "aws_secrets_manager")


def test_providers_without_oidc_and_other_auth_methods_need_no_login(tmp_path: Path) -> None:
    no_logins = SPEC.replace(
        "roles: {staging: tiles-staging, production: tiles-prod}", "roles: {dr: x}"
    )
    token = no_logins.replace("address: https://vault.example.com", "auth: token")
    assert findings(tmp_path, token, "oidc-login") == []
    ci = no_logins.replace("provider: vault\n    address", "provider: ci\n    address")
    ci = ci.replace("maps/tile-db", "TILE_DB").replace("maps/cdn", "TILE_CDN")
    assert findings(tmp_path, ci, "oidc-login") == []


def test_oidc_roles_name_real_environments(tmp_path: Path) -> None:
    text = SPEC.replace("production: tiles-prod}", "prod: tiles-prod}")
    [finding] = findings(tmp_path, text, "unknown-reference")
    assert finding.message == "environment `prod` is not defined"
    assert finding.hint == "did you mean `production`?"
    assert finding.location == at(text, "prod: tiles-prod", "prod:")


def test_an_unpinned_security_tool_warns_that_the_built_in_pin_is_used(tmp_path: Path) -> None:
    text = SPEC.replace("    - {name: gitleaks, version: v8.21.2}\n", "")
    [finding] = findings(tmp_path, text, "tool-pin")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "policy `leaks` runs `gitleaks` in the pipelines, but automation.automation_tools "
        "does not pin it: the pipelines use deployplan's built-in pin"
    )
    assert finding.location == at(text, "kind: secret_scanning", "secret_scanning")
    assert finding.notes == (("pinned tools are listed here", at(text, "- {name: sigstore")),)
    assert finding.hint == (
        "add `{name: gitleaks, version: …}` to automation.automation_tools (with `digest:` "
        "for an image, `sha:` for an action), so that upgrades are your decision"
    )


def test_signing_needs_cosign_and_on_github_its_installer_action(tmp_path: Path) -> None:
    text = SPEC.replace("    - {name: cosign, version: v2.4.1}\n", "").replace(
        "    - {name: sigstore/cosign-installer, version: v3.7.0}\n", ""
    )
    [finding] = findings(tmp_path, text, "tool-pin")
    assert finding.message == (
        "policy `signed` runs `cosign` and `sigstore/cosign-installer` in the pipelines, but "
        "automation.automation_tools does not pin them: the pipelines use deployplan's "
        "built-in pin"
    )
    gitlab_only = text.replace("[github_actions, gitlab_ci]", "[gitlab_ci]")
    [finding] = findings(tmp_path, gitlab_only, "tool-pin")
    assert finding.message.startswith("policy `signed` runs `cosign` in the pipelines")


def test_either_scanner_serves_and_image_policies_need_an_image(tmp_path: Path) -> None:
    grype = SPEC.replace("name: trivy, version: 0.57.1", "name: grype, version: v0.84.0")
    assert findings(tmp_path, grype, "tool-pin") == []
    no_image = SPEC.replace("    image: registry.example.com/maps/tile-api\n", "").replace(
        "    - {name: cosign, version: v2.4.1}\n", ""
    )
    assert findings(tmp_path, no_image, "tool-pin") == []


def test_the_rule_knows_every_tool_the_pipelines_fall_back_for() -> None:
    names = {name for choices in SECURITY_TOOLS.values() for choice in choices for name in choice}
    assert names <= set(TOOL_IMAGES) | set(DEFAULT_ACTIONS) | set(DEFAULT_VERSIONS)


def test_drift_check_without_the_spec_repository_warns(tmp_path: Path) -> None:
    text = SPEC.replace("  repository: https://github.com/example/tiles-plan\n", "")
    [finding] = findings(tmp_path, text, "drift-check")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "drift_check is on, but project.repository is not set: the pipelines cannot fetch "
        "the spec, so they get no drift job"
    )
    assert finding.location == at(text, "ci_cd_pipeline:")
    assert finding.notes == (("project has no `repository`", at(text, "project:")),)
    assert finding.hint == (
        "set project.repository to the git URL of the repository holding this spec, or "
        "`drift_check: false`"
    )
    off = text.replace("    registry:", "    drift_check: false\n    registry:")
    assert findings(tmp_path, off, "drift-check") == []


def test_github_drift_jobs_need_the_spec_on_github(tmp_path: Path) -> None:
    text = SPEC.replace(
        "https://github.com/example/tiles-plan", "https://gitlab.example.com/maps/tiles-plan"
    ).replace("    registry:", "    drift_check: true\n    registry:")
    [finding] = findings(tmp_path, text, "drift-check")
    assert finding.message == (
        "drift_check is on, but project.repository is not on github.com: GitHub workflows "
        "cannot check it out, so they get no drift job"
    )
    assert finding.location == at(text, "drift_check: true", "true")
    gitlab_only = text.replace("[github_actions, gitlab_ci]", "[gitlab_ci]")
    assert findings(tmp_path, gitlab_only, "drift-check") == []


def test_an_approval_for_an_environment_no_pipeline_deploys_to_is_an_error(
    tmp_path: Path,
) -> None:
    text = SPEC.replace(
        "      - {environment: production,",
        "      - {environment: dr, approvers: [oncall]}\n      - {environment: production,",
    )
    [finding] = findings(tmp_path, text, "approval-environment")
    assert finding.severity is Severity.ERROR
    assert finding.message == (
        "approvals are required for `dr`, but no pipeline deploys to it: no service targets it"
    )
    assert finding.location == at(text, "{environment: dr", "dr")
    assert finding.notes == (("environment `dr` is defined here", at(text, "  dr:", "dr")),)
    assert finding.hint == (
        "add `dr` to the `targets` of the services deployed there, or remove this approval"
    )


def test_github_counts_one_approval_whatever_required_says(tmp_path: Path) -> None:
    text = SPEC.replace("approvers: [oncall], required: 1", "approvers: [oncall], required: 2")
    [finding] = findings(tmp_path, text, "github-approvals")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "`production` requires 2 approvals, but a GitHub environment releases its deploy job "
        "on the first approval of any required reviewer"
    )
    assert finding.location == at(text, "required: 2", "2")
    assert finding.notes == (("GitHub Actions is selected here", at(text, "github_actions")),)
    gitlab_only = text.replace("[github_actions, gitlab_ci]", "[gitlab_ci]")
    assert findings(tmp_path, gitlab_only, "github-approvals") == []


def test_approvers_that_no_team_holds_cannot_be_asked(tmp_path: Path) -> None:
    text = SPEC.replace("        teams: [sre]\n", "")
    [finding] = findings(tmp_path, text, "approval-reviewers")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "no team holds `oncall`: the CI cannot ask anyone to approve deploys to "
        "`production`, so they go out unapproved"
    )
    assert finding.location == at(text, "approvers: [oncall]", "[oncall]")


def test_teams_protecting_gitlab_environments_need_their_group(tmp_path: Path) -> None:
    text = SPEC.replace("      gitlab_group: maps/sre\n", "")
    [finding] = findings(tmp_path, text, "gitlab-group")
    assert finding.severity is Severity.WARNING
    assert finding.message == (
        "team `sre` deploys to or approves deploys to `production`, but has no "
        "`gitlab_group`: configure-gitlab-environments.sh cannot allow it there"
    )
    assert finding.location == at(text, "- name: sre", "sre")
    assert finding.notes == (("GitLab CI is selected here", at(text, "gitlab_ci]", "gitlab_ci")),)
    github_only = text.replace("[github_actions, gitlab_ci]", "[github_actions]")
    assert findings(tmp_path, github_only, "gitlab-group") == []
