"""Broken inputs, hostile templates and faults: one clear message, the right exit code, nothing lost.

The cases live in bad_inputs/cases*.yaml (data, as sqlfluff keeps rule cases); the faults that need a
process of their own (signals, a full disk, a locked folder) are the tests at the end of this file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from pypdf import PdfReader

from tests.conftest import REPO, Result, copy_workspace, run_cli

HERE = Path(__file__).parent / "bad_inputs"
# One file per theme (cases.yaml, cases-*.yaml), so parallel work adds cases without touching the same file.
CASES: list[dict[str, Any]] = [
    case
    for file in sorted(HERE.glob("cases*.yaml"))
    for case in yaml.safe_load(file.read_text(encoding="utf-8")) or []
]

# What the baseline dist/ holds before every case: each case must leave it byte-identical (or, when
# the case is meant to succeed, at least free of temporary files).
BASELINE_BUILDS = (
    ("premium", "acme", ("docx", "pdf")),
    ("basic", "huaxin", ("docx",)),
    ("standard", "nordwerk", ("docx",)),
)


def has_cjk_font() -> bool:
    try:
        listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return False
    return bool(listed.strip())


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) by relative path."""
    # A link counts by its target (reading it could stream /dev/zero); FIFOs and devices by their name.
    return {
        str(path.relative_to(folder)): (
            b"-> " + str(path.readlink()).encode() if path.is_symlink()
            else path.read_bytes() if path.is_file() else b"(special)"
        )
        for path in sorted(folder.rglob("*"))
        if not path.is_dir() or path.is_symlink()
    }


def temp_files(folder: Path) -> list[str]:
    return [str(path.relative_to(folder)) for path in folder.rglob("*.tmp")]


@pytest.fixture(scope="session")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """dist/ as the shipped workspace builds it, built once."""
    root = copy_workspace(tmp_path_factory.mktemp("baseline") / "ws")
    with contextlib.chdir(root):
        for tier, customer, formats in BASELINE_BUILDS:
            args = ["build", tier, "--customer", customer]
            for kind in formats:
                args += ["--format", kind]
            result = run_cli(*args)
            assert result.exit_code == 0, result.stderr
    return root / "dist"


def apply_edit(root: Path, edit: dict[str, Any]) -> None:
    """One edit of a case: replace text, write or append a file, copy a fixture, link or delete."""
    path = root / edit["file"]
    path.parent.mkdir(parents=True, exist_ok=True)  # ../outside/... is a folder next to the copy
    if "replace" in edit:
        pairs = edit["replace"] if isinstance(edit["replace"][0], list) else [edit["replace"]]
        text = path.read_text(encoding="utf-8")
        for old, new in pairs:
            assert old in text, f"{old!r} is not in {edit['file']}"
            text = text.replace(old, new, 1)
        path.write_text(text, encoding="utf-8")
    elif "write" in edit:
        path.write_bytes(edit["write"].encode(edit.get("encoding", "utf-8")))
    elif "append" in edit:
        with path.open("a", encoding="utf-8") as stream:
            stream.write(edit["append"])
    elif "fixture" in edit:
        shutil.copyfile(HERE / edit["fixture"], path)
    elif "symlink" in edit:
        path.unlink(missing_ok=True)
        path.symlink_to(edit["symlink"])
    elif edit.get("fifo"):
        path.unlink(missing_ok=True)
        os.mkfifo(path)
    elif "pad_to" in edit:
        # Comment lines until the file is exactly `pad_to` bytes: an oversized file without a huge case.
        size = path.stat().st_size
        missing = edit["pad_to"] - size
        assert missing >= 2, f"{edit['file']} is already {size} bytes"
        line = "#" + "x" * 99 + "\n"
        with path.open("a", encoding="utf-8") as stream:
            stream.write(line * ((missing - 2) // len(line)) + "#" + "x" * ((missing - 2) % len(line)) + "\n")
    elif "copy_of" in edit:
        shutil.copyfile(root / edit["copy_of"], path)
    elif edit.get("delete"):
        path.unlink()
    else:
        raise AssertionError(f"unknown edit {edit!r}")


def output_text(path: Path) -> str:
    if path.suffix == ".docx":
        document = docx.Document(str(path))
        parts = [paragraph.text for paragraph in document.paragraphs]
        parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
        text = "\n".join(parts)
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(text.split())


def run_in_process_group(root: Path, args: list[str], seconds: float) -> Result:
    """The CLI as a real process in a session of its own: a run that blocks (a FIFO) or grows without end
    (/dev/zero) is killed with its workers after `seconds`, and its memory is capped, so the suite never hangs."""

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (6 * 2**30, 6 * 2**30))

    process = subprocess.Popen(
        [sys.executable, "-c", "from slagen.cli import main; main()", *args],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=cap_memory,
    )
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"still running after {seconds} s (killed): {' '.join(args)}")
    return Result(process.returncode, out, err)


