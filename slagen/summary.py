"""The one-page summary of a contract: its page data from the contract context, laid out on one page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from slagen.document import Document
from slagen.one_page import DENSITIES, START, fit_one_page
from slagen.page_data import (
    business_day_hours,
    document_data,
    entitlements,
    extras,
    logo,
    page_document,
    page_template_environment,
    render_template,
)
from slagen.render.html import css_colour, css_string
from slagen.sources import Job, allowed_roots, source_stamp
from slagen.workspace import Workspace, terms_for

if TYPE_CHECKING:
    from slagen.render.pdf import Layout

SUMMARY_TEMPLATE = "summary.html.j2"
# Parts of the summary that come straight from one field of the tier file: when they overflow, that field is to blame.
TIER_FIELD_PARTS = {"tagline": "tagline", "tier name": "name"}
# A legal name this long or shorter is never blamed for an overflow.
SHORT_NAME = 40


def summary_data(
    ws: Workspace, job: Job, strings: dict[str, Any], context: dict[str, Any], document: Document
) -> dict[str, Any]:
    """Everything summary.html.j2 sees: the contract context plus the page's own few values."""
    tier = terms_for(job.tier.model, job.customer)
    business_day = business_day_hours(ws, job.customer)
    return {
        **context,
        "strings": strings,
        "words": strings["summary"],
        "document": document_data(document),
        "logo": logo(ws),
        "entitlements": [line.text for line in entitlements(tier, context, strings, business_day)],
        "extras": extras(tier, context, strings),
        "css_colour": css_colour,
        "css_string": css_string,
    }


def summary_page(
    ws: Workspace,
    job: Job,
    strings: dict[str, Any],
    context: dict[str, Any],
    templates: Path | None = None,
) -> tuple[Layout, Document]:
    """The summary laid out on one page (at the density that fits) and its metadata: what its PDF is made of.

    `slagen serve` shows `layout.html`, the very HTML the PDF is laid out from.
    """
    document, data, environment = _summary_parts(ws, job, strings, context, templates)
    tier = job.tier.model
    customer = job.customer.model if job.customer else None
    from slagen.render.pdf import lay_out

    def fits(patched: dict[str, Any]) -> bool:
        html = render_template(environment, SUMMARY_TEMPLATE, patched | {"density": DENSITIES[-1]})
        return len(lay_out(html, base_dir=ws.root, allowed_roots=allowed_roots(ws, templates)).pages) == 1

    def blame(suspects: list[str]) -> tuple[str, str] | None:
        for part in suspects:
            if part in TIER_FIELD_PARTS:
                field = TIER_FIELD_PARTS[part]
                return f"{job.tier.where(field)}: {field}", part
        return _blame_long_name(ws, job, data, fits)

    layout = fit_one_page(
        lambda density: render_template(environment, SUMMARY_TEMPLATE, data | {"density": density}),
        what=f"{tier.name} summary for {customer.short_name if customer else 'the blank template'}",
        base_dir=ws.root,
        allowed_roots=allowed_roots(ws, templates),
        blame=blame,
    )
    return layout, document


def summary_pages(
    ws: Workspace, job: Job, strings: dict[str, Any], context: dict[str, Any], templates: Path | None,
    pdf_variant: str | None,
) -> dict[str, Any]:
    """The arguments of `one_page.render_one_page` for this summary: its HTML at every density, rendered here
    (a PDF helper lays it out without the workspace); the page and its bytes are those of render_summary."""
    document, data, environment = _summary_parts(ws, job, strings, context, templates)
    tier = job.tier.model
    customer = job.customer.model if job.customer else None
    pages = {density: render_template(environment, SUMMARY_TEMPLATE, data | {"density": density})
             for density in DENSITIES}
    what = f"{tier.name} summary for {customer.short_name if customer else 'the blank template'}"
    return {"pages": pages, "what": what, "base_dir": ws.root, "allowed_roots": allowed_roots(ws, templates),
            "document": document, "variant": pdf_variant}


def _summary_parts(
    ws: Workspace, job: Job, strings: dict[str, Any], context: dict[str, Any], templates: Path | None
) -> tuple[Document, dict[str, Any], jinja2.Environment]:
    words = strings["summary"]
    tier = job.tier.model
    customer = job.customer.model if job.customer else None
    customer_name = context["customer"]["legal_name"]
    document = page_document(
        ws,
        context,
        title=words["title"],
        subject=words["subject"].format(tier=tier.name, customer=customer_name),
        keywords=tier.id,
        created=source_stamp(customer),
    )
    return document, summary_data(ws, job, strings, context, document), page_template_environment(ws, templates)


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
    if not pdf:
        _document, data, environment = _summary_parts(ws, job, strings, context, templates)
        return render_template(environment, SUMMARY_TEMPLATE, data | {"density": DENSITIES[START]}).encode()
    from slagen.render.pdf import render_pdf

    layout, document = summary_page(ws, job, strings, context, templates)
    return render_pdf(
        layout.html, base_dir=ws.root, allowed_roots=allowed_roots(ws, templates), document=document,
        variant=pdf_variant, layout=layout,
    )


def _blame_long_name(
    ws: Workspace, job: Job, data: dict[str, Any], fits: Callable[[dict[str, Any]], bool]
) -> tuple[str, str] | None:
    """The customer's or provider's legal name, when the page fits with that name cut short (one layout each)."""
    names = [("customer", job.customer.where("legal_name") + ": legal_name")] if job.customer else []
    names.append(("provider", ws.config.where("provider", "legal_name") + ": provider.legal_name"))
    for key, where in names:
        name = str(data[key]["legal_name"])
        if len(name) > SHORT_NAME and fits(data | {key: {**data[key], "legal_name": name[:SHORT_NAME]}}):
            return where, f"legal name ({len(name)} characters)"
    return None
