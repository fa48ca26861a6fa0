"""Issue 16 (speed) without timing anything: the fast answers give the same output as the slow ones and import
nothing heavy, the caches and the PDF helpers change no byte, a worker reports its peak memory."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from slagen.fastcheck import unchanged
from slagen.launch import HELP_FILE, help_digest
from tests.conftest import REPO, copy_workspace

HEAVY = ("pydantic", "babel", "jinja2", "weasyprint", "docx", "typer")
SHOW_HEAVY = f"import sys\nprint(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"


def slagen(cwd: Path, *args: str, module: str = "slagen") -> subprocess.CompletedProcess[str]:
    """The real command in a new process (`python -m slagen` is the `slagen` script's entry point)."""
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "100"})


def entry_point(cwd: Path, *args: str) -> list[str]:
    """The `slagen` entry point run in-process, then the heavy libraries it imported (the last line)."""
    code = (f"import sys\nsys.argv = ['slagen', *{list(args)!r}]\nfrom slagen.launch import main\n"
            f"try:\n    main()\nexcept SystemExit:\n    pass\n{SHOW_HEAVY}")
    done = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True,
                          env={**os.environ, "COLUMNS": "100"})
    return done.stdout.splitlines()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One tier, two customers (the German nordwerk, the bilingual en/zh huaxin: ten documents in four tasks),
    built once with `build --all --jobs 1`."""
    root = copy_workspace(tmp_path_factory.mktemp("speed") / "ws")
    for name in ("basic", "premium", "on-demand"):
        (root / "tiers" / f"{name}.yaml").unlink()
    for name in ("acme", "fournil"):
        (root / "examples" / "customers" / f"{name}.yaml").unlink()
    huaxin = root / "examples" / "customers" / "huaxin.yaml"
    huaxin.write_text(huaxin.read_text().replace("tiers: [on-demand, basic, standard]", "tiers: [standard]"))
    done = slagen(root, "build", "--all", "--jobs", "1", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert len(report["built"]) == 10
    assert [task["ok"] for task in report["tasks"]] == [True] * 4 and report["worker_peak_mb"] > 20
    assert all(task["cpu_seconds"] > 0 and task["peak_mb"] > 20 for task in report["tasks"])
    # --jobs 1: one process renders all four tasks, counted 1 to 4 (bench.py tells a worker's first task apart)
    assert [task["worker_task"] for task in report["tasks"]] == [1, 2, 3, 4]
    assert len({task["worker"] for task in report["tasks"]}) == 1
    return root


def test_help_is_typers_text_without_typer() -> None:
    """`slagen --help` prints typer's text; while slagen/cli/help.txt was made from these very sources, without
    importing typer. A change in slagen/cli/ without renewing help.txt fails here (every `--help` would import
    typer again: issue 16 target 3); another typer than the one it was made with only makes typer answer."""
    kept, now = HELP_FILE.read_text().split("\n", 1)[0].split(" "), (help_digest() or "").split(" ")
    assert kept[0] == now[0], "slagen/cli/ changed: renew help.txt (.venv/bin/python -m slagen.launch --write-help)"
    lines = entry_point(REPO, "--help")
    assert "\n".join(lines[:-1]) + "\n" == slagen(REPO, "--help", module="slagen.cli").stdout
    assert lines[-1] == ("[]" if kept == now else "['typer']"), "typer loaded although help.txt is current"
    narrow = subprocess.run([sys.executable, "-m", "slagen", "--help"], capture_output=True, text=True,
                            env={**os.environ, "COLUMNS": "60"})
    assert "Usage: slagen" in narrow.stdout  # a narrow terminal: typer wraps the text itself


def test_noop_build_all_answers_from_the_manifest(built: Path) -> None:
    """Nothing changed: the same lines as the full check, without loading the workspace."""
    lines = entry_point(built, "build", "--all")
    assert lines[-1] == "[]"
    assert lines[0].startswith("0 built, 10 up to date, 0 failed in ")
    fast = json.loads("\n".join(entry_point(built, "build", "--all", "--json")[:-1]))
    slow = json.loads(slagen(built, "build", "--all", "--json", module="slagen.cli").stdout)
    assert {**fast, "seconds": 0} == {**slow, "seconds": 0} and fast["up_to_date"] == 10


@pytest.mark.parametrize("change", ["new customer", "edited clause", "output edited", "leftover", "same text"])
def test_any_change_goes_the_ordinary_way(built: Path, tmp_path: Path, change: str) -> None:
    root = tmp_path / "ws"
    shutil.copytree(built, root, symlinks=True)
    manifest = json.loads((root / "dist" / ".slagen-manifest.json").read_text())
    stamp = manifest["workspace"]
    manifest["workspace"] = json.loads(json.dumps(stamp).replace(str(built), str(root)))
    (root / "dist" / ".slagen-manifest.json").write_text(json.dumps(manifest))
    assert unchanged(root, root / "dist") is not None
    clause = root / "clauses" / "liability.yaml"
    if change == "new customer":
        shutil.copy(root / "examples" / "customers" / "nordwerk.yaml", root / "examples" / "customers" / "n2.yaml")
    elif change == "edited clause":
        clause.write_text(clause.read_text() + "\n")
    elif change == "output edited":
        (root / "dist" / "compare.pdf").write_bytes(b"edited by hand")
    elif change == "leftover":
        (root / "dist" / ".compare.pdf.abcd1234.tmp").write_bytes(b"")
    else:
        clause.write_text(clause.read_text())  # rewritten with the same text: still nothing to build
    assert (unchanged(root, root / "dist") is None) == (change != "same text")


@pytest.mark.parametrize("customer", ["nordwerk", "huaxin"])
def test_batch_caches_and_pdf_helpers_change_no_byte(built: Path, tmp_path: Path, customer: str) -> None:
    """The worker's caches (build --all) and the single build's PDF helpers give the same bytes, for a German
    and a bilingual (en/zh, summary in Chinese) contract; the PDFs of a single build are made by the helpers
    (this process never imports WeasyPrint)."""
    lines = entry_point(built, "build", "standard", "--customer", customer, "--out", str(tmp_path))
    assert "weasyprint" not in lines[-1] and "docx" in lines[-1]
    for kind in ("sla.docx", "sla.pdf", "summary.pdf"):
        name = f"{customer}-standard-{kind}"
        mine = hashlib.sha256((tmp_path / customer / name).read_bytes()).hexdigest()
        assert mine == hashlib.sha256((built / "dist" / customer / name).read_bytes()).hexdigest(), name


# Every library search WeasyPrint's import makes, as (name, answer): what the writer's import leaves to ctypes.
SEARCHES = """\
import ctypes.util
searches = []
search = ctypes.util.find_library
ctypes.util.find_library = lambda name: searches.append((name, search(name))) or searches[-1][1]
import {module}
print(searches)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the slow library search is Linux's")
def test_the_pdf_writer_imports_weasyprint_without_searching_for_libraries() -> None:
    """WeasyPrint alone searches (ldconfig, gcc, ld) for each name it tries; slagen's writer loads the sonames
    directly, and leaves the search as it was afterwards."""
    def searches(module: str) -> list[tuple[str, str | None]]:
        done = subprocess.run([sys.executable, "-c", SEARCHES.format(module=module)], capture_output=True,
                              text=True, check=True)
        return ast.literal_eval(done.stdout.splitlines()[-1])

    alone = searches("weasyprint")
    assert len(alone) >= 7 and any(found for _, found in alone)  # one hit per library, after the misses
    assert searches("slagen.render.pdf") == []
    code = "import ctypes.util\nsearch = ctypes.util.find_library\nimport slagen.render.pdf\n" \
           "print(ctypes.util.find_library is search)"
    after = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert after.stdout.split() == ["True"]


