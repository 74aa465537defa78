"""Small specs for the compliance tests, with the expected evidence marked in the YAML.

A line ending in ``#ok``, ``#fail`` or ``#ctx`` is where a check must cite evidence that
satisfies it, breaks it, or gives context; the tests compare those marks with the
positions the check reports.
"""

from __future__ import annotations

import re

from generator.compliance import AuditReport, evaluate
from generator.spec.load import SourceFile, load_text
from generator.spec.validate import validate_loaded

BASE = {
    "project": """\
project:
  name: shop
  description: A shop.
  owner: ops
  teams:
    - {name: ops, email: ops@example.com}
""",
    "services": """\
services:
  - name: api
    description: The API.
    kind: api
    owner: ops
    targets:
      production: {engine: kubernetes, namespace: shop}
""",
    "environments": """\
environments:
  production:
    environment_type: production
    infrastructure:
      compute_resources:
        platform: eks
        node_pools: [{name: general, count: 2, cpu: "2", memory: 8Gi}]
""",
}
MARK = re.compile(r"#(ok|fail|ctx)\s*$")
OK = {"ok": True, "fail": False, "ctx": None}


def spec_text(**sections: str) -> str:
    """The base spec with ``sections`` added or replacing the base's."""
    merged = {**BASE, **sections}
    return "".join(text for text in merged.values() if text)


def audit(text: str) -> AuditReport:
    """Validate and audit spec ``text`` (it must be valid)."""
    loaded = load_text(SourceFile("spec.yaml", text))
    result = validate_loaded(loaded)
    assert result.plan is not None, [d.message for d in result.diagnostics]
    return evaluate(result.plan, loaded.positions, "spec.yaml")


def marked(text: str) -> set[tuple[int, bool | None]]:
    """(line, ok) of every marked line."""
    return {
        (number, OK[found.group(1)])
        for number, line in enumerate(text.splitlines(), start=1)
        if (found := MARK.search(line))
    }
