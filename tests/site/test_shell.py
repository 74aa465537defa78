"""The reading of shell blocks the command test relies on: programs, arguments, prompts."""

from __future__ import annotations

from pathlib import Path

from tests.site.shell import Block, commands, fenced_blocks, unwrapped


def _programs(script: str) -> list[list[str]]:
    return [unwrapped(c).words for c in commands(script)]


def test_lists_pipes_and_keywords_leave_simple_commands() -> None:
    script = (
        "export VERSION=v1.4.0\n"
        'if [ -x ./bin/migrate ]; then ./bin/migrate up; fi && echo "done" | tee log\n'
        'for hpa in a b; do kubectl --context c -n shop patch hpa "$hpa"; done'
    )
    assert _programs(script) == [
        ["export", "VERSION=v1.4.0"],
        ["[", "-x", "./bin/migrate", "]"],
        ["./bin/migrate", "up"],
        ["echo", "done"],
        ["tee", "log"],
        ["kubectl", "--context", "c", "-n", "shop", "patch", "hpa", "$hpa"],
    ]


def test_quotes_continuations_redirections_and_substitutions() -> None:
    script = (
        'A=1 output/x/deploy.sh --version "$(git describe --tags)" \\\n'
        "    --dry-run >/tmp/out 2>&1 # a comment\n"
        "psql -Atc 'select count(*) > 0 from orders'"
    )
    assert _programs(script) == [
        ["output/x/deploy.sh", "--version", "$(git describe --tags)", "--dry-run"],
        ["psql", "-Atc", "select count(*) > 0 from orders"],
        ["git", "describe", "--tags"],
    ]


def test_wrappers_name_the_command_they_run() -> None:
    assert _programs("sudo -u postgres pg_ctl promote\nenv X=1 curl -sS url") == [
        ["pg_ctl", "promote"],
        ["curl", "-sS", "url"],
    ]


def test_console_blocks_keep_prompted_lines_and_their_continuations() -> None:
    block = Block("p.md", 1, "console", "$ kubectl get pods \\\n    -n shop\nNAME READY\n$ true")
    assert block.script() == "kubectl get pods \\\n    -n shop\ntrue"


def test_fenced_blocks_inside_tabs_are_found_with_their_language(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        '=== "production"\n\n    ```bash\n    output/a.sh\n    ```\n\n```\nplain\n```\n', "utf-8"
    )
    assert list(fenced_blocks(page, "page.md")) == [
        Block("page.md", 3, "bash", "output/a.sh"),
        Block("page.md", 7, "", "plain"),
    ]
