"""The redline command: a contract's tracked changes between two versions of the workspace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from slagen.cli.common import (
    CustomerOption,
    OutOption,
    PdfVariantOption,
    TemplatesOption,
    UpdateFieldsOption,
    print_warnings,
    state,
)


def redline(
    tier: Annotated[str, typer.Argument(help="Tier id, e.g. 'premium'.")],
    customer: CustomerOption = None,
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
    out: OutOption = Path("dist"),
    formats: Annotated[
        list[str] | None, typer.Option("--format", "-f", help="docx or pdf; repeat for both (default: both).")
    ] = None,
    templates: TemplatesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the change summary as JSON.")] = False,
    update_fields: UpdateFieldsOption = False,
    pdf_variant: PdfVariantOption = None,
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
            root = find_workspace(explicit=state["workspace"]).resolve()
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
            new_root = find_workspace(explicit=new_workspace or state["workspace"]).resolve()
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
            update_fields=update_fields,
            pdf_variant=pdf_variant,
        )
    written = write_outputs(out / made.folder, made.outputs)
    print_warnings(new_ws)
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
