"""`build --all` when nothing changed: answered from the manifest, without loading the workspace.

A whole-workspace build whose every output ends up on disk and up to date saves, in its manifest, what it
saw (the `workspace` stamp): the folders whose listing decides what there is to build (tiers, clauses,
customer folders, templates, assets) with every entry in them, the digest of every file an output is made
from (and of the logo), and the outputs. The next plain `build --all` compares first: the same listings,
the same digests (read through the same confined scope as a build reads them), every output on disk with
the digest the manifest records, no temporary file a killed build left. Then nothing is stale, and it
says so without importing the models, Jinja or the writers. Anything different, missing or unreadable:
the ordinary build runs, and decides and reports as always. This module imports nothing heavy.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from slagen import __version__
from slagen.batch_result import BatchResult
from slagen.errors import InputError
from slagen.files import InputScope
from slagen.incremental import FileHasher, Manifest, output_digest
from slagen.output import leftover_temps

STAMP_VERSION = 1


def listing(folders: list[Path]) -> dict[str, list[str] | None]:
    """Every entry under each folder (folders end in /), sorted; None for a folder that is not there."""
    found: dict[str, list[str] | None] = {}
    for folder in folders:
        if not folder.is_dir():
            found[str(folder)] = None
            continue
        names: list[str] = []
        for directory, subfolders, files in os.walk(folder):
            relative = Path(directory).relative_to(folder)
            names += [(relative / name).as_posix() + "/" for name in subfolders]
            names += [(relative / name).as_posix() for name in files]
        found[str(folder)] = sorted(names)
    return found


def stamp(
    root: Path, defaults_root: Path, folders: list[Path], inputs: list[Path], hasher: FileHasher, outputs: list[str],
    limits: Any,
) -> dict[str, Any]:
    """What a build saw, for the next `build --all` to compare (digests from the build's own hasher)."""
    return {
        "stamp_version": STAMP_VERSION,
        "slagen": __version__,
        "root": str(root),
        "defaults": str(defaults_root),
        "input_bytes": int(limits.input_bytes),
        "asset_bytes": int(limits.asset_bytes),
        "listing": listing(folders),
        "inputs": {str(path): hasher.digest(path) for path in sorted(set(inputs))},
        "outputs": sorted(outputs),
    }


def unchanged(root: Path, out: Path) -> list[str] | None:
    """Every output of the workspace when all are up to date by the stamp of the last build; else None."""
    manifest = Manifest.read(out)
    saved = manifest.workspace
    if manifest.note is not None or saved is None or saved.get("stamp_version") != STAMP_VERSION:
        return None
    try:
        if saved["slagen"] != __version__ or saved["root"] != str(root):
            return None
        defaults = Path(saved["defaults"])
        if listing([Path(folder) for folder in saved["listing"]]) != saved["listing"]:
            return None
        scope = InputScope.within(root, defaults / "clauses", defaults / "templates", limit=int(saved["input_bytes"]))
        hasher = FileHasher(root, scope, int(saved["asset_bytes"]))
        if any(hasher.digest(Path(path)) != digest for path, digest in saved["inputs"].items()):
            return None
        outputs: list[str] = list(saved["outputs"])
        for path in outputs:
            entry = manifest.entries.get(path)
            if entry is None or output_digest(out / path) != entry.get("sha256"):
                return None
    except (InputError, OSError, KeyError, TypeError, ValueError, AttributeError):
        return None  # the ordinary build decides, and reports what is wrong
    return None if leftover_temps(out) else outputs


def noop_report(root: Path, out: Path, *, as_json: bool) -> str | None:
    """What `build --all` prints when nothing changed since a whole build (one newline-ended text); else None."""
    started = time.perf_counter()
    fresh = unchanged(root, out)
    if fresh is None:
        return None
    done = BatchResult(up_to_date=fresh, seconds=time.perf_counter() - started)
    return (json.dumps(done.to_json(), indent=2) if as_json else "\n".join(done.summary_lines())) + "\n"
