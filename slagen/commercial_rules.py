"""The rules that keep rollover and pilot terms coherent: what can roll over, and what a pilot pilots."""

from __future__ import annotations

from collections.abc import Mapping

from slagen.model import Customer, Tier
from slagen.terms import add_months
from slagen.workspace_data import Located


def check_rollover(tier: Located[Tier]) -> list[str]:
    """Only entitlements the tier counts and includes can roll over, and the cap must let at least one unit through."""
    rollover = tier.model.rollover
    if rollover is None:
        return []
    problems = []
    seen: set[str] = set()
    for index, key in enumerate(rollover.entitlements):
        where = f"{tier.where('rollover', 'entitlements', index)}: rollover.entitlements[{index}]"
        per_year = getattr(tier.model.entitlements, f"{key}_per_year")
        if key in seen:
            problems.append(f"{where}: {key!r} is listed twice")
        elif per_year == "unlimited":
            problems.append(f"{where}: {key!r} is unlimited in this tier; there is nothing to roll over")
        elif per_year == 0:
            problems.append(
                f"{where}: the tier includes no {key} (entitlements.{key}_per_year is 0); only an included "
                "entitlement can roll over"
            )
        elif int(per_year * rollover.max_pct / 100) == 0:
            problems.append(
                f"{tier.where('rollover', 'max_pct')}: rollover.max_pct: {rollover.max_pct}% of {per_year} {key} "
                "a year is less than one whole unit, so none would roll over"
            )
        seen.add(key)
    return problems


def check_pilot(customer: Located[Customer], currency: str, tiers: Mapping[str, Located[Tier]]) -> list[str]:
    """A pilot pilots one of the customer's tiers, is priced in their currency, and its notice fits inside it."""
    pilot = customer.model.pilot
    if pilot is None:
        return []
    problems = []
    if pilot.tier not in customer.model.tiers:
        problems.append(
            f"{customer.where('pilot', 'tier')}: pilot.tier: {pilot.tier!r} is not one of the customer's tiers "
            f"({', '.join(customer.model.tiers)})"
        )
    elif pilot.tier in tiers and "pilot" not in tiers[pilot.tier].model.clauses:
        problems.append(
            f"{customer.where('pilot', 'tier')}: pilot.tier: tier {pilot.tier!r} does not list the clause 'pilot', "
            "so its contract would not state the pilot's terms"
        )
    if pilot.fee is None and pilot.tier in tiers and tiers[pilot.tier].model.annual_retainer is None:
        problems.append(
            f"{customer.where('pilot', 'fee')}: pilot.fee: required: tier {pilot.tier!r} has no annual retainer "
            "to take a pro-rata pilot fee from; agree a fee"
        )
    elif pilot.fee is not None and currency not in pilot.fee:
        problems.append(
            f"{customer.where('pilot', 'fee')}: pilot.fee: no fee in {currency}, the customer's currency; add one, "
            "or set fee: null for the annual retainer pro rata"
        )
    start = customer.model.effective_date
    days = (add_months(start, pilot.months) - start).days
    if pilot.conversion_notice_days >= days:
        problems.append(
            f"{customer.where('pilot', 'conversion_notice_days')}: pilot.conversion_notice_days: "
            f"{pilot.conversion_notice_days} days' notice does not fit inside a pilot of {days} days"
        )
    return problems
