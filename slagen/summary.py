"""The one-page summary and the tier comparison: their page data from the contract context, and the one-page rule."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from slagen import terms
from slagen.calendars import resolve_calendar
from slagen.commercial import COUNTABLE
from slagen.context import Formatter, build_context, page_size
from slagen.document import Document
from slagen.errors import BuildError, InputError, TemplateError
from slagen.loader import read_yaml
from slagen.pricing import contract_currency, retainer_basis
from slagen.render.html import css_colour, css_string, template_location
from slagen.sources import Job, allowed_roots, source_stamp
from slagen.templating import page_environment, template_loader
from slagen.units import Duration, DurationRange
from slagen.workspace import Sourced, Workspace, terms_for

if TYPE_CHECKING:
    from slagen.model import Customer, Tier
    from slagen.render.pdf import Layout

SUMMARY_TEMPLATE = "summary.html.j2"
COMPARE_TEMPLATE = "compare.html.j2"
# Page densities, most generous first; the templates define what each means (the compact one keeps
# every text at 8 pt or more). Layout starts at "normal": it goes roomier when the page is less than
# FILLED full, tighter when it spills over.
DENSITIES = ("roomy", "normal", "compact")
START = DENSITIES.index("normal")
FILLED = 0.88
# Parts of the summary that come straight from one field of the tier file: when they overflow, that field is to blame.
TIER_FIELD_PARTS = {"tagline": "tagline", "tier name": "name"}
UNLIMITED = Decimal("Infinity")
# Entitlements the comparison shows in a row of their own (every tier states them), not as additions.
OWN_ROWS = frozenset({"spare_parts_dispatch", "samples_dispatch"})


@dataclass(frozen=True)
class Entitlement:
    """One included service as a line of the page; `rank` orders the same service across tiers (more is better)."""

    key: str
    text: str
    value: str
    rank: Decimal


@dataclass(frozen=True)
class TierView:
    """A tier as one page sees it: the model (for comparing raw values) and its formatted context."""

    model: Tier
    context: dict[str, Any]
    entitlements: list[Entitlement]


# ---------------------------------------------------------------- strings


def page_strings(ws: Workspace, strings: dict[str, Any]) -> dict[str, Any]:
    """The workspace's strings, with the packaged `summary` and `compare` wording filling any key it lacks.

    A workspace scaffolded before summaries existed has no such keys; its own wording still wins.
    """
    path = ws.defaults_root / "templates" / "strings.yaml"
    if not path.is_file():
        return strings
    defaults = read_yaml(path, os.path.relpath(path), ws.inputs()).data
    merged = dict(strings)
    for key in ("summary", "compare"):
        merged[key] = _deep_merge(defaults.get(key, {}), strings.get(key, {}))
    return merged


def _deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        merged[key] = _deep_merge(merged[key], value) if isinstance(value, dict) and isinstance(
            merged.get(key), dict) else value
    return merged


def _phrase(entry: str | list[str], n: str = "", **values: str) -> str:
    """A phrase from strings.yaml; a [one, many] pair is chosen by the count `n`."""
    if isinstance(entry, list):
        entry = entry[0] if n == "1" else entry[1]
    return entry.format(n=n, **values)


def _join(items: list[str], strings: dict[str, Any]) -> str:
    separator = strings["compare"]["separator"]
    if len(items) <= 1:
        return "".join(items)
    return f"{separator.join(items[:-1])} {strings['and']} {items[-1]}"


# ---------------------------------------------------------------- entitlements


def _business_day(ws: Workspace, customer: Sourced[Customer] | None) -> Decimal:
    """Business hours in one of the customer's business days (their calendar, else the provider's)."""
    return resolve_calendar(ws.config.model.defaults, customer.model if customer else None).business_hours.hours_per_day


def _hours(value: Duration | DurationRange, business_day: Decimal) -> Decimal:
    duration = value.high if isinstance(value, DurationRange) else value
    return duration.nominal_hours(business_day)


def entitlements(
    tier: Tier, context: dict[str, Any], strings: dict[str, Any], business_day: Decimal
) -> list[Entitlement]:
    """What the tier includes, one phrase each from strings.yaml; absent services (zero, none, false) are left out."""
    words = strings["summary"]["entitlements"]
    ent = tier.entitlements
    shown = context["tier"]["entitlements"]
    lines: list[Entitlement] = []

    def add(key: str, rank: Decimal, value: str = "", text: str | None = None, **values: str) -> None:
        lines.append(Entitlement(key, text if text is not None else _phrase(words[key], value, **values), value, rank))

    if shown["unlimited_investigations"]:
        add("remote_investigations", UNLIMITED, words["unlimited"], text=words["unlimited_investigations"])
    elif ent.remote_investigations_per_year:
        add("remote_investigations", Decimal(ent.remote_investigations_per_year), shown["remote_investigations"])
    if ent.onsite_days_per_year:
        add("onsite_days", Decimal(ent.onsite_days_per_year), shown["onsite_days"])
    if ent.onsite_hours_per_year:
        add("onsite_hours", Decimal(ent.onsite_hours_per_year), shown["onsite_hours"])
    if ent.onsite_response is not None:
        add("onsite_response", -_hours(ent.onsite_response, business_day), shown["onsite_response"])
    if ent.trainings_per_year:
        add("trainings", Decimal(ent.trainings_per_year), shown["trainings"])
    if ent.webinars_per_year:
        add("webinars", Decimal(ent.webinars_per_year), shown["webinars"])
    if ent.reviews != "none":
        add("reviews", Decimal(("quarterly", "monthly").index(ent.reviews) + 1),
            words["review_values"][ent.reviews], text=words["reviews"][ent.reviews])
    if ent.documentation:
        add("documentation", Decimal(len(ent.documentation)), shown["documentation_text"])
    add("spare_parts_dispatch", -_hours(ent.spare_parts_dispatch, business_day), shown["spare_parts_dispatch"])
    add("samples_dispatch", -_hours(ent.samples_dispatch, business_day), shown["samples_dispatch"])
    for flag in ("named_engineer", "technical_account_manager", "success_milestones", "nps_tracking"):
        if getattr(ent, flag):
            add(flag, Decimal(1), text=words[flag])
    availability = context["tier"]["availability"]
    if tier.availability is not None and availability is not None:
        add("availability", tier.availability.target_pct, availability["target"], service=availability["service"])
    return lines


# ---------------------------------------------------------------- what a tier adds over the one below


def _credit_high(tier: Tier) -> Decimal:
    credits = tier.service_credits
    assert credits is not None
    return min(max(step.credit_pct for step in credits.schedule), credits.cap_per_period_pct)


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
        items.append(adds["round_the_clock"].format(severities=_join(round_the_clock, strings)))
    faster = [
        labels[sev] for sev, target in up.targets.items()
        if sev in low.targets and (
            target.response.nominal_hours(business_day) < low.targets[sev].response.nominal_hours(business_day)
            or target.resolution.nominal_hours(business_day) < low.targets[sev].resolution.nominal_hours(business_day)
        )
    ]
    if faster:
        items.append(adds["faster"].format(severities=_join(faster, strings)))
    names = adds["channel_names"]
    channels = [names.get(kind, kind) for kind in up.coverage.channels if kind not in low.coverage.channels]
    if channels:
        items.append(adds["channels"].format(channels=_join(channels, strings)))
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
        fmt = _formatter(up_ctx, strings)
        high = fmt.percent(_credit_high(up))
        if low.service_credits is None:
            items.append(adds["credits"].format(high=high))
        elif _credit_high(up) > _credit_high(low):
            items.append(adds["credits_better"].format(high=high, old=fmt.percent(_credit_high(low))))
    if up.performance_credit is not None and low.performance_credit is None:
        items.append(adds["performance_credit"].format(above=up_ctx["performance_credit"]["above"]))
    if up.rollover is not None and low.rollover is None:
        items.append(adds["rollover"].format(items=_rollover_items(up, strings), max=up_ctx["rollover"]["max_pct"]))
    if up.early_renewal is not None:
        discount = up_ctx["early_renewal"]["discount"]
        if low.early_renewal is None:
            items.append(adds["renewal"].format(discount=discount))
        elif up.early_renewal.discount_pct > low.early_renewal.discount_pct:
            items.append(adds["renewal_better"].format(discount=discount, old=low_ctx["early_renewal"]["discount"]))
    return items


# ---------------------------------------------------------------- page data


def _logo(ws: Workspace) -> str | None:
    logo = ws.config.model.provider.branding.logo
    return (ws.root / logo).resolve().as_uri() if logo else None


def _page_document(
    ws: Workspace, context: dict[str, Any], title: str, subject: str, keywords: str, created: str
) -> Document:
    provider = ws.config.model.provider
    locale = context["contract"]["locale"]
    return Document(
        title=title,
        subtitle="",
        author=provider.legal_name,
        subject=subject,
        keywords=keywords,
        header_text="",
        language=locale.replace("_", "-"),
        page_size=page_size(locale),
        brand_colour=provider.branding.colour,
        strings={},
        created=created,
    )


def _document_data(document: Document) -> dict[str, Any]:
    return {
        "title": document.title,
        "subject": document.subject,
        "author": document.author,
        "language": document.language,
        "page_size": document.page_size,
        "brand_colour": document.brand_colour,
    }


def _formatter(context: dict[str, Any], strings: dict[str, Any]) -> Formatter:
    return Formatter(context["contract"]["locale"], strings)


def _extras(tier: Tier, context: dict[str, Any], strings: dict[str, Any]) -> dict[str, Any]:
    """Amounts the sentences quote that the contract context only offers as worked examples."""
    fmt = _formatter(context, strings)
    annual = retainer_basis(tier, context["contract"]["currency"])
    extras: dict[str, Any] = {"credit_high": None, "credit_high_amount": None,
                              "performance_credit_amount": None,
                              "renewal_amount": None, "rollover_items": None}
    if tier.service_credits is not None:
        high = _credit_high(tier)
        extras["credit_high"] = fmt.percent(high)
        extras["credit_high_amount"] = fmt.money(terms.percent_of(terms.monthly(annual), high))
    if tier.performance_credit is not None:
        extras["performance_credit_amount"] = fmt.money(terms.percent_of(annual, tier.performance_credit.credit_pct))
    if tier.early_renewal is not None:
        extras["renewal_amount"] = fmt.money(terms.percent_of(annual, tier.early_renewal.discount_pct))
    if tier.rollover is not None:
        extras["rollover_items"] = _rollover_items(tier, strings)
    return extras


def _rollover_items(tier: Tier, strings: dict[str, Any]) -> str:
    """The entitlements that roll over, named as strings.yaml names them, in the contract's order."""
    assert tier.rollover is not None
    names = strings["summary"]["rollover_items"]
    return _join([names[key] for key in COUNTABLE if key in tier.rollover.entitlements], strings)


