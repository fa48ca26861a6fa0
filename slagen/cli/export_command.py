"""`slagen export`: a customer's contract targets for the help desk (Zendesk, Freshdesk) or as OpenSLO v1."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slagen.cli.common import err, load, print_warnings


def export(
    tier: Annotated[str, typer.Argument(help="Tier id, e.g. 'premium'.")],
    customer: Annotated[str, typer.Option("--customer", "-c", help="Customer short name or customer YAML file.")],
    to: Annotated[
        str,
        typer.Option(
            "--to",
            help="zendesk (schedule with holidays and SLA policy, as API requests), freshdesk (SLA policy) or "
            "openslo (OpenSLO v1 documents).",
        ),
    ],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write, or '-' for standard output (default: dist/NAME/...)."),
    ] = None,
    company_id: Annotated[
        int | None,
        typer.Option("--company-id", min=1, help="With --to freshdesk: the customer's company id in Freshdesk."),
    ] = None,
) -> None:
    """Write TIER's targets for a customer in a help desk's format, so it measures what the contract promises."""
    from slagen.build import load_strings
    from slagen.errors import UsageError
    from slagen.export import export as run_export
    from slagen.output import write_atomic

    if company_id is not None and to != "freshdesk":
        raise UsageError("--company-id goes with --to freshdesk")
    ws = load()
    exported = run_export(ws, tier, customer, to, load_strings(ws, None), company_id)
    print_warnings(ws)
    for note in exported.notes:
        err(note)
    if out is not None and str(out) == "-":
        typer.echo(exported.data.decode(), nl=False)
        return
    target = out if out is not None else Path("dist") / exported.folder / exported.name
    write_atomic(target, exported.data)
    typer.echo(str(target))
