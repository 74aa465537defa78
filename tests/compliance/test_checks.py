"""Each check: a passing, a failing and a not-applicable spec, with evidence positions."""

from __future__ import annotations

import pytest

from generator.compliance import Status
from generator.compliance.checks import CHECKS
from generator.compliance.context import AuditContext, Demand, Demands
from generator.spec.load import SourceFile, load_text
from generator.spec.validate import validate_loaded
from tests.compliance.helpers import audit, marked, spec_text

PASS, FAIL, NA = Status.PASS, Status.FAIL, Status.NOT_APPLICABLE

STAGING_ONLY = {
    "services": """\
services:
  - name: api
    description: The API.
    kind: api
    owner: ops
    targets:
      staging: {engine: kubernetes, namespace: shop}
""",
    "environments": """\
environments:
  staging:
    environment_type: staging
    infrastructure:
      compute_resources:
        platform: eks
        node_pools: [{name: general, count: 2, cpu: "2", memory: 8Gi}]
""",
}
STORES_DATA = """\
services:
  - name: api
    description: The API.
    kind: api
    owner: ops
    stores_data: true {mark}
    targets:
      production: {{engine: kubernetes, namespace: shop}}
"""
IMAGE = """\
services:
  - name: api
    description: The API.
    kind: api
    owner: ops
    image: registry.example.com/shop/api {mark}
    targets:
      production: {{engine: kubernetes, namespace: shop}}
"""
REPOSITORY = """\
services:
  - name: api
    description: The API.
    kind: api
    owner: ops
    repository: https://git.example.com/shop/api #ctx
    targets:
      production: {engine: kubernetes, namespace: shop}
"""
BUILT = """\
services:
  - name: api
    description: The API.
    kind: api
    owner: ops
    build_command: {command}
    targets:
      production: {{engine: kubernetes, namespace: shop}}
"""
ROLES = """\
  access_controls:
    identity_provider: okta
    roles: [{name: ops, permissions: {production: [read]}}]
"""


def security(policies: str = "", encryption: str = "", roles: str = ROLES) -> str:
    text = "security:\n"
    if policies:
        text += "  security_policies:\n" + policies
    return text + roles + encryption


def encryption(at_rest: str = "true", in_transit: str = "") -> str:
    text = f"  encryption_settings:\n    at_rest:\n      enabled: {at_rest}\n"
    text += "      key_management: aws-kms\n"
    return text + in_transit


def secrets(*lines: str) -> str:
    return (
        "configuration_management:\n  secrets_management:\n    provider: vault\n    secrets:\n"
        + "".join(lines)
    )


def backups(
    backup: str = "",
    tests: str = "",
    retention: str = "",
    engine: str = "restic",
    key: str = "      encryption_key: db-key\n",
) -> str:
    return (
        "backup_strategy:\n  backup_types:\n"
        f"    - name: db\n      kind: snapshot\n      engine: {engine}\n      service: api\n"
        "      environments: [production]\n      source: /var/lib/db\n"
        "      repository: s3:s3.example.com/backups/db\n"
        + key
        + backup
        + '  schedule:\n    jobs: [{backup: db, cron: "0 2 * * *"}]\n'
        + (f"    restore_tests:\n{tests}" if tests else "")
        + retention
    )


NAMED_DB = "    - name: db #fail\n"
KEY_SECRET = secrets("      - {name: db-key, path: shop/backup, rotation: 30d}\n")


def trails(*lines: str, requirements: str = "") -> str:
    return "compliance:\n" + requirements + "  audit_trails:\n" + "".join(lines)


def network(ingress: str = "", deny: str = "") -> str:
    text = BASE_ENV + "      network_configuration:\n"
    if deny:
        text += f"        default_deny: {deny}\n"
    if ingress:
        text += f"        ingresses:\n          - {ingress}\n"
    return text


