"""Prices and billing: instalment maths, and the contract and the one-page summary stating the same schedule."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from slagen import terms
from slagen.units import Money
from tests.conftest import REPO, copy_workspace, english_only, run_cli
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
    assert "Invoiced quarterly in advance: $12,500.00" in summary
    assert "Invoiced monthly" not in summary and "Invoiced annually" not in summary and "billed" not in summary


def contract_and_summary(out: Path, tier: str, customer: str) -> tuple[str, str]:
    """The Word contract's and the one-page summary's text (white space flattened), freshly built into `out`."""
    result = run_cli("--workspace", str(REPO), "build", tier, "--customer", customer, "--out", str(out),
                     "--format", "docx", "--format", "summary")
    assert result.exit_code == 0, result.stderr
    folder = out / customer
    return (flat(docx_text(folder / f"{customer}-{tier}-sla.docx")),
            flat(pdf_text(folder / f"{customer}-{tier}-summary.pdf")))


def test_monthly_customer_in_euro(tmp_path: Path) -> None:
    contract, summary = contract_and_summary(tmp_path, "standard", "nordwerk")
    # nordwerk's contract and summary are in German
    assert "monatlich im Voraus in Rechnung, in zwölf Raten je Vertragsjahr" in contract
    assert "geteilt durch 12, einmalig kaufmännisch gerundet auf die kleinste Einheit der Währung EUR: 1.150,00 €." \
        in contract
    assert "Monatliche Rechnungsstellung im Voraus: 1.150,00 €" in summary


def test_blank_template_uses_the_tier_default(tmp_path: Path) -> None:
    result = run_cli("--workspace", str(REPO), "build", "premium", "--out", str(tmp_path),
                     "--format", "docx", "--format", "summary")
    assert result.exit_code == 0, result.stderr
    contract = flat(docx_text(tmp_path / "templates" / "premium-sla.docx"))
    summary = flat(pdf_text(tmp_path / "templates" / "premium-summary.pdf"))
    assert "invoices the Annual Retainer annually in advance, on the Effective Date and on each anniversary" in contract
    assert "Instalment" not in contract
    assert "Invoiced annually in advance" in summary


def test_uneven_instalments_name_the_last_one_in_both(workspace: Path) -> None:
    acme = workspace / "examples" / "customers" / "acme.yaml"
    acme.write_text(acme.read_text().replace("invoicing: quarterly", "invoicing: monthly"))
    result = run_cli("build", "premium", "--customer", "acme", "--format", "docx", "--format", "summary")
    assert result.exit_code == 0, result.stderr
    contract = flat(docx_text(workspace / "dist" / "acme" / "acme-premium-sla.docx"))
    summary = flat(pdf_text(workspace / "dist" / "acme" / "acme-premium-summary.pdf"))
    assert "rounded once, half up, to the smallest unit of USD: $4,166.67. The last instalment of each Contract " \
        "Year is $4,166.63, so that it absorbs the rounding difference" in contract
    assert "Invoiced monthly in advance: $4,166.67 (12th: $4,166.63)" in summary


# ---------------------------------------------------------------- the on-demand offer (no retainer)


@pytest.fixture(scope="module")
def on_demand(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The on-demand offer built for huaxin (CNY, in English alone) and blank (USD): contract and summary."""
    out = tmp_path_factory.mktemp("dist")
    root = copy_workspace(tmp_path_factory.mktemp("english") / "ws")
    english_only(root, "huaxin")
    for args in (["--customer", "huaxin"], []):
        result = run_cli("--workspace", str(root), "build", "on-demand", *args, "--out", str(out))
        assert result.exit_code == 0, result.stderr
    return out


RETAINER_ONLY_WORDS = ("Service Credit", "Monthly Retainer", "Annual Retainer", "retainer back", "instalment",
                       "bonus", "Performance Credit", "performance credit", "Early renewal", "entitlements")


def test_on_demand_contract_prices_each_severity_and_has_no_retainer_terms(on_demand: Path) -> None:
    for contract in (
        flat(docx_text(on_demand / "huaxin" / "huaxin-on-demand-sla.docx")),
        flat(pdf_text(on_demand / "huaxin" / "huaxin-on-demand-sla.pdf")),
    ):
        for label, fee in (("Sev-1", "¥17,300.00"), ("Sev-2", "¥11,500.00"), ("Sev-3", "¥7,200.00"),
                           ("Sev-4", "¥4,700.00")):
            assert f"{label} Incident {fee} per Incident" in contract
        assert "The On Demand offer has no retainer and no minimum fee" in contract
        assert "The Provider invoices the fees per Incident monthly in arrears" in contract
        assert "to the fees the Customer paid under this Agreement in the twelve months before the event" in contract
        assert "Missing a service target does not reduce the fees per Incident." in contract
        for word in RETAINER_ONLY_WORDS:
            assert word not in contract, word
    blank = flat(docx_text(on_demand / "templates" / "on-demand-sla.docx"))
    assert "Sev-1 Incident $2,400.00 per Incident" in blank and "Sev-4 Incident $650.00 per Incident" in blank
    assert "Engineer hour, remote, for chargeable services outside an Incident $200.00" in blank


