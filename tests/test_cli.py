"""The command line: help, version, init, schema, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from slagen import __version__
from tests.conftest import REPO, run_cli


def test_version() -> None:
    result = run_cli("--version")
    assert (result.exit_code, result.stdout.strip()) == (0, f"slagen {__version__}")


def test_help_imports_no_heavy_library() -> None:
    """`slagen --help` loads none of pydantic, Babel, Jinja, WeasyPrint or python-docx (commands load on demand)."""
    code = (
        "import sys\nfrom slagen.cli import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('pydantic', 'babel', 'jinja2', 'weasyprint', 'docx')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))"
    )
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip().splitlines()[-1] == "[]"
    assert "build" in output and "validate" in output


def test_unknown_tier_is_a_usage_error(workspace: Path) -> None:
    result = run_cli("build", "platinum", "--customer", "acme")
    assert result.exit_code == 2
    assert result.lines == ["unknown tier 'platinum'; the workspace has: basic, on-demand, premium, standard"]


def test_unknown_customer_is_a_usage_error(workspace: Path) -> None:
    result = run_cli("build", "premium", "--customer", "globex")
    assert result.exit_code == 2
    assert result.lines == ["unknown customer 'globex'; the workspace has: acme, fournil, huaxin, nordwerk"]


def test_no_workspace_found(tmp_path: Path, monkeypatch: object) -> None:
    import pytest

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path)
        result = run_cli("validate")
    assert result.exit_code == 2
    assert result.lines[0].startswith("no slagen.yaml in ")


def test_workspace_is_found_from_a_subfolder(workspace: Path, monkeypatch: object) -> None:
    import pytest

    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workspace / "tiers")
        assert run_cli("validate").exit_code == 0
    assert run_cli("--workspace", str(workspace), "validate").exit_code == 0


def test_init_scaffolds_a_valid_workspace(tmp_path: Path) -> None:
    target = tmp_path / "new"
    result = run_cli("init", str(target))
    assert result.exit_code == 0
    assert (target / "slagen.yaml").is_file() and (target / "tiers" / "premium.yaml").is_file()
    assert run_cli("--workspace", str(target), "validate").exit_code == 0
    again = run_cli("init", str(target))
    assert again.exit_code == 2 and "already exists" in again.stderr


def test_shipped_schemas_are_current(tmp_path: Path) -> None:
    result = run_cli("schema", "--out", str(tmp_path))
    assert result.exit_code == 0
    for kind in ("strings", "workspace", "tier", "clause", "customer"):
        written = json.loads((tmp_path / f"{kind}.schema.json").read_text())
        shipped = json.loads((REPO / "schema" / f"{kind}.schema.json").read_text())
        assert written == shipped, f"schema/{kind}.schema.json is stale: run 'slagen schema'"
    assert written["properties"]["legal_name"]["description"]


def test_shipped_yaml_points_editors_at_the_schema() -> None:
    for folder, kind in (("tiers", "tier"), ("clauses", "clause"), ("examples/customers", "customer")):
        for path in (REPO / folder).glob("*.yaml"):
            first = path.read_text().splitlines()[0]
            assert first.startswith("# yaml-language-server: $schema=") and f"{kind}.schema.json" in first, path


def test_tiers_table(workspace: Path) -> None:
    result = run_cli("tiers")
    assert result.exit_code == 0
    # five columns in an 80-character terminal: "1 hour / 8 hours" wraps before "hours"
    for text in ("On Demand", "Basic", "Standard", "Premium", "$50,000.00", "$5,000.00", "1 hour / 8"):
        assert text in result.stdout


def test_the_wheel_ships_the_default_workspace(tmp_path: Path) -> None:
    """`slagen init` from an installed package copies the workspace packed inside the wheel."""
    import zipfile

    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
        check=True, capture_output=True, timeout=300,
    )
    wheel = next(tmp_path.glob("slagen-*.whl"))
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    for part in ("slagen.yaml", "tiers/premium.yaml", "clauses/service-credits.yaml", "templates/contract.html.j2",
                 "examples/customers/acme.yaml", "schema/tier.schema.json", "assets/logo.svg"):
        assert (unpacked / "slagen" / "defaults" / part).is_file(), part
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from slagen.cli import app; app(['init', sys.argv[2]])"
    )
    target = tmp_path / "scaffolded"
    subprocess.run([sys.executable, "-c", code, str(unpacked), str(target)], check=True, capture_output=True)
    assert (target / "tiers" / "premium.yaml").read_bytes() == (REPO / "tiers" / "premium.yaml").read_bytes()


def test_build_all_help_says_what_it_builds() -> None:
    result = run_cli("build", "--help")
    assert result.exit_code == 0
    flat = " ".join(result.stdout.split())
    assert (
        "--all Build the whole workspace: each customer's contract (DOCX, PDF) and summary for every tier it lists, "
        "each tier's blank template and summary, and the comparison page. Incremental: only documents whose inputs "
        "changed are rebuilt (see --force, --check)."
    ) in flat


def test_the_ci_example_gates_on_check() -> None:
    import yaml

    workflow = yaml.safe_load((REPO / "examples" / "ci" / "slagen.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert "slagen validate --strict" in runs
    build = next(index for index, run in enumerate(runs) if run.startswith("slagen build --all --shard"))
    check = next(index for index, run in enumerate(runs) if run.startswith("slagen build --all --check"))
    assert build < check
