"""What `slagen serve` shows: the pages (a tier's contract or summary, for a customer or blank, and the
comparison), the input files each is made from, their preview HTML and their real PDF and Word files."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2.sandbox import SandboxedEnvironment

from slagen.build import build_document, contract_html, load_strings, plan_outputs, render_job
from slagen.comparison import compare_page, render_compare
from slagen.errors import UsageError
from slagen.files import shown
from slagen.incremental import template_files
from slagen.languages import contract_languages
from slagen.markup import MarkupCache
from slagen.measure import engine
from slagen.measure.report import MeasureReport
from slagen.model import Customer
from slagen.page_data import page_template_environment
from slagen.rendercache import CachingSandbox
from slagen.scorecard import render_scorecard, scorecard_page
from slagen.sources import Job
from slagen.summary import summary_page
from slagen.templating import clause_environment
from slagen.workspace import Sourced, Workspace

KINDS = ("contract", "summary", "compare", "scorecard")
# What each page can be downloaded as: the files `slagen build`, `compare` and `measure` write.
DOWNLOADS = {"contract": ("pdf", "docx"), "summary": ("pdf",), "compare": ("pdf",), "scorecard": ("pdf",)}
# build --all's name for the output a page previews.
_PLAN_KIND = {"contract": "pdf", "summary": "summary", "compare": "compare"}


@dataclass(frozen=True, order=True)
class Page:
    """One previewable page: `kind` is contract, summary or compare; `tier` is None for the comparison,
    `customer` None for the blank template."""

    kind: str
    tier: str | None
    customer: str | None

    @property
    def path(self) -> str:
        return f"/{self.kind}/{self.tier}" if self.tier else f"/{self.kind}"

    def url(self, suffix: str = "") -> str:
        """The page's address (`suffix` ".pdf" or ".docx" for its files), e.g. /contract/premium?customer=acme."""
        query = f"?customer={quote(self.customer, safe='')}" if self.customer else ""
        return f"{self.path}{suffix}{query}"

    @property
    def key(self) -> str:
        """How the live script names the page it shows."""
        return self.url()


def page_from(path: str, customer: str | None) -> tuple[Page, str] | None:
    """The page (and the file suffix: "", ".pdf" or ".docx") a request path names; None if it names none."""
    parts = path.strip("/").split("/")
    suffix = ""
    last = parts[-1]
    for candidate in (".pdf", ".docx"):
        if last.endswith(candidate):
            suffix, parts[-1] = candidate, last.removesuffix(candidate)
    if parts == ["compare"]:
        page = Page("compare", None, customer or None)
    elif len(parts) == 2 and parts[0] in ("contract", "summary", "scorecard") and parts[1]:
        page = Page(parts[0], parts[1], customer or None)
    else:
        return None
    if suffix and suffix.removeprefix(".") not in DOWNLOADS[page.kind]:
        return None
    return page, suffix


def index_data(ws: Workspace | None, root: Path, tickets: dict[str, Path] | None = None) -> dict[str, Any]:
    """What the start page lists, as `build --all` plans it: for each tier (by level) its blank template and the
    customers who list it, each with a contract and a summary; then the comparison, blank and per customer; then
    a scorecard for each tier of each customer whose ticket export `--tickets` names."""
    data: dict[str, Any] = {"root": str(root), "provider": None, "tiers": [], "compare": [], "warnings": [],
                            "scorecards": [], "tickets": bool(tickets)}
    if ws is None:
        return data
    planned = {(output.tier, output.customer) for output in plan_outputs(ws) if output.kind == "pdf"}
    customers = [None, *sorted(ws.customers)]
    for tier in sorted(ws.tiers.values(), key=lambda item: (item.model.level, item.model.id)):
        rows = [
            {"customer": name, "legal_name": ws.customers[name].model.legal_name if name else None,
             "contract": Page("contract", tier.model.id, name), "summary": Page("summary", tier.model.id, name)}
            for name in customers if (tier.model.id, name) in planned
        ]
        data["tiers"].append({"id": tier.model.id, "name": tier.model.name, "rows": rows})
    data["compare"] = [
        {"customer": name, "legal_name": ws.customers[name].model.legal_name if name else None,
         "page": Page("compare", None, name)}
        for name in customers
    ]
    data["scorecards"] = [
        {"customer": name, "legal_name": ws.customers[name].model.legal_name, "file": shown(path),
         "page": Page("scorecard", tier, name)}
        for name, path in sorted((tickets or {}).items()) if name in ws.customers
        for tier in ws.customers[name].model.tiers
    ]
    data["provider"] = ws.config.model.provider.legal_name
    data["warnings"] = list(ws.warnings) + [
        f"--tickets {name}={shown(path)}: the workspace has no customer {name!r}"
        for name, path in sorted((tickets or {}).items()) if name not in ws.customers
    ]
    return data


def page_inputs(ws: Workspace, tickets: dict[str, Path] | None = None) -> dict[Page, frozenset[Path]]:
    """The files each page of the plan is made from (absolute), as `build --all` tracks them for its outputs; a
    scorecard is made from what its summary is made from, and the ticket export."""
    found: dict[Page, frozenset[Path]] = {}
    compare: frozenset[Path] = frozenset()
    for output in plan_outputs(ws):
        kind = next((name for name, plan in _PLAN_KIND.items() if plan == output.kind), None)
        if kind is None:
            continue
        inputs = frozenset(absolute(path) for path in output.inputs)
        found[Page(kind, output.tier, output.customer)] = inputs
        if kind == "compare":
            compare = inputs
    for name, customer in ws.customers.items():
        found[Page("compare", None, name)] = compare | {absolute(customer.file)}
    for name, path in (tickets or {}).items():
        for tier in ws.customers[name].model.tiers if name in ws.customers else []:
            summary = found.get(Page("summary", tier, name), frozenset())
            found[Page("scorecard", tier, name)] = summary | {absolute(path)}
    return found


