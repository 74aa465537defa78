"""detect-secrets finds nothing anywhere in the committed output/.

A few line shapes are excluded, each because it provably holds no secret:
content hashes (manifests and the compliance report's identity), Kubernetes Ingress
`secretName` fields (the *name* of a TLS Secret object), Helm values' `existingSecret`
(the *name* of the Secret deploy.sh creates), and compliance evidence quoting
a spec's secret *references*.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

NOT_SECRETS = "|".join(
    [
        r'^\s*"(plan_)?sha256": "[0-9a-f]{64}"',
        r'^\s*"value": "[0-9a-f]{64}"',
        r'^\s*secretName: "?[a-z0-9-]+"?\s*$',
        r'^\s*existingSecret: "?[a-z0-9-]+"?\s*$',
        r"reads secret `[a-z0-9-]+`",
    ]
)


def test_detect_secrets_finds_nothing_in_output() -> None:
    scanner = Path(sys.executable).parent / "detect-secrets"
    done = subprocess.run(
        [str(scanner), "scan", "--all-files", "--exclude-lines", NOT_SECRETS, "."],
        cwd=ROOT / "output",
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout)["results"]
    assert {name: [hit["type"] for hit in hits] for name, hits in found.items()} == {}