def summary_data(
    ws: Workspace, job: Job, strings: dict[str, Any], context: dict[str, Any], document: Document
) -> dict[str, Any]:
    """Everything summary.html.j2 sees: the contract context plus the page's own few values."""
    tier = terms_for(job.tier.model, job.customer)
    business_day = _business_day(ws, job.customer)
    return {
        **context,
        "strings": strings,
        "words": strings["summary"],
        "document": _document_data(document),
        "logo": _logo(ws),
        "entitlements": [line.text for line in entitlements(tier, context, strings, business_day)],
        "extras": _extras(tier, context, strings),
        "css_colour": css_colour,
        "css_string": css_string,
    }


def _render_template(environment: jinja2.Environment, name: str, data: dict[str, Any]) -> str:
    try:
        return environment.get_template(name).render(data)
    except jinja2.TemplateNotFound as error:
        raise TemplateError(f"{name}: page template {error.name!r} not found") from error
    except jinja2.TemplateError as error:
        raise TemplateError(f"{template_location(error, name)}: {error.message or type(error).__name__}") from error


# ---------------------------------------------------------------- the one-page rule


def _part(box: Any) -> str | None:
    element = getattr(box, "element", None)
    return element.get("data-part") if element is not None else None


def _parts_after_first_page(pages: list[Any]) -> list[str]:
    """The `data-part` names of the elements laid out on any page after the first, in page order."""
    parts: list[str] = []
    for page in pages[1:]:
        for box in page._page_box.descendants():
            name = _part(box)
            if name and name not in parts:
                parts.append(name)
    return parts


