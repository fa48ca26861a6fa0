"""The account managers' credit calculator: the contract's own maths over months of measured compliance."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from slagen import terms
from slagen.errors import InputError, UsageError
from slagen.model import Customer, Tier
from slagen.units import Money

_MONTH_VALUE = re.compile(r"^(\d{4})-(\d{2})=(.+)$")


def parse_month_values(option: str, values: list[str]) -> dict[dt.date, str]:
    """`2026-03=88` pairs from the command line, keyed by the first day of the month."""
    parsed: dict[dt.date, str] = {}
    for value in values:
        match = _MONTH_VALUE.match(value.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise UsageError(f"{option} {value!r}: use YYYY-MM=VALUE, e.g. {option} 2026-03=88")
        month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        if month in parsed:
            raise UsageError(f"{option} {value!r}: {month:%Y-%m} is given twice")
        parsed[month] = match.group(3)
    return parsed


def month_inputs(compliance: list[str], incidents: list[str]) -> list[terms.MonthInput]:
    measured = parse_month_values("--compliance", compliance)
    counted = parse_month_values("--incidents", incidents)
    extra = sorted(set(counted) - set(measured))
    if extra:
        raise UsageError(f"--incidents {extra[0]:%Y-%m}: no --compliance given for that month")
    months = []
    for month, text in sorted(measured.items()):
        try:
            pct = Decimal(text.rstrip("%"))
        except InvalidOperation:
            raise UsageError(f"--compliance {month:%Y-%m}={text}: not a number; use a percent such as 88.5") from None
        if not pct.is_finite() or not 0 <= pct <= 100:
            raise UsageError(f"--compliance {month:%Y-%m}={text}: must be a percent from 0 to 100")
        count = counted.get(month)
        if count is not None and not count.isdigit():
            raise UsageError(f"--incidents {month:%Y-%m}={count}: must be a whole number of incidents")
        months.append(terms.MonthInput(month, pct, int(count) if count is not None else None))
    if not months:
        raise UsageError("give at least one --compliance YYYY-MM=PERCENT")
    return months


@dataclass(frozen=True)
class CreditReport:
    """Everything the calculator says about a run of months."""

    tier: str
    customer: str
    currency: str
    monthly_retainer: Money
    months: list[terms.MonthResult]
    annual_compliance: dict[int, Decimal]  # contract year -> mean compliance of the months given
    bonus: dict[int, Money]  # contract year -> bonus if that year's compliance held (only full years)
    full_years: set[int]
    chronic_failure_from: dt.date | None


def calculate(tier: Tier, customer: Customer, currency: str, months: list[terms.MonthInput]) -> CreditReport:
    """Run the same functions the contract's worked examples use over the given months."""
    credits = tier.service_credits
    if credits is None:
        raise InputError(f"tier {tier.id!r} has no service credits; nothing to calculate")
    annual = Money(tier.annual_retainer[currency], currency)
    results = terms.assess_credits(credits, annual, customer.effective_date, months)
    by_year: dict[int, list[terms.MonthInput]] = {}
    for entry in months:
        by_year.setdefault(terms.contract_year(customer.effective_date, entry.month), []).append(entry)
    compliance = {year: terms.annual_compliance(entries) for year, entries in by_year.items()}
    bonus: dict[int, Money] = {}
    if tier.bonus is not None:
        for year, pct in compliance.items():
            if pct is not None:
                bonus[year] = terms.bonus_due(tier.bonus, annual, pct)
    chronic = next((result.month for result in results if result.chronic_failure), None)
    return CreditReport(
        tier=tier.id,
        customer=customer.short_name,
        currency=currency,
        monthly_retainer=terms.monthly(annual),
        months=results,
        annual_compliance={year: pct for year, pct in compliance.items() if pct is not None},
        bonus=bonus,
        full_years={year for year, entries in by_year.items() if len(entries) == terms.MONTHS_PER_YEAR},
        chronic_failure_from=chronic,
    )


def _amount(money: Money) -> str:
    return str(terms.round_money(money).amount)


def report_json(report: CreditReport) -> dict[str, Any]:
    """Machine-readable: amounts as exact decimal strings in the report's currency."""
    return {
        "tier": report.tier,
        "customer": report.customer,
        "currency": report.currency,
        "monthly_retainer": _amount(report.monthly_retainer),
        "months": [
            {
                "month": f"{result.month:%Y-%m}",
                "compliance_pct": str(result.compliance_pct),
                "counts": result.counts,
                "missed": result.missed,
                "consecutive_missed": result.consecutive_missed,
                "schedule_pct": str(result.step_pct),
                "credit": _amount(result.credit),
                "year_total": _amount(result.year_total),
                "year_cap": _amount(result.year_cap),
                "chronic_failure": result.chronic_failure,
            }
            for result in report.months
        ],
        "total_credit": _amount(
            Money(sum((result.credit.amount for result in report.months), Decimal(0)), report.currency)
        ),
        "years": [
            {
                "contract_year": year + 1,
                "annual_compliance_pct": str(pct.quantize(Decimal("0.01"))),
                "complete": year in report.full_years,
                "bonus": _amount(report.bonus[year]) if year in report.bonus else None,
            }
            for year, pct in sorted(report.annual_compliance.items())
        ],
        "chronic_failure_termination_right_from": (
            f"{report.chronic_failure_from:%Y-%m}" if report.chronic_failure_from else None
        ),
    }
