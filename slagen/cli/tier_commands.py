"""Commands that read the tiers' terms: the tiers side by side, and a customer's service credits."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Annotated, Any

import typer

from slagen.cli.common import JsonOption, load


def tiers() -> None:
    """Show the tiers side by side."""
    from rich.console import Console
    from rich.table import Table

    from slagen.build import load_strings
    from slagen.context import build_context

    ws = load()
    strings = load_strings(ws, None)
    ordered = sorted(ws.tiers.values(), key=lambda tier: tier.model.level)
    contexts = [build_context(ws.config.model, tier.model, None, strings) for tier in ordered]
    table = Table(title=ws.config.model.provider.legal_name, show_lines=True)
    table.add_column("")
    for ctx in contexts:
        table.add_column(ctx["tier"]["name"], overflow="fold")
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("Annual retainer", lambda ctx: ctx["tier"]["annual_retainer"] or "-"),
        ("Coverage", lambda ctx: "24/7" if ctx["tier"]["coverage_24x7"] else ctx["contract"]["business_hours"]),
        ("Channels", lambda ctx: ", ".join(ctx["tier"]["channels"])),
    ]
    for index, severity in enumerate(contexts[0]["tier"]["targets"]):
        rows.append(
            (
                severity["label"],
                lambda ctx, index=index: (
                    f"{ctx['tier']['targets'][index]['response']} / {ctx['tier']['targets'][index]['resolution']}"
                ),
            )
        )
    rows.append(("Credits", lambda ctx: f"below {ctx['credits']['threshold']}" if ctx["credits"] else "-"))
    rows.append(("Clauses", lambda ctx: str(len(ws.tiers[ctx["tier"]["id"]].model.clauses))))
    for label, cell in rows:
        table.add_row(label, *(cell(ctx) for ctx in contexts))
    Console().print(table)


def credits(
    tier: Annotated[str, typer.Argument(help="Tier id, e.g. 'premium'.")],
    customer: Annotated[str, typer.Option("--customer", "-c", help="Customer short name or customer YAML file.")],
    compliance: Annotated[
        list[str] | None,
        typer.Option("--compliance", help="Measured compliance of a month: YYYY-MM=PERCENT; repeat."),
    ] = None,
    incidents: Annotated[
        list[str] | None, typer.Option("--incidents", help="Incidents in a month: YYYY-MM=COUNT; repeat (optional).")
    ] = None,
    used: Annotated[
        list[str] | None,
        typer.Option("--used", help="Units of an entitlement used in a contract year, e.g. onsite_days=6; repeat."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Service credits and caps month by month (a pilot's own), the customer's performance credit, the rollover of
    unused entitlements and any chronic-failure right."""
    from rich.console import Console
    from rich.table import Table

    from slagen.build import load_strings, resolve_customer
    from slagen.calculator import calculate, month_inputs, report_json, report_lines, used_inputs
    from slagen.context import Formatter
    from slagen.pricing import contract_currency
    from slagen.workspace import terms_for

    months = month_inputs(compliance or [], incidents or [], required=not used)
    ws = load()
    client = resolve_customer(ws, customer)
    terms_of_customer = terms_for(ws.tier(tier).model, client)
    currency = contract_currency(ws.config.model.defaults, client.model)
    report = calculate(terms_of_customer, client.model, currency, months, used_inputs(terms_of_customer, used or []))
    if as_json:
        typer.echo(json.dumps(report_json(report), indent=2))
        return
    fmt = Formatter(client.model.locale or ws.config.model.defaults.locale, load_strings(ws, None))
    console = Console()
    if report.months:
        yearly = [result.year_cap for result in report.months if not result.pilot]
        cap = f"{fmt.money(yearly[0])} a year" if yearly else f"{fmt.money(report.months[0].year_cap)} for the pilot"
        table = Table(title=f"{client.model.legal_name}: {terms_of_customer.name}, credits capped at {cap}")
        for column in ("Month", "Measured", "Target", "In a row", "Credit", "Year total", "Chronic"):
            table.add_column(column, justify="left" if column in ("Month", "Target") else "right", no_wrap=True)
        for result in report.months:
            status = "not counted" if not result.counts else ("missed" if result.missed else "met")
            table.add_row(
                f"{result.month:%Y-%m}{' (pilot)' if result.pilot else ''}",
                fmt.percent(result.compliance_pct),
                status,
                str(result.consecutive_missed),
                fmt.money(result.credit),
                fmt.money(result.year_total),
                "yes" if result.chronic_failure else "",
            )
        console.print(table)
    for line in report_lines(report, terms_of_customer, fmt):
        console.print(line, highlight=False)
