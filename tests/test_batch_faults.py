"""`build --all` under faults, with real processes: a bug in one task, a full disk, a read-only folder,
two shards at once, a SIGKILL mid-write, a manifest of the wrong shape. Nothing is lost, nothing lies."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from slagen.batch import FAULT_ENV
from slagen.incremental import MANIFEST_NAME
from slagen.output import PAUSE_ENV, STALE_TEMP_SECONDS
from tests.conftest import run_cli

NORDWERK = ["nordwerk/nordwerk-standard-sla.docx", "nordwerk/nordwerk-standard-sla.pdf",
            "nordwerk/nordwerk-standard-summary.pdf"]
TEMPLATES = ["templates/standard-sla.docx", "templates/standard-sla.pdf", "templates/standard-summary.pdf"]
EVERYTHING = sorted([*NORDWERK, *TEMPLATES, "compare.pdf"])
SIZE_MESSAGE = "the file is larger than the file system or a size limit allows"


def command(*args: str) -> list[str]:
    return [sys.executable, "-c", "from slagen.cli import main; main()", *args]


def slagen(
    root: Path, *args: str, env: dict[str, str] | None = None, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a process of its own."""
    return subprocess.run(command(*args), cwd=root, env=os.environ | (env or {}), capture_output=True, text=True,
                          preexec_fn=preexec, check=False, timeout=600)


