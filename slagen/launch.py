"""The `slagen` command's entry point: two answers given before the command line library is imported.

typer (and the pydantic it validates options with) costs more than the answer itself for two commands a
user or CI runs all the time:

- `slagen --help`: the text typer printed for these very sources is kept in `slagen/cli/help.txt` with
  digests of the command modules and of typer; while both match (and the terminal is at least 80 columns,
  where click wraps at 78) that text is printed as it is. `python -m slagen.launch --write-help` renews it.
- `slagen build --all` (optionally `--json`, after an optional `--workspace DIR`): when nothing changed
  since a whole build (slagen.fastcheck), the same lines the build would print.

Anything else, or any doubt, goes to typer as usual (`slagen.cli.main`).
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import shutil
import sys
from pathlib import Path

CLI = Path(__file__).resolve().parent / "cli"
HELP_FILE = CLI / "help.txt"
HELP_WIDTH = 80  # click wraps at min(columns, 80) - 2


def help_digest() -> str | None:
    """What `slagen --help` is made from: the digest of the command modules, then that of typer itself.

    Two parts, so that a test can tell a help.txt left stale by a change to slagen/cli/ (our mistake, which
    slows every `--help`) from one made with another typer than the one installed (typer then answers).
    """
    spec = importlib.util.find_spec("typer")
    if spec is None or spec.origin is None:
        return None
    return f"{_digest(sorted(CLI.glob('*.py')))} {_digest([Path(spec.origin)])}"


def _digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _kept_help() -> str | None:
    """The kept help text when it was made from these sources and fits this terminal; else None."""
    try:
        digest, text = HELP_FILE.read_text(encoding="utf-8").split("\n", 1)
        if shutil.get_terminal_size().columns < HELP_WIDTH or digest != help_digest():
            return None
    except (OSError, ValueError):
        return None
    return text


def _noop_build(argv: list[str]) -> str | None:
    """The output of `build --all [--json]` when nothing changed since a whole build; None to build."""
    workspace = None
    if argv[:1] in (["--workspace"], ["-w"]) and len(argv) > 2:
        workspace, argv = Path(argv[1]), argv[2:]
    if argv[:1] != ["build"] or "--all" not in argv[1:] or not set(argv[1:]) <= {"--all", "--json"} or len(
            argv) != len(set(argv)):
        return None
    from slagen.errors import SlagenError
    from slagen.fastcheck import noop_report
    from slagen.files import find_workspace

    try:
        return noop_report(find_workspace(explicit=workspace), Path("dist"), as_json="--json" in argv)
    except (SlagenError, OSError):
        return None  # typer's way reports it


def _single_build(argv: list[str]) -> bool:
    """`build TIER ...` (after any global options), not `build --all`."""
    while argv[:1] and argv[0].startswith("-"):
        argv = argv[2:] if argv[0] in ("--workspace", "-w") else argv[1:]
    return argv[:1] == ["build"] and "--all" not in argv


def main() -> None:
    argv = sys.argv[1:]
    text = _kept_help() if argv == ["--help"] else _noop_build(argv)
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    # What importing makes lives as long as the process: a garbage collection meanwhile finds nothing, and once
    # frozen, the later ones do not sweep it again. A single build makes one set, and the process ends: there
    # the collections stay off (the PDF helpers it forks inherit that), 6 % of a cold build's time at the same
    # peak memory (bench/RESULTS.md).
    gc.disable()
    from slagen.cli import main as typer_main

    gc.freeze()
    if not _single_build(argv):
        gc.enable()
    try:
        typer_main()
    finally:
        # The command is done. At exit the interpreter would still sweep every object pydantic, Jinja, Babel
        # and python-docx made for reference cycles, 0.1-0.25 s of a build for nothing; frozen objects are
        # left out of that sweep. Exit handlers run, open files are flushed and closed as before.
        gc.freeze()


def write_help() -> None:
    """Renew slagen/cli/help.txt from what typer prints now (at the width of an 80-column terminal)."""
    import os
    import subprocess

    from slagen.output import write_outputs

    shown = subprocess.run([sys.executable, "-m", "slagen.cli", "--help"], capture_output=True, text=True,
                           check=True, env={**os.environ, "COLUMNS": str(HELP_WIDTH)}).stdout
    write_outputs(HELP_FILE.parent, {HELP_FILE.name: f"{help_digest()}\n{shown}".encode()})


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-help"]:
        write_help()
    else:
        main()