def _filled(page: Any) -> float:
    """How much of the page's content height the laid-out document takes (0 to 1)."""
    box = page._page_box
    return float(sum(child.margin_height() for child in box.children) / box.height) if box.height else 1.0


def _crowding_parts(page: Any) -> list[str]:
    """Parts that take more than a quarter of the first page on their own: likely the cause of an overflow."""
    limit = page._page_box.height / 4
    return [name for box in page._page_box.descendants() if (name := _part(box)) and box.margin_height() > limit]


def fit_one_page(
    render: Callable[[str], str],
    *,
    what: str,
    base_dir: Path,
    allowed_roots: list[Path],
    blame: Callable[[list[str]], tuple[str, str] | None] = lambda parts: None,
) -> Layout:
    """The layout of the first density that is one page; else a BuildError naming what overflows.

    Densities only change air and sizes within the template's limits (never below 8 pt); nothing spills
    silently. `blame` may pick, among the suspect parts (those that crowd the first page or overflow),
    one that comes from a single input field: it returns that field's `path:line: field` and the part.
    """
    # The chosen layout goes on to render_pdf, so a fitting page is laid out only once.
    from slagen.render.pdf import lay_out

    def layout(density: str) -> tuple[Layout, list[Any]]:
        made = lay_out(render(density), base_dir=base_dir, allowed_roots=allowed_roots)
        if made.fetcher.problems:
            raise BuildError(made.fetcher.problems[0], problems=made.fetcher.problems)
        return made, made.pages

    chosen, pages = layout(DENSITIES[START])
    if len(pages) == 1:
        if START > 0 and _filled(pages[0]) < FILLED:
            roomier, roomier_pages = layout(DENSITIES[START - 1])
            if len(roomier_pages) == 1:
                return roomier
        return chosen
    for density in DENSITIES[START + 1 :]:
        chosen, pages = layout(density)
        if len(pages) == 1:
            return chosen
    parts = _parts_after_first_page(pages)
    message = f"{what}: {len(pages)} pages, must fit on one; overflowing: {', '.join(parts) or 'unnamed content'}"
    culprit = blame(list(dict.fromkeys(_crowding_parts(pages[0]) + parts)))
    if culprit is None:
        raise BuildError(message)
    where, part = culprit
    raise BuildError(f"{where}: {message}; the {part} alone takes too much of the page, shorten it")


