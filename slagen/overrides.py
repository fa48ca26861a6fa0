"""A customer's negotiated terms: the tier with their overrides applied, each within the tier's bounds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from slagen.errors import InputError, collect
from slagen.model import Customer, Tier
from slagen.workspace_data import Sourced


def terms_for(tier: Tier, customer: Sourced[Customer] | None) -> Tier:
    """The tier's terms for this customer: negotiated for a tier they subscribe to, published otherwise
    (a what-if quote for another tier uses the price list; their overrides were agreed for their tiers)."""
    if customer is None or tier.id not in customer.model.tiers:
        return tier
    return apply_overrides(tier, customer)


def apply_overrides(tier: Tier, customer: Sourced[Customer]) -> Tier:
    """The tier as this customer negotiated it; each override must sit within the tier's bounds."""
    if not customer.model.overrides:
        return tier
    # Asked for by the workspace rules, and per document by build and validate: the same answer each time.
    known = customer.derived.get(("terms", tier.id))
    if isinstance(known, tuple) and known[0] is tier:
        return known[1]
    problems: list[str] = []
    data = tier.model_dump(mode="python")
    for path, value in customer.model.overrides.items():
        where = f"{customer.where('overrides', path)}: overrides.{path}"
        bound = tier.customer_bounds.get(path)
        if bound is None:
            allowed = ", ".join(sorted(tier.customer_bounds)) or "nothing"
            problems.append(f"{where}: tier {tier.id!r} does not let customers change this; it allows {allowed}")
            continue
        if (bound.min is not None and value < bound.min) or (bound.max is not None and value > bound.max):
            problems.append(
                f"{where}: {value} is outside the tier's bounds {bound.min if bound.min is not None else '-'}"
                f"..{bound.max if bound.max is not None else '-'}"
            )
            continue
        _set_path(data, path, value)
    collect(problems)
    try:
        terms = Tier.model_validate(data)
    except ValidationError as error:
        messages = [str(item["msg"]).removeprefix("Value error, ") for item in error.errors(include_url=False)]
        raise InputError(
            f"{customer.where('overrides')}: overrides: make tier {tier.id!r} inconsistent: {'; '.join(messages)}"
        ) from error
    customer.derived[("terms", tier.id)] = (tier, terms)
    return terms


def _set_path(data: Any, path: str, value: Decimal) -> None:
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = int(value) if isinstance(target[last], int) else value