def absolute(path: Path) -> Path:
    """A path as the watcher reports it: absolute, with the links on the way resolved (/tmp is /private/tmp on
    macOS), since the watcher is given resolved folders."""
    return Path(os.path.realpath(path))


def _customer(ws: Workspace, page: Page) -> Sourced[Customer] | None:
    # Only a workspace customer by short name: a request never names a file (as `--customer FILE` may).
    return ws.customer(page.customer) if page.customer is not None else None


def _job(ws: Workspace, page: Page) -> Job:
    assert page.tier is not None
    return Job(ws.tier(page.tier), _customer(ws, page))


class Renderer:
    """What a long-running preview keeps between saves, so that a save renders only what it changed: clause
    sources compiled once and their renders remembered by the values they read (slagen.rendercache, exact, as
    `slagen validate` uses it), the Markdown of each clause text, and the page templates compiled once (again
    when their file changes). Every RESET_AFTER renders the memory starts afresh, so it cannot grow without end."""

    RESET_AFTER = 200

    def __init__(self, templates: Path | None = None, tickets: dict[str, Path] | None = None) -> None:
        self.templates = templates
        self.tickets = tickets or {}
        self.count = 0
        self.clauses: CachingSandbox | None = None
        self.markup = MarkupCache()
        self.pages: dict[tuple[tuple[Path, ...], str], SandboxedEnvironment] = {}

    def _environments(self, ws: Workspace) -> tuple[CachingSandbox, SandboxedEnvironment]:
        self.count += 1
        if self.clauses is None or self.count > self.RESET_AFTER:
            self.count, self.markup, self.pages = 1, MarkupCache(), {}
            environment = clause_environment(ws.config.model.limits, CachingSandbox)
            assert isinstance(environment, CachingSandbox)
            self.clauses = environment
        # Jinja checks a cached template against the file it came from, so a file that appears earlier on the
        # search path (a workspace override of a packaged template) would go unseen: the key holds every file.
        key = (tuple(template_files(ws.template_dirs(self.templates))), ws.config.model.limits.model_dump_json())
        if key not in self.pages:
            self.pages[key] = page_template_environment(ws, self.templates)
        return self.clauses, self.pages[key]

    def html(self, ws: Workspace, page: Page) -> str:
        """The HTML the page's PDF is laid out from: the contract's before WeasyPrint, a one-page summary or
        comparison at the density that fits. Raises the SlagenError `slagen build` would."""
        if page.kind not in KINDS:
            raise UsageError(f"unknown page {page.kind!r}; choose from {', '.join(KINDS)}")
        if page.kind == "scorecard":
            report, customer = measured(ws, page, self.tickets)
            return scorecard_page(ws, report, customer, self.templates)[0]
        strings = load_strings(ws, self.templates)
        if page.kind == "compare":
            customer = _customer(ws, page)
            language = contract_languages(ws.config.model, customer.model if customer else None).own
            return compare_page(ws, customer, load_strings(ws, self.templates, language), self.templates,
                                language)[0].html
        clauses, pages = self._environments(ws)
        job = _job(ws, page)
        document, context = build_document(ws, job, strings, environment=clauses, markup=self.markup)
        if page.kind == "contract":
            return contract_html(ws, document, self.templates, pages)
        # the summary is in the customer's own language, as its context is
        language = contract_languages(ws.config.model, job.customer.model if job.customer else None).own
        return summary_page(ws, job, load_strings(ws, self.templates, language), context, self.templates)[0].html


def measured(ws: Workspace, page: Page, tickets: dict[str, Path]) -> tuple[MeasureReport, Sourced[Customer]]:
    """The ticket export `--tickets` names for the page's customer, measured as `slagen measure` does."""
    customer = _customer(ws, page)
    if customer is None or page.tier is None or page.customer not in tickets:
        raise UsageError(f"no ticket export for {page.customer!r}; name one with --tickets {page.customer}=FILE")
    path = tickets[page.customer]
    return engine.measure_export(ws, page.tier, customer, path, shown(path))[1].report, customer


def download(
    ws: Workspace, page: Page, suffix: str, templates: Path | None = None, tickets: dict[str, Path] | None = None
) -> tuple[str, bytes]:
    """The real file behind a page (".pdf" or ".docx"), made in memory as `slagen build` makes it: name and bytes."""
    if page.kind == "scorecard":
        report, customer = measured(ws, page, tickets or {})
        pdf = render_scorecard(ws, report, customer, templates)
        return f"{customer.model.short_name}-{page.tier}-scorecard.pdf", pdf
    if page.kind == "compare":
        customer = _customer(ws, page)
        language = contract_languages(ws.config.model, customer.model if customer else None).own
        data = render_compare(ws, customer, load_strings(ws, templates, language), templates, language)
        return (f"{customer.model.short_name}-compare.pdf" if customer else "compare.pdf"), data
    fmt = "summary" if page.kind == "summary" else suffix.removeprefix(".")
    files = render_job(ws, _job(ws, page), (fmt,), templates)
    [(name, data)] = files.items()
    return name, data
