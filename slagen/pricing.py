"""The price and billing part of the contract context: extras, blocks, per-incident fees, bundles and invoicing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from slagen import terms
from slagen.model import Customer, InvoicingSchedule, Tier
from slagen.units import Money


class Formats(Protocol):
    """What this module needs of context.Formatter (kept structural so the two modules do not import each other)."""

    def money(self, money: Money) -> str: ...

    def number(self, value: Decimal | int) -> str: ...


def invoicing_schedule(tier: Tier, customer: Customer | None) -> InvoicingSchedule:
    """The schedule the annual fee is invoiced on: the customer's choice, else the tier's default."""
    return (customer.invoicing if customer else None) or tier.invoicing


def invoicing_context(tier: Tier, customer: Customer | None, fmt: Formats, currency: str) -> dict[str, Any]:
    """The schedule and instalment amounts that the contract and the summary both quote (one computation)."""
    schedule = invoicing_schedule(tier, customer)
    plan = terms.instalments(Money(tier.annual_retainer[currency], currency), schedule)
    return {
        "schedule": schedule,
        "count": plan.count,
        "instalment": fmt.money(plan.regular),
        "last_instalment": fmt.money(plan.last),
        "even": plan.even,
    }


def pricing_context(tier: Tier, customer: Customer | None, fmt: Formats, currency: str) -> dict[str, Any]:
    """`prices`, `bundles` and `invoicing` for the templates, in the contract's currency."""

    def money(prices: dict[str, Decimal]) -> str:
        return fmt.money(Money(prices[currency], currency))

    prices = tier.prices
    return {
        "prices": {
            "engineer_hour": money(prices.engineer_hour),
            "onsite_day": money(prices.onsite_day),
            "per_incident": money(prices.per_incident) if prices.per_incident else None,
            "hour_block": {"hours": fmt.number(prices.hour_block.hours), "price": money(prices.hour_block.price)}
            if prices.hour_block
            else None,
        },
        "bundles": [
            {"name": bundle.name, "description": bundle.description, "price": money(bundle.price)}
            for bundle in tier.bundles
        ],
        "invoicing": invoicing_context(tier, customer, fmt, currency),
    }
