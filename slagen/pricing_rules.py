"""The rules that keep a tier's price terms coherent: retainer-only terms, per-incident fees, bundles, invoicing."""

from __future__ import annotations

from collections.abc import Mapping

from slagen.model import Customer, Tier
from slagen.workspace_data import Located

# Terms that only a tier with an annual retainer can carry, and why.
RETAINER_ONLY = {
    "service_credits": "service credits are a share of the retainer",
    "performance_credit": "there is no renewal fee to credit it against",
    "early_renewal": "there is no renewal fee to discount",
    "rollover": "entitlements roll over only from one retainer year into the next",
}


def check_pricing(tier: Located[Tier]) -> list[str]:
    """`path:line: field: message` for each price term the tier cannot have as written."""
    model = tier.model
    problems: list[str] = []
    if model.annual_retainer is None:
        if model.prices.per_incident is None:
            problems.append(
                f"{tier.where('prices')}: prices.per_incident: required when the tier has no annual_retainer; give "
                "a fee per incident for sev1 to sev4, or add an annual_retainer"
            )
        for field, reason in RETAINER_ONLY.items():
            if getattr(model, field) is not None:
                problems.append(
                    f"{tier.where(field)}: {field}: not possible on a tier without annual_retainer: {reason}; "
                    "remove it or add an annual_retainer"
                )
        if "invoicing" in model.model_fields_set:
            problems.append(
                f"{tier.where('invoicing')}: invoicing: a tier without annual_retainer has no retainer to invoice "
                "(fees per incident are invoiced monthly in arrears); remove it"
            )
        return problems
    retainer = model.annual_retainer
    if model.prices.per_incident is not None and model.entitlements.remote_investigations_per_year == "unlimited":
        problems.append(
            f"{tier.where('prices', 'per_incident')}: prices.per_incident: the tier includes unlimited remote "
            "investigations, so no incident is ever charged; remove it"
        )
    for index, bundle in enumerate(model.bundles):
        for currency, price in bundle.price.items():
            if currency in retainer and price <= retainer[currency]:
                problems.append(
                    f"{tier.where('bundles', index, 'price', currency)}: bundles[{index}].price.{currency}: {price} is "
                    f"not above the annual retainer {retainer[currency]}; a bundle's price includes the support tier"
                )
    return problems


def check_customer_invoicing(customer: Located[Customer], tiers: Mapping[str, Located[Tier]]) -> list[str]:
    """A customer's invoicing schedule must have a retainer to apply to."""
    model = customer.model
    if model.invoicing is None:
        return []
    known = [tiers[tier_id].model for tier_id in model.tiers if tier_id in tiers]
    if known and all(tier.annual_retainer is None for tier in known):
        names = ", ".join(repr(tier.id) for tier in known)
        return [
            f"{customer.where('invoicing')}: invoicing: the customer's tiers ({names}) have no annual retainer to "
            "invoice; remove it"
        ]
    return []
