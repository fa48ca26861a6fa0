"""The scorecard PDF of `slagen measure` for the quarterly business review: one or two pages per quarter in the
provider's branding (scorecard.html.j2 and scorecard.css, overridable like every page template), drawn from a
`MeasureReport`; the same report gives the same bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from markupsafe import Markup

from slagen.context import Formatter
from slagen.document import Document
from slagen.errors import BuildError
from slagen.measure.report import MeasureReport
from slagen.model import Customer
from slagen.page_data import document_data, logo, page_document, page_template_environment, render_template
from slagen.prefork import CONTRACT, HelperFailed, Helpers
from slagen.render.html import css_colour, css_page_content, css_string
from slagen.scorecard.data import Pages, page_colours
from slagen.sources import allowed_roots, source_stamp
from slagen.strings import STRINGS_FILE, load_strings
from slagen.workspace import Sourced, Workspace, terms_for

SCORECARD_TEMPLATE = "scorecard.html.j2"


def scorecard_data(
    ws: Workspace, report: MeasureReport, customer: Sourced[Customer], strings: dict[str, Any], document: Any
) -> dict[str, Any]:
    """Everything scorecard.html.j2 sees."""
    provider = ws.config.model.provider
    locale = customer.model.locale or ws.config.model.defaults.locale
    fmt = Formatter(locale, strings)
    pages = Pages(report, fmt, strings, str(css_colour(provider.branding.colour)))
    words = strings["scorecard"]
    terms = terms_for(ws.tier(report.tier).model, customer)
    invoice = terms.service_credits.applied_to if terms.service_credits else None
    first, last = report.periods[0].month, report.periods[-1].month
    quarter_kpis = dict(report.quarter_kpis)
    quarters = []
    for key, periods in report.quarters().items():
        measured = [period for period in periods if period.compliance_pct is not None]
        headline = (
            words["headline"].format(value=pages.percent(measured[-1].compliance_pct),
                                     month=fmt.month(measured[-1].month))
            if measured else words["headline_none"]
        )
        kpis = quarter_kpis.get(key, report.kpis)
        span = (periods[0].month, periods[-1].month) if key in quarter_kpis else (first, last)
        quarters.append({
            "key": key,
            "name": pages.quarter_name(key),
            "months": words["months"].format(first=fmt.month(periods[0].month), last=fmt.month(periods[-1].month)),
            "headline": headline,
            "headline_state": pages.lines.state(measured[-1].compliance_pct) if measured else "none",
            "rag": pages.rag_table(periods),
            "trend": Markup(pages.trend(periods)),
            "volume": Markup(pages.volume(periods)),
            "excluded": sum(period.excluded for period in periods),
            "credits": pages.credits(periods, invoice),
            "bonus": pages.bonus(periods),
            # The quarter's own KPIs where the report has them, else the whole export's; the headings name the
            # months they cover.
            "times": pages.times(kpis),
            "times_note": words["times_note"].format(first=fmt.month(span[0]), last=fmt.month(span[1])),
            "measures": pages.measures(kpis),
            "measures_heading": words["kpis_heading"].format(first=fmt.month(span[0]), last=fmt.month(span[1])),
            "breached": pages.breached(periods),
        })
    calendar = report.calendar
    return {
        "document": document_data(document),
        "logo": logo(ws),
        "provider": {"legal_name": provider.legal_name, "short_name": provider.short_name},
        "customer": {"legal_name": report.customer_name, "short_name": report.customer},
        "tier": {"id": report.tier, "name": report.tier_name},
        "strings": strings,
        "words": words,
        "quarters": quarters,
        "rag_note": pages.rag_note(),
        "min_incidents": report.thresholds.min_incidents,
        "legend": pages.volume_legend(),
        "thresholds": [{"label": line.label, "colour": line.colour} for line in pages.thresholds()],
        "open_tickets": report.open_tickets,
        "colours": page_colours(),
        "calendar_note": words["calendar_note"].format(
            zone=calendar.timezone_name, timezone=calendar.timezone, hours=calendar.business_hours,
            holidays=calendar.holidays, whose=words["whose"]["customer" if calendar.customer_calendar else "provider"],
        ),
        "naive_note": (
            words["naive_note"].format(n=calendar.naive_timestamps, timezone=calendar.timezone)
            if calendar.naive_timestamps else ""
        ),
        "source_note": words["source"].format(source=report.source, format=report.source_format),
        "css_colour": css_colour,
        "css_string": css_string,
        "css_page_content": css_page_content,
    }


def scorecard_page(
    ws: Workspace, report: MeasureReport, customer: Sourced[Customer], templates: Path | None = None
) -> tuple[str, Document]:
    """The scorecard's HTML and its page document: what `render_scorecard` lays out (and `slagen serve` shows)."""
    if not report.periods:
        raise BuildError(f"{report.source}: no ticket was resolved in any month, so there is no scorecard to draw")
    # The same search path as every page (--templates, the workspace, the packaged defaults); build sits above us.
    packaged = ws.defaults_root / "templates" / STRINGS_FILE
    strings = load_strings(ws.template_dirs(templates), ws.inputs(templates), packaged)
    words = strings["scorecard"]
    locale = customer.model.locale or ws.config.model.defaults.locale
    fmt = Formatter(locale, strings)
    # Worded in the provider's language (strings.yaml); numbers and dates in the customer's locale.
    language = ws.config.model.defaults.language
    document = page_document(
        ws,
        {"contract": {"locale": locale, "language": language}},
        title=f"{words['title']} · {report.customer_name}",
        subject=words["subject"].format(
            tier=report.tier_name, customer=report.customer_name,
            first=fmt.month(report.periods[0].month), last=fmt.month(report.periods[-1].month),
        ),
        keywords=f"{report.tier}, {report.customer}",
        created=source_stamp(customer.model),
    )
    data = scorecard_data(ws, report, customer, strings, document)
    environment = page_template_environment(ws, templates)
    return render_template(environment, SCORECARD_TEMPLATE, data), document


def render_scorecard(
    ws: Workspace, report: MeasureReport, customer: Sourced[Customer], templates: Path | None = None
) -> bytes:
    """The scorecard PDF of `report` for `customer` (whose locale formats it), in the provider's branding."""
    from slagen.render.pdf import render_pdf

    html, document = scorecard_page(ws, report, customer, templates)
    roots = allowed_roots(ws, templates)
    return render_pdf(html, base_dir=ws.root, allowed_roots=roots, document=document)


def scorecard_later(
    ws: Workspace, report: MeasureReport, customer: Sourced[Customer], helpers: Helpers | None,
    templates: Path | None = None,
) -> Callable[[], bytes]:
    """The scorecard PDF, sent to the command's PDF helper (slagen.prefork) so that it is laid out while this
    process writes the audit CSV; the returned callable waits for its bytes. Without a helper, or when the
    helper gives none, it is rendered here: the same bytes, and a page's own problem raises the same error."""
    if helpers is None:
        return lambda: render_scorecard(ws, report, customer, templates)
    html, document = scorecard_page(ws, report, customer, templates)
    waiting = helpers.submit(CONTRACT, "slagen.render.pdf:render_pdf", html, base_dir=ws.root,
                             allowed_roots=allowed_roots(ws, templates), document=document)

    def result() -> bytes:
        try:
            return waiting()
        except HelperFailed:
            return render_scorecard(ws, report, customer, templates)

    return result
