"""`slagen validate`'s render check: every clause of every tier renders, blank and for each customer.

Every document is still checked as `slagen build` would make it: its context built, every clause
rendered (conditions included), the Markdown numbered and its references resolved. What makes a
workspace of a thousand customers quick is that nothing identical is done twice: a clause render is
remembered by the values it reads (slagen.rendercache), and the Markdown of a clause by its text.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from slagen.build import build_document, load_strings
from slagen.document import Document
from slagen.errors import InputError, TemplateError
from slagen.languages import contract_languages
from slagen.markup import MarkupCache
from slagen.model import Customer
from slagen.render.html import render_html
from slagen.rendercache import CachingSandbox
from slagen.shapes import strings_in
from slagen.sources import Job
from slagen.summary import render_summary
from slagen.templating import clause_environment, page_environment, template_loader
from slagen.workers import VALIDATE_WORKER_BYTES, cap_workers
from slagen.workspace import Sourced, Workspace


def check_page_templates(
    ws: Workspace,
    job: Job,
    strings: dict[str, Any],
    document: Document,
    context: dict[str, Any],
    environment: SandboxedEnvironment | None = None,
) -> None:
    """The contract and summary page templates render (HTML only, no layout): once per tier is enough,
    as customers change values, not the names a template uses."""
    if environment is None:
        environment = page_environment(
            template_loader(ws.template_dirs(None), ws.defaults_root / "templates"), ws.config.model.limits
        )
    render_html(document, environment)
    render_summary(ws, job, strings, context, pdf=False)


# Below this many documents a second process costs more (its start, its cold caches) than it saves.
DOCUMENTS_PER_WORKER = 400


def check_renders(ws: Workspace, workers: int | None = None) -> list[str]:
    """Render every clause for every tier, blank and for each customer: catches placeholders no data provides.

    Each problem is listed once. One that only customers' documents have (not a blank template) names
    the first customer it came from, and how many more: their data is where to look. A large workspace
    is split between worker processes (`workers`, default: one per DOCUMENTS_PER_WORKER documents, capped
    by cores and memory); the report is the same, in the same order, however many there are.
    """
    try:
        strings = load_strings(ws, None)
    except InputError as error:
        return error.problems
    jobs = [
        Job(tier, customer)
        for tier in ws.tiers.values()
        for customer in [None, *(item for item in ws.customers.values() if tier.model.id in item.model.tiers)]
    ]
    if workers is None:
        workers = cap_workers(max(1, len(jobs) // DOCUMENTS_PER_WORKER), VALIDATE_WORKER_BYTES).count
    _SHARED.clear()
    _SHARED.update(ws=ws, strings=strings, jobs=jobs)
    try:
        with _fewer_collections():
            results = _in_workers(len(jobs), workers)
    finally:
        _SHARED.clear()
    found: dict[str, list[Sourced[Customer]]] = {}  # problem -> the customers whose documents have it
    in_blank: set[str] = set()
    for job, problems in zip(jobs, results, strict=True):
        for problem in problems:
            hits = found.setdefault(problem, [])
            if job.customer is None:
                in_blank.add(problem)
            elif all(hit is not job.customer for hit in hits):
                hits.append(job.customer)
    return [problem if problem in in_blank else _naming(problem, hits) for problem, hits in found.items()]


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """The caches grow by many small objects that all live to the end, and the collector's default pace
    (a young collection every 700 new objects) spent about a tenth of the run walking them; collections
    every 10,000 keep memory the same (measured on 1,000 customers: 188 MB either way)."""
    before = gc.get_threshold()
    gc.set_threshold(10_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


# What forked workers inherit: the workspace, its wording, the documents; each process adds its caches.
_SHARED: dict[str, Any] = {}
CHUNKS_PER_WORKER = 4  # slices handed out as workers free up, so an uneven slice does not hold the others up


def _in_workers(count: int, workers: int) -> list[list[str]]:
    """The problems of every document, in order.

    The blank templates go first, in this process: that compiles every clause and page template and
    fills the caches with what all customers of a tier share, which forked workers then inherit.
    """
    jobs: list[Job] = _SHARED["jobs"]
    config = _SHARED["ws"].config.model
    first = [index for index, job in enumerate(jobs) if job.customer is None]
    # Each tier's first bilingual contract too: its page template is compiled and checked once, here, and not
    # again in every worker.
    bilingual: set[str] = set()
    for index, job in enumerate(jobs):
        tier = job.tier.model.id
        if job.customer is None or tier in bilingual:
            continue
        if contract_languages(config, job.customer.model).bilingual:
            bilingual.add(tier)
            first.append(index)
    chosen = set(first)
    rest = [index for index in range(len(jobs)) if index not in chosen]
    results = dict(zip(first, _check(first), strict=True))
    if workers <= 1 or len(rest) < 2:
        results.update(zip(rest, _check(rest), strict=True))
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        size = -(-len(rest) // (workers * CHUNKS_PER_WORKER))
        chunks = [rest[start:start + size] for start in range(0, len(rest), size)]
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            for chunk, problems in zip(chunks, pool.map(_check, chunks), strict=True):
                results.update(zip(chunk, problems, strict=True))
    return [results[index] for index in range(count)]


def _check(indexes: list[int]) -> list[list[str]]:
    """The problems of these documents, with this process's caches (made on first use, kept after)."""
    ws: Workspace = _SHARED["ws"]
    strings: dict[str, Any] = _SHARED["strings"]
    if "clauses" not in _SHARED:
        environment = clause_environment(ws.config.model.limits, CachingSandbox)
        assert isinstance(environment, CachingSandbox)
        for value in (strings, ws.config.model, *(tier.model for tier in ws.tiers.values())):
            environment.keys.pin(value)  # alive for the whole run: reduced to a key once
        _SHARED["clauses"] = environment
        _SHARED["markup"] = MarkupCache()
        _SHARED["pages"] = page_environment(
            template_loader(ws.template_dirs(None), ws.defaults_root / "templates"), ws.config.model.limits
        )
    results = []
    markup: MarkupCache = _SHARED["markup"]
    for index in indexes:
        job = _SHARED["jobs"][index]
        markup.use_values(() if job.customer is None else _strings_of(job.customer))
        try:
            document, context = build_document(
                ws, job, strings, environment=_SHARED["clauses"], markup=markup
            )
            # the page templates once blank per tier, and once per tier for a bilingual contract (its own template)
            bilingual = _SHARED.setdefault("bilingual", set())
            if job.customer is None or (document.parallel is not None and job.tier.model.id not in bilingual):
                if document.parallel is not None:
                    bilingual.add(job.tier.model.id)
                check_page_templates(ws, job, strings, document, context, _SHARED["pages"])
        except (TemplateError, InputError) as error:
            results.append(list(error.problems))
        else:
            results.append([])
    return results


def _strings_of(customer: Sourced[Customer]) -> tuple[str, ...]:
    """Every string of the customer's data (what its documents' texts are parsed in the shape of), once per customer."""
    known = customer.derived.get("strings")
    if not isinstance(known, tuple):
        known = customer.derived["strings"] = strings_in(customer.model.model_dump(mode="json"))
    return known


def _naming(problem: str, customers: list[Sourced[Customer]]) -> str:
    first = customers[0]
    more = f", and {len(customers) - 1} more" if len(customers) > 1 else ""
    return f"{problem} (for customer {first.model.short_name!r}, {first.where()}{more})"