def _environment(ws: Workspace, templates: Path | None) -> jinja2.Environment:
    return page_environment(
        template_loader(ws.template_dirs(templates), ws.defaults_root / "templates"), ws.config.model.limits
    )


def render_summary(
    ws: Workspace,
    job: Job,
    strings: dict[str, Any],
    context: dict[str, Any],
    templates: Path | None = None,
    pdf_variant: str | None = None,
    *,
    pdf: bool = True,
) -> bytes:
    """The one-page summary PDF of a job, from the same context as its contract.

    With `pdf=False`, only its HTML (no layout): `validate` uses that to check the page template.
    """
    strings = page_strings(ws, strings)
    words = strings["summary"]
    tier = job.tier.model
    customer = job.customer.model if job.customer else None
    customer_name = context["customer"]["legal_name"]
    document = _page_document(
        ws,
        context,
        title=words["title"],
        subject=words["subject"].format(tier=tier.name, customer=customer_name),
        keywords=tier.id,
        created=source_stamp(customer),
    )
    data = summary_data(ws, job, strings, context, document)
    environment = _environment(ws, templates)
    if not pdf:
        return _render_template(environment, SUMMARY_TEMPLATE, data | {"density": DENSITIES[START]}).encode()
    from slagen.render.pdf import render_pdf

    def blame(suspects: list[str]) -> tuple[str, str] | None:
        for part in suspects:
            if part in TIER_FIELD_PARTS:
                field = TIER_FIELD_PARTS[part]
                return f"{job.tier.where(field)}: {field}", part
        return None

    layout = fit_one_page(
        lambda density: _render_template(environment, SUMMARY_TEMPLATE, data | {"density": density}),
        what=f"{tier.name} summary for {customer.short_name if customer else 'the blank template'}",
        base_dir=ws.root,
        allowed_roots=allowed_roots(ws, templates),
        blame=blame,
    )
    return render_pdf(
        layout.html, base_dir=ws.root, allowed_roots=allowed_roots(ws, templates), document=document,
        variant=pdf_variant, layout=layout,
    )


# ---------------------------------------------------------------- the comparison


def tier_views(ws: Workspace, customer: Sourced[Customer] | None, strings: dict[str, Any]) -> list[TierView]:
    """Every tier, lowest level first; a customer's own tiers as negotiated (overrides), the others as published."""
    business_day = _business_day(ws, customer)
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
        tier = terms_for(tier, customer)
        context = build_context(ws.config.model, tier, customer.model if customer else None, strings)
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
    business_day = _business_day(ws, customer)
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
            "extras": _extras(view.model, view.context, strings),
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
        "document": _document_data(document),
        "logo": _logo(ws),
        "css_colour": css_colour,
        "css_string": css_string,
    }


def render_compare(
    ws: Workspace, customer: Sourced[Customer] | None, strings: dict[str, Any], templates: Path | None = None
) -> bytes:
    """All tiers side by side on one page, in the customer's currency and locale when one is given."""
    from slagen.render.pdf import render_pdf

    if not ws.tiers:
        raise BuildError("compare: the workspace has no tiers")
    strings = page_strings(ws, strings)
    words = strings["compare"]
    views = tier_views(ws, customer, strings)
    context = views[0].context
    document = _page_document(
        ws,
        context,
        title=words["title"],
        subject=words["subject"].format(customer=context["customer"]["legal_name"]) if customer else words["title"],
        keywords=", ".join(view.model.id for view in views),
        created=source_stamp(customer.model if customer else None),
    )
    data = compare_data(ws, views, strings, document, customer)
    environment = _environment(ws, templates)
    layout = fit_one_page(
        lambda density: _render_template(environment, COMPARE_TEMPLATE, data | {"density": density}),
        what=f"tier comparison{' for ' + customer.model.short_name if customer else ''}",
        base_dir=ws.root,
        allowed_roots=allowed_roots(ws, templates),
    )
    return render_pdf(
        layout.html, base_dir=ws.root, allowed_roots=allowed_roots(ws, templates), document=document, layout=layout
    )
