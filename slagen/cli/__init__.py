"""The command line: the typer app, its commands in the order `slagen --help` lists them, and the entry point.

Every command imports what it needs inside its body, so `slagen --help` loads none of the heavy libraries.
"""

from __future__ import annotations

from slagen.cli.app import app, main
from slagen.cli.build_commands import build, compare
from slagen.cli.common import handles_errors
from slagen.cli.export_command import export
from slagen.cli.measure_command import measure
from slagen.cli.redline_command import redline
from slagen.cli.serve_command import serve
from slagen.cli.tier_commands import credits, tiers
from slagen.cli.workspace_commands import init, schema, validate

for _command in (validate, tiers, schema, init, build, credits, measure, export, compare, redline, serve):
    app.command()(handles_errors(_command))

__all__ = ["app", "main"]
