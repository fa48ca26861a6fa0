"""Versions of a workspace: an older one from git (a revision extracted into a temporary folder) or a folder."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from slagen.errors import BuildError, SlagenError, UsageError
from slagen.workspace import CONFIG_NAME, Workspace, load_workspace


def _git(root: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess[Any]:
    git = shutil.which("git")
    if git is None:
        raise BuildError("git: not found on PATH; --from needs git (or compare folders with --old-workspace)")
    try:
        return subprocess.run(
            [git, "-C", str(root), *args],
            capture_output=True,
            check=False,
            text=not binary,
            timeout=300,
            env={**os.environ, "LC_ALL": "C"},  # messages we recognise, in English
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"git {args[0]}: {error}") from error


def _first_line(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "git failed"


def git_location(root: Path) -> tuple[Path, str]:
    """The git top level holding the workspace `root`, and the workspace's path inside it (`` or `a/b/`)."""
    done = _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
    if done.returncode != 0 and "not a git repository" not in done.stderr:
        raise UsageError(f"{root}: git cannot read this repository: {_first_line(done.stderr)}")
    if done.returncode != 0:
        raise UsageError(
            f"{root}: not inside a git repository; --from REV needs the workspace under git "
            "(or compare two folders with --old-workspace DIR)"
        )
    lines = done.stdout.splitlines()
    return Path(lines[0]), lines[1] if len(lines) > 1 else ""


def _commit(root: Path, revision: str, option: str) -> str:
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if done.returncode != 0 or not done.stdout.strip():
        raise UsageError(f"{option} {revision!r}: no such commit in the git repository of {root}")
    return str(done.stdout.strip())


def commit_date(root: Path, revision: str, option: str = "--from") -> str:
    """The committer date of `revision` as an ISO 8601 UTC timestamp (what w:date holds)."""
    commit = _commit(root, revision, option)
    done = _git(root, "log", "-1", "--format=%ct", commit)
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        raise BuildError(f"git log {revision}: {_first_line(done.stderr)}")
    return _utc(dt.datetime.fromtimestamp(int(done.stdout.strip()), dt.UTC))


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def working_tree_date(root: Path, fallback: str) -> str:
    """The date of changes in the working tree: SOURCE_DATE_EPOCH, else the newest commit, else `fallback`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return _utc(dt.datetime.fromtimestamp(int(epoch), dt.UTC))
    if shutil.which("git") is not None:
        done = _git(root, "log", "-1", "--format=%ct", "HEAD")
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return _utc(dt.datetime.fromtimestamp(int(done.stdout.strip()), dt.UTC))
    return fallback


@contextmanager
def workspace_at(root: Path, revision: str, option: str = "--from") -> Iterator[Path]:
    """The workspace `root` as it was at git `revision`, extracted into a temporary folder."""
    toplevel, prefix = git_location(root)
    commit = _commit(root, revision, option)
    pathspec = ["--", prefix.rstrip("/")] if prefix else []
    done = _git(toplevel, "archive", "--format=tar", commit, *pathspec, binary=True)
    if done.returncode != 0:
        raise UsageError(f"{option} {revision!r}: the workspace folder {prefix or '.'} is not in that revision")
    with tempfile.TemporaryDirectory(prefix="slagen-redline-") as folder:
        try:
            with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
                archive.extractall(folder, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise BuildError(f"{option} {revision!r}: cannot unpack the revision: {error}") from error
        workspace = Path(folder) / prefix
        if not (workspace / CONFIG_NAME).is_file():
            raise UsageError(f"{option} {revision!r}: no {CONFIG_NAME} in {prefix or 'the repository root'} there")
        yield workspace


def label_for_file(text: str) -> str:
    """A revision or folder name made safe for a file name: `HEAD~1` -> `HEAD-1`, `v1.2/rc` -> `v1.2-rc`."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:60] or "old"


def load_version(root: Path, label: str) -> Workspace:
    """Load an older workspace; its problems are prefixed with the version they belong to."""
    try:
        return load_workspace(root)
    except SlagenError as error:
        problems = [f"{label}: {problem}" for problem in error.problems]
        raise type(error)(problems[0], problems=problems) from error
