"""The typer app and its global options; the commands register in slagen/cli/__init__.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from slagen import __version__
from slagen.cli.common import state

app = typer.Typer(
    name="slagen",
    help="Turn support tiers, a clause library and customers (YAML) into SLA contracts (DOCX and PDF).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain Click help: rich's help renderer alone costs ~90 ms of imports, and `--help` should be instant.
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"slagen {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    workspace: Annotated[
        Path | None, typer.Option("--workspace", "-w", help="Workspace folder (default: nearest slagen.yaml upward).")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    state["debug"] = debug
    state["workspace"] = workspace


def main() -> None:
    app(prog_name="slagen")
