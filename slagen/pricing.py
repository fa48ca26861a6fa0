"""The price and billing part of the contract context: extras, blocks, per-incident fees, bundles and invoicing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Protocol

from slagen import terms
from slagen.model import Customer, Defaults, InvoicingSchedule, Tier
from slagen.units import Money


class Formats(Protocol):
    """What this module needs of context.Formatter (kept structural so the two modules do not import each other)."""

    def money(self, money: Money) -> str: ...

    def number(self, value: Decimal | int) -> str: ...


def contract_currency(defaults: Defaults, customer: Customer | None) -> str:
    """The currency a contract is priced in: the customer's, else the workspace's default."""
    return (customer.currency if customer else None) or defaults.currency


def annual_retainer(tier: Tier, currency: str) -> Money | None:
    """The price of a tier for a customer: its annual retainer in the contract's currency (the tier with the
    customer's overrides, see workspace.terms_for); None for an offer priced per incident."""
    if tier.annual_retainer is None:
        return None
    return Money(tier.annual_retainer[currency], currency)


def retainer_basis(tier: Tier, currency: str) -> Money:
    """What credits, the performance credit and renewal discounts are a share of: the annual retainer, or
    zero for a tier without one (which, validated, has none of those terms)."""
    return annual_retainer(tier, currency) or Money(Decimal(0), currency)


def invoicing_schedule(tier: Tier, customer: Customer | None) -> InvoicingSchedule:
    """The schedule the annual fee is invoiced on: the customer's choice, else the tier's default."""
    return (customer.invoicing if customer else None) or tier.invoicing


def invoicing_context(
    tier: Tier, customer: Customer | None, fmt: Formats, currency: str
) -> dict[str, Any] | None:
    """The schedule and instalment amounts that the contract and the summary both quote (one computation);
    none for a tier without a retainer, whose fees per incident are invoiced in arrears."""
    annual = annual_retainer(tier, currency)
    if annual is None:
        return None
    schedule = invoicing_schedule(tier, customer)
    plan = terms.instalments(annual, schedule)
    return {
        "schedule": schedule,
        "count": plan.count,
        "instalment": fmt.money(plan.regular),
        "last_instalment": fmt.money(plan.last),
        "even": plan.even,
    }


def pricing_context(
    tier: Tier, customer: Customer | None, fmt: Formats, currency: str, severity_labels: dict[str, str]
) -> dict[str, Any]:
    """`prices`, `bundles` and `invoicing` for the templates, in the contract's currency."""

    def money(prices: dict[str, Decimal]) -> str:
        return fmt.money(Money(prices[currency], currency))

    prices = tier.prices
    per_incident = None
    if prices.per_incident is not None:
        per_incident = [
            {"id": sev, "label": severity_labels[sev], "price": money(price)}
            for sev, price in sorted(prices.per_incident.items())
        ]
    return {
        "prices": {
            "engineer_hour": money(prices.engineer_hour),
            "onsite_day": money(prices.onsite_day),
            "per_incident": per_incident,
            "per_incident_from": money(min(prices.per_incident.values(), key=lambda price: price[currency]))
            if prices.per_incident
            else None,
            "hour_block": {"hours": fmt.number(prices.hour_block.hours), "price": money(prices.hour_block.price)}
            if prices.hour_block
            else None,
            "day_block": {
                "days": fmt.number(prices.day_block.days),
                "one_day": prices.day_block.days == 1,
                "price": money(prices.day_block.price),
            }
            if prices.day_block
            else None,
        },
        "bundles": [
            {
                "kind": bundle.kind,
                "spare_parts": bundle.kind == "spare_parts",
                "name": bundle.name,
                "description": bundle.description,
                "price": money(bundle.price),
            }
            for bundle in tier.bundles
        ],
        "invoicing": invoicing_context(tier, customer, fmt, currency),
    }
