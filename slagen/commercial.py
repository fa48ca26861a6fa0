"""The customer-facing terms of the contract context that depend on the agreement's timeline: the performance
credit, the rollover of unused entitlements and a pilot. Every figure comes from slagen.terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from slagen import terms
from slagen.model import Customer, Pilot, Tier
from slagen.pricing import retainer_basis
from slagen.units import Money

# Countable entitlements, in the order the contract lists them.
COUNTABLE = ("remote_investigations", "onsite_days", "onsite_hours", "trainings", "webinars")


class Formats(Protocol):
    """What this module needs of context.Formatter (structural, so the two modules do not import each other)."""

    def money(self, money: Money) -> str: ...

    def number(self, value: Decimal | int) -> str: ...

    def percent(self, value: Decimal) -> str: ...

    def count(self, amount: Decimal | int, unit: str) -> str: ...

    def date(self, day: dt.date) -> str: ...

    def month(self, day: dt.date) -> str: ...


Join = Callable[[list[str]], str]


def timeline(customer: Customer, tier: Tier) -> terms.Timeline:
    """The customer's timeline for this tier: its pilot counts only when it pilots this tier."""
    pilot = active_pilot(tier, customer)
    return terms.Timeline(
        customer.effective_date,
        customer.initial_term_months,
        customer.renewal_term_months,
        pilot.months if pilot else 0,
    )


def active_pilot(tier: Tier, customer: Customer | None) -> Pilot | None:
    """The customer's pilot when it is a pilot of this tier."""
    if customer is None or customer.pilot is None or customer.pilot.tier != tier.id:
        return None
    return customer.pilot


def pilot_terms(tier: Tier, customer: Customer | None, currency: str) -> terms.PilotTerms | None:
    """The pilot's length and fee in the contract's currency (agreed, or the retainer pro rata)."""
    pilot = active_pilot(tier, customer)
    if pilot is None:
        return None
    fee = Money(pilot.fee[currency], currency) if pilot.fee is not None else None
    return terms.pilot_terms(pilot.months, retainer_basis(tier, currency), fee)


def commercial_context(
    tier: Tier, customer: Customer | None, fmt: Formats, join: Join, annual: Money
) -> dict[str, Any]:
    """`performance_credit`, `rollover` and `pilot` for the templates (None where the tier or customer has none)."""
    return {
        "performance_credit": _performance_credit(tier, customer, fmt, join, annual),
        "rollover": _rollover(tier, fmt, join),
        "pilot": _pilot(tier, customer, fmt, annual),
    }


def _performance_credit(
    tier: Tier, customer: Customer | None, fmt: Formats, join: Join, annual: Money
) -> dict[str, Any] | None:
    performance = tier.performance_credit
    if performance is None:
        return None
    years = None
    if customer is not None:
        # The same rule the calculator applies: only a Contract Year in which a term ends earns the credit.
        earning = timeline(customer, tier).term_ending_years(3)
        years = {
            "first": fmt.number(earning[0] + 1),
            "earning": join([fmt.number(year + 1) for year in earning]),
            "not_earning": join([fmt.number(year + 1) for year in range(earning[-1]) if year not in earning]),
            "renewal_term": fmt.count(customer.renewal_term_months, "months"),
        }

    def example(compliance: int | str) -> dict[str, str]:
        value = Decimal(str(compliance))
        credit = terms.performance_credit_due(performance, annual, value)
        return {
            "compliance": fmt.percent(value),
            "renewal_fee": fmt.money(annual),
            "credit": fmt.money(credit),
            "net": fmt.money(terms.less(annual, credit)),
        }

    return {
        "above": fmt.percent(performance.above_pct),
        "credit": fmt.percent(performance.credit_pct),
        "years": years,
        "example": example,
    }


def _rollover(tier: Tier, fmt: Formats, join: Join) -> dict[str, Any] | None:
    rollover = tier.rollover
    if rollover is None:
        return None
    ent = tier.entitlements
    keys = [key for key in COUNTABLE if key in rollover.entitlements]
    per_year = {key: int(getattr(ent, f"{key}_per_year")) for key in keys}

    def example(used_pct: int | str) -> dict[str, Any]:
        """The first rolled entitlement over a year in which `used_pct` percent of it (rounded down) is used."""
        key = keys[0]
        used = Decimal(per_year[key] * int(used_pct) // 100)
        result = terms.rollover_allowance(per_year[key], used, rollover.max_pct)
        return {
            "key": key,
            "entitled": fmt.number(result.entitled),
            "used": fmt.number(result.used),
            "unused": fmt.number(result.unused),
            "cap": fmt.number(result.cap),
            "carried": fmt.number(result.carried),
            "lapsed": fmt.number(result.lapsed),
            "capped": result.carried < result.unused,
        }

    return {
        "max_pct": fmt.percent(rollover.max_pct),
        "entitlements": keys,
        "rows": [
            {
                "key": key,
                "per_year": fmt.number(per_year[key]),
                "cap": fmt.number(terms.rollover_allowance(per_year[key], Decimal(0), rollover.max_pct).cap),
            }
            for key in keys
        ],
        "example": example,
    }


def _pilot(tier: Tier, customer: Customer | None, fmt: Formats, annual: Money) -> dict[str, Any] | None:
    pilot = active_pilot(tier, customer)
    plan = pilot_terms(tier, customer, annual.currency)
    if customer is None or pilot is None or plan is None:
        return None
    line = timeline(customer, tier)
    credits = tier.service_credits
    ent = tier.entitlements
    entitlements = []
    for key in COUNTABLE:
        yearly = getattr(ent, f"{key}_per_year")
        if yearly == "unlimited" or not yearly:
            continue
        entitlements.append({"key": key, "per_year": fmt.number(yearly),
                             "pilot": fmt.number(terms.pilot_entitlement(int(yearly), pilot.months))})

    def example(compliance: int | str) -> dict[str, Any]:
        """Service credits in the pilot's first months when each month measures `compliance`."""
        assert credits is not None
        n = credits.consecutive_periods
        start = dt.date(customer.effective_date.year, customer.effective_date.month, 1)
        months = [terms.MonthInput(terms.add_months(start, offset), Decimal(str(compliance))) for offset in range(n)]
        results = terms.assess_credits(credits, annual, customer.effective_date, months, pilot=plan)
        last = results[-1]
        return {
            "months": [fmt.month(result.month) for result in results],
            "compliance": fmt.percent(Decimal(str(compliance))),
            "credit": fmt.money(last.credit),
            "step": fmt.percent(min(last.step_pct, credits.cap_per_period_pct)),
        }

    return {
        "months": fmt.count(pilot.months, "months"),
        "months_number": fmt.number(pilot.months),
        "fixed_fee": pilot.fee is not None,
        "fee": fmt.money(plan.fee),
        "monthly_fee": fmt.money(plan.monthly_fee),
        "credit_cap": fmt.money(terms.pilot_credit_cap(credits, plan)) if credits else None,
        "entitlements": entitlements,
        "success_criteria": list(pilot.success_criteria),
        "conversion_notice": fmt.count(pilot.conversion_notice_days, "days"),
        "end_date": fmt.date(line.conversion_date - dt.timedelta(days=1)),
        "conversion_date": fmt.date(line.conversion_date),
        "conversion_month": f"{line.conversion_date:%Y-%m}",
        "example": example if credits else None,
    }
