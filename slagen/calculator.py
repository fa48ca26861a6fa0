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
    # contract year -> the customer's performance credit against the renewal fee, for years that end a term
    performance_credit: dict[int, Money]
    ends_term: dict[int, bool]  # contract year -> a term ends in it (only such a year earns a performance credit)
    full_years: set[int]
    chronic_failure_from: dt.date | None


def calculate(tier: Tier, customer: Customer, currency: str, months: list[terms.MonthInput]) -> CreditReport:
    """Run the same functions the contract's worked examples use over the given months."""
    credits = tier.service_credits
    if credits is None:
        raise InputError(f"tier {tier.id!r} has no service credits; nothing to calculate")
    assert tier.annual_retainer is not None  # validated: service credits need a retainer
    annual = Money(tier.annual_retainer[currency], currency)
    timeline = terms.Timeline(customer.effective_date, customer.initial_term_months, customer.renewal_term_months)
    results = terms.assess_credits(credits, annual, customer.effective_date, months)
    by_year: dict[int, list[terms.MonthInput]] = {}
    for entry in months:
        by_year.setdefault(timeline.year_of(entry.month), []).append(entry)
    compliance = {year: terms.annual_compliance(entries) for year, entries in by_year.items()}
    ends_term = {year: timeline.ends_term(year) for year in by_year}
    performance: dict[int, Money] = {}
    if tier.performance_credit is not None:
        for year, pct in compliance.items():
            if pct is not None and ends_term[year]:
                performance[year] = terms.performance_credit_due(tier.performance_credit, annual, pct)
    chronic = next((result.month for result in results if result.chronic_failure), None)
    return CreditReport(
        tier=tier.id,
        customer=customer.short_name,
        currency=currency,
        monthly_retainer=terms.monthly(annual),
        months=results,
        annual_compliance={year: pct for year, pct in compliance.items() if pct is not None},
        performance_credit=performance,
        ends_term=ends_term,
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
                "ends_term": report.ends_term[year],
                # the customer's credit against the renewal fee; null when the tier has none or the year ends no term
                "performance_credit": _amount(report.performance_credit[year])
                if year in report.performance_credit
                else None,
            }
            for year, pct in sorted(report.annual_compliance.items())
        ],
        "chronic_failure_termination_right_from": (
            f"{report.chronic_failure_from:%Y-%m}" if report.chronic_failure_from else None
        ),
    }
