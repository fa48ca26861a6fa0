"""Worked examples read back from built DOCX and PDF files equal what `slagen credits --json` computes."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from babel.numbers import parse_decimal

from tests.conftest import REPO, month_args, run_cli
from tests.test_build import docx_text, pdf_text


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def amount_of(text: str, locale: str) -> str:
    """`$2,500.00` or `414,00 €` as the calculator's decimal string."""
    return str(parse_decimal(text.strip("$€¥ "), locale=locale))


def credits_json(tier: str, customer: str, *args: str) -> dict:
    result = run_cli("--workspace", str(REPO), "credits", tier, "--customer", customer, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def contracts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """The text of each built contract, from the DOCX and from the PDF, whitespace folded."""
    out = tmp_path_factory.mktemp("dist")
    texts: dict[str, dict[str, str]] = {}
    for tier, customer in (("premium", "acme"), ("standard", "nordwerk")):
        result = run_cli("--workspace", str(REPO), "build", tier, "--customer", customer, "--out", str(out),
                         "--format", "docx", "--format", "pdf")
        assert result.exit_code == 0, result.stderr
        stem = out / customer / f"{customer}-{tier}-sla"
        texts[customer] = {"docx": flat(docx_text(Path(f"{stem}.docx"))), "pdf": flat(pdf_text(Path(f"{stem}.pdf")))}
    return texts


@pytest.mark.parametrize(
    ("tier", "customer", "start", "amount", "locale"),
    [
        ("premium", "acme", dt.date(2026, 1, 1), "$2,500.00", "en_US"),
        ("standard", "nordwerk", dt.date(2026, 3, 1), "414,00 €", "de_DE"),
    ],
)
def test_performance_credit_example_equals_the_calculator(
    contracts: dict[str, dict[str, str]], tier: str, customer: str, start: dt.date, amount: str, locale: str
) -> None:
    for kind, text in contracts[customer].items():
        found = re.search(
            r"If the Annual Compliance for Contract Year (\d+) is 96 ?%.*?the Performance Credit is ([^ ]+(?: €)?)",
            text,
        )
        assert found is not None, kind
        year = int(found.group(1))
        assert found.group(2) == amount, kind
        report = credits_json(tier, customer, *month_args(start, [97] * 12 * (year - 1) + [96] * 12))
        by_year = {item["contract_year"]: item["performance_credit"] for item in report["years"]}
        assert by_year[year] == amount_of(amount, locale)
        assert all(by_year[earlier] is None for earlier in range(1, year)), by_year
