"""The typer app: parse options, call the core, print with rich, map errors to exit codes."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

if TYPE_CHECKING:
    from slagen.workspace import Workspace

from slagen import __version__

app = typer.Typer(
    name="slagen",
    help="Turn support tiers, a clause library and customers (YAML) into SLA contracts (DOCX and PDF).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Plain Click help: rich's help renderer alone costs ~90 ms of imports, and `--help` should be instant.
    rich_markup_mode=None,
)

_state: dict[str, Any] = {"debug": False, "workspace": None}
F = TypeVar("F", bound=Callable[..., Any])


def _err(text: str) -> None:
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(text, markup=False)


def handles_errors(command: F) -> F:
    """Only here are errors caught: a SlagenError prints its lines and exits 1 (2 for usage).

    Ctrl-C and SIGTERM end the command cleanly too: temporary files are removed on the way out,
    earlier outputs stay as they were, and the exit code is 128 + the signal number (130, 143).
    """

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        import signal
        import threading

        from slagen.errors import Interrupted, SlagenError, UsageError

        def terminate(signum: int, _frame: Any) -> None:
            raise Interrupted(signum)

        in_main = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGTERM, terminate) if in_main else None
        try:
            return command(*args, **kwargs)
        except SlagenError as error:
            if _state["debug"]:
                import traceback

                traceback.print_exc()
            for problem in error.problems:
                _err(problem)
            raise typer.Exit(2 if isinstance(error, UsageError) else 1) from None
        except KeyboardInterrupt as interrupt:
            if _state["debug"]:
                import traceback

                traceback.print_exc()
            signum = interrupt.signum if isinstance(interrupt, Interrupted) else signal.SIGINT
            _err(f"interrupted by {signal.Signals(signum).name}; no output was left half-written")
            raise typer.Exit(128 + signum) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)

    return wrapper  # type: ignore[return-value]


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
    _state["debug"] = debug
    _state["workspace"] = workspace


def _load() -> Workspace:
    from slagen.workspace import find_workspace, load_workspace

    return load_workspace(find_workspace(explicit=_state["workspace"]))


def _print_warnings(ws: Workspace) -> None:
    for warning in ws.warnings:
        _err(warning)


@app.command()
@handles_errors
def validate(
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check every file of the workspace and report every problem at once."""
    from slagen.errors import InputError, collect
    from slagen.validation import check_renders

    try:
        ws = _load()
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
    _print_warnings(ws)
    if strict and ws.warnings:
        _err(f"{len(ws.warnings)} warning(s) and --strict: failing")
        raise typer.Exit(1)
    typer.echo(
        f"ok: {len(ws.tiers)} tiers, {len(ws.clauses)} clauses, {len(ws.customers)} customers in {ws.root}"
    )


@app.command()
@handles_errors
def tiers() -> None:
    """Show the tiers side by side."""
    from rich.console import Console
    from rich.table import Table

    from slagen.build import load_strings
    from slagen.context import build_context

    ws = _load()
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


@app.command()
@handles_errors
def schema(
    out: Annotated[Path, typer.Option("--out", help="Folder for the JSON Schema files.")] = Path("schema"),
) -> None:
    """Write a JSON Schema for each YAML kind (workspace, tier, clause, customer) for editors."""
    from slagen.model import SCHEMA_MODELS
    from slagen.output import write_atomic

    for kind, model in SCHEMA_MODELS.items():
        path = out / f"{kind}.schema.json"
        text = json.dumps(model.model_json_schema(mode="validation"), indent=2, sort_keys=True) + "\n"
        write_atomic(path, text.encode())
        typer.echo(str(path))


@app.command()
@handles_errors
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


@app.command()
@handles_errors
def build(
    tier: Annotated[str | None, typer.Argument(help="Tier id, e.g. 'premium' (omit with --all).")] = None,
    customer: Annotated[
        str | None, typer.Option("--customer", "-c", help="Customer short name, or a path to a customer YAML file.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output root; files go to OUT/<customer>/.")] = Path("dist"),
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="docx, pdf or summary; repeat for several (default: all)."),
    ] = None,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Folder whose templates override the workspace's.")
    ] = None,
    pdf_variant: Annotated[
        str | None, typer.Option("--pdf-variant", help="Archival PDF variant, e.g. 'pdf/a-3b'.")
    ] = None,
    build_all: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Build the whole workspace: each customer's contract (DOCX, PDF) and summary for every tier it "
            "lists, each tier's blank template and summary, and the comparison page. Incremental: only documents "
            "whose inputs changed are rebuilt (see --force, --check).",
        ),
    ] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: cores).")] = None,
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Build the SLA contract of TIER for a customer (or the blank template), or with --all the whole workspace."""
    from slagen.errors import UsageError

    if build_all:
        if tier or customer or formats or pdf_variant:
            raise UsageError("--all builds everything; drop TIER, --customer, --format and --pdf-variant")
        _build_everything(out, templates, jobs, force, check, shard, as_json, redline_from)
        return
    if tier is None:
        raise UsageError("name a TIER (e.g. 'slagen build premium --customer acme') or use --all")
    if check or force or shard or jobs or redline_from:
        raise UsageError("--check, --force, --shard, --jobs and --redline-from go with --all")
    from slagen.build import FORMATS
    from slagen.build import build as run_build

    ws = _load()
    chosen = tuple(formats) if formats else FORMATS
    written = run_build(ws, tier, customer, out, chosen, templates, pdf_variant)
    if as_json:
        typer.echo(json.dumps({"ok": True, "built": [str(path) for path in written], "warnings": ws.warnings}))
        return
    _print_warnings(ws)
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
    import os

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
        lines = done.failure_lines(debug=_state["debug"]) if done.errors else []
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
        ws = _load()
        result: BatchResult = build_all(
            ws, out, jobs=jobs or os.cpu_count() or 1, force=force, check=check, shard=slice_,
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
        _err(line)
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


@app.command()
@handles_errors
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
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
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
    ws = _load()
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


@app.command()
@handles_errors
def compare(
    customer: Annotated[
        str | None, typer.Option("--customer", "-c", help="Customer short name, or a path to a customer YAML file.")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Output root; a customer's file goes to OUT/<customer>/.")
    ] = Path("dist"),
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Folder whose templates override the workspace's.")
    ] = None,
) -> None:
    """All tiers side by side on one page (PDF), in a customer's currency and locale if given."""
    from slagen.build import build_compare

    ws = _load()
    written = build_compare(ws, customer, out, templates)
    _print_warnings(ws)
    for path in written:
        typer.echo(str(path))


