"""The tier comparison page: every tier side by side, each with what it adds over the one below."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slagen.context import build_context
from slagen.document import Document
from slagen.errors import BuildError, InputError
from slagen.languages import models_in
from slagen.one_page import fit_one_page
from slagen.page_data import (
    Entitlement,
    business_day_hours,
    credit_high,
    document_data,
    entitlements,
    extras,
    formatter,
    join_items,
    logo,
    page_document,
    page_template_environment,
    render_template,
    rollover_items,
)
from slagen.pricing import contract_currency
from slagen.render.html import css_colour, css_string
from slagen.sources import allowed_roots, source_stamp
from slagen.workspace import Sourced, Workspace, terms_for

if TYPE_CHECKING:
    from slagen.model import Customer, Tier
    from slagen.render.pdf import Layout

COMPARE_TEMPLATE = "compare.html.j2"
# Entitlements the comparison shows in a row of their own (every tier states them), not as additions.
OWN_ROWS = frozenset({"spare_parts_dispatch", "samples_dispatch"})


@dataclass(frozen=True)
class TierView:
    """A tier as one page sees it: the model (for comparing raw values) and its formatted context."""

    model: Tier
    context: dict[str, Any]
    entitlements: list[Entitlement]


def additions(lower: TierView, upper: TierView, strings: dict[str, Any], business_day: Decimal) -> list[str]:
    """What `upper` offers beyond `lower`, as phrases from strings.yaml; worse terms are not listed."""
    adds = strings["compare"]["adds"]
    low, up = lower.model, upper.model
    items: list[str] = []
    if up.coverage.hours == "24x7" and low.coverage.hours != "24x7":
        items.append(adds["coverage_24x7"])
    labels = strings["severity_labels"]
    round_the_clock = [
        labels[sev] for sev, target in up.targets.items()
        if sev in low.targets and target.coverage == "24x7" and low.targets[sev].coverage != "24x7"
    ]
    if round_the_clock and low.coverage.hours == up.coverage.hours:
        items.append(adds["round_the_clock"].format(severities=join_items(round_the_clock, strings)))
    faster = [
        labels[sev] for sev, target in up.targets.items()
        if sev in low.targets and (
            target.response.nominal_hours(business_day) < low.targets[sev].response.nominal_hours(business_day)
            or target.resolution.nominal_hours(business_day) < low.targets[sev].resolution.nominal_hours(business_day)
        )
    ]
    if faster:
        items.append(adds["faster"].format(severities=join_items(faster, strings)))
    names = adds["channel_names"]
    channels = [names.get(kind, kind) for kind in up.coverage.channels if kind not in low.coverage.channels]
    if channels:
        items.append(adds["channels"].format(channels=join_items(channels, strings)))
    below = {line.key: line for line in lower.entitlements}
    for line in upper.entitlements:
        old = below.get(line.key)
        if line.key in OWN_ROWS:
            continue
        if old is None:
            items.append(line.text)
        elif line.rank > old.rank:
            items.append(adds["improved"].format(text=line.text, old=old.value))
    up_ctx, low_ctx = upper.context, lower.context
    if up.service_credits is not None:
        fmt = formatter(up_ctx, strings)
        high = fmt.percent(credit_high(up))
        if low.service_credits is None:
            items.append(adds["credits"].format(high=high))
        elif credit_high(up) > credit_high(low):
            items.append(adds["credits_better"].format(high=high, old=fmt.percent(credit_high(low))))
    if up.performance_credit is not None and low.performance_credit is None:
        items.append(adds["performance_credit"].format(above=up_ctx["performance_credit"]["above"]))
    if up.rollover is not None and low.rollover is None:
        items.append(adds["rollover"].format(items=rollover_items(up, strings), max=up_ctx["rollover"]["max_pct"]))
    if up.early_renewal is not None:
        discount = up_ctx["early_renewal"]["discount"]
        if low.early_renewal is None:
            items.append(adds["renewal"].format(discount=discount))
        elif up.early_renewal.discount_pct > low.early_renewal.discount_pct:
            items.append(adds["renewal_better"].format(discount=discount, old=low_ctx["early_renewal"]["discount"]))
    return items


def tier_views(
    ws: Workspace, customer: Sourced[Customer] | None, strings: dict[str, Any], language: str | None = None
) -> list[TierView]:
    """Every tier, lowest level first; a customer's own tiers as negotiated (overrides), the others as published."""
    business_day = business_day_hours(ws, customer)
    currency = contract_currency(ws.config.model.defaults, customer.model if customer else None)
    views = []
    for sourced in sorted(ws.tiers.values(), key=lambda item: (item.model.level, item.model.id)):
        tier = sourced.model
        if currency not in tier.currencies:
            where = customer.where("currency") if customer else ws.config.where("defaults", "currency")
            offered = ", ".join(tier.currencies)
            raise InputError(
                f"{where}: currency: tier {tier.id!r} has no prices in {currency}, so the comparison cannot show "
                f"it; it offers {offered}"
            )
        config, tier, client = models_in(ws, sourced, terms_for(tier, customer), customer, language)
        context = build_context(config, tier, client, strings, language)
        views.append(TierView(tier, context, entitlements(tier, context, strings, business_day)))
    return views