BASE_ENV = """\
environments:
  production:
    environment_type: production
    infrastructure:
      compute_resources:
        platform: eks
        node_pools: [{name: general, count: 2, cpu: "2", memory: 8Gi}]
"""
DR_ENV = (
    BASE_ENV
    + """\
  dr:
    environment_type: disaster_recovery #ctx
    infrastructure:
      compute_resources:
        platform: eks
        node_pools: [{name: general, count: 2, cpu: "2", memory: 8Gi}]
"""
)
VERSIONING = """\
version_management:
  version_scheme: {type: semver}
  branching_strategy: {model: trunk}
  release_policy:
    approvals:
      - environment: production
"""
AUTOMATION = (
    "automation:\n"
    "  ci_cd_pipeline: {providers: [github_actions], registry: registry.example.com/shop}\n"
)

CASES: list[tuple[str, str, dict[str, str], Status, str]] = [
    # encryption_at_rest
    (
        "encryption_at_rest",
        "enabled",
        {
            "services": STORES_DATA.format(mark="#ctx"),
            "security": security(encryption=encryption("true #ok")),
        },
        PASS,
        "Production data is encrypted at rest.",
    ),
    (
        "encryption_at_rest",
        "disabled",
        {
            "services": STORES_DATA.format(mark="#ctx"),
            "security": security(encryption=encryption("false #fail")),
        },
        FAIL,
        "Production data is stored without encryption at rest.",
    ),
    ("encryption_at_rest", "no data", {}, NA, "No production environment stores data."),
    # encryption_in_transit
    (
        "encryption_in_transit",
        "tls everywhere",
        {
            "environments": network("{host: shop.example.com, service: api} #ok"),
            "security": security(
                encryption=encryption(in_transit="    in_transit: {enabled: true} #ok\n")
            ),
        },
        PASS,
        "Traffic to and within production is encrypted.",
    ),
    (
        "encryption_in_transit",
        "plain ingress",
        {
            "environments": network("{host: shop.example.com, service: api, tls: false} #fail"),
            "security": security(
                encryption=encryption(in_transit="    in_transit: {enabled: true} #ok\n")
            ),
        },
        FAIL,
        "Some production traffic is not encrypted.",
    ),
    (
        "encryption_in_transit",
        "no production",
        STAGING_ONLY,
        NA,
        "The plan has no production environment.",
    ),
    # tls_minimum_version
    (
        "tls_minimum_version",
        "above the policy",
        {
            "security": security(
                '    - {name: tls, kind: tls, min_version: "1.2"} #ctx\n',
                encryption(in_transit='    in_transit: {min_tls_version: "1.3"} #ok\n'),
            ),
        },
        PASS,
        "Production accepts TLS 1.2 or newer only.",
    ),
    (
        "tls_minimum_version",
        "below the policy",
        {
            "security": security(
                '    - {name: tls, kind: tls, min_version: "1.3"} #ctx\n',
                encryption(in_transit='    in_transit: {min_tls_version: "1.2"} #fail\n'),
            ),
        },
        FAIL,
        "Production accepts TLS versions older than 1.3.",
    ),
    (
        "tls_minimum_version",
        "no production",
        STAGING_ONLY,
        NA,
        "The plan has no production environment.",
    ),
    # secret_rotation
    (
        "secret_rotation",
        "within the maximum",
        {
            "configuration_management": secrets(
                "      - {name: db, path: shop/db, rotation: 30d} #ok\n"
            ),
            "security": security(
                "    - {name: rotate, kind: secret_rotation, max_age: 90d} #ctx\n"
            ),
        },
        PASS,
        "Every secret rotates within 90d.",
    ),
    (
        "secret_rotation",
        "too old or never",
        {
            "configuration_management": secrets(
                "      - {name: db, path: shop/db, rotation: 120d} #fail\n",
                "      - {name: api, path: shop/api} #fail\n",
            ),
            "security": security(
                "    - {name: rotate, kind: secret_rotation, max_age: 90d} #ctx\n"
            ),
        },
        FAIL,
        "Some secrets are not rotated within 90d.",
    ),
    ("secret_rotation", "no secrets", {}, NA, "The plan declares no secrets."),
    # no_plain_secrets
    (
        "no_plain_secrets",
        "references",
        {
            "services": BUILT.format(command="make build"),
            "configuration_management": secrets("      - {name: db, path: shop/db}\n")
            + "  environment_variables:\n    - {name: DB_PASSWORD, secret: db} #ok\n",
        },
        PASS,
        "Credentials are references to declared secrets; 1 command(s) hold none.",
    ),
    (
        "no_plain_secrets",
        "literal in a command",
        {
            "services": BUILT.format(command="psql --password hunter2 -c 'select 1' #fail"),
        },
        FAIL,
        "Some credentials are not references to declared secrets.",
    ),
    ("no_plain_secrets", "nothing secret", {}, NA, "The plan uses no credentials and no commands."),
    # secret_scanning
    (
        "secret_scanning",
        "policy",
        {
            "services": REPOSITORY,
            "security": security("    - {name: leaks, kind: secret_scanning, fail_on: low} #ok\n"),
        },
        PASS,
        "Every push is scanned for committed secrets.",
    ),
    (
        "secret_scanning",
        "no policy",
        {
            "services": REPOSITORY,
            "security": security(
                roles=ROLES.replace("  access_controls:", "  access_controls: #fail")
            ),
        },
        FAIL,
        "Nothing scans the repositories for committed secrets.",
    ),
    ("secret_scanning", "no repository", {}, NA, "No service is built from a repository."),
    # production_change_approval
    (
        "production_change_approval",
        "four eyes",
        {
            "version_management": VERSIONING
            + "        approvers: [ops] #ok\n        separate_from_author: true #ok\n",
            "security": security(roles=ROLES.replace("[read]", "[read, approve]")),
        },
        PASS,
        "Every production deploy needs approval by someone other than its author.",
    ),
    (
        "production_change_approval",
        "author approves",
        {
            "version_management": VERSIONING
            + "        approvers: [ops] #fail\n        separate_from_author: false #fail\n",
            "security": security(),
        },
        FAIL,
        "Some production deploys can go out without an independent approval.",
    ),
    (
        "production_change_approval",
        "no production",
        STAGING_ONLY,
        NA,
        "Nothing is deployed to a production environment.",
    ),
    # mfa_production_deploy
    (
        "mfa_production_deploy",
        "mfa",
        {
            "security": security(
                roles=ROLES.replace(
                    "roles: [{name: ops, permissions: {production: [read]}}]",
                    "roles:\n      - name: ops\n        mfa: true #ok\n"
                    "        permissions: {production: [deploy]}",
                )
            ),
        },
        PASS,
        "Every role that can change production signs in with MFA.",
    ),
    (
        "mfa_production_deploy",
        "no mfa",
        {
            "security": security(
                roles=ROLES.replace(
                    "roles: [{name: ops, permissions: {production: [read]}}]",
                    "roles:\n      - name: ops\n        mfa: false #fail\n"
                    "        permissions: {production: [deploy]}",
                )
            ),
        },
        FAIL,
        "Some roles can change production without MFA.",
    ),
    (
        "mfa_production_deploy",
        "read only",
        {"security": security()},
        NA,
        "No role can change production.",
    ),
    # pipeline_least_privilege
    (
        "pipeline_least_privilege",
        "deploy only",
        {
            "automation": AUTOMATION,
            "security": security(
                roles=ROLES + "    pipeline:\n      credentials: oidc #ok\n"
                "      permissions:\n        production: [deploy, rollback] #ok\n"
            ),
        },
        PASS,
        "The pipeline holds only what a deploy needs, with short-lived credentials.",
    ),
    (
        "pipeline_least_privilege",
        "approves with static keys",
        {
            "automation": AUTOMATION,
            "security": security(
                roles=ROLES + "    pipeline:\n      credentials: static #fail\n"
                "      permissions:\n        production: [deploy, approve] #fail\n"
            ),
        },
        FAIL,
        "The pipeline holds more rights, or longer-lived credentials, than a deploy needs.",
    ),
    ("pipeline_least_privilege", "no pipeline", {}, NA, "The plan has no CI/CD pipeline."),
    # network_default_deny
    (
        "network_default_deny",
        "deny",
        {"environments": network(deny="true #ok")},
        PASS,
        "Production networks deny traffic between services unless a dependency allows it.",
    ),
    (
        "network_default_deny",
        "allow",
        {"environments": network(deny="false #fail")},
        FAIL,
        "Some production networks allow traffic between any services.",
    ),
    (
        "network_default_deny",
        "no production",
        STAGING_ONLY,
        NA,
        "The plan has no production environment.",
    ),
    # backup_coverage
    (
        "backup_coverage",
        "backed up",
        {
            "services": STORES_DATA.format(mark="#ok"),
            "backup_strategy": backups(),
            "configuration_management": KEY_SECRET,
        },
        PASS,
        "Every service holding production data is backed up.",
    ),
    (
        "backup_coverage",
        "not backed up",
        {"services": STORES_DATA.format(mark="#fail")},
        FAIL,
        "Some production data is not backed up.",
    ),
    ("backup_coverage", "no data", {}, NA, "No production environment stores data."),
    # backup_encryption
    (
        "backup_encryption",
        "encrypted",
        {
            "configuration_management": KEY_SECRET,
            "backup_strategy": backups(key="      encryption_key: db-key #ok\n"),
        },
        PASS,
        "Every backup of production data is encrypted.",
    ),
    (
        "backup_encryption",
        "server side, unencrypted",
        {
            "backup_strategy": backups(engine="object_replication #fail", key=""),
            "security": security(encryption=encryption("false")),
        },
        FAIL,
        "Some backups of production data are not encrypted.",
    ),
    ("backup_encryption", "no backups", {}, NA, "No backup runs in a production environment."),
    # backup_offsite_copy
    (
        "backup_offsite_copy",
        "copied",
        {
            "backup_strategy": backups("      offsite_copy: s3:s3.example.com/dr/db #ok\n"),
            "configuration_management": KEY_SECRET,
        },
        PASS,
        "Every backup of production data has an off-site copy.",
    ),
    (
        "backup_offsite_copy",
        "one place",
        {
            "backup_strategy": backups().replace("    - name: db\n", NAMED_DB),
            "configuration_management": KEY_SECRET,
        },
        FAIL,
        "Some backups of production data exist in one place only.",
    ),
    ("backup_offsite_copy", "no backups", {}, NA, "No backup runs in a production environment."),
    # backup_restore_testing
    (
        "backup_restore_testing",
        "weekly",
        {
            "backup_strategy": backups(tests='      - {backup: db, cron: "0 5 * * 1"} #ok\n'),
            "configuration_management": KEY_SECRET,
        },
        PASS,
        "Every backup of production data is restore-tested at least every 31d.",
    ),
    (
        "backup_restore_testing",
        "monthly against a weekly policy",
        {
            "backup_strategy": backups(tests='      - {backup: db, cron: "0 5 1 * *"} #fail\n'),
            "configuration_management": KEY_SECRET,
            "security": security(
                "    - {name: restores, kind: restore_testing, max_interval: 7d} #ctx\n"
            ),
        },
        FAIL,
        "Some backups of production data are not restore-tested every 7d.",
    ),
    ("backup_restore_testing", "no backups", {}, NA, "No backup runs in a production environment."),
    # backup_retention
    (
        "backup_retention",
        "half a year",
        {
            "backup_strategy": backups(retention="  retention_policy: {keep_monthly: 12} #ok\n"),
            "configuration_management": KEY_SECRET,
            "compliance": "compliance:\n  compliance_requirements:\n"
            "    - {framework: iso27001, backup_retention: 180d} #ctx\n",
        },
        PASS,
        "Backups are kept at least 180d.",
    ),
    ("backup_retention", "nothing demanded", {}, NA, "No framework in scope demands a retention."),
    # audit_trail_events
    (
        "audit_trail_events",
        "changes recorded",
        {
            "compliance": trails(
                "    - name: deploys\n"
                "      events: [deployment, rollback, approval, config_change] #ok\n"
                "      destination: s3://audit/deploys\n      retention: 400d\n"
            ),
        },
        PASS,
        "Audit trails record deployment, rollback, approval, config_change.",
    ),
    (
        "audit_trail_events",
        "deploys only",
        {
            "compliance": trails(
                "    - name: deploys #fail\n      events: [deployment] #ok\n"
                "      destination: s3://audit/deploys\n      retention: 400d\n"
            ),
        },
        FAIL,
        "Nothing records rollback, approval, config_change.",
    ),
    (
        "audit_trail_events",
        "no production",
        STAGING_ONLY,
        NA,
        "The plan has no production environment.",
    ),
    # audit_trail_retention
    (
        "audit_trail_retention",
        "400 days for PCI DSS",
        {
            "compliance": trails(
                "    - name: deploys\n      events: [deployment]\n"
                "      destination: s3://audit/deploys\n      retention: 400d #ok\n",
                requirements="  compliance_requirements:\n    - framework: pci_dss #ctx\n",
            ),
        },
        PASS,
        "Every audit trail is kept at least 365d.",
    ),
    (
        "audit_trail_retention",
        "90 days for PCI DSS",
        {
            "compliance": trails(
                "    - name: deploys\n      events: [deployment]\n"
                "      destination: s3://audit/deploys\n      retention: 90d #fail\n",
                requirements="  compliance_requirements:\n    - framework: pci_dss #ctx\n",
            ),
        },
        FAIL,
        "Some audit trails are not kept the 365d that PCI DSS 4.0 (requirement 10.5.1) demands.",
    ),
    (
        "audit_trail_retention",
        "nothing demanded",
        {},
        NA,
        "No framework in scope demands an audit-log retention.",
    ),
    # audit_trail_tamper_protection
    (
        "audit_trail_tamper_protection",
        "worm",
        {
            "compliance": trails(
                "    - name: deploys\n      events: [deployment]\n      destination: s3://audit/d\n"
                "      retention: 400d\n      tamper_protection: worm #ok\n"
            ),
        },
        PASS,
        "Every audit trail is protected from alteration.",
    ),
    (
        "audit_trail_tamper_protection",
        "none",
        {
            "compliance": trails(
                "    - name: deploys\n      events: [deployment]\n      destination: s3://audit/d\n"
                "      retention: 400d\n      tamper_protection: none #fail\n"
            ),
        },
        FAIL,
        "Some audit records could be altered unnoticed.",
    ),
    ("audit_trail_tamper_protection", "no trails", {}, NA, "The plan declares no audit trail."),
    # dr_drill
    (
        "dr_drill",
        "quarterly",
        {
            "environments": DR_ENV,
            "disaster_recovery": "disaster_recovery:\n  failover_strategy:\n"
            "    type: active_passive\n    primary: production\n    secondary: dr\n"
            '    drill_schedule: "0 8 15 3,6,9,12 *" #ok\n',
        },
        PASS,
        "Failover is rehearsed at least every 366d.",
    ),
    (
        "dr_drill",
        "quarterly against a monthly policy",
        {
            "environments": DR_ENV,
            "disaster_recovery": "disaster_recovery:\n  failover_strategy:\n"
            "    type: active_passive\n    primary: production\n    secondary: dr\n"
            '    drill_schedule: "0 8 15 3,6,9,12 *" #fail\n',
            "security": security("    - {name: drills, kind: dr_drill, max_interval: 31d} #ctx\n"),
        },
        FAIL,
        "Failover is not rehearsed every 31d.",
    ),
    ("dr_drill", "no dr", {}, NA, "The plan has no disaster-recovery environment."),
    # vulnerability_scanning
    (
        "vulnerability_scanning",
        "high or worse blocks",
        {
            "services": IMAGE.format(mark="#ctx"),
            "security": security(
                "    - {name: deps, kind: dependency_scanning, fail_on: high} #ok\n"
                "    - {name: images, kind: image_scanning, fail_on: medium} #ok\n"
            ),
        },
        PASS,
        "Dependencies and images are scanned and high-severity findings block a release.",
    ),
    (
        "vulnerability_scanning",
        "critical only, no image scan",
        {
            "services": IMAGE.format(mark="#ctx"),
            "security": security(
                "    - {name: deps, kind: dependency_scanning, fail_on: critical} #fail\n"
            ),
        },
        FAIL,
        "Vulnerabilities can reach production unscanned or unblocked.",
    ),
    ("vulnerability_scanning", "nothing built", {}, NA, "The plan builds no service."),
    # image_signing
    (
        "image_signing",
        "verified",
        {
            "services": IMAGE.format(mark=""),
            "security": security(
                "    - {name: signed, kind: image_signing, verify_before_deploy: true} #ok\n"
            ),
        },
        PASS,
        "Production runs only images whose signatures are verified before deploy.",
    ),
    (
        "image_signing",
        "not verified",
        {
            "services": IMAGE.format(mark=""),
            "security": security(
                "    - {name: signed, kind: image_signing, verify_before_deploy: false} #fail\n"
            ),
        },
        FAIL,
        "Unsigned or unverified images can run in production.",
    ),
    ("image_signing", "no images", {}, NA, "No container image runs in production."),
]


