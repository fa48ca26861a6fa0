"""Shared fixtures: a private copy of the shipped workspace and a CLI runner."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from slagen.cli import app

REPO = Path(__file__).resolve().parent.parent

# A shell without job control starts a background job (`make test &`) with SIGINT ignored, and every process
# it starts inherits that: the tests that stop a build or `slagen serve` with SIGINT would then wait in vain.
# A handler of our own is reset to the default in each child, so they answer SIGINT as at a terminal.
signal.signal(signal.SIGINT, signal.default_int_handler)

# Property tests draw the same examples on every run, so main stays green until the code changes (a random draw
# once turned a clean commit red). To search further: HYPOTHESIS_PROFILE=explore make test (new draws on every run).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))
WORKSPACE_PARTS = ("slagen.yaml", "tiers", "clauses", "templates", "examples", "assets")


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line]


def copy_workspace(target: Path) -> Path:
    target.mkdir(parents=True)
    for part in WORKSPACE_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy2(source, target / part)
    return target


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the shipped workspace, and the current directory set to it."""
    root = copy_workspace(tmp_path / "ws")
    monkeypatch.chdir(root)
    yield root


@pytest.fixture
def small(workspace: Path) -> Path:
    """The shipped workspace cut to one tier and one customer: seven documents in three tasks (nordwerk's
    contract in English, so an edit of a clause's English text changes it)."""
    for name in ("basic", "premium", "on-demand"):
        (workspace / "tiers" / f"{name}.yaml").unlink()
    for name in ("acme", "huaxin", "fournil"):
        (workspace / "examples" / "customers" / f"{name}.yaml").unlink()
    english_only(workspace, "nordwerk")
    return workspace


def month_args(start: dt.date, values: list[int]) -> list[str]:
    """`--compliance YYYY-MM=VALUE` options for consecutive months from `start`."""
    args = []
    for offset, value in enumerate(values):
        index = start.month - 1 + offset
        args += ["--compliance", f"{start.year + index // 12}-{index % 12 + 1:02d}={value}"]
    return args


def run_cli(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Result(result.exit_code, result.stdout, result.stderr)


def clean(text: str) -> str:
    """Whitespace folded, so phrases wrapped across lines or pages still match."""
    return re.sub(r"\s+", " ", text)


def english_only(root: Path, customer: str) -> None:
    """The customer's contract in the provider's language alone: its `language` and precedence left out."""
    path = root / "examples" / "customers" / f"{customer}.yaml"
    path.write_text(re.sub(r"(?m)^(language|prevailing_language):.*\n", "", path.read_text()))


@pytest.fixture(scope="session")
def acme_premium_and_huaxin_basic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """acme's Premium and huaxin's Basic contracts, built once for the calendar and escalation tests; huaxin's
    in English alone (its bilingual contract has tests/test_bilingual.py)."""
    out = tmp_path_factory.mktemp("dist")
    root = copy_workspace(tmp_path_factory.mktemp("english") / "ws")
    english_only(root, "huaxin")
    for tier, customer in (("premium", "acme"), ("basic", "huaxin")):
        result = run_cli("--workspace", str(root), "build", tier, "--customer", customer, "--out", str(out))
        assert result.exit_code == 0, result.stderr
    return out


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The Word-file validation set (tests/docx_set.py) starts in the background once its test is selected."""
    if any(item.path.name == "test_docx_validity.py" for item in items):
        from tests import docx_set

        docx_set.start()


def pytest_sessionfinish() -> None:
    from tests import docx_set

    docx_set.stop()
