"""The set of Word files checked by tests/test_docx_validity.py, made and validated in a background process.

`python -m tests.docx_set FOLDER` writes every file of the set into FOLDER, then validates them all with
the Open XML SDK validator (one invocation) into FOLDER/validation.json, or writes the reason it cannot
into FOLDER/skipped.txt. The suite starts it niced as soon as it knows the validity test is selected
(`start` below, called from conftest's collection hook), so the SDK's long start-up per file runs on the
core the serial test run leaves idle; the test itself only waits for it.

The set: every DOCX `build --all` makes of the shipped workspace (each customer's contract for each tier
it lists, each tier's blank template: bilingual ones included once the workspace has them), one with
`--update-fields-on-open`, and redlines (a removed clause, a moved one and changed words; two very
different contracts, whole table rows inserted and deleted; a moved clause holding a table).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UPDATE_FIELDS = "acme-premium-sla-update-fields.docx"
RICHEST = "redline-removed-moved-changed.docx"
DONE = "done.json"
LANGUAGES: dict[str, str] = {}  # file name -> the language of its text (Document.language), for contracts


def moved_table_redline() -> bytes:
    """The escalation clause (a table inside) moved to the end: its rows are deleted and inserted."""
    from slagen.diff import redline_documents
    from slagen.document import Heading
    from slagen.redline import render_redline_docx
    from tests.redline_cases import DATE, shipped

    old = shipped("premium", "acme")
    starts = [i for i, block in enumerate(old.blocks) if isinstance(block, Heading) and block.level == 1]
    first = next(i for i in starts if old.blocks[i].anchor == "escalation")
    after = starts[starts.index(first) + 1]
    new = replace(old, blocks=[*old.blocks[:first], *old.blocks[after:], *old.blocks[first:after]])
    return render_redline_docx(redline_documents(old, new), date=DATE)


def different_contracts_redline() -> bytes:
    from slagen.diff import redline_documents
    from slagen.redline import render_redline_docx
    from tests.redline_cases import DATE, shipped

    return render_redline_docx(redline_documents(shipped("premium", "acme"), shipped("basic", "huaxin")), date=DATE)


def make_set(folder: Path) -> list[Path]:
    """Write every file of the set into `folder`."""
    from slagen.build import plan_outputs
    from slagen.render.docx import render_docx
    from slagen.workspace import load_workspace
    from tests.redline_cases import redline_docx, shipped

    files: dict[str, bytes] = {}
    for output in plan_outputs(load_workspace(REPO)):
        if output.kind == "docx":
            document = shipped(output.tier, output.customer)
            files[output.path.replace("/", "-")] = render_docx(document)
            LANGUAGES[output.path.replace("/", "-")] = document.language
    files[UPDATE_FIELDS] = render_docx(shipped("premium", "acme"), update_fields=True)
    files[RICHEST] = redline_docx()
    files["redline-different-contracts.docx"] = different_contracts_redline()
    files["redline-moved-table.docx"] = moved_table_redline()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def main(folder: Path) -> None:
    from tests import ooxml_validator

    paths = make_set(folder)
    reason = ooxml_validator.missing()
    results: list[dict] = []
    if reason is None:
        results = ooxml_validator.validate(paths, ooxml_validator.ENDS)
        results += ooxml_validator.validate([folder / RICHEST], ooxml_validator.BETWEEN)
    summary = {"files": [path.name for path in paths], "languages": LANGUAGES, "skipped": reason, "results": results,
               "version": ooxml_validator.version() if reason is None else None}
    (folder / DONE).write_text(json.dumps(summary))


# ---------------------------------------------------------------- run in the background during the suite

_background: dict[str, object] = {}


def start() -> None:
    """Start making and validating the set in a niced process (once per test session)."""
    if _background:
        return
    folder = Path(tempfile.mkdtemp(prefix="slagen-docx-set-"))
    log = (folder / "log.txt").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.docx_set", str(folder)],
        cwd=REPO,
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: os.nice(10),  # the test run comes first
    )
    _background.update(folder=folder, process=process, log=log)


def result(timeout: float = 1800) -> tuple[Path, dict]:
    """Wait for the set (starting it here if nothing did) and return its folder and summary."""
    start()
    folder, process = _background["folder"], _background["process"]
    assert isinstance(folder, Path) and isinstance(process, subprocess.Popen)
    process.wait(timeout=timeout)
    if process.returncode != 0 or not (folder / DONE).is_file():
        raise RuntimeError(f"tests.docx_set failed ({process.returncode}):\n{(folder / 'log.txt').read_text()}")
    return folder, json.loads((folder / DONE).read_text())


def stop() -> None:
    """End the background process if it still runs and remove its folder."""
    process, folder, log = _background.get("process"), _background.get("folder"), _background.get("log")
    if isinstance(process, subprocess.Popen) and process.poll() is None:
        process.kill()
        process.wait()
    if log is not None:
        log.close()  # type: ignore[attr-defined]
    if isinstance(folder, Path):
        shutil.rmtree(folder, ignore_errors=True)
    _background.clear()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