def test_an_unloadable_soname_leaves_the_library_search_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes.util

    from slagen.render import libraries

    search = ctypes.util.find_library
    monkeypatch.setattr(libraries, "REQUIRED_SONAMES", ("libgobject-2.0.so.0", "libnot-a-library.so.9"))
    assert not libraries.sonames_load()
    with libraries.direct_library_loading():
        assert ctypes.util.find_library is search
    monkeypatch.setattr(libraries, "REQUIRED_SONAMES", ("libgobject-2.0.so.0",))
    with libraries.direct_library_loading():
        assert ctypes.util.find_library("gobject-2.0") is None  # answered without a search
    assert ctypes.util.find_library is search


@pytest.mark.parametrize(("args", "collecting"), [
    (["build", "premium", "--customer", "acme"], False), (["--debug", "-w", "ws", "build", "basic"], False),
    (["build", "--all"], True), (["build", "basic", "--all"], True), (["validate"], True), (["tiers", "build"], True)])
def test_a_single_build_runs_without_garbage_collections(tmp_path: Path, args: list[str], collecting: bool) -> None:
    """Imports are left out of later collections (frozen) for every command; a single build, one set before the
    process ends, runs with collections off (its PDF helpers inherit that); everything else keeps them."""
    code = ("import gc, sys\nimport slagen.cli\n"
            "slagen.cli.main = lambda: print(gc.isenabled(), gc.get_freeze_count() > 1000)\n"
            f"sys.argv = ['slagen', *{args!r}]\nfrom slagen.launch import main\nmain()")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.split() == [str(collecting), "True"]
