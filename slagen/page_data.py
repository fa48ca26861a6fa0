"""What the one-page summary and the comparison page share: their wording, their entitlement lines, the amounts
their sentences quote, the page's document metadata and its Jinja environment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from slagen import terms
from slagen.calendars import resolve_calendar
from slagen.commercial import COUNTABLE
from slagen.context import Formatter, page_size, spaced
from slagen.document import Document
from slagen.incremental import template_files
from slagen.languages import document_language
from slagen.pricing import retainer_basis
from slagen.render.html import render_page
from slagen.templating import page_environment, template_loader
from slagen.units import Duration, DurationRange
from slagen.workspace import Sourced, Workspace

if TYPE_CHECKING:
    from slagen.model import Customer, Tier

UNLIMITED = Decimal("Infinity")


@dataclass(frozen=True)
class Entitlement:
    """One included service as a line of the page; `rank` orders the same service across tiers (more is better)."""

    key: str
    text: str
    value: str
    rank: Decimal


# ---------------------------------------------------------------- strings


def _phrase(entry: str | list[str], n: str = "", **values: str) -> str:
    """A phrase from strings.yaml; a [one, many] pair is chosen by the count `n`."""
    if isinstance(entry, list):
        entry = entry[0] if n == "1" else entry[1]
    return entry.format(n=n, **values)


def join_items(items: list[str], strings: dict[str, Any]) -> str:
    """`a, b and c` in the page's wording."""
    separator = strings["compare"]["separator"]
    if len(items) <= 1:
        return "".join(items)
    return f"{separator.join(items[:-1])}{spaced(strings['and'])}{items[-1]}"


# ---------------------------------------------------------------- entitlements


def business_day_hours(ws: Workspace, customer: Sourced[Customer] | None) -> Decimal:
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


# ---------------------------------------------------------------- amounts the sentences quote


def credit_high(tier: Tier) -> Decimal:
    """The highest monthly service credit the tier can pay, as a percentage (within its cap)."""
    credits = tier.service_credits
    assert credits is not None
    return min(max(step.credit_pct for step in credits.schedule), credits.cap_per_period_pct)


def formatter(context: dict[str, Any], strings: dict[str, Any]) -> Formatter:
    """A Formatter in the page's locale."""
    contract = context["contract"]
    source = contract["language"] == contract.get("source_language", contract["language"])
    return Formatter(contract["format_locale"], strings, None if source else contract["language"])


def extras(tier: Tier, context: dict[str, Any], strings: dict[str, Any]) -> dict[str, Any]:
    """Amounts the sentences quote that the contract context only offers as worked examples."""
    fmt = formatter(context, strings)
    annual = retainer_basis(tier, context["contract"]["currency"])
    found: dict[str, Any] = {"credit_high": None, "credit_high_amount": None,
                             "performance_credit_amount": None,
                             "renewal_amount": None, "rollover_items": None}
    if tier.service_credits is not None:
        high = credit_high(tier)
        found["credit_high"] = fmt.percent(high)
        found["credit_high_amount"] = fmt.money(terms.percent_of(terms.monthly(annual), high))
    if tier.performance_credit is not None:
        found["performance_credit_amount"] = fmt.money(terms.percent_of(annual, tier.performance_credit.credit_pct))
    if tier.early_renewal is not None:
        found["renewal_amount"] = fmt.money(terms.percent_of(annual, tier.early_renewal.discount_pct))
    if tier.rollover is not None:
        found["rollover_items"] = rollover_items(tier, strings)
    return found


def rollover_items(tier: Tier, strings: dict[str, Any]) -> str:
    """The entitlements that roll over, named as strings.yaml names them, in the contract's order."""
    assert tier.rollover is not None
    names = strings["summary"]["rollover_items"]
    return join_items([names[key] for key in COUNTABLE if key in tier.rollover.entitlements], strings)


# ---------------------------------------------------------------- the page itself


def logo(ws: Workspace) -> str | None:
    """The provider's logo as a file URI, if it has one."""
    path = ws.config.model.provider.branding.logo
    return (ws.root / path).resolve().as_uri() if path else None


def page_document(
    ws: Workspace, context: dict[str, Any], title: str, subject: str, keywords: str, created: str
) -> Document:
    """The metadata of a one-page PDF (no body: the page is HTML from a template)."""
    provider = ws.config.model.provider
    locale = context["contract"]["locale"]
    return Document(
        title=title,
        subtitle="",
        author=provider.legal_name,
        subject=subject,
        keywords=keywords,
        header_text="",
        language=document_language(context["contract"]["language"], locale),
        page_size=page_size(locale),
        brand_colour=provider.branding.colour,
        strings={},
        created=created,
    )


def document_data(document: Document) -> dict[str, Any]:
    """The document metadata a page template sees."""
    return {
        "title": document.title,
        "subject": document.subject,
        "author": document.author,
        "language": document.language,
        "page_size": document.page_size,
        "brand_colour": document.brand_colour,
    }


# Page environments kept by this process, by template folders, the files in them, and limits: each keeps its
# compiled templates (checked against the files' text on every use), so a worker compiles each template once.
_ENVIRONMENTS: dict[tuple[str, ...], jinja2.Environment] = {}
KEPT_ENVIRONMENTS = 8


def page_template_environment(ws: Workspace, templates: Path | None) -> jinja2.Environment:
    """The sandboxed Jinja environment of the page templates (the workspace's, over the packaged ones)."""
    folders = ws.template_dirs(templates)
    builtin = ws.defaults_root / "templates"
    limits = ws.config.model.limits
    # The files there too: an override that appears (or goes) must be found, as a fresh environment finds it.
    key = (*(str(path) for path in template_files([*folders, builtin])), *(str(folder) for folder in folders),
           str(builtin), limits.model_dump_json())
    environment = _ENVIRONMENTS.get(key)
    if environment is None:
        if len(_ENVIRONMENTS) >= KEPT_ENVIRONMENTS:
            del _ENVIRONMENTS[next(iter(_ENVIRONMENTS))]
        environment = _ENVIRONMENTS[key] = page_environment(template_loader(folders, builtin), limits)
    return environment


def render_template(environment: jinja2.Environment, name: str, data: dict[str, Any]) -> str:
    """A page template rendered to HTML; a template's mistake is a TemplateError naming its line."""
    return render_page(environment, name, data)