def compare_data(
    ws: Workspace,
    views: list[TierView],
    strings: dict[str, Any],
    document: Document,
    customer: Sourced[Customer] | None = None,
) -> dict[str, Any]:
    """Everything compare.html.j2 sees: one column per tier with what it adds over the one before, and the
    offers without a retainer (priced per incident) apart, as `on_demand`, since there is nothing to add to."""
    business_day = business_day_hours(ws, customer)
    on_demand = [view for view in views if view.model.annual_retainer is None]
    retainer_views = [view for view in views if view.model.annual_retainer is not None] or on_demand
    columns = []
    for index, view in enumerate(retainer_views):
        lower = retainer_views[index - 1] if index else None
        adds = additions(lower, view, strings, business_day) if lower else [
            line.text for line in view.entitlements if line.key not in OWN_ROWS
        ]
        column = {
            **view.context,
            "lower": lower.context["tier"]["name"] if lower else None,
            "adds": adds,
            "extras": extras(view.model, view.context, strings),
        }
        columns.append(column)
    first = views[0].context
    return {
        "provider": first["provider"],
        "customer": first["customer"],
        "contract": first["contract"],
        "severities": first["severities"],
        "columns": columns,
        "on_demand": [view.context for view in on_demand if view not in retainer_views],
        "strings": strings,
        "words": strings["compare"],
        "document": document_data(document),
        "logo": logo(ws),
        "css_colour": css_colour,
        "css_string": css_string,
    }


def compare_page(
    ws: Workspace,
    customer: Sourced[Customer] | None,
    strings: dict[str, Any],
    templates: Path | None = None,
    language: str | None = None,
) -> tuple[Layout, Document]:
    """The comparison laid out on one page and its metadata: what its PDF is made of (`slagen serve` shows
    `layout.html`); in `language` (None: the provider's; `strings` must be in it)."""
    if not ws.tiers:
        raise BuildError("compare: the workspace has no tiers")
    words = strings["compare"]
    views = tier_views(ws, customer, strings, language)
    context = views[0].context
    document = page_document(
        ws,
        context,
        title=words["title"],
        subject=words["subject"].format(customer=context["customer"]["legal_name"]) if customer else words["title"],
        keywords=", ".join(view.model.id for view in views),
        created=source_stamp(customer.model if customer else None),
    )
    data = compare_data(ws, views, strings, document, customer)
    environment = page_template_environment(ws, templates)
    layout = fit_one_page(
        lambda density: render_template(environment, COMPARE_TEMPLATE, data | {"density": density}),
        what=f"tier comparison{' for ' + customer.model.short_name if customer else ''}",
        base_dir=ws.root,
        allowed_roots=allowed_roots(ws, templates),
    )
    return layout, document


def render_compare(
    ws: Workspace,
    customer: Sourced[Customer] | None,
    strings: dict[str, Any],
    templates: Path | None = None,
    language: str | None = None,
) -> bytes:
    """All tiers side by side on one page, in the customer's currency and locale when one is given, and in
    `language` (None: the provider's; `strings` must be in it)."""
    from slagen.render.pdf import render_pdf

    layout, document = compare_page(ws, customer, strings, templates, language)
    return render_pdf(
        layout.html, base_dir=ws.root, allowed_roots=allowed_roots(ws, templates), document=document, layout=layout
    )
