"""`slagen measure`: a help desk's ticket export measured by the contract's own rules, month by month, with the
credits `slagen credits` would give for the measured compliance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from slagen.cli.common import JsonOption, OutOption, load, print_warnings

if TYPE_CHECKING:
    from slagen.context import Formatter
    from slagen.measure.engine import Measurement
    from slagen.measure.report import MeasureReport


def measure(
    tier: Annotated[str, typer.Argument(help="Tier id, e.g. 'premium'.")],
    customer: Annotated[str, typer.Option("--customer", "-c", help="Customer short name or customer YAML file.")],
    tickets: Annotated[Path, typer.Option("--tickets", "-t", help="Ticket export (CSV).")],
    export_format: Annotated[
        str | None,
        typer.Option("--format", help="canonical, zendesk, jsm or freshdesk (default: detected from the header)."),
    ] = None,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Your own column and priority mapping (YAML) for another export.")
    ] = None,
    first: Annotated[str | None, typer.Option("--from", help="First month to report, YYYY-MM.")] = None,
    last: Annotated[str | None, typer.Option("--to", help="Last month to report, YYYY-MM.")] = None,
    as_json: JsonOption = False,
    out: OutOption = Path("dist"),
    scorecard: Annotated[
        bool, typer.Option("--scorecard/--no-scorecard", help="Write the quarterly scorecard PDF (default) or not.")
    ] = True,
) -> None:
    """Measure a ticket export against the tier's targets: compliance, credits, caps and bonus month by month, KPIs,
    a per-ticket audit CSV and the quarterly scorecard PDF under OUT/<customer>/."""
    from slagen.errors import UsageError
    from slagen.measure import engine
    from slagen.measure.audit import audit_csv, report_json
    from slagen.output import write_outputs
    from slagen.workspace import resolve_customer

    low, high = engine.month_option("--from", first), engine.month_option("--to", last)
    if low is not None and high is not None and high < low:
        raise UsageError(f"--from {first} is after --to {last}")
    if not tickets.exists():
        raise UsageError(f"--tickets {tickets}: no such file")
    helpers = None
    if scorecard:
        from slagen.prefork import start_helpers

        helpers = start_helpers()  # imports WeasyPrint while this process reads the tickets
    try:
        ws = load()
        client = resolve_customer(ws, customer)
        terms, measurement = engine.measure_export(ws, tier, client, tickets, str(tickets), export_format, map_file,
                                                   low, high)
        name = client.model.short_name
        pdf = None
        if scorecard:
            from slagen.scorecard import scorecard_later

            pdf = scorecard_later(ws, measurement.report, client, helpers)  # laid out while the audit is written
        outputs = {f"{name}-{terms.id}-ticket-audit.csv": audit_csv(measurement)}
        if pdf is not None:
            outputs[f"{name}-{terms.id}-scorecard.pdf"] = pdf()
    finally:
        if helpers is not None:
            helpers.close()
    written = write_outputs(out / name, outputs)
    from slagen.build import report_render_warnings

    report_render_warnings(ws)
    print_warnings(ws)  # on stderr: --json keeps stdout to the report
    if as_json:
        typer.echo(json.dumps(report_json(measurement.report), indent=2))
        return
    from slagen.build import load_strings
    from slagen.context import Formatter

    fmt = Formatter(client.model.locale or ws.config.model.defaults.locale, load_strings(ws, None))
    from slagen.commercial import timeline

    line = timeline(client.model, terms)
    _print(measurement, fmt, [line.year_of(period.month) for period in measurement.report.periods])
    for path in written:
        typer.echo(f"wrote {path}")


def _print(measurement: Measurement, fmt: Formatter, years: list[int]) -> None:
    """The month table; `years` holds each period's 0-based contract year (the bonus shows on a year's last row)."""
    from rich.console import Console
    from rich.table import Table

    from slagen.measure.report import shown_pct

    report = measurement.report
    console = Console(width=max(Console().width, 130))  # eleven columns; narrower would cut the figures
    title = f"{report.customer_name}: {report.tier_name}, measured from {report.source}"
    table = Table(title=title)
    credits = report.thresholds.credit_below_pct is not None
    for column in ("Month", "Incidents", "Met", "Compliance", "Target", "In a row", "Credit", "Year total", "Year cap",
                   "Chronic", "Bonus"):
        table.add_column(column, justify="left" if column in ("Month", "Target") else "right", no_wrap=True)
    bonus = {year.contract_year - 1: year.performance_credit for year in report.years}
    for index, period in enumerate(report.periods):
        state = "not counted" if not period.counts else ("missed" if period.missed else "met")
        compliance = fmt.percent(shown_pct(period.compliance_pct)) if period.compliance_pct is not None else "-"
        last_of_year = index + 1 == len(report.periods) or years[index + 1] != years[index]
        earned = bonus.get(years[index])
        table.add_row(
            f"{period.period}{' (pilot)' if period.pilot else ''}",
            str(period.incidents),
            str(period.met),
            compliance,
            state if credits else "-",
            str(period.consecutive_missed) if credits else "-",
            fmt.money(period.credit) if credits else "-",
            fmt.money(period.year_total) if credits else "-",
            fmt.money(period.year_cap) if credits else "-",
            "yes" if period.chronic_failure else "",
            fmt.money(earned) if last_of_year and earned is not None else "",
        )
    console.print(table)
    for line in _notes(report, fmt):
        console.print(line, highlight=False, markup=False, soft_wrap=True)


def _notes(report: MeasureReport, fmt: Formatter) -> list[str]:
    from slagen.measure.report import shown_pct

    limits = report.thresholds
    lines = []
    if limits.credit_below_pct is not None:
        lines.append(
            f"A month is missed below {fmt.percent(limits.credit_below_pct)} Target Compliance; a month with fewer "
            f"than {limits.min_incidents} incidents resolved does not count. Credits due: "
            f"{fmt.money(report.total_credit)}."
        )
    for year in report.years:
        line = f"Contract year {year.contract_year}: annual compliance {fmt.percent(shown_pct(year.compliance_pct))}"
        line += f" over {year.months} months"
        if year.performance_credit is not None and year.performance_credit.amount > 0:
            line += f", performance credit to the customer {fmt.money(year.performance_credit)}"
        elif limits.bonus_above_pct is not None:
            needed = fmt.percent(limits.bonus_above_pct)
            line += f" (the performance credit needs more than {needed} in a year that ends a term)"
        lines.append(line + ("" if year.complete else "; year incomplete: provisional"))
    if report.chronic_failure_from:
        lines.append(f"Chronic failure: the customer may terminate from {report.chronic_failure_from}")
    note = report.calendar
    lines.append(
        f"Clock: {note.timezone_name} ({note.timezone}), business hours {note.business_hours}, holidays "
        f"{note.holidays}; {note.naive_timestamps} timestamps without an offset were read in {note.timezone}."
    )
    lines.append(f"{report.tickets} tickets read ({report.source_format}), {report.open_tickets} still open.")
    return lines