def allowed_seconds(case: dict[str, Any]) -> float:
    """A case's time limit (it guards against hangs and bombs, not for speed), stretched by how loaded the
    machine is: on a machine whose other work keeps every core busy, a run takes proportionally longer."""
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    return case.get("seconds", 15) * max(1.0, load)


def run_case(root: Path, baseline: Path, case: dict[str, Any]) -> None:
    shutil.copytree(baseline, root / "dist")
    for edit in case.get("edits", []):
        apply_edit(root, edit)
    before = snapshot(root / "dist")
    started = time.monotonic()
    if case.get("process"):
        result = run_in_process_group(root, case.get("run", ["validate"]), allowed_seconds(case))
    else:
        result = run_cli(*case.get("run", ["validate"]))
    elapsed = time.monotonic() - started
    assert "Traceback" not in result.stderr + result.stdout
    assert (result.exit_code, result.lines) == (case["exit"], case["errors"])
    assert elapsed < allowed_seconds(case), f"took {elapsed:.1f} s"
    if case["exit"] == 0:
        assert temp_files(root / "dist") == []
    else:
        assert snapshot(root / "dist") == before
    for file, texts in case.get("contains", {}).items():
        text = output_text(root / file)
        for expected in texts:
            assert expected in text, f"{expected!r} not in {file}"
    for file, texts in case.get("lacks", {}).items():
        text = output_text(root / file)
        for unexpected in texts:
            assert unexpected not in text, f"{unexpected!r} in {file}"


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_input(workspace: Path, baseline: Path, case: dict[str, Any]) -> None:
    if case.get("needs") == "no_cjk_font" and has_cjk_font():
        pytest.skip("a CJK font is installed, so Chinese text renders; the missing-glyph check cannot fire")
    run_case(workspace, baseline, case)


def test_case_names_are_unique_and_cover_every_kind() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names))
    assert len(CASES) >= 40
    kinds = {name.split("-")[0] for name in names}
    assert {"yaml", "value", "ref", "template", "pdf", "output"} <= kinds


# ---------------------------------------------------------------- the sandbox's limits, in process


def render_clause_text(text: str, **limits: Any) -> str:
    from slagen.model import Limits
    from slagen.templating import clause_environment

    return clause_environment(Limits(**limits)).from_string(text).render(name="Acme", items=["a", "b"])


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ 'x' * 10**9 }}", "the repetition would make 1,000,000,000 characters"),
        ("{{ 10**9 * 'x' }}", "the repetition would make 1,000,000,000 characters"),
        ("{{ (2 ** 4000) * (2 ** 4000) * (2 ** 40000) * (2 ** 60000) }}", "the product would have more than"),
        ("{{ 7 ** 999999 }}", "would have about"),
        ("{{ 'x'.center(10**9) }}", "center() would make 1,000,000,000 characters"),
        ("{{ 'x'.zfill(10**9) }}", "zfill() would make"),
        ("{{ ('\t' * 1000).expandtabs(10**6) }}", "expandtabs() would make"),
        ("{{ ('x' * 4000000).replace('x', 'yy') }}", "replace() would make 8,000,000 characters"),
        ("{{ ('x' * 3000000).join(['a', 'b', 'c']) }}", "join() would make 6,000,003 characters"),
        ("{{ '{:>999999999}'.format(1) }}", "the format spec '>999999999' would make"),
        ("{{ '{:>{w}}'.format(1, w=10**9) }}", "nested format fields"),
        ("{{ '%*s' % (10**9, 'x') }}", "the format '%*s' would make 1,000,000,000 characters"),
        ("{{ '%999999999d' | format(1) }}", "the format '%999999999d' would make"),
        ("{{ 'x' | center(10**9) }}", "the center filter would make 1,000,000,000 characters"),
        ("{{ ('x\\n' * 1000) | indent(10**4, true) }}", "the indent filter would make"),
        ("{{ ('x' * 3000000) | replace('x', 'yy') }}", "the replace filter would make"),
        ("{{ range(100000) | map('center', 1000) | join }}", "the join filter would make"),
        ("{{ range(100000) | map('center', 1000) | list | length }}", "the list filter would make"),
        ("{{ [1] | batch(10**9) | list }}", "the batch filter would make"),
        ("{{ ('x' * 3000000) ~ '' + ('x' * 3000000) }}", "the sum would make 6,000,000 characters"),
        ("{% set ns = namespace(s='x' * 4000000) %}{% set ns.s = ns.s ~ ns.s %}", "namespace value 's'"),
        ("{{ range(10**6) | list }}", "range() of 1,000,000 numbers"),
        ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", "took longer than 0.5 s"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", "calls itself without end"),
        ("{% for i in range(100000) %}{{ 'x' * 1000 }}{% endfor %}", "the output passed 5,000,000 characters"),
    ],
)
def test_the_sandbox_stops_bombs_before_they_go_off(template: str, message: str) -> None:
    from slagen.templating import RenderLimitError

    started = time.monotonic()
    with pytest.raises(RenderLimitError) as caught:
        render_clause_text(template, render_seconds=0.5)
    assert message in str(caught.value)
    assert str(caught.value).startswith("stopped: ")
    assert time.monotonic() - started < 5


