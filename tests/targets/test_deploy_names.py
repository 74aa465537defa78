"""Any valid service name keeps every generated script shellcheck-clean: names that are
shell builtins, keywords or common commands (``jobs``, ``echo``, ``exec``, ``test``) too.

Each example is a small spec whose services carry the drawn names, one engine each in
turn; everything is generated and one shellcheck run reads every script (without the
data-flow analysis, which test_deploy runs on every script shape).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from generator.spec.model.types import DNS_LABEL
from tests.e2e.helpers import generate, spec

BIN = Path(sys.executable).parent
#: Words shellcheck knows as commands (SC2209 flags `VAR=word` for them), and keywords.
SHELL_WORDS = ("jobs", "echo", "exec", "test", "kill", "cat", "ls", "eval", "set", "trap",
               "read", "wait", "true", "if", "then", "done", "time", "select", "function",
               "local", "export", "shift", "printf", "cd", "pwd", "type")  # fmt: skip
TARGETS: tuple[dict[str, Any], ...] = (
    {"engine": "local", "release_dir": "/srv/app"},
    {"engine": "kubernetes"},
    {"engine": "helm", "chart": "oci://charts.example.com/app"},
    {"engine": "ansible", "hosts": ["app-1", "app-2"], "release_dir": "/srv/app"},
    {"engine": "systemd", "hosts": ["app-1"], "release_dir": "/srv/app"},
    {"engine": "compose", "hosts": ["app-1"]},
)
names = st.one_of(st.sampled_from(SHELL_WORDS), st.from_regex(DNS_LABEL, fullmatch=True))


def document(service_names: list[str]) -> dict[str, Any]:
    services = [
        {
            "name": name,
            "description": "A service with a drawn name.",
            "kind": "api",
            "owner": "ops",
            "image": f"registry.example.com/{name}",
            "port": 8080,
            "health_path": "/healthz",
            "start_command": "exec ./server",
            "targets": {"production": TARGETS[index % len(TARGETS)]},
        }
        for index, name in enumerate(service_names)
    ]
    return spec(
        services,
        env="production",
        configuration_management={
            "environment_variables": [
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "API_TOKEN", "secret": "token"},
            ],
            "secrets_management": {"provider": "ci", "secrets": [{"name": "token", "path": "T"}]},
        },
    )


@settings(max_examples=2, deadline=None)
@example(service_names=["jobs", "echo", "exec", "test", "kill", "cat"])
@given(service_names=st.lists(names, min_size=1, max_size=2, unique=True))
def test_every_script_is_shellcheck_clean_whatever_the_service_names(
    service_names: list[str],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        out = generate(document(service_names), root, "deploy", "configuration")
        scripts = sorted(str(p) for p in out.rglob("*.sh"))
        assert len(scripts) >= 7 * len(service_names)
        shellcheck = [str(BIN / "shellcheck"), "-x", "--extended-analysis=false", "-f", "gcc"]
        result = subprocess.run([*shellcheck, *scripts], capture_output=True, text=True)
        assert (result.returncode, result.stdout) == (0, "")
