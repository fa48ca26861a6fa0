"""`slagen build --all`: everything, incrementally, in parallel, with a check mode and shards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from slagen.incremental import MANIFEST_NAME
from tests.conftest import run_cli

SMALL = [
    "nordwerk/nordwerk-standard-sla.docx",
    "nordwerk/nordwerk-standard-sla.pdf",
    "nordwerk/nordwerk-standard-summary.pdf",
    "templates/standard-sla.docx",
    "templates/standard-sla.pdf",
    "templates/standard-summary.pdf",
    "compare.pdf",
]


def test_build_all_builds_the_pilot_customer(workspace: Path) -> None:
    """fournil is on a six-month pilot of Standard: `build --all` builds its documents and its summary says so."""
    from pypdf import PdfReader

    for name in ("basic", "premium"):
        (workspace / "tiers" / f"{name}.yaml").unlink()
    for name in ("acme", "huaxin", "nordwerk"):
        (workspace / "examples" / "customers" / f"{name}.yaml").unlink()
    result = run_cli("build", "--all", "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    built = sorted(line.split()[1] for line in result.stdout.splitlines()[:-1])
    assert built[1:4] == ["fournil/fournil-standard-sla.docx", "fournil/fournil-standard-sla.pdf",
                         "fournil/fournil-standard-summary.pdf"], built
    summary = " ".join(PdfReader(workspace / "dist" / "fournil" / "fournil-standard-summary.pdf").pages[0]
                       .extract_text().split())
    assert "PILOT OFFER" in summary and "Pilot of 6 months from 1 February 2026" in summary
    summary = summary.replace("\u202f", " ").replace("\xa0", " ")
    assert "Pilot fee 5 500,00 €, credits capped at 275,00 €; success criteria reviewed at the end; converts into " \
        "Standard unless either side gives notice 30 days before its end" in summary


def snapshot(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()}


def edit_clause(root: Path, clause: str, text: str) -> None:
    path = root / "clauses" / f"{clause}.yaml"
    path.write_text(path.read_text().replace("body: |\n", f"body: |\n  {text}\n\n", 1))


def test_build_all_then_incremental(small: Path) -> None:
    first = run_cli("build", "--all", "--jobs", "2")
    assert first.exit_code == 0, first.stderr
    lines = first.stdout.splitlines()
    assert sorted(line.split()[1] for line in lines[:-1]) == sorted(SMALL)
    assert all(line.endswith("(missing)") for line in lines[:-1])
    assert lines[-1].startswith("7 built, 0 up to date, 0 failed in ")
    assert "\x1b[" not in first.stdout  # no ANSI codes when not on a terminal
    manifest = json.loads((small / "dist" / MANIFEST_NAME).read_text())
    assert sorted(manifest["outputs"]) == sorted(SMALL)
    assert "clauses/liability.yaml" in manifest["outputs"]["templates/standard-sla.docx"]["inputs"]
    assert "clauses/liability.yaml" not in manifest["outputs"]["compare.pdf"]["inputs"]
    assert "slagen version" in manifest["outputs"]["compare.pdf"]["inputs"]

    noop = run_cli("build", "--all")
    assert noop.stdout.splitlines()[-1].startswith("0 built, 7 up to date, 0 failed")
    before = snapshot(small / "dist")

    edit_clause(small, "liability", "Liability is shared fairly.")
    check = run_cli("build", "--all", "--check")
    assert check.exit_code == 1
    assert check.stdout.splitlines() == [
        "stale nordwerk/nordwerk-standard-sla.docx (clauses/liability.yaml changed)",
        "stale nordwerk/nordwerk-standard-sla.pdf (clauses/liability.yaml changed)",
        "stale templates/standard-sla.docx (clauses/liability.yaml changed)",
        "stale templates/standard-sla.pdf (clauses/liability.yaml changed)",
        "4 stale, 3 up to date",
    ]
    assert snapshot(small / "dist") == before  # --check writes nothing

    rebuilt = run_cli("build", "--all", "--jobs", "1")
    assert rebuilt.exit_code == 0
    assert sorted(rebuilt.stdout.splitlines()[:-1]) == [
        "built nordwerk/nordwerk-standard-sla.docx (clauses/liability.yaml changed)",
        "built nordwerk/nordwerk-standard-sla.pdf (clauses/liability.yaml changed)",
        "built templates/standard-sla.docx (clauses/liability.yaml changed)",
        "built templates/standard-sla.pdf (clauses/liability.yaml changed)",
    ]
    after = snapshot(small / "dist")
    assert after["nordwerk/nordwerk-standard-summary.pdf"] == before["nordwerk/nordwerk-standard-summary.pdf"]
    assert after["nordwerk/nordwerk-standard-sla.docx"] != before["nordwerk/nordwerk-standard-sla.docx"]
    assert run_cli("build", "--all", "--check").exit_code == 0

    (small / "dist" / "compare.pdf").write_bytes(b"edited by hand")
    stale = run_cli("build", "--all", "--check", "--json")
    assert json.loads(stale.stdout)["stale"] == [
        {"output": "compare.pdf", "reasons": ["the file was changed by hand"]}
    ]


def test_one_failure_does_not_stop_the_others(small: Path) -> None:
    edit_clause(small, "scope", "{% if not customer.is_blank %}{{ customer.vat_id }}{% endif %}")
    result = run_cli("build", "--all", "--jobs", "2", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["failed"] == [
        {"task": "standard for nordwerk",
         "errors": ["clauses/scope.yaml:7: body: customer.vat_id is undefined; no data provides it"],
         "not_written": ["nordwerk/nordwerk-standard-sla.docx", "nordwerk/nordwerk-standard-sla.pdf",
                         "nordwerk/nordwerk-standard-summary.pdf"]}
    ]
    assert sorted(report["built"]) == sorted(path for path in SMALL if not path.startswith("nordwerk/"))
    assert not (small / "dist" / "nordwerk").exists()


def test_shards_split_the_work_deterministically(workspace: Path) -> None:
    everything = json.loads(run_cli("build", "--all", "--check", "--json").stdout)
    slices = [json.loads(run_cli("build", "--all", "--check", "--json", "--shard", f"{k}/3").stdout) for k in (1, 2, 3)]
    names = [sorted(item["output"] for item in part["stale"]) for part in slices]
    joined = [name for part in names for name in part]
    assert sorted(joined) == sorted(item["output"] for item in everything["stale"])
    assert all(names) and len(set(joined)) == len(joined)  # disjoint, none empty
    again = json.loads(run_cli("build", "--all", "--check", "--json", "--shard", "2/3").stdout)
    assert sorted(item["output"] for item in again["stale"]) == names[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["build", "--all", "--shard", "3/2"], "--shard '3/2': K must be between 1 and N"),
        (["build", "--all", "--shard", "x"], "--shard 'x': use K/N, e.g. 1/4"),
        (["build", "premium", "--all"],
             "--all builds everything; drop TIER, --customer, --format, --pdf-variant and --update-fields-on-open"),
        (["build"], "name a TIER (e.g. 'slagen build premium --customer acme') or use --all"),
        (["build", "premium", "--check"], "--check, --force, --shard, --jobs and --redline-from go with --all"),
    ],
)
def test_usage_errors(workspace: Path, args: list[str], message: str) -> None:
    result = run_cli(*args)
    assert (result.exit_code, result.lines) == (2, [message])


def test_redlines_for_every_affected_document(small: Path) -> None:
    import subprocess

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_AUTHOR_DATE": "2026-05-01T12:00:00Z",
           "GIT_COMMITTER_DATE": "2026-05-01T12:00:00Z", "PATH": "/usr/bin:/bin"}
    git = ["git", "-C", str(small)]
    subprocess.run([*git, "init", "-q"], check=True, env=env)
    subprocess.run([*git, "add", "-A"], check=True, env=env)
    subprocess.run([*git, "commit", "-qm", "base"], check=True, env=env)
    edit_clause(small, "liability", "Liability is shared fairly.")
    subprocess.run([*git, "commit", "-qam", "edit"], check=True, env=env)
    result = run_cli("build", "--all", "--jobs", "1", "--redline-from", "HEAD~1", "--json")
    assert result.exit_code == 0, result.stderr
    redlines = json.loads(result.stdout)["redlines"]
    assert sorted(redlines["written"]) == [
        "nordwerk/nordwerk-standard-redline-HEAD-1.docx", "templates/standard-redline-HEAD-1.docx"
    ]
    assert [(item["clause"], item["documents"]) for item in redlines["clauses"]] == [
        ("liability", ["nordwerk/standard", "templates/standard"])
    ]
    assert list(redlines["clauses"][0]["changes"]) == ["changed"]
    xml = zipfile_text(small / "dist" / "nordwerk" / "nordwerk-standard-redline-HEAD-1.docx")
    assert '<w:ins w:id=' in xml and 'w:author="slagen"' in xml and "Liability is shared fairly." in xml


def zipfile_text(path: Path) -> str:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.read("word/document.xml").decode()


def test_a_batch_runs_its_tasks_without_collections_and_collects_after_each(small: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """While the tasks run, what the batch loaded is frozen for the garbage collector and collections are off; a
    full collection follows each task; after the batch, nothing is frozen and collections are on again."""
    import gc

    from slagen import batch

    in_tasks: list[tuple[int, bool]] = []
    render_task = batch._render_task

    def recording(task: batch.Task) -> batch.TaskResult:
        in_tasks.append((gc.get_freeze_count(), gc.isenabled()))
        return render_task(task)

    monkeypatch.setattr(batch, "_render_task", recording)
    collected: list[int] = []
    gc.callbacks.append(recording_collections := lambda phase, info: collected.append(info["generation"])
                        if phase == "stop" else None)
    try:
        assert gc.get_freeze_count() == 0
        result = run_cli("build", "--all", "--jobs", "1", "--force")
    finally:
        gc.callbacks.remove(recording_collections)
    assert result.exit_code == 0, result.stderr
    assert len(in_tasks) == 3 and all(frozen > 10_000 and not collecting for frozen, collecting in in_tasks)
    assert collected.count(2) >= 3  # a full collection after each task at least
    assert gc.get_freeze_count() == 0 and gc.isenabled()