def test_the_sandbox_keeps_data_immutable_and_lipsum_out() -> None:
    from jinja2.exceptions import SecurityError, UndefinedError

    with pytest.raises(SecurityError):
        render_clause_text("{{ items.append('c') }}")
    with pytest.raises(UndefinedError):
        render_clause_text("{{ lipsum(10**6) }}")


def test_ordinary_templates_render_as_jinja_does() -> None:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    from slagen.templating import escape_markdown

    text = (
        "{% set ns = namespace(total=0) %}{% for i in range(10) %}{% set ns.total = ns.total + i %}{% endfor %}"
        "{{ ns.total }} {{ 'ab' * 3 }} {{ 2 ** 10 }} {{ '%05.1f' % 3.14159 }} {{ '{:>6}'.format('x') }} "
        "{{ items | join(', ') }} {{ name | center(8) }} {{ ', '.join(items) }} {{ items | map('upper') | list }} "
        "{{ (items + ['c']) | length }} {{ name | replace('A', 'a') | indent(2) }} {{ [1, 2] * 2 }}"
    )
    plain = SandboxedEnvironment(undefined=StrictUndefined, finalize=escape_markdown, keep_trailing_newline=True)
    expected = plain.from_string(text).render(name="Acme", items=["a", "b"])
    assert render_clause_text(text) == expected
    assert expected.startswith("45 ababab 1024 003\\.1      x a, b   Acme  ")


def test_default_limits_never_trip_on_the_shipped_contracts() -> None:
    """Every shipped tier for every customer renders with a wide margin under the default limits."""
    from slagen.build import Job, build_document, load_strings
    from slagen.model import Limits
    from slagen.render.html import render_html
    from slagen.templating import page_environment, template_loader
    from slagen.workspace import load_workspace

    ws = load_workspace(REPO)
    strings = load_strings(ws, None)
    environment = page_environment(template_loader(ws.template_dirs(), ws.defaults_root / "templates"))
    limits = Limits()
    for tier in ws.tiers.values():
        customers = [customer for customer in ws.customers.values() if tier.model.id in customer.model.tiers]
        for customer in [None, *customers]:
            started = time.monotonic()
            document, _context = build_document(ws, Job(tier, customer), strings)
            html = render_html(document, environment)
            assert time.monotonic() - started < float(limits.render_seconds) / 10
            assert len(html) < limits.output_bytes / 20


# ---------------------------------------------------------------- faults while writing


