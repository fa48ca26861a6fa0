"""Commands about the workspace itself: validate it, write its JSON Schemas, create a new one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from slagen.cli.common import JsonOption, err, load, print_warnings


def validate(
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Check every file of the workspace and report every problem at once."""
    from slagen.errors import InputError, collect
    from slagen.validation import check_renders

    try:
        ws = load()
        collect(check_renders(ws))
    except InputError as error:
        if as_json:
            typer.echo(json.dumps({"ok": False, "errors": error.problems, "warnings": []}, indent=2))
            raise typer.Exit(1) from None
        raise
    if as_json:
        ok = not (strict and ws.warnings)
        typer.echo(json.dumps({"ok": ok, "errors": [], "warnings": ws.warnings}, indent=2))
        raise typer.Exit(0 if ok else 1)
    print_warnings(ws)
    if strict and ws.warnings:
        err(f"{len(ws.warnings)} warning(s) and --strict: failing")
        raise typer.Exit(1)
    typer.echo(
        f"ok: {len(ws.tiers)} tiers, {len(ws.clauses)} clauses, {len(ws.customers)} customers in {ws.root}"
    )


def schema(
    out: Annotated[Path, typer.Option("--out", help="Folder for the JSON Schema files.")] = Path("schema"),
) -> None:
    """Write a JSON Schema for each YAML kind (workspace, tier, clause, customer, strings) for editors."""
    from slagen.model import SCHEMA_MODELS
    from slagen.output import write_atomic
    from slagen.strings import Strings

    for kind, model in {**SCHEMA_MODELS, "strings": Strings}.items():
        path = out / f"{kind}.schema.json"
        text = json.dumps(model.model_json_schema(mode="validation"), indent=2, sort_keys=True) + "\n"
        write_atomic(path, text.encode())
        typer.echo(str(path))


def init(folder: Annotated[Path, typer.Argument(help="New workspace folder (must not hold a slagen.yaml).")]) -> None:
    """Create a new workspace from the packaged defaults."""
    import shutil

    from slagen.errors import UsageError
    from slagen.workspace import CONFIG_NAME, packaged_defaults

    if (folder / CONFIG_NAME).exists():
        raise UsageError(f"{folder / CONFIG_NAME}: already exists; choose an empty folder")
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise UsageError(f"{folder}: {parent} is a file, not a folder; choose another path")
    source = packaged_defaults()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / CONFIG_NAME, folder / CONFIG_NAME)
        for part in ("tiers", "clauses", "templates", "examples", "assets", "schema"):
            if (source / part).is_dir():
                shutil.copytree(source / part, folder / part, dirs_exist_ok=True)
    except OSError as error:
        raise UsageError(f"{folder}: cannot create the workspace: {error.strerror or error}") from error
    typer.echo(f"created workspace in {folder}; next: cd {folder} && slagen validate")