def test_on_demand_summary_quotes_the_fees_not_a_retainer(on_demand: Path) -> None:
    for path, fees in (
        (on_demand / "huaxin" / "huaxin-on-demand-summary.pdf", ("¥17,300.00", "¥11,500.00", "¥7,200.00", "¥4,700.00")),
        (on_demand / "templates" / "on-demand-summary.pdf", ("$2,400.00", "$1,600.00", "$1,000.00", "$650.00")),
    ):
        reader = PdfReader(path)
        assert len(reader.pages) == 1
        text = flat(reader.pages[0].extract_text())
        assert "PAY PER INCIDENT" in text.upper() and f"from {fees[-1]}" in text
        assert "no annual retainer · invoiced monthly in arrears" in text
        for label, fee in zip(("Sev-1", "Sev-2", "Sev-3", "Sev-4"), fees, strict=True):
            assert re.search(rf"{label} \w+ .*? Business hours {re.escape(fee)}", text), (label, fee)
        # nothing prepaid: the only lines under "What's included" are the lead times every tier states
        assert "Spare parts dispatched within" in text and "remote incident investigation" not in text
        for word in ("ANNUAL RETAINER", "Annual retainer", "Service Credit", "monthly retainer", "Monthly Retainer",
                     "a quarter", "a month"):
            assert word not in text, word


def test_basic_prices_extra_incidents_by_severity(tmp_path: Path) -> None:
    contract, summary = contract_and_summary(tmp_path, "basic", "acme")
    assert "Sev-1 Incident beyond the included Remote Investigations $1,400.00 per Incident" in contract
    assert "Sev-4 Incident beyond the included Remote Investigations $600.00 per Incident" in contract
    assert "Further Incidents are handled at the fee per Incident for their Severity" in contract
    assert "EXTRA INCIDENT" in summary.upper() and "$1,400.00" in summary and "$600.00" in summary
    # the day block, in the price table and on the page
    assert "Prepaid block of 5 On-site Days, plus travel and accommodation at cost $6,300.00" in contract
    assert "Block of 5 on-site days $6,300.00" in summary


def test_day_block_and_spare_parts_package_in_contract_summary_and_comparison(
    acme_premium: Path, tmp_path: Path
) -> None:
    contract = flat(docx_text(acme_premium / "acme-premium-sla.docx"))
    summary = flat(pdf_text(acme_premium / "acme-premium-summary.pdf"))
    assert "Prepaid block of 5 On-site Days, plus travel and accommodation at cost $5,400.00" in contract
    assert "A prepaid block of engineer hours is used for additional remote or on-site work, and one of On-site " \
        "Days for on-site work at a Covered Site beyond the included entitlement" in contract
    assert "Premium with critical spare-parts package (instead of the Annual Retainer) $62,000.00" in contract
    assert "Block of 5 on-site days $5,400.00" in summary
    assert "With spare parts: $62,000.00 a year" in summary

    root = copy_workspace(tmp_path / "ws")
    english_only(root, "huaxin")  # the English comparison (huaxin's own is Chinese: tests/test_bilingual.py)
    result = run_cli("--workspace", str(root), "compare", "--customer", "huaxin", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(tmp_path / "huaxin" / "huaxin-compare.pdf")
    assert len(reader.pages) == 1
    page = flat(reader.pages[0].extract_text())
    assert "retainers invoiced annually in advance" in page
    assert "with spare parts: ¥151,000.00 a year" in page  # Standard
    assert "with spare parts: ¥446,000.00 a year" in page  # Premium
    assert "5 on-site days ¥45,000.00" in page and "10 hours ¥11,900.00" in page  # Basic's blocks
    # the offer without a retainer sits below the grid, not as a column to add to
    assert "On Demand no retainer; fee per incident: Sev-1 ¥17,300.00" in page
    assert "Sev-4 ¥4,700.00" in page and "No service credits or discounts; invoiced monthly in arrears." in page
    assert "Everything in On Demand" not in page


def test_a_spare_parts_package_on_the_on_demand_offer(workspace: Path) -> None:
    """Any tier may define a bundle; without a retainer it is priced on its own, next to the fees per incident."""
    tier = workspace / "tiers" / "on-demand.yaml"
    tier.write_text(tier.read_text().replace("\nclauses:\n", (
        "\nbundles:\n  - kind: spare_parts\n    name: On-demand spare-parts package\n"
        "    description: A stock of critical spare parts for the Supplied Equipment, held for the Customer.\n"
        "    price: {USD: 9000, EUR: 8300, CNY: 65000}\nclauses:\n")))
    assert run_cli("validate").exit_code == 0
    result = run_cli("build", "on-demand", "--format", "docx", "--format", "summary")
    assert result.exit_code == 0, result.stderr
    contract = flat(docx_text(workspace / "dist" / "templates" / "on-demand-sla.docx"))
    summary = flat(pdf_text(workspace / "dist" / "templates" / "on-demand-summary.pdf"))
    assert "On-demand spare-parts package (in addition to the fees per Incident) $9,000.00 per Contract Year" \
        in contract
    assert "The price of a bundle is invoiced annually in advance, on the Effective Date" in contract
    assert "Annual Retainer" not in contract
    assert "Spare parts: $9,000.00 a year" in summary
    compare = run_cli("compare")
    assert compare.exit_code == 0, compare.stderr
    page = flat(pdf_text(workspace / "dist" / "compare.pdf"))
    assert "engineer hour $200.00, on-site day $1,600.00; spare parts: $9,000.00 a year." in page
