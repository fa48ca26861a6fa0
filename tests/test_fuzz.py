"""Random but valid-looking workspaces: the only outcomes are a valid document or one clean error.

Never a traceback (run_cli re-raises anything that is not a clean exit), never a hang (each build
must finish well inside its time), never a temporary or half-written file, and after an error the
earlier outputs stay byte-identical. Examples are derandomised so CI is repeatable; set
SLAGEN_FUZZ_EXAMPLES=500 for a longer, random run.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.conftest import copy_workspace, run_cli
from tests.test_bad_inputs import output_text, snapshot, temp_files

SCALE = int(os.environ.get("SLAGEN_FUZZ_EXAMPLES", "0"))
FUZZ = settings(
    deadline=None,
    database=None,
    derandomize=not SCALE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
# Every line of a clean error names where: `path:line: ...`, or the PDF step.
PROBLEM = re.compile(r"^(\S[^:\n]*:\d+|PDF): \S")
DOCX = Path("dist/acme/acme-premium-sla.docx")
PDF = Path("dist/acme/acme-premium-sla.pdf")

ACME: dict[str, Any] = yaml.safe_load((Path(__file__).parent.parent / "examples/customers/acme.yaml").read_text())


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A workspace whose premium tier also lists a `fuzz` clause, with the baseline outputs built."""
    root = copy_workspace(tmp_path_factory.mktemp("fuzz") / "ws")
    premium = root / "tiers" / "premium.yaml"
    premium.write_text(premium.read_text().replace("  - general-terms\n", "  - general-terms\n  - fuzz\n"))
    write_clause(root, "A placeholder clause.")
    with contextlib.chdir(root):
        assert run_cli("build", "premium", "--customer", "acme", "--format", "docx").exit_code == 0
        yield root


def write_clause(root: Path, body: str) -> None:
    clause = {"id": "fuzz", "title": "Fuzzed Clause", "version": "1.0", "status": "approved", "body": body}
    (root / "clauses" / "fuzz.yaml").write_text(yaml.safe_dump(clause, allow_unicode=False), encoding="utf-8")


def write_customer(root: Path, customer: dict[str, Any], unicode: bool) -> None:
    # allow_unicode=False writes every non-ASCII character as an escape, lone surrogates included.
    text = yaml.safe_dump(customer, allow_unicode=unicode and not _has_surrogate(customer), sort_keys=False)
    (root / "examples" / "customers" / "acme.yaml").write_text(text, encoding="utf-8")


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    if isinstance(value, dict):
        return any(_has_surrogate(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


def build(root: Path, *formats: str) -> tuple[Any, dict[str, bytes]]:
    """Run the CLI build and check the outcome is one of the two allowed; returns it and the outputs before."""
    dist = root / "dist"
    before = snapshot(dist)
    options = [part for kind in formats for part in ("--format", kind)]
    started = time.monotonic()
    result = run_cli("build", "premium", "--customer", "acme", *options)
    assert time.monotonic() - started < 30, "a build took longer than 30 s"
    assert "Traceback" not in result.stderr + result.stdout
    assert temp_files(dist) == []
    event("built" if result.exit_code == 0 else f"refused: {_kind(result.lines[0] if result.lines else '')}")
    if result.exit_code == 0:
        if "docx" in formats:
            docx.Document(str(root / DOCX))  # opens: a complete, valid Word file
        if "pdf" in formats:
            assert (root / PDF).read_bytes().startswith(b"%PDF-")
    else:
        assert result.exit_code == 1, result.stderr
        assert result.lines, "a failure without a message"
        for line in result.lines:
            assert PROBLEM.match(line), f"not a clean `path:line: message` error: {line!r}"
        assert snapshot(dist) == before
    return result, before


def _kind(line: str) -> str:
    """`legal_name`, `body`, ...: the field a problem names, for hypothesis' statistics."""
    parts = line.split(": ")
    return parts[1].split("[")[0].split(".")[0] if len(parts) > 2 else parts[0]


# ---------------------------------------------------------------- strategies

TRICKY = [
    "NO", "yes", "on", "off", "010", "1:30", "null", "~", "2026-02-30", ".nan", "-.inf", "0x1F", "1e3", "@acme",
    "`x`", "*bold*", "_x_", "## Heading", "- item", "1. item", "[link](http://x)", "<b>html</b>", "&amp;",
    "{{ customer.legal_name }}", "{% if %}", "{#", "| a | b |", "\\", "\u202e", "\u2028", "\ufeff", "\x0b",
    "\x00", "\ud800", "\U0001f600", "山东华信", "Ünïcødé GmbH", "x" * 300, " padded ", "",
]
# Text a user could type or paste: any printable character (the loader and the models refuse the rest).
printable = st.text(st.characters(exclude_categories=("Cc", "Cs", "Co")), min_size=1, max_size=40)
texts = st.one_of(printable, printable, st.sampled_from(TRICKY), st.text(max_size=20))
numbers: st.SearchStrategy[Any] = st.one_of(
    st.integers(1, 120), st.integers(-5, 500), st.decimals(allow_nan=True, places=3),
    st.sampled_from(["12", "twelve", "", "1_000"]),
)
dates: st.SearchStrategy[Any] = st.one_of(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)), st.sampled_from(TRICKY)
)
sites = st.fixed_dictionaries(
    {"name": texts, "country": st.sampled_from(["US", "DE", "CN", "NO", "GB", "XX", "us", "", "USA"])},
    optional={"city": st.one_of(st.none(), texts)},
)


