"""Commands that build documents: one contract (or the whole workspace with --all) and the comparison page."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from slagen.cli.common import (
    CustomerOption,
    JsonOption,
    OutOption,
    PdfVariantOption,
    TemplatesOption,
    UpdateFieldsOption,
    err,
    load,
    print_warnings,
    state,
)


def build(
    tier: Annotated[str | None, typer.Argument(help="Tier id, e.g. 'premium' (omit with --all).")] = None,
    customer: CustomerOption = None,
    out: OutOption = Path("dist"),
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="docx, pdf or summary; repeat for several (default: all)."),
    ] = None,
    templates: TemplatesOption = None,
    pdf_variant: PdfVariantOption = None,
    build_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Build the whole workspace: each customer's contract (DOCX, PDF) and summary for every tier it "
            "lists, each tier's blank template and summary, and the comparison page. Incremental: only documents "
            "whose inputs changed are rebuilt (see --force, --check).",
        ),
    ] = False,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default and most: the usable cores, as many as "
                     "the available memory holds)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild even what is up to date.")] = False,
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 listing stale or missing documents.")
    ] = False,
    shard: Annotated[
        str | None, typer.Option("--shard", help="Build the K-th of N deterministic slices, e.g. 1/4.")
    ] = None,
    redline_from: Annotated[
        str | None,
        typer.Option("--redline-from", help="With --all: a tracked-changes DOCX of each contract changed since REV."),
    ] = None,
    as_json: JsonOption = False,
    update_fields: UpdateFieldsOption = False,
) -> None:
    """Build the SLA contract of TIER for a customer (or the blank template), or with --all the whole workspace."""
    from slagen.errors import UsageError

    if build_all:
        if tier or customer or formats or pdf_variant or update_fields:
            raise UsageError(
                "--all builds everything; drop TIER, --customer, --format, --pdf-variant and --update-fields-on-open"
            )
        _build_everything(out, templates, jobs, force, check, shard, as_json, redline_from)
        return
    if tier is None:
        raise UsageError("name a TIER (e.g. 'slagen build premium --customer acme') or use --all")
    if check or force or shard or jobs or redline_from:
        raise UsageError("--check, --force, --shard, --jobs and --redline-from go with --all")
    helpers = None
    if not formats or {"pdf", "summary"} & set(formats):
        from slagen.prefork import start_helpers

        helpers = start_helpers()  # they import WeasyPrint while this process loads the workspace
    try:
        from slagen.build import FORMATS
        from slagen.build import build as run_build

        ws = load()
        chosen = tuple(formats) if formats else FORMATS
        written = run_build(ws, tier, customer, out, chosen, templates, pdf_variant, update_fields=update_fields,
                            helpers=helpers)
    finally:
        if helpers is not None:
            helpers.close()
    if as_json:
        typer.echo(json.dumps({"ok": True, "built": [str(path) for path in written], "warnings": ws.warnings}))
        return
    print_warnings(ws)
    for path in written:
        typer.echo(str(path))


def _build_everything(
    out: Path,
    templates: Path | None,
    jobs: int | None,
    force: bool,
    check: bool,
    shard: str | None,
    as_json: bool,
    redline_from: str | None,
) -> None:
    """`build --all`: a progress bar on a terminal, one plain line per document otherwise."""
    from slagen.workers import cap_workers

    workers = cap_workers(jobs)
    if workers.note:
        err(workers.note)
    if not (force or check or shard or templates or redline_from):
        # Nothing changed since a whole build? Answered without loading the workspace (slagen.fastcheck).
        from slagen.fastcheck import noop_report
        from slagen.files import find_workspace

        report = noop_report(find_workspace(explicit=state["workspace"]), out, as_json=as_json)
        if report is not None:
            typer.echo(report, nl=False)
            return

    from slagen.batch import BatchResult, Task, TaskResult, build_all
    from slagen.errors import SlagenError
    from slagen.incremental import parse_shard

    slice_ = parse_shard(shard) if shard else None
    interactive = sys.stdout.isatty() and not as_json
    progress: Any = None
    bar: Any = None

    def on_plan(tasks: list[Task]) -> None:
        nonlocal progress, bar
        if interactive and tasks:
            from rich.progress import Progress

            progress = Progress(transient=True)
            progress.start()
            bar = progress.add_task("building", total=len(tasks))

    def on_result(done: TaskResult) -> None:
        lines = done.failure_lines(debug=state["debug"]) if done.errors else []
        if not done.errors and not as_json:
            for output in done.task.outputs:
                why = "; ".join(done.task.reasons[output.path])
                lines.append(f"built {output.path} ({why})")
        for line in lines:
            (progress.console.print(line, markup=False, highlight=False) if progress else
             typer.echo(line, err=bool(done.errors)))
        if progress is not None:
            progress.advance(bar)

    try:
        ws = load()
        result: BatchResult = build_all(
            ws, out, jobs=workers.count, force=force, check=check, shard=slice_,
            templates=templates, on_result=on_result, on_plan=on_plan,
        )
    except SlagenError as error:
        if as_json:  # a JSON reader gets its object whatever happened
            typer.echo(json.dumps({"ok": False, "built": [], "errors": error.problems}, indent=2))
        raise
    finally:
        if progress is not None:
            progress.stop()
    for line in result.notes + result.errors:
        err(line)
    redlines = None
    if redline_from and not check:
        from slagen.redline import build_redlines

        redlines = build_redlines(ws, out, redline_from, shard=slice_, templates=templates)
    if as_json:
        report = result.to_json()
        if redlines is not None:
            report["redlines"] = redlines.to_json()
            report["ok"] = report["ok"] and not redlines.failed
        typer.echo(json.dumps(report, indent=2))
    else:
        for line in result.check_lines() if check else result.summary_lines():
            typer.echo(line)
    if redlines is not None and not as_json:
        for path in redlines.written:
            typer.echo(f"redline {path}")
        for item in redlines.summary:
            kinds = ", ".join(f"{kind} for {len(keys)}" for kind, keys in item.changes.items())
            typer.echo(f"clause {item.title} [{item.clause_id}]: {kinds} document(s) since {redline_from}")
        for key, errors in redlines.failed.items():
            for line in [f"failed redline {key}:", *(f"  {problem}" for problem in errors)]:
                typer.echo(line, err=True)
    if not result.ok or (redlines is not None and redlines.failed):
        raise typer.Exit(1)


def compare(
    customer: CustomerOption = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output root; a customer's file goes to OUT/<customer>/.")
    ] = Path("dist"),
    templates: TemplatesOption = None,
) -> None:
    """All tiers side by side on one page (PDF), in a customer's currency and locale if given."""
    from slagen.build import build_compare

    ws = load()
    written = build_compare(ws, customer, out, templates)
    print_warnings(ws)
    for path in written:
        typer.echo(str(path))
