"""Redlines of a contract between two versions: build both, diff the trees, write tracked changes and a PDF.

Orchestration: it builds documents (slagen.build) from workspaces that slagen.versions provides, and
hands the marked tree of slagen.diff to the writers. Nothing below it knows about redlines.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slagen.build import Job, allowed_roots, build_document, load_strings, resolve_customer
from slagen.diff import RedlineResult, redline_documents
from slagen.errors import SlagenError
from slagen.render.html import inlines_data, render_html
from slagen.templating import page_environment, template_loader
from slagen.versions import label_for_file
from slagen.workspace import Workspace

AUTHOR = "slagen"


def render_redline_docx(result: RedlineResult, *, date: str, author: str = AUTHOR) -> bytes:
    """The newer contract as a Word file in which every change is a native tracked change."""
    from slagen.render.docx import render_docx  # heavy (python-docx): loaded on demand

    return render_docx(result.document, revisions={"author": author, "date": date})


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
    when = date or new_document.created
    stem = new_job.file_name(f"redline-{label_for_file(file_label or label)}")
    outputs: dict[str, bytes] = {}
    if "docx" in formats:
        outputs[f"{stem}.docx"] = render_redline_docx(result, date=when)
    if "pdf" in formats:
        outputs[f"{stem}.pdf"] = render_redline_pdf(
            result, new_ws, templates, label=label, date=when, variant=pdf_variant
        )
    return Redline(result, new_job.folder, outputs)


__all__ = ["Redline", "build_redline", "redline_page_data", "render_redline_docx", "render_redline_pdf"]
