"""`slagen serve`: live previews in the browser while the workspace is edited."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from slagen.cli.common import TemplatesOption, err, state

if TYPE_CHECKING:
    from slagen.serve.server import PreviewServer
    from slagen.serve.state import LiveState


def serve(
    port: Annotated[int, typer.Option("--port", "-p", min=0, max=65535, help="Port to listen on (0: any free one).")]
    = 8000,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; anything but 127.0.0.1/localhost is open to others.")
    ] = "127.0.0.1",
    workspace: Annotated[
        Path | None, typer.Option("--workspace", "-w", help="Workspace folder (default: nearest slagen.yaml upward).")
    ] = None,
    templates: TemplatesOption = None,
    tickets: Annotated[
        list[str] | None,
        typer.Option("--tickets", help="NAME=FILE: a customer's ticket export (as `measure` reads it), for its "
                     "scorecards; repeat for more customers."),
    ] = None,
) -> None:
    """Preview contracts, summaries and the comparison in the browser; pages reload after each save."""
    from slagen.errors import UsageError
    from slagen.files import template_folder
    from slagen.serve import serve_workspace
    from slagen.serve.server import is_loopback
    from slagen.workspace import find_workspace

    root = find_workspace(explicit=workspace or state["workspace"])
    template_folder(templates)  # a typo is a usage error now, not a problem on every page
    exports: dict[str, Path] = {}
    for entry in tickets or []:
        name, _, file = entry.partition("=")
        if not name.strip() or not file.strip():
            raise UsageError(f"--tickets {entry}: use NAME=FILE, e.g. --tickets acme=tickets/acme.csv")
        if not Path(file).is_file():
            raise UsageError(f"--tickets {entry}: no such file")
        exports[name.strip()] = Path(file)

    def announce(server: PreviewServer, live: LiveState) -> None:
        if not is_loopback(host):
            err(f"warning: --host {host}: anyone who can reach this machine on port {server.server_address[1]} can "
                "read these contracts and prices; use the default 127.0.0.1 unless you mean to share them")
        for problem in live.problems:
            err(problem)
        if live.problems:
            err("the workspace has problems: the pages show them until they are fixed")
        typer.echo(f"serving {live.root} at {server.url} (Ctrl-C to stop)")

    try:
        serve_workspace(root, host, port, templates, tickets=exports, announce=announce)
    except KeyboardInterrupt:
        typer.echo("stopped")