def manifest_of(root: Path) -> dict[str, dict[str, object]]:
    return json.loads((root / "dist" / MANIFEST_NAME).read_text())["outputs"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def temp_files(folder: Path) -> list[str]:
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*.tmp"))


def assert_honest(root: Path, built: list[str]) -> None:
    """Every output reported built is on disk, and the manifest holds exactly those, with their hashes."""
    dist = root / "dist"
    entries = manifest_of(root)
    assert sorted(entries) == sorted(built)
    for path in built:
        assert entries[path]["sha256"] == sha256(dist / path), path
    assert temp_files(dist) == []


# ---------------------------------------------------------------- item 3: a bug in one task


def test_a_bug_in_one_task_fails_that_task_and_the_others_finish(small: Path) -> None:
    fault = {FAULT_ENV: "raise in: standard for nordwerk"}
    message = (
        f"internal error: RuntimeError: fault injected by {FAULT_ENV}; this is a bug in slagen, not in your "
        "files: please report it with the traceback that --debug shows"
    )
    run = slagen(small, "build", "--all", "--jobs", "2", "--json", env=fault)
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    assert report["failed"] == [{"task": "standard for nordwerk", "errors": [message], "not_written": NORDWERK}]
    assert report["built"] == sorted([*TEMPLATES, "compare.pdf"])
    assert not (small / "dist" / "nordwerk").exists()
    assert_honest(small, report["built"])

    check = slagen(small, "build", "--all", "--check", "--json")
    assert check.returncode == 1
    assert json.loads(check.stdout)["stale"] == [{"output": path, "reasons": ["missing"]} for path in NORDWERK]

    # One worker (no pool), plain output, --debug: the traceback of the bug, then the task's failure.
    debug = slagen(small, "--debug", "build", "--all", "--jobs", "1", env=fault)
    assert debug.returncode == 1
    assert "Traceback (most recent call last):" in debug.stderr
    assert f"RuntimeError: fault injected by {FAULT_ENV}" in debug.stderr
    assert debug.stderr.splitlines()[-5:] == [
        "failed standard for nordwerk:", f"  {message}", *(f"  not written: {path}" for path in NORDWERK)
    ]
    assert debug.stdout.splitlines()[-1].startswith("0 built, 4 up to date, 3 failed in ")

    fixed = slagen(small, "build", "--all")
    assert fixed.returncode == 0, fixed.stderr
    assert_honest(small, EVERYTHING)


def test_a_worker_that_dies_fails_its_task_only(small: Path) -> None:
    """A worker killed mid-task (here it exits as if killed): that task fails, a fresh worker builds the rest
    (issue 16: workers are forked anew, slagen.forkpool), and the manifest holds what was written."""
    run = slagen(small, "build", "--all", "--jobs", "2", "--json", env={FAULT_ENV: "exit in: standard for nordwerk"})
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    [failed] = report["failed"]
    assert failed["task"] == "standard for nordwerk" and failed["not_written"] == NORDWERK
    assert failed["errors"][0].startswith("internal error: RuntimeError: the worker process building it stopped")
    assert report["built"] == sorted([*TEMPLATES, "compare.pdf"])
    assert_honest(small, report["built"])
    counts: dict[int, list[int]] = {}  # each worker numbers its own tasks from 1, a fresh one from 1 again
    for task in report["tasks"]:
        if task["ok"]:
            counts.setdefault(task["worker"], []).append(task["worker_task"])
    assert len(counts) >= 2 and all(seen == list(range(1, len(seen) + 1)) for seen in counts.values()), counts


# ---------------------------------------------------------------- item 4: honest write reports


def test_a_full_disk_is_reported_per_output_and_never_called_built(small: Path) -> None:
    """A real write failure: a 23 kB file-size limit (RLIMIT_FSIZE) lets compare.pdf (20 kB, tagged) and the
    manifest through and makes the kernel refuse every contract file."""

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (23_000, 23_000))

    run = slagen(small, "build", "--all", "--jobs", "2", "--json", preexec=small_files)
    assert run.returncode == 1, run.stderr
    report = json.loads(run.stdout)  # --json prints its object even on a full disk
    assert report["ok"] is False
    assert report["built"] == ["compare.pdf"]
    assert sorted(report["failed"], key=lambda item: item["task"]) == [
        {"task": "standard blank template", "not_written": TEMPLATES,
         "errors": [f"dist/templates/standard-sla.docx: cannot write: {SIZE_MESSAGE}"]},
        {"task": "standard for nordwerk", "not_written": NORDWERK,
         "errors": [f"dist/nordwerk/nordwerk-standard-sla.docx: cannot write: {SIZE_MESSAGE}"]},
    ]
    assert sorted(path.name for path in (small / "dist").rglob("*") if path.is_file()) == [MANIFEST_NAME,
                                                                                          "compare.pdf"]
    assert_honest(small, ["compare.pdf"])

    plain = slagen(small, "build", "--all", "--jobs", "1", preexec=small_files)
    assert plain.returncode == 1
    assert "built" not in plain.stdout.replace("0 built,", "")
    assert plain.stdout.splitlines() == [plain.stdout.splitlines()[-1]]
    assert plain.stdout.splitlines()[-1].startswith("0 built, 1 up to date, 6 failed in ")
    assert plain.stderr.splitlines() == [
        "failed standard for nordwerk:",
        f"  dist/nordwerk/nordwerk-standard-sla.docx: cannot write: {SIZE_MESSAGE}",
        *(f"  not written: {path}" for path in NORDWERK),
        "failed standard blank template:",
        f"  dist/templates/standard-sla.docx: cannot write: {SIZE_MESSAGE}",
        *(f"  not written: {path}" for path in TEMPLATES),
    ]
    assert_honest(small, ["compare.pdf"])


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` refuses new files: chmod for a user; for root (whom chmod does not stop) the immutable flag."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)], capture_output=True,
                                                         check=False).returncode != 0:
        pytest.skip("running as root on a file system without chattr +i: nothing makes a folder read-only")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


def test_a_read_only_folder_and_a_blocked_manifest_are_reported(small: Path) -> None:
    """The nordwerk folder refuses files and a folder stands where the manifest goes: both failures are
    reported (plain and JSON), the other outputs are built, and nothing unwritten is called built."""
    dist = small / "dist"
    (dist / "nordwerk").mkdir(parents=True)
    (dist / MANIFEST_NAME).mkdir()
    with read_only(dist / "nordwerk"):
        run = slagen(small, "build", "--all", "--jobs", "2")
        again = slagen(small, "build", "--all", "--jobs", "2", "--json", "--shard", "3/3")
    assert run.returncode == 1
    assert sorted(run.stdout.splitlines()[:-1]) == [f"built {path} (missing)" for path in [
        "compare.pdf", *TEMPLATES]]
    assert run.stdout.splitlines()[-1].startswith("4 built, 0 up to date, 3 failed in ")
    note = (f"dist/{MANIFEST_NAME}: is a folder, not a regular file; only regular files are read; the manifest is "
            "ignored and everything is rebuilt")
    unsaved = (f"dist/{MANIFEST_NAME}: cannot write: a folder of that name is in the way; the next build "
               "rebuilds what this one wrote")
    assert run.stderr.splitlines() == [
        "failed standard for nordwerk:",
        "  dist/nordwerk/nordwerk-standard-sla.docx: cannot write: no permission to write there",
        *(f"  not written: {path}" for path in NORDWERK),
        note,
        unsaved,
    ]
    for path in ["compare.pdf", *TEMPLATES]:
        assert (dist / path).is_file()
    assert list((dist / "nordwerk").iterdir()) == []
    report = json.loads(again.stdout)
    assert again.returncode == 1
    assert (report["ok"], report["built"], report["notes"], report["errors"]) == (
        False, [], [note], [])
    assert [item["task"] for item in report["failed"]] == ["standard for nordwerk"]


def test_json_prints_its_object_when_the_workspace_is_broken(small: Path) -> None:
    (small / "tiers" / "standard.yaml").write_text("name: [unclosed\n")
    result = run_cli("build", "--all", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["built"] == []
    assert report["errors"] == result.lines
    assert report["errors"][0].startswith("tiers/standard.yaml:")


# ---------------------------------------------------------------- item 5: two shards at once


def test_two_shards_built_at_once_both_end_in_the_manifest(small: Path) -> None:
    """Two real processes, each reading the manifest at its start and saving it at its end (a CI matrix on
    a shared cache): the read-modify-write happens under a lock, so neither loses the other's entries."""
    shards = [subprocess.Popen(command("build", "--all", "--jobs", "1", "--json", "--shard", part), cwd=small,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for part in ("1/2", "2/2")]
    reports = []
    for process in shards:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
        reports.append(json.loads(out))
    assert sorted(reports[0]["built"] + reports[1]["built"]) == EVERYTHING
    assert reports[0]["built"] and reports[1]["built"]
    assert_honest(small, EVERYTHING)
    check = slagen(small, "build", "--all", "--check")
    assert check.returncode == 0, check.stdout
    assert check.stdout.splitlines() == ["0 stale, 7 up to date"]


# ---------------------------------------------------------------- item 6: leftovers of a killed build


def test_temporary_files_of_a_killed_build_are_reported_then_removed(small: Path) -> None:
    dist = small / "dist"
    process = subprocess.Popen(command("build", "--all", "--jobs", "1"), cwd=small, env=os.environ | {PAUSE_ENV: "60"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while len(temp_files(dist)) < 3 and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # every temporary file of the first task is complete; the build waits before renaming
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    assert process.returncode == -signal.SIGKILL
    leftovers = temp_files(dist)
    assert [name.rsplit(".", 2)[0] for name in leftovers] == [
        "nordwerk/.nordwerk-standard-sla.docx", "nordwerk/.nordwerk-standard-sla.pdf",
        "nordwerk/.nordwerk-standard-summary.pdf"]

    def leftover_lines(result: subprocess.CompletedProcess[str]) -> list[str]:
        return [line for line in result.stdout.splitlines() if line.startswith("leftover ")]

    check = slagen(small, "build", "--all", "--check")
    assert check.returncode == 1
    assert leftover_lines(check) == [
        f"leftover {name} (a temporary file of a build that was killed; the next build removes it)"
        for name in leftovers
    ]
    assert check.stdout.splitlines()[-1] == "7 stale, 0 up to date, 3 leftover"

    # Too young to be sure no build is writing them: this run builds everything but keeps them.
    build = slagen(small, "build", "--all", "--jobs", "2")
    assert build.returncode == 0, build.stderr
    assert temp_files(dist) == leftovers
    check = slagen(small, "build", "--all", "--check", "--json")
    assert check.returncode == 1
    assert (json.loads(check.stdout)["leftovers"], json.loads(check.stdout)["stale"]) == (leftovers, [])

    old = time.time() - STALE_TEMP_SECONDS - 60
    for name in leftovers:
        os.utime(dist / name, (old, old))
    cleaned = slagen(small, "build", "--all")
    assert cleaned.returncode == 0, cleaned.stderr
    assert cleaned.stdout.splitlines() == [
        *(f"removed {name} (a temporary file of a build that was killed)" for name in leftovers),
        cleaned.stdout.splitlines()[-1],
    ]
    assert cleaned.stdout.splitlines()[-1].startswith("0 built, 7 up to date, 0 failed in ")
    assert temp_files(dist) == []
    assert slagen(small, "build", "--all", "--check").returncode == 0
    assert_honest(small, EVERYTHING)


# ---------------------------------------------------------------- item 7: the manifest's shape


def test_a_manifest_of_the_wrong_shape_means_a_rebuild_with_a_note(small: Path) -> None:
    """A list where the manifest's object should be: a note, a rebuild (of shard 1/3: the comparison only),
    and a manifest of the right shape afterwards."""
    dist = small / "dist"
    dist.mkdir()
    (dist / MANIFEST_NAME).write_text('[{"outputs": {}}]\n')
    run = slagen(small, "build", "--all", "--shard", "1/3")
    assert run.returncode == 0, run.stderr
    assert run.stderr.splitlines() == [
        f"dist/{MANIFEST_NAME}: expected an object with manifest_version and outputs, got a list; the manifest is "
        "ignored and everything is rebuilt"
    ]
    assert run.stdout.splitlines()[0] == "built compare.pdf (missing)"
    assert_honest(small, ["compare.pdf"])
    check = slagen(small, "build", "--all", "--check", "--shard", "1/3")
    assert (check.returncode, check.stderr) == (0, "")
