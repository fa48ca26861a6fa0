"""Redlines of a contract between two versions: build both, diff the trees, write tracked changes and a PDF.

Orchestration: it builds documents (slagen.build) from workspaces that slagen.versions provides, and
hands the marked tree of slagen.diff to the writers. Nothing below it knows about redlines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from slagen.bilingual import redline_second_text
from slagen.build import build_document, load_strings, plan_outputs
from slagen.diff import ClauseSummary, RedlineResult, redline_documents, summarise
from slagen.errors import SlagenError
from slagen.output import write_outputs
from slagen.render.html import inlines_data, render_html
from slagen.sources import Job, allowed_roots, source_stamp
from slagen.templating import page_environment, template_loader
from slagen.versions import label_for_file, load_version, working_tree_date, workspace_at
from slagen.workspace import Workspace, resolve_customer

AUTHOR = "slagen"


def render_redline_docx(
    result: RedlineResult, *, date: str, author: str = AUTHOR, update_fields: bool = False
) -> bytes:
    """The newer contract as a Word file in which every change is a native tracked change."""
    from slagen.render.docx import render_docx  # heavy (python-docx): loaded on demand

    return render_docx(result.document, revisions={"author": author, "date": date}, update_fields=update_fields)


def render_redline_pdf(
    result: RedlineResult,
    ws: Workspace,
    templates: Path | None = None,
    *,
    label: str,
    date: str,
    variant: str | None = None,
) -> bytes:
    """The same changes as a PDF: insertions underlined in blue, deletions struck through in red."""
    from slagen.render.pdf import render_pdf  # heavy (WeasyPrint): loaded on demand

    environment = page_environment(
        template_loader(ws.template_dirs(templates), ws.defaults_root / "templates"), ws.config.model.limits
    )
    html = render_html(result.document, environment, redline=redline_page_data(result, label, date))
    return render_pdf(
        html, base_dir=ws.root, allowed_roots=allowed_roots(ws, templates), document=result.document, variant=variant
    )


def redline_page_data(result: RedlineResult, label: str, date: str) -> dict[str, Any]:
    """What the page template gets as `redline`: the older version's label, the date and the title page marks."""
    return {
        "old": label,
        "date": date[:10],
        "title": inlines_data(result.title),
        "subtitle": inlines_data(result.subtitle),
        "changes": [change.as_dict() for change in result.changes],
    }


@dataclass
class Redline:
    """A redline ready to write: the comparison, where it goes and the file contents."""

    result: RedlineResult
    folder: str
    outputs: dict[str, bytes]


def build_redline(
    old_ws: Workspace,
    new_ws: Workspace,
    tier_id: str,
    customer: str | None,
    *,
    label: str,
    date: str | None,
    file_label: str | None = None,
    formats: tuple[str, ...] = ("docx", "pdf"),
    templates: Path | None = None,
    pdf_variant: str | None = None,
    update_fields: bool = False,
) -> Redline:
    """Build the contract of `tier_id` (for `customer`, or blank) in both workspaces and redline them.

    `label` names the older version (a revision or a folder) in messages and the PDF, `file_label`
    (default: `label`) in the file names; `date` is the w:date of every change (None: the newer
    document's own creation time).
    """
    new_job = Job(new_ws.tier(tier_id), resolve_customer(new_ws, customer) if customer is not None else None)
    try:
        old_job = Job(old_ws.tier(tier_id), resolve_customer(old_ws, customer) if customer is not None else None)
    except SlagenError as error:
        problems = [f"{label}: {problem}" for problem in error.problems]
        raise type(error)(problems[0], problems=problems) from error
    old_document, _ = build_document(old_ws, old_job, load_strings(old_ws, templates))
    new_document, _ = build_document(new_ws, new_job, load_strings(new_ws, templates))
    result = redline_documents(old_document, new_document)
    redline_second_text(old_document, new_document, result.document)
    when = date or new_document.created
    stem = new_job.file_name(f"redline-{label_for_file(file_label or label)}")
    outputs: dict[str, bytes] = {}
    if "docx" in formats:
        outputs[f"{stem}.docx"] = render_redline_docx(result, date=when, update_fields=update_fields)
    if "pdf" in formats:
        outputs[f"{stem}.pdf"] = render_redline_pdf(
            result, new_ws, templates, label=label, date=when, variant=pdf_variant
        )
    return Redline(result, new_job.folder, outputs)


@dataclass
class RedlineBatch:
    """Redlines of every affected contract against a base revision, and which clauses changed for whom."""

    written: list[str] = field(default_factory=list)
    summary: list[ClauseSummary] = field(default_factory=list)
    failed: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "clauses": [
                {"clause": item.clause_id, "title": item.title, "changes": item.changes, "documents": item.customers}
                for item in self.summary
            ],
            "failed": [{"document": key, "errors": errors} for key, errors in self.failed.items()],
        }


def build_redlines(
    ws: Workspace, out: Path, revision: str, *, shard: tuple[int, int] | None = None, templates: Path | None = None
) -> RedlineBatch:
    """For `build --all --redline-from REV`: a tracked-changes DOCX for every contract that differs from REV."""
    result = RedlineBatch()
    contracts = sorted({(output.tier, output.customer) for output in plan_outputs(ws, templates)
                        if output.kind == "docx"}, key=lambda pair: (pair[1] or "", pair[0] or ""))
    if shard is not None:
        index, count = shard
        contracts = [pair for position, pair in enumerate(contracts) if position % count == index - 1]
    changed: dict[str, RedlineResult] = {}
    with workspace_at(ws.root, revision) as old_root:
        old_ws = load_version(old_root, revision)
        date = working_tree_date(ws.root, fallback=source_stamp(None))
        for tier_id, customer in contracts:
            key = f"{customer or 'templates'}/{tier_id}"
            if tier_id not in old_ws.tiers or (customer and customer not in old_ws.customers):
                continue  # new at this revision: there is nothing to compare with
            try:
                redline = build_redline(old_ws, ws, str(tier_id), customer, label=revision, date=date,
                                        formats=("docx",), templates=templates)
            except SlagenError as error:
                result.failed[key] = list(error.problems)
                continue
            if not redline.result.changed:
                continue
            changed[key] = redline.result
            for path in write_outputs(out / redline.folder, redline.outputs):
                result.written.append(path.relative_to(out).as_posix())
    result.summary = summarise(changed)
    return result


__all__ = [
    "Redline",
    "RedlineBatch",
    "build_redline",
    "build_redlines",
    "redline_page_data",
    "render_redline_docx",
    "render_redline_pdf",
]
