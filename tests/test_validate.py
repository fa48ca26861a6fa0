"""`slagen validate` on the shipped workspace and on broken copies of it (cases in workspaces/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import run_cli

CASES: list[dict[str, Any]] = yaml.safe_load((Path(__file__).parent / "workspaces" / "broken_cases.yaml").read_text())


def test_shipped_workspace_is_valid(workspace: Path) -> None:
    result = run_cli("validate")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: 4 tiers, 19 clauses, 4 customers")
    assert result.stderr == ""


def apply_case(root: Path, case: dict[str, Any]) -> None:
    path = root / case["file"]
    text = path.read_text(encoding="utf-8")
    old, new = case["replace"]
    assert old in text, f"case {case['name']}: {old!r} not in {case['file']}"
    text = text.replace(old, new, 1)
    if "append_to_line" in case:
        marker, suffix = case["append_to_line"]
        text = text.replace(marker, marker + suffix, 1)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_broken_workspace(workspace: Path, case: dict[str, Any]) -> None:
    apply_case(workspace, case)
    result = run_cli("validate")
    assert result.exit_code == case["exit"]
    assert result.lines == case["errors"]
    assert "Traceback" not in result.stderr + result.stdout


def test_warnings_pass_unless_strict(workspace: Path) -> None:
    premium = workspace / "tiers" / "premium.yaml"
    text = premium.read_text().replace("sev4: {response: 2 business days", "sev4: {response: 3 business days")
    premium.write_text(text)
    relaxed = run_cli("validate")
    assert relaxed.exit_code == 0
    assert relaxed.lines == [
        "tiers/premium.yaml:14: targets.sev4.response: warning: 3 business days is slower than 2 business days "
        "in the cheaper tier 'standard'"
    ]
    strict = run_cli("validate", "--strict")
    assert strict.exit_code == 1


def test_debug_shows_the_traceback(workspace: Path) -> None:
    (workspace / "tiers" / "basic.yaml").write_text("id: basic\nid: again\n")
    plain = run_cli("validate")
    assert plain.exit_code == 1 and "Traceback" not in plain.stderr
    debug = run_cli("--debug", "validate")
    assert debug.exit_code == 1 and "Traceback" in debug.stderr


def test_json_output(workspace: Path) -> None:
    import json

    (workspace / "tiers" / "basic.yaml").write_text("id: basic\nid: again\n")
    result = run_cli("validate", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "ok": False, "errors": ["tiers/basic.yaml:2: id: duplicate key (first set on line 1)"], "warnings": []
    }


@pytest.mark.parametrize("template", ["summary.html.j2", "contract.html.j2"])
def test_validate_checks_the_page_templates(workspace: Path, template: str) -> None:
    (workspace / "templates" / template).write_text(
        f'{{% extends "builtin/{template}" %}}\n{{% block head %}}{{{{ no_such_field }}}}{{% endblock %}}\n'
    )
    result = run_cli("validate")
    assert result.exit_code == 1
    assert len(result.lines) == 1 and result.lines[0].startswith(f"templates/{template}:2: ")
    assert "no_such_field" in result.lines[0]
