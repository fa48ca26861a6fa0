"""Prices and billing: instalment maths, and the contract and the one-page summary stating the same schedule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slagen import terms
from slagen.units import Money
from tests.conftest import REPO, run_cli
from tests.test_build import docx_text, pdf_text


def flat(text: str) -> str:
    return " ".join(text.split())


# ---------------------------------------------------------------- instalments (terms.instalments)


@pytest.mark.parametrize(
    ("annual", "currency", "schedule", "count", "regular", "last"),
    [
        ("50000", "USD", "annually", 1, "50000.00", "50000.00"),
        ("50000", "USD", "quarterly", 4, "12500.00", "12500.00"),
        # 50000 / 12 = 4166.666...: eleven instalments of 4166.67 and a last one that takes the remainder.
        ("50000", "USD", "monthly", 12, "4166.67", "4166.63"),
        ("5000", "USD", "monthly", 12, "416.67", "416.63"),
        ("1000", "USD", "quarterly", 4, "250.00", "250.00"),
        ("100", "USD", "monthly", 12, "8.33", "8.37"),  # rounded down: the last instalment is the larger one
        ("13800", "EUR", "monthly", 12, "1150.00", "1150.00"),
        ("10", "JPY", "quarterly", 4, "3", "1"),  # no minor unit: rounded to whole yen
        ("36001", "CNY", "quarterly", 4, "9000.25", "9000.25"),
    ],
)
def test_instalments_round_once_and_add_up_to_the_fee(
    annual: str, currency: str, schedule: str, count: int, regular: str, last: str
) -> None:
    fee = Money(Decimal(annual), currency)
    plan = terms.instalments(fee, schedule)
    assert plan.count == count
    assert plan.regular == Money(Decimal(regular), currency)
    assert plan.last == Money(Decimal(last), currency)
    assert plan.regular.amount * (count - 1) + plan.last.amount == fee.amount
    assert plan.even == (regular == last)


def test_instalments_use_the_one_rounding_rule() -> None:
    # 0.125 a quarter rounds half up to 0.13, as every other amount in the contract does.
    plan = terms.instalments(Money(Decimal("0.50"), "USD"), "quarterly")
    assert plan.regular == terms.round_money(Money(Decimal("0.125"), "USD")) == Money(Decimal("0.13"), "USD")
    assert plan.last == Money(Decimal("0.11"), "USD")


# ---------------------------------------------------------------- the contract and the summary agree


@pytest.fixture(scope="module")
def acme_premium(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run_cli("--workspace", str(REPO), "build", "premium", "--customer", "acme", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out / "acme"


def test_quarterly_customer_contract_and_summary_state_the_same_schedule(acme_premium: Path) -> None:
    # acme chose quarterly invoicing; Premium's default is annual.
    contract_docx = flat(docx_text(acme_premium / "acme-premium-sla.docx"))
    contract_pdf = flat(pdf_text(acme_premium / "acme-premium-sla.pdf"))
    summary = flat(pdf_text(acme_premium / "acme-premium-summary.pdf"))
    for contract in (contract_docx, contract_pdf):
        assert "The Provider invoices the Annual Retainer quarterly in advance, in four instalments" in contract
        assert "Each instalment is the Annual Retainer divided by 4, rounded once, half up, to the smallest unit of " \
            "USD: $12,500.00." in contract
        assert "annually in advance" not in contract
    assert "invoiced quarterly in advance, $12,500.00 a quarter" in summary
    assert "a month" not in summary.split("invoiced", 1)[1].split("Premium support", 1)[0]
    assert "billed" not in summary


def test_monthly_customer_in_euro(tmp_path: Path) -> None:
    result = run_cli("--workspace", str(REPO), "build", "standard", "--customer", "nordwerk", "--out", str(tmp_path),
                     "--format", "docx", "--format", "summary")
    assert result.exit_code == 0, result.stderr
    contract = flat(docx_text(tmp_path / "nordwerk" / "nordwerk-standard-sla.docx"))
    summary = flat(pdf_text(tmp_path / "nordwerk" / "nordwerk-standard-summary.pdf"))
    assert "monthly in advance, in twelve instalments in each Contract Year" in contract
    assert "divided by 12, rounded once, half up, to the smallest unit of EUR: 1.150,00 €." in contract
    assert "invoiced monthly in advance, 1.150,00 € a month" in summary


def test_blank_template_uses_the_tier_default(tmp_path: Path) -> None:
    result = run_cli("--workspace", str(REPO), "build", "premium", "--out", str(tmp_path),
                     "--format", "docx", "--format", "summary")
    assert result.exit_code == 0, result.stderr
    contract = flat(docx_text(tmp_path / "templates" / "premium-sla.docx"))
    summary = flat(pdf_text(tmp_path / "templates" / "premium-summary.pdf"))
    assert "invoices the Annual Retainer annually in advance, on the Effective Date and on each anniversary" in contract
    assert "Instalment" not in contract
    assert "invoiced annually in advance" in summary


def test_uneven_instalments_name_the_last_one_in_both(workspace: Path) -> None:
    acme = workspace / "examples" / "customers" / "acme.yaml"
    acme.write_text(acme.read_text().replace("invoicing: quarterly", "invoicing: monthly"))
    result = run_cli("build", "premium", "--customer", "acme", "--format", "docx", "--format", "summary")
    assert result.exit_code == 0, result.stderr
    contract = flat(docx_text(workspace / "dist" / "acme" / "acme-premium-sla.docx"))
    summary = flat(pdf_text(workspace / "dist" / "acme" / "acme-premium-summary.pdf"))
    assert "rounded once, half up, to the smallest unit of USD: $4,166.67. The last instalment of each Contract " \
        "Year is $4,166.63, so that it absorbs the rounding difference" in contract
    assert "invoiced monthly in advance, $4,166.67 a month (the last of each year $4,166.63)" in summary
