"""The account managers' credit calculator: the contract's own maths over months of measured compliance, a pilot's
fee and caps, and the rollover of unused entitlements."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from slagen import bounds, terms
from slagen.commercial import COUNTABLE, pilot_terms, timeline
from slagen.errors import InputError, UsageError
from slagen.model import Customer, Tier
from slagen.pricing import annual_retainer
from slagen.units import Money

if TYPE_CHECKING:
    from slagen.context import Formatter

_MONTH_VALUE = re.compile(r"^(\d{4})-(\d{2})=(.+)$")
_USED_VALUE = re.compile(r"^([a-z_]+)=(.+)$")


def parse_month_values(option: str, values: list[str]) -> dict[dt.date, str]:
    """`2026-03=88` pairs from the command line, keyed by the first day of the month."""
    parsed: dict[dt.date, str] = {}
    for value in values:
        match = _MONTH_VALUE.match(value.strip())
        if match is None or not 1 <= int(match.group(2)) <= 12:
            raise UsageError(f"{option} {value!r}: use YYYY-MM=VALUE, e.g. {option} 2026-03=88")
        year = int(match.group(1))
        if not bounds.FIRST_DATE.year <= year <= bounds.LAST_DATE.year:
            first, last = bounds.FIRST_DATE, bounds.LAST_DATE
            raise UsageError(f"{option} {value!r}: use a month from {first:%Y-%m} to {last:%Y-%m}")
        month = dt.date(year, int(match.group(2)), 1)
        if month in parsed:
            raise UsageError(f"{option} {value!r}: {month:%Y-%m} is given twice")
        parsed[month] = match.group(3)
    return parsed


def month_inputs(compliance: list[str], incidents: list[str], *, required: bool = True) -> list[terms.MonthInput]:
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
        try:
            bounds.check_decimal(pct, Decimal(0), Decimal(100), bounds.PERCENT_PLACES)
        except ValueError:
            raise UsageError(
                f"--compliance {month:%Y-%m}={text}: must be a percent from 0 to 100 with at most "
                f"{bounds.PERCENT_PLACES} decimal places"
            ) from None
        count = counted.get(month)
        if count is not None and not re.fullmatch(r"[0-9]{1,6}", count):
            raise UsageError(f"--incidents {month:%Y-%m}={count}: must be a whole number of incidents, e.g. 12")
        months.append(terms.MonthInput(month, pct, int(count) if count is not None else None))
    if not months and required:
        raise UsageError("give at least one --compliance YYYY-MM=PERCENT or --used ENTITLEMENT=UNITS")
    return months


def used_inputs(tier: Tier, values: list[str]) -> dict[str, Decimal]:
    """`onsite_days=6` pairs: units of a rolled-over entitlement used in one Contract Year."""
    if not values:
        return {}
    rollover = tier.rollover
    if rollover is None:
        raise InputError(f"tier {tier.id!r} has no rollover of unused entitlements; --used does not apply to it")
    allowed = [key for key in COUNTABLE if key in rollover.entitlements]
    choices = f"{', '.join(allowed[:-1])} or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
    used: dict[str, Decimal] = {}
    for value in values:
        match = _USED_VALUE.match(value.strip())
        if match is None:
            raise UsageError(f"--used {value!r}: use ENTITLEMENT=UNITS, e.g. --used {allowed[0]}=6")
        key, text = match.groups()
        if key not in allowed:
            raise UsageError(f"--used {value!r}: {key!r} does not roll over in tier {tier.id!r}; use {choices}")
        if key in used:
            raise UsageError(f"--used {value!r}: {key} is given twice")
        try:
            units = bounds.check_decimal(Decimal(text), Decimal(0), Decimal(100_000), 2)
        except (InvalidOperation, ValueError):
            raise UsageError(
                f"--used {value!r}: must be a number of units from 0 to 100,000 with at most 2 decimal places, "
                f"e.g. {key}=6"
            ) from None
        used[key] = units
    return used


@dataclass(frozen=True)
class PilotReport:
    """A pilot's own terms and what its months earned."""

    plan: terms.PilotTerms
    credit_cap: Money | None
    conversion_date: dt.date
    entitlements: dict[str, int]  # countable entitlement -> units during the pilot
    compliance: Decimal | None  # mean of the pilot months given


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
    pilot: PilotReport | None
    rollover_max_pct: Decimal | None
    rollover: dict[str, terms.RolloverResult]  # entitlement -> its year's rollover, for the --used given