def _plain(value: Any) -> Any:
    """Values yaml.safe_dump can write: Decimal as a float or its text (the loader reads both back)."""
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    return value


FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "legal_name": texts,
    "address": st.lists(texts, min_size=0, max_size=3),
    "signatory": st.fixed_dictionaries({"name": texts, "title": texts}),
    "effective_date": dates,
    "offer_valid_until": dates,
    "initial_term_months": numbers.map(_plain),
    "notice_days": numbers.map(_plain),
    "currency": st.sampled_from(["USD", "EUR", "CNY", "JPY", "usd", "XXX"]),
    "locale": st.sampled_from(["en_US", "de_DE", "zh_CN", "ja_JP", "ar_EG", "fr_CH", "en", "xx_XX"]),
    "products": st.lists(texts, min_size=0, max_size=3),
    "applications": st.lists(texts, min_size=0, max_size=3),
    "sites": st.lists(sites, min_size=0, max_size=3),
    "overrides": st.one_of(
        st.just({}), numbers.map(lambda value: {"service_credits.cap_per_period_pct": _plain(value)})
    ),
}
# The shipped customer with one to three fields changed, so that many examples still build.
customers = st.lists(st.sampled_from(sorted(FIELDS)), min_size=1, max_size=3, unique=True).flatmap(
    lambda keys: st.fixed_dictionaries({key: FIELDS[key] for key in keys})
)

WHOLE = [
    "{{ customer.legal_name }}", "{{ tier.name }}", "{{ contract.effective_date }}", "{{ ref('scope') }}",
    "{% if tier.name %}x{% endif %}", "{% for site in customer.sites %}{{ site.name }}, {% endfor %}",
    "{{ 'ab' * 3 }}", "{{ 10 ** 100 }}", "\n\n## ", "\n\n", "\n- ", "\n1. ", "**bold**", "*it*", "_", "`",
    "<b>", "&amp;", "|", "\n| a | b |\n|---|---|\n| 1 | 2 |\n", "\n---\n", "\\", "\t", "{# note #}",
]
BROKEN = [
    "{{ ref('nowhere') }}", "{{ customer.nope }}", "{{", "}}", "{%", "%}", "{#", "{% endif %}", "{{ '\\x0b' }}",
    "{{ lipsum() }}", "![i](x.png)", "[x](y)", "{% for %}",
]
pieces = st.one_of(st.sampled_from(WHOLE), printable)
bodies = st.one_of(
    st.lists(pieces, min_size=1, max_size=25).map("".join),
    st.lists(st.one_of(pieces, st.sampled_from(BROKEN)), min_size=1, max_size=25).map("".join),
)


# ---------------------------------------------------------------- properties


@settings(FUZZ, max_examples=SCALE or 30)
@given(customer=customers, unicode=st.booleans())
def test_random_customers_build_or_fail_cleanly(fuzz_root: Path, customer: dict[str, Any], unicode: bool) -> None:
    data = ACME | customer
    write_customer(fuzz_root, data, unicode)
    write_clause(fuzz_root, "A placeholder clause.")
    result, _before = build(fuzz_root, "docx")
    if result.exit_code == 0:
        # Data stays literal: whatever the name holds, the contract shows exactly that text.
        name = " ".join(str(data["legal_name"]).split())
        assert name in output_text(fuzz_root / DOCX)


@settings(FUZZ, max_examples=SCALE or 20)
@given(body=bodies)
def test_random_clause_bodies_build_or_fail_cleanly(fuzz_root: Path, body: str) -> None:
    write_customer(fuzz_root, ACME, unicode=True)
    write_clause(fuzz_root, body)
    build(fuzz_root, "docx")


@settings(FUZZ, max_examples=SCALE // 10 or 2)
@given(name=texts, body=bodies)
def test_random_pdfs_build_or_fail_cleanly(fuzz_root: Path, name: str, body: str) -> None:
    write_customer(fuzz_root, ACME | {"legal_name": name}, unicode=True)
    write_clause(fuzz_root, body)
    build(fuzz_root, "docx", "pdf")