def start_build(root: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", "from slagen.cli import main; main()", "build", *args],
        cwd=root,
        env=os.environ | env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def changed_acme(workspace: Path, baseline: Path) -> Iterator[Path]:
    """The workspace with the baseline outputs in dist/ and a customer change that new outputs would show."""
    shutil.copytree(baseline, workspace / "dist")
    acme = workspace / "examples" / "customers" / "acme.yaml"
    acme.write_text(acme.read_text().replace("Acme Nutraceuticals, Inc.", "Acme Nutrition Holdings, Inc."))
    yield workspace / "dist"


@pytest.mark.parametrize(
    ("signum", "formats"), [(signal.SIGTERM, ("docx", "pdf")), (signal.SIGINT, ("docx",))], ids=["SIGTERM", "SIGINT"]
)
def test_a_build_interrupted_while_writing_loses_nothing(
    workspace: Path, changed_acme: Path, signum: signal.Signals, formats: tuple[str, ...]
) -> None:
    from slagen.output import PAUSE_ENV

    before = snapshot(changed_acme)
    options = [part for kind in formats for part in ("--format", kind)]
    process = start_build(workspace, "premium", "--customer", "acme", *options, **{PAUSE_ENV: "60"})
    deadline = time.monotonic() + 60
    while len(temp_files(changed_acme)) < len(formats) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(temp_files(changed_acme)) == len(formats), "the build never reached the write"
    time.sleep(0.3)  # every temporary file is complete; the build now waits before renaming
    process.send_signal(signum)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 128 + signum
    assert err.splitlines() == [f"interrupted by {signum.name}; no output was left half-written"]
    assert snapshot(changed_acme) == before


def handles_sigterm(pid: int) -> bool:
    """Whether the process has installed its SIGTERM handler yet (Linux tells in /proc; elsewhere, wait)."""
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        time.sleep(3)
        return True
    caught = next((line.split()[1] for line in status.read_text().splitlines() if line.startswith("SigCgt:")), "0")
    return bool(int(caught, 16) & (1 << (signal.SIGTERM - 1)))


def test_a_build_interrupted_while_rendering_exits_cleanly(workspace: Path, changed_acme: Path) -> None:
    before = snapshot(changed_acme)
    clause = workspace / "clauses" / "general-terms.yaml"
    slow = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
    clause.write_text(clause.read_text().replace("body: |\n", f"body: |\n  {slow}\n", 1))
    process = start_build(workspace, "premium", "--customer", "acme", "--format", "docx")
    deadline = time.monotonic() + 60
    while not handles_sigterm(process.pid) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert err.splitlines() == ["interrupted by SIGTERM; no output was left half-written"]
    assert snapshot(changed_acme) == before


def test_a_sigterm_that_lands_while_a_class_is_created_still_exits_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    """Python wraps an exception raised in `__set_name__` (a library's class being created, as when the signal
    lands in the middle of an import) in a RuntimeError; the interrupt behind it must still be recognised."""
    import typer

    from slagen.cli.common import handles_errors

    class Descriptor:
        def __set_name__(self, owner: type, name: str) -> None:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(5)  # the handler raises in this frame long before

    @handles_errors
    def command() -> None:
        class Model:
            field = Descriptor()

    with pytest.raises(typer.Exit) as exited:
        command()
    assert exited.value.exit_code == 143
    assert capsys.readouterr().err == "interrupted by SIGTERM; no output was left half-written\n"


def test_a_full_disk_during_the_write_loses_nothing(workspace: Path, changed_acme: Path) -> None:
    """A real write failure: a 20 kB file-size limit (RLIMIT_FSIZE) makes the kernel refuse the Word file."""
    before = snapshot(changed_acme)

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    process = subprocess.run(
        [sys.executable, "-c", "from slagen.cli import main; main()", "build", "premium", "--customer", "acme",
         "--format", "docx"],
        cwd=workspace, capture_output=True, text=True, preexec_fn=small_files, check=False, timeout=120,
    )
    assert process.returncode == 1
    assert process.stderr.splitlines() == [
        "dist/acme/acme-premium-sla.docx: cannot write: the file is larger than the file system or a size limit allows"
    ]
    assert snapshot(changed_acme) == before


def test_two_builds_of_one_document_take_turns(
    workspace: Path, changed_acme: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slagen import output

    before = snapshot(changed_acme)
    folder = os.open(changed_acme / "acme", os.O_RDONLY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)  # another build is writing here
        monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 0.3)
        blocked = run_cli("build", "premium", "--customer", "acme", "--format", "docx")
        assert (blocked.exit_code, blocked.lines) == (1, [
            "dist/acme: another slagen build has been writing to this folder for 0.3 s; try again when it has "
            "finished"
        ])
        assert snapshot(changed_acme) == before
        monkeypatch.setattr(output, "LOCK_WAIT_SECONDS", 30.0)
        started = time.monotonic()
        import threading

        threading.Timer(1.0, fcntl.flock, (folder, fcntl.LOCK_UN)).start()
        waited = run_cli("build", "premium", "--customer", "acme", "--format", "docx")
    finally:
        os.close(folder)
    assert waited.exit_code == 0, waited.stderr
    assert time.monotonic() - started >= 1.0
    assert "Acme Nutrition Holdings" in output_text(changed_acme / "acme" / "acme-premium-sla.docx")


def test_out_may_point_outside_the_workspace(workspace: Path) -> None:
    """`--out ../x` is the user's choice and allowed; only customer names (slugs) cannot steer paths."""
    result = run_cli("build", "premium", "--customer", "acme", "--format", "docx", "--out", "../elsewhere")
    assert result.exit_code == 0, result.stderr
    assert (workspace.parent / "elsewhere" / "acme" / "acme-premium-sla.docx").is_file()


def test_debug_shows_the_traceback_of_a_stopped_render(workspace: Path) -> None:
    clause = workspace / "clauses" / "general-terms.yaml"
    clause.write_text(clause.read_text().replace("body: |\n", "body: |\n  {{ 'x' * 10**9 }}\n", 1))
    result = run_cli("--debug", "build", "premium", "--customer", "acme", "--format", "docx")
    assert result.exit_code == 1
    assert "Traceback" in result.stderr
    assert result.lines[-1].startswith("clauses/general-terms.yaml:7: body: stopped: the repetition")