def calculate(
    tier: Tier,
    customer: Customer,
    currency: str,
    months: list[terms.MonthInput],
    used: dict[str, Decimal] | None = None,
) -> CreditReport:
    """Run the same functions the contract's worked examples use over the given months and usage."""
    credits = tier.service_credits
    if credits is None and months:
        raise InputError(f"tier {tier.id!r} has no service credits; nothing to calculate")
    annual = annual_retainer(tier, currency)
    assert annual is not None  # validated: service credits need a retainer
    line = timeline(customer, tier)
    plan = pilot_terms(tier, customer, currency)
    results = terms.assess_credits(credits, annual, customer.effective_date, months, pilot=plan) if credits else []
    by_year: dict[int, list[terms.MonthInput]] = {}
    for entry in months:
        by_year.setdefault(line.year_of(entry.month), []).append(entry)
    pilot_months = by_year.pop(terms.PILOT, [])
    # A month in which no incident was resolved reports no figure: it has no place in the annual average.
    compliance = {
        year: terms.annual_compliance([entry for entry in entries if entry.incidents != 0])
        for year, entries in by_year.items()
    }
    ends_term = {year: line.ends_term(year) for year in by_year}
    performance: dict[int, Money] = {}
    if tier.performance_credit is not None:
        for year, pct in compliance.items():
            if pct is not None and ends_term[year]:
                performance[year] = terms.performance_credit_due(tier.performance_credit, annual, pct)
    pilot = None
    if plan is not None:
        pilot = PilotReport(
            plan=plan,
            credit_cap=terms.pilot_credit_cap(credits, plan) if credits else None,
            conversion_date=line.conversion_date,
            entitlements={
                key: terms.pilot_entitlement(int(yearly), plan.months)
                for key in COUNTABLE
                if (yearly := getattr(tier.entitlements, f"{key}_per_year")) not in ("unlimited", 0)
            },
            compliance=terms.annual_compliance(pilot_months),
        )
    rollover: dict[str, terms.RolloverResult] = {}
    if tier.rollover is not None:
        for key, units in (used or {}).items():
            entitled = int(getattr(tier.entitlements, f"{key}_per_year"))
            rollover[key] = terms.rollover_allowance(entitled, units, tier.rollover.max_pct)
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
        pilot=pilot,
        rollover_max_pct=tier.rollover.max_pct if tier.rollover else None,
        rollover=rollover,
    )


def _amount(money: Money) -> str:
    return str(terms.round_money(money).amount)


def _units(value: Decimal | int) -> str:
    return str(Decimal(value).normalize()) if isinstance(value, Decimal) else str(value)


def report_json(report: CreditReport) -> dict[str, Any]:
    """Machine-readable: amounts as exact decimal strings in the report's currency."""
    pilot = report.pilot
    return {
        "tier": report.tier,
        "customer": report.customer,
        "currency": report.currency,
        "monthly_retainer": _amount(report.monthly_retainer),
        "months": [
            {
                "month": f"{result.month:%Y-%m}",
                "pilot": result.pilot,
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
        "pilot": {
            "months": pilot.plan.months,
            "fee": _amount(pilot.plan.fee),
            "monthly_retainer": _amount(pilot.plan.monthly_fee),
            "credit_cap": _amount(pilot.credit_cap) if pilot.credit_cap else None,
            "conversion_date": pilot.conversion_date.isoformat(),
            "entitlements": pilot.entitlements,
            "compliance_pct": str(pilot.compliance.quantize(Decimal("0.01"))) if pilot.compliance is not None else None,
            "performance_credit": None,  # a pilot is shorter than a Contract Year and earns none
        }
        if pilot
        else None,
        "rollover": {
            "max_pct": str(report.rollover_max_pct),
            "entitlements": [
                {
                    "entitlement": key,
                    "entitled": result.entitled,
                    "used": _units(result.used),
                    "unused": _units(result.unused),
                    "cap": result.cap,
                    "carried_into_next_year": result.carried,
                    "lapsed": _units(result.lapsed),
                }
                for key, result in report.rollover.items()
            ],
        }
        if report.rollover
        else None,
        "chronic_failure_termination_right_from": (
            f"{report.chronic_failure_from:%Y-%m}" if report.chronic_failure_from else None
        ),
    }


def report_lines(report: CreditReport, tier: Tier, fmt: Formatter) -> list[str]:
    """The lines printed under the month table: years, the pilot, the rollover and any chronic failure."""
    lines = []
    performance = tier.performance_credit
    pilot = report.pilot
    if pilot is not None:
        line = (
            f"Pilot of {pilot.plan.months} months: fee {fmt.money(pilot.plan.fee)}, monthly retainer "
            f"{fmt.money(pilot.plan.monthly_fee)}"
        )
        if pilot.credit_cap is not None:
            line += f", credits capped at {fmt.money(pilot.credit_cap)} for the whole pilot"
        line += f"; no performance credit; converts on {pilot.conversion_date.isoformat()}"
        lines.append(line)
    for year, pct in sorted(report.annual_compliance.items()):
        credit = report.performance_credit.get(year)
        complete = "" if year in report.full_years else " (year incomplete: provisional)"
        line = f"Contract year {year + 1}: annual compliance {fmt.percent(pct.quantize(Decimal('0.01')))}"
        if credit is not None and credit.amount > 0:
            line += f", performance credit to the customer {fmt.money(credit)} off the renewal fee{complete}"
        elif performance is not None and not report.ends_term[year]:
            line += ", no performance credit (only the last contract year of a term earns one)"
        elif performance is not None:
            line += f", no performance credit (it needs more than {fmt.percent(performance.above_pct)})"
        lines.append(line)
    # The summary's names for the entitlements ("on-site days"); the YAML key where a workspace lacks them.
    names = fmt.strings.get("summary", {}).get("rollover_items", {})
    for key, result in report.rollover.items():
        lines.append(
            f"Rollover of {names.get(key, key)}: {fmt.number(result.used)} of {result.entitled} used, "
            f"{fmt.number(result.carried)} carried into the next contract year (at most {result.cap}), "
            f"{fmt.number(result.lapsed)} lapse"
        )
    if report.chronic_failure_from:
        lines.append(f"Chronic failure: the customer may terminate from {fmt.month(report.chronic_failure_from)}")
    return lines
