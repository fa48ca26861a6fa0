"""Redlines built in process from the shipped workspace, shared by the tests that read them (built once)."""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slagen.diff import RedlineResult
    from slagen.document import Document

DATE = "2025-02-03T11:00:00Z"
REMOVED = "onboarding"  # clause 4 of Premium: every later clause moves up by one
MOVED = "named-engineer"  # clause 9 of Premium, moved to after the general terms


@functools.cache
def shipped(tier: str, customer: str | None) -> Document:
    from slagen.build import Job, build_document, load_strings, resolve_customer
    from slagen.workspace import load_workspace
    from tests.conftest import REPO

    ws = load_workspace(REPO)
    job = Job(ws.tier(tier), resolve_customer(ws, customer) if customer else None)
    return build_document(ws, job, load_strings(ws, None))[0]


@functools.cache
def removed_and_moved() -> tuple[Document, Document, RedlineResult]:
    """Premium for acme, then the same contract without the onboarding clause, with the named-engineer
    clause moved near the end and some words changed: numbers and cross-references of the newer one are
    renumbered by build_blocks."""
    from slagen.build import Job, load_strings, render_clauses, resolve_customer
    from slagen.context import build_context
    from slagen.diff import redline_documents
    from slagen.markup import build_blocks
    from slagen.templating import clause_environment
    from slagen.workspace import load_workspace, terms_for
    from tests.conftest import REPO

    ws = load_workspace(REPO)
    job = Job(ws.tier("premium"), resolve_customer(ws, "acme"))
    tier = terms_for(job.tier.model, job.customer)
    context = build_context(ws.config.model, tier, job.customer.model if job.customer else None,
                            load_strings(ws, None))
    texts = render_clauses(ws, tier, context, clause_environment())
    old = shipped("premium", "acme")
    moved = next(text for text in texts if text.clause_id == MOVED)
    kept = [text for text in texts if text.clause_id not in (REMOVED, MOVED)]
    kept = [replace(text, markdown=text.markdown.replace(" shall ", " must ").replace(" will ", " shall "))
            for text in kept]
    at = [text.clause_id for text in kept].index("general-terms") + 1
    new = replace(old, blocks=build_blocks([*kept[:at], moved, *kept[at:]]))
    return old, new, redline_documents(old, new)


@functools.cache
def redline_docx(update_fields: bool = False) -> bytes:
    from slagen.redline import render_redline_docx

    return render_redline_docx(removed_and_moved()[2], date=DATE, update_fields=update_fields)