@pytest.mark.parametrize(
    ("check", "sections", "status", "summary"),
    [pytest.param(c, s, st, su, id=f"{c}-{n}") for c, n, s, st, su in CASES],
)
def test_check(check: str, sections: dict[str, str], status: Status, summary: str) -> None:
    text = spec_text(**sections)
    result = audit(text).check(check)
    assert (result.status, result.summary) == (status, summary)
    cited = {(e.location.line, e.ok) for e in result.evidence}
    assert cited == marked(text)
    assert all(e.location.file == "spec.yaml" for e in result.evidence)


def test_backup_retention_fails_below_a_framework_demand() -> None:
    # `validate` already rejects a retention below one the spec states; a framework's own
    # demand (framework data) is judged by the check alone.
    text = spec_text(
        backup_strategy=backups(retention="  retention_policy: {keep_monthly: 12} #fail\n"),
        configuration_management=KEY_SECRET,
        compliance="compliance:\n  compliance_requirements:\n    - framework: soc2 #ctx\n",
    )
    loaded = load_text(SourceFile("spec.yaml", text))
    plan = validate_loaded(loaded).plan
    assert plan is not None
    demand = Demand(
        "730d", "SOC 2 (as a test)", ("compliance", "compliance_requirements", 0, "framework")
    )
    context = AuditContext(plan, loaded.positions, Demands(backup_retention=(demand,)))
    result = CHECKS["backup_retention"].run(context)
    assert (result.status, result.summary) == (
        FAIL,
        "Backups are not kept the 730d that SOC 2 (as a test) demands.",
    )
    assert {(e.location.line, e.ok) for e in result.evidence} == marked(text)


def test_every_check_has_pass_fail_and_not_applicable_cases() -> None:
    covered = {(check, status) for check, _, _, status, _ in CASES}
    covered.add(("backup_retention", FAIL))  # test_backup_retention_fails_below_a_framework_demand
    assert covered == {(name, s) for name in CHECKS for s in Status}
