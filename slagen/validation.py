"""`slagen validate`'s render check: every clause of every tier, blank and for each customer, renders."""

from __future__ import annotations

from typing import Any

from slagen.build import build_document, load_strings
from slagen.document import Document
from slagen.errors import InputError, TemplateError
from slagen.sources import Job
from slagen.summary import render_summary
from slagen.templating import page_environment, template_loader
from slagen.workspace import Workspace


def check_page_templates(
    ws: Workspace, job: Job, strings: dict[str, Any], document: Document, context: dict[str, Any]
) -> None:
    """The contract and summary page templates render (HTML only, no layout): once per tier is enough,
    as customers change values, not the names a template uses."""
    from slagen.render.html import render_html

    environment = page_environment(
        template_loader(ws.template_dirs(None), ws.defaults_root / "templates"), ws.config.model.limits
    )
    render_html(document, environment)
    render_summary(ws, job, strings, context, pdf=False)


def check_renders(ws: Workspace) -> list[str]:
    """Render every clause for every tier, blank and for each customer: catches placeholders no data provides."""
    problems: list[str] = []
    try:
        strings = load_strings(ws, None)
    except InputError as error:
        return error.problems
    for tier in ws.tiers.values():
        customers = [customer for customer in ws.customers.values() if tier.model.id in customer.model.tiers]
        for customer in [None, *customers]:
            try:
                job = Job(tier, customer)
                document, context = build_document(ws, job, strings)
                if customer is None:
                    check_page_templates(ws, job, strings, document, context)
            except (TemplateError, InputError) as error:
                for problem in error.problems:
                    if problem not in problems:
                        problems.append(problem)
    return problems


