"""Warnings about terms that are valid but mean nothing: caps that never bind, free discounts, late offers.

Each check looks at models only and returns findings (where, field, message); the workspace names the
file and line. The most a contract year can earn comes from `terms.assess_credits` itself, so the warning
and the credit maths can never disagree (on consecutive months, caps or rounding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from slagen import terms
from slagen.loader import Location
from slagen.model import Customer, EarlyRenewal, ServiceCredits
from slagen.units import Money

# A year of 0% months, twice: the first contract year, and a later one that a run of misses reaches in full.
_WORST_MONTHS = 24
_PROBE_RETAINER = Money(Decimal(1_200_000), "USD")  # large, so rounding to cents is far below 0.01%


@dataclass(frozen=True)
class Finding:
    location: Location  # inside the file the finding is about
    field: str  # dotted, as printed
    message: str


def percent(value: Decimal) -> str:
    """A percentage as messages print it: `20`, `7.5`, `18.33`."""
    return format(value.quantize(Decimal("0.01")).normalize(), "f")


def most_in_a_year_pct(credits: ServiceCredits) -> Decimal:
    """The most credit any contract year can reach, in percent of the annual retainer, with every month missed."""
    key = credits.model_dump_json()  # the same terms for many customers: assessed once
    if key not in _MOST_IN_A_YEAR:
        _MOST_IN_A_YEAR[key] = _assess_most_in_a_year(credits)
    return _MOST_IN_A_YEAR[key]


_MOST_IN_A_YEAR: dict[str, Decimal] = {}


def _assess_most_in_a_year(credits: ServiceCredits) -> Decimal:
    uncapped = credits.model_copy(update={"cap_per_year_pct": Decimal(100)})
    start = dt.date(2001, 1, 1)
    months = [
        terms.MonthInput(dt.date(start.year + index // 12, index % 12 + 1, 1), Decimal(0))
        for index in range(_WORST_MONTHS)
    ]
    results = terms.assess_credits(uncapped, _PROBE_RETAINER, start, months)
    most = max(result.year_total.amount for result in results)
    return most / _PROBE_RETAINER.amount * terms.HUNDRED


def cap_findings(credits: ServiceCredits, prefix: Location = ("service_credits",)) -> list[Finding]:
    """Caps that can never bind: a monthly cap above the highest step, a yearly cap above what a year reaches."""
    findings = []
    top = max(step.credit_pct for step in credits.schedule)
    if credits.cap_per_period_pct > top:
        findings.append(
            Finding(
                (*prefix, "cap_per_period_pct"),
                "service_credits.cap_per_period_pct",
                f"the monthly cap {percent(credits.cap_per_period_pct)}% can never bind: the highest step of the "
                f"schedule gives {percent(top)}%",
            )
        )
    most = most_in_a_year_pct(credits)
    if credits.cap_per_year_pct > most:
        findings.append(
            Finding(
                (*prefix, "cap_per_year_pct"),
                "service_credits.cap_per_year_pct",
                f"the yearly cap {percent(credits.cap_per_year_pct)}% can never bind: with every month missed, "
                f"a contract year's credits come to {percent(most)}% of the annual retainer",
            )
        )
    return findings


def early_renewal_finding(tier_id: str, early: EarlyRenewal, customer: Customer) -> Finding | None:
    """An early-renewal window that reaches into the notice period, where renewal is already certain."""
    notice = customer.notice_days
    if early.min_days_before >= notice:
        return None
    last_free = min(early.max_days_before, notice - 1)
    days = f"{early.min_days_before} to {last_free} days" if last_free > early.min_days_before else (
        f"{early.min_days_before} days")
    return Finding(
        ("notice_days",),
        "notice_days",
        f"tier {tier_id!r} gives its early-renewal discount for confirming {days} before the end of the term, "
        f"inside the {notice}-day notice period, when the renewal is already certain: the discount is free",
    )


def offer_finding(customer: Customer) -> Finding | None:
    """An offer that can still be accepted after the agreement has started: a retroactive contract."""
    valid, effective = customer.offer_valid_until, customer.effective_date
    if valid is None or valid <= effective:
        return None
    return Finding(
        ("offer_valid_until",),
        "offer_valid_until",
        f"{valid.isoformat()} is after the effective date {effective.isoformat()}; an offer accepted after that "
        "date would make the agreement retroactive",
    )