@app.command()
@handles_errors
def redline(
    tier: Annotated[str, typer.Argument(help="Tier id, e.g. 'premium'.")],
    customer: Annotated[
        str | None, typer.Option("--customer", "-c", help="Customer short name, or a path to a customer YAML file.")
    ] = None,
    from_rev: Annotated[
        str | None,
        typer.Option("--from", help="Older version: a git revision of the workspace (HEAD~1, a tag, a commit)."),
    ] = None,
    to_rev: Annotated[
        str | None, typer.Option("--to", help="Newer git revision (default: the workspace as it is now).")
    ] = None,
    old_workspace: Annotated[
        Path | None, typer.Option("--old-workspace", help="Older version: a workspace folder (instead of --from).")
    ] = None,
    new_workspace: Annotated[
        Path | None,
        typer.Option("--new-workspace", help="Newer workspace folder with --old-workspace (default: this workspace)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output root; files go to OUT/<customer>/.")] = Path("dist"),
    formats: Annotated[
        list[str] | None, typer.Option("--format", "-f", help="docx or pdf; repeat for both (default: both).")
    ] = None,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Folder whose templates override the workspace's.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the change summary as JSON.")] = False,
) -> None:
    """Redline TIER's contract between two versions: Word tracked changes and a marked-up PDF.

    Against a git revision of the workspace (and now, or --to REV):
    slagen redline premium -c acme --from HEAD~1

    Against another workspace folder (and this one, or --new-workspace NEW):
    slagen redline premium -c acme --old-workspace ../contracts-2024

    Writes OUT/acme/acme-premium-redline-LABEL.docx and .pdf (LABEL: the revision, or the old folder's
    name) and prints which clauses were added, removed, moved or changed.
    """
    from contextlib import ExitStack

    from slagen.errors import UsageError
    from slagen.output import write_outputs
    from slagen.redline import build_redline
    from slagen.versions import commit_date, load_version, working_tree_date, workspace_at
    from slagen.workspace import find_workspace, load_workspace

    if (from_rev is None) == (old_workspace is None):
        raise UsageError("redline: give the older version with either --from REV or --old-workspace DIR")
    if to_rev is not None and from_rev is None:
        raise UsageError("redline: --to REV goes with --from REV")
    if new_workspace is not None and old_workspace is None:
        raise UsageError("redline: --new-workspace DIR goes with --old-workspace DIR")
    chosen = tuple(formats) if formats else ("docx", "pdf")
    unknown = [kind for kind in chosen if kind not in ("docx", "pdf")]
    if unknown:
        raise UsageError(f"unknown format {unknown[0]!r}; choose from docx, pdf")
    with ExitStack() as stack:
        if from_rev is not None:
            root = find_workspace(explicit=_state["workspace"]).resolve()
            old_root = stack.enter_context(workspace_at(root, from_rev, "--from"))
            if to_rev is not None:
                new_ws = load_version(stack.enter_context(workspace_at(root, to_rev, "--to")), to_rev)
                date: str | None = commit_date(root, to_rev, "--to")
                label, newer = f"{from_rev}-{to_rev}", to_rev
            else:
                new_ws = load_workspace(root)
                date = working_tree_date(root, fallback="")
                label, newer = from_rev, "working tree"
            old_ws = load_version(old_root, from_rev)
            older = from_rev
        else:
            assert old_workspace is not None
            new_root = find_workspace(explicit=new_workspace or _state["workspace"]).resolve()
            old_ws = load_version(find_workspace(explicit=old_workspace), str(old_workspace))
            new_ws = load_workspace(new_root)
            date = working_tree_date(new_root, fallback="")
            label, older, newer = old_workspace.resolve().name, str(old_workspace), str(new_root)
        made = build_redline(
            old_ws,
            new_ws,
            tier,
            customer,
            label=older,
            file_label=label,
            date=date or None,
            formats=chosen,
            templates=templates,
        )
    written = write_outputs(out / made.folder, made.outputs)
    _print_warnings(new_ws)
    changes = made.result.changes
    if as_json:
        summary = {
            "tier": tier,
            "customer": customer,
            "from": older,
            "to": newer,
            "changes": [change.as_dict() for change in changes],
            "files": [str(path) for path in written],
        }
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(f"{older} -> {newer}: {f'{len(changes)} clause(s) changed' if changes else 'no changes'}")
    for change in changes:
        number = change.new_number or change.old_number or "-"
        counts = f" (+{change.insertions} -{change.deletions})" if change.insertions or change.deletions else ""
        moved = f" (was {change.old_number})" if change.change.startswith("moved") else ""
        kind = change.change.replace("-", " and ")
        typer.echo(f"  {kind:<18} {number:>4}  {change.title} [{change.clause_id}]{moved}{counts}")
    for path in written:
        typer.echo(str(path))


def main() -> None:
    app(prog_name="slagen")


if __name__ == "__main__":
    sys.exit(main())
