"""What to build and how: clauses through Jinja into the document tree, the writers, and the plan of `build --all`."""

from __future__ import annotations

import functools
import gc
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec

from jinja2 import TemplateError as JinjaTemplateError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from slagen.comparison import render_compare
from slagen.context import build_context, page_size
from slagen.document import Document, Parallel
from slagen.errors import BuildError, InputError, TemplateError, UsageError
from slagen.incremental import Output, template_files
from slagen.jinja_errors import template_problem
from slagen.languages import clause_text, contract_languages, document_language, models_in, text_location
from slagen.markup import ClauseText, MarkupCache, build_blocks
from slagen.model import Tier
from slagen.output import write_outputs
from slagen.page_data import page_template_environment
from slagen.prefork import CONTRACT, SUMMARY, HelperFailed, Helpers
from slagen.sources import Job, allowed_roots, source_stamp
from slagen.strings import STRINGS_FILE
from slagen.strings import load_strings as read_strings_along
from slagen.summary import render_summary, summary_pages
from slagen.templating import (
    LimitedSandbox,
    clause_environment,
    render_deadline,
)
from slagen.text import unprintable as first_unprintable
from slagen.translations import load_strings_in, strings_file
from slagen.workspace import Workspace, resolve_customer, terms_for

__all__ = ["FORMATS", "Job", "build", "build_compare", "build_document", "contract_html", "load_strings",
           "plan_outputs", "render_clauses", "render_job", "report_render_warnings", "resolve_customer"]

P = ParamSpec("P")
FORMATS = ("docx", "pdf", "summary")


def load_strings(ws: Workspace, templates: Path | None, language: str | None = None) -> dict[str, Any]:
    """Every word that is not in a clause: the first strings.yaml along the template search path, checked;
    in another `language` than the provider's, its strings.LANG.yaml (a stale one adds a warning)."""
    source = ws.config.model.defaults.language
    if language is None or language == source:
        return read_strings_along(
            ws.template_dirs(templates), ws.inputs(templates), ws.defaults_root / "templates" / STRINGS_FILE
        )
    strings, warnings = load_strings_in(ws.template_dirs(templates), ws.inputs(templates),
                                        ws.defaults_root / "templates" / STRINGS_FILE, language, source)
    ws.warnings.extend(warning for warning in warnings if warning not in ws.warnings)
    return strings


def render_clauses(
    ws: Workspace, tier: Tier, context: dict[str, Any], environment: SandboxedEnvironment, language: str | None = None
) -> list[ClauseText]:
    """Render each clause the tier lists (when its condition holds) into Markdown.

    Rendering runs under the workspace's `limits:` (time and size); a condition that names data
    nobody provides is an error, never a silently dropped clause.
    """
    limits = ws.config.model.limits
    if isinstance(environment, LimitedSandbox):
        environment.limits = limits
    runtime_errors = (ArithmeticError, TypeError, ValueError, AttributeError, LookupError, MemoryError, RecursionError)
    texts = []
    source_language = ws.config.model.defaults.language
    language = language or source_language
    for clause_id in tier.clauses:
        clause = ws.clauses[clause_id]
        source = clause.doc.path
        if clause.model.condition:
            line = clause.doc.line_of(("condition",))
            try:
                expression = environment.compile_expression(clause.model.condition, undefined_to_none=False)
                with render_deadline(limits):
                    included = bool(expression(**context))
            except (JinjaTemplateError, SecurityError, *runtime_errors) as error:
                raise template_problem(error, source, line, "condition", clause.model.condition) from error
            if not included:
                continue
        title, body = clause_text(clause.model, language, source_language)
        location = text_location(clause.model, "body", language, source_language)
        field = "body" if language == source_language else ".".join(location)
        body_line = clause.doc.line_of(location)
        if title is None or body is None:
            missing = "body" if body is None else "title"
            where = clause.where(*text_location(clause.model, missing, language, source_language))
            raise InputError(f"{where}: {missing}.{language}: missing translation")
        try:
            markdown = environment.from_string(body).render(context)
        except (JinjaTemplateError, SecurityError) as error:
            raise template_problem(error, source, body_line, field, body) from error
        except runtime_errors as error:
            raise template_problem(error, source, body_line, field) from error
        unprintable = first_unprintable(markdown)
        if unprintable is not None:
            position, char = unprintable
            line = body_line + min(markdown.count("\n", 0, position), body.count("\n"))
            raise TemplateError(
                f"{source}:{line}: body: the rendered text contains the control character U+{ord(char):04X}, "
                "which a Word file cannot hold (from an escape such as '\\x0b' in the template?); remove it"
            )
        texts.append(ClauseText(clause_id, title, source, body_line, markdown))
    return texts


def build_document(
    ws: Workspace,
    job: Job,
    strings: dict[str, Any],
    *,
    environment: SandboxedEnvironment | None = None,
    markup: MarkupCache | None = None,
    translated: dict[str, dict[str, Any]] | None = None,
) -> tuple[Document, dict[str, Any]]:
    """The document tree for one job, and the context it was rendered from.

    `slagen validate` passes a clause environment and a markup cache that it keeps across its many
    documents (see slagen.validation); a build makes fresh ones. A customer whose contract is in another
    language than the provider's gets it in that language (`translated`: strings by language, else loaded);
    a bilingual contract carries its second text in `document.parallel`. The context is the one of the
    customer's own language (what the summary is written in)."""
    customer = job.customer.model if job.customer else None
    tier = terms_for(job.tier.model, job.customer)
    languages = contract_languages(ws.config.model, customer)
    environment = environment or clause_environment()
    texts: dict[str, tuple[Document, dict[str, Any]]] = {}
    for language in languages.languages:
        if language == languages.source:
            texts[language] = _document_in(ws, job, tier, strings, environment, markup, None)
        else:
            words = (translated or {}).get(language) or load_strings(ws, None, language)
            texts[language] = _document_in(ws, job, tier, words, environment, markup, language)
    document, _ = texts[languages.main]
    if languages.bilingual:
        second, _ = texts[languages.languages[1]]
        document.parallel = Parallel(second.language, second.title, second.subtitle, second.strings,
                                     list(second.blocks))  # type: ignore[arg-type]
        document.header_text = document.header_text.replace(document.title, f"{document.title} / {second.title}", 1)
    return document, texts[languages.own][1]


def _document_in(
    ws: Workspace,
    job: Job,
    tier: Tier,
    strings: dict[str, Any],
    environment: SandboxedEnvironment,
    markup: MarkupCache | None,
    language: str | None,
) -> tuple[Document, dict[str, Any]]:
    """The document in one language (None: the provider's), its data files' texts in that language."""
    config, tier, customer = models_in(ws, job.tier, tier, job.customer, language)
    context = build_context(config, tier, customer, strings, language)
    texts = render_clauses(ws, tier, context, environment, language)
    blocks = build_blocks(texts, markup)
    provider = config.provider
    customer_name = context["customer"]["legal_name"]
    title = strings["contract_title"]
    locale = (customer.locale if customer else None) or config.defaults.locale
    document = Document(
        title=title,
        subtitle=strings["contract_subtitle"].format(
            tier=tier.name, provider=provider.legal_name, customer=customer_name
        ),
        author=provider.legal_name,
        subject=f"{title}: {tier.name}, {customer_name}",
        keywords=tier.id,
        header_text=strings["header"].format(title=title, customer=customer_name, tier=tier.name),
        language=document_language(language or config.defaults.language, locale),
        page_size=page_size(context["contract"]["locale"]),
        brand_colour=provider.branding.colour,
        strings={key: value for key, value in strings.items() if isinstance(value, str)},
        created=source_stamp(customer),
        contents_levels=int(strings.get("contents_levels", 1)),
        blocks=blocks,
    )
    document.clauses = [(text.clause_id, ws.clauses[text.clause_id].model.version) for text in texts]
    document.draft_clauses = [text.clause_id for text in texts if ws.clauses[text.clause_id].model.status == "draft"]
    if document.draft_clauses:
        document.draft_marking = str(strings["draft_marking"])
    return document, context


def contract_html(
    ws: Workspace, document: Document, templates: Path | None = None, environment: SandboxedEnvironment | None = None
) -> str:
    """The contract page's HTML: what WeasyPrint lays out into the PDF, and what `slagen serve` shows (with the
    page environment it keeps, so an unchanged template is not compiled again)."""
    from slagen.render.html import render_html

    return render_html(document, environment or page_template_environment(ws, templates))


def _naming_inputs(
    render: Callable[Concatenate[Workspace, Job, P], dict[str, bytes]],
) -> Callable[Concatenate[Workspace, Job, P], dict[str, bytes]]:
    """A word the page cannot hold (slagen.render.margins) is named by the `path:line: field` of the input
    that holds it, when one does."""

    @functools.wraps(render)
    def located(ws: Workspace, job: Job, *args: P.args, **kwargs: P.kwargs) -> dict[str, bytes]:
        try:
            return render(ws, job, *args, **kwargs)
        except BuildError as error:
            from slagen.render.margins import overflowing_text

            located = []
            for problem in error.problems:
                found = overflowing_text(problem)
                where = ws.field_holding(found[0], *([job.customer] if job.customer else [])) if found else None
                located.append(f"{where}: PDF {found[1]}" if found and where else problem)
            if located == error.problems:
                raise
            raise BuildError(located[0], problems=located) from error

    return located


@_naming_inputs
def render_job(
    ws: Workspace,
    job: Job,
    formats: tuple[str, ...],
    templates: Path | None = None,
    pdf_variant: str | None = None,
    *,
    overlap: bool = False,
    update_fields: bool = False,
    environment: SandboxedEnvironment | None = None,
    helpers: Helpers | None = None,
) -> dict[str, bytes]:
    """Every requested output of one job, as file name -> bytes; nothing is written here.

    `update_fields` makes the Word file ask to update its fields when it opens (`--update-fields-on-open`).

    With `helpers` (a single build, see slagen.prefork), the contract PDF and the summary are laid out by
    two processes forked as the command started, while this one writes the Word file. With `overlap`,
    the contract PDF is laid out in a process forked now. A `build --all` worker passes the clause
    `environment` it keeps across its tasks (see build_document).
    """
    strings = load_strings(ws, templates)
    languages = contract_languages(ws.config.model, job.customer.model if job.customer else None)
    translated = {language: load_strings(ws, templates, language)
                  for language in languages.languages if language != languages.source}
    own = translated.get(languages.own, strings)  # the summary's words: the customer's own language
    document, context = build_document(ws, job, strings, environment=environment, translated=translated)
    outputs: dict[str, bytes] = {}
    pending: dict[str, tuple[Callable[[], bytes], Callable[[], bytes]]] = {}  # name -> (helper's, own)
    contract_pdf, summary_pdf = f"{job.file_name('sla')}.pdf", f"{job.file_name('summary')}.pdf"
    if "pdf" in formats:
        html = contract_html(ws, document, templates)
        arguments = {"base_dir": ws.root, "allowed_roots": allowed_roots(ws, templates), "document": document,
                     "variant": pdf_variant}

        def own_pdf() -> bytes:
            from slagen.render.pdf import render_pdf

            return render_pdf(html, **arguments)  # type: ignore[arg-type]

        if helpers is not None:
            pending[contract_pdf] = (_helped(helpers, CONTRACT, "slagen.render.pdf:render_pdf", html, **arguments),
                                     own_pdf)
        elif overlap and len(formats) > 1:
            from slagen.render.pdf import render_pdf

            pending[contract_pdf] = (_in_forked_process(render_pdf, html, **arguments), own_pdf)
        else:
            outputs[contract_pdf] = own_pdf()
            if set(formats) - {"pdf"}:
                # A laid-out contract is a web of reference cycles: free it now, so that the Word file and the
                # summary reuse its memory rather than add to it (a Chinese set's batch worker: 214 -> 197 MiB).
                gc.collect()
    if "summary" in formats and helpers is not None:
        try:
            pages = summary_pages(ws, job, own, context, templates, pdf_variant)
        except Exception:  # rendered again below, where the message is made
            pages = None
        if pages is not None:
            pending[summary_pdf] = (_helped(helpers, SUMMARY, "slagen.one_page:render_one_page", **pages),
                                    lambda: render_summary(ws, job, own, context, templates, pdf_variant))
    if "docx" in formats:
        from slagen.render.docx import render_docx

        outputs[f"{job.file_name('sla')}.docx"] = render_docx(document, update_fields=update_fields)
    if "summary" in formats and summary_pdf not in pending:
        outputs[summary_pdf] = render_summary(ws, job, own, context, templates, pdf_variant)
    for name in [name for name in (summary_pdf, contract_pdf) if name in pending]:  # as before: summary first
        waited, own_render = pending[name]
        try:
            outputs[name] = waited()
        except HelperFailed:  # render it here: a failure is reported as an in-process build reports it
            outputs[name] = own_render()
    return {name: outputs[name] for name in sorted(outputs)}


def _helped(helpers: Helpers, which: str, function: str, *args: Any, **kwargs: Any) -> Callable[[], bytes]:
    """The page sent to a PDF helper; its answer raises HelperFailed when the helper gave no bytes."""
    try:
        return helpers.submit(which, function, *args, **kwargs)
    except HelperFailed as error:
        failure = error

        def failed() -> bytes:
            raise failure

        return failed


def _in_forked_process(function: Callable[..., bytes], *args: Any, **kwargs: Any) -> Callable[[], bytes]:
    """Start `function` in a forked child; the returned callable waits for its bytes (or its SlagenError)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from slagen.render.fonts import record_warnings, with_warnings

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(with_warnings, function, *args, **kwargs)

    def result() -> bytes:
        try:
            made, warnings = future.result()
        finally:
            pool.shutdown()
        record_warnings(warnings)
        return made

    return result


def build(
    ws: Workspace,
    tier_id: str,
    customer: str | None,
    out: Path,
    formats: tuple[str, ...] = FORMATS,
    templates: Path | None = None,
    pdf_variant: str | None = None,
    *,
    update_fields: bool = False,
    helpers: Helpers | None = None,
) -> list[Path]:
    """Build one tier for one customer (or blank) and write the files; returns the paths written.
    `helpers`: the PDF helpers the command forked as it started (slagen.prefork), if any."""
    unknown = [kind for kind in formats if kind not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    job = Job(ws.tier(tier_id), resolve_customer(ws, customer) if customer is not None else None)
    if job.customer and tier_id not in job.customer.model.tiers:
        ws.warnings.append(
            f"{job.customer.where('tiers')}: tiers: warning: {job.customer.model.short_name!r} does not list "
            f"tier {tier_id!r}; quoting its published terms, without the customer's overrides"
        )
    outputs = render_job(
        ws, job, formats, templates, pdf_variant, overlap=(os.cpu_count() or 1) > 1, update_fields=update_fields,
        helpers=helpers,
    )
    written = write_outputs(out / job.folder, outputs)
    report_render_warnings(ws)
    return written


def build_compare(ws: Workspace, customer: str | None, out: Path, templates: Path | None = None) -> list[Path]:
    """All tiers side by side on one page: OUT/compare.pdf, or OUT/NAME/NAME-compare.pdf for a customer."""
    sourced = resolve_customer(ws, customer) if customer is not None else None
    language = contract_languages(ws.config.model, sourced.model if sourced else None).own
    data = render_compare(ws, sourced, load_strings(ws, templates, language), templates, language)
    report_render_warnings(ws)
    if sourced is None:
        return write_outputs(out, {"compare.pdf": data})
    name = sourced.model.short_name
    return write_outputs(out / name, {f"{name}-compare.pdf": data})


def report_render_warnings(ws: Workspace) -> None:
    """What rendering warned of (a stand-in font) joins the workspace's warnings, which the command prints."""
    from slagen.render.fonts import take_warnings

    ws.warnings.extend(warning for warning in take_warnings() if warning not in ws.warnings)


# ---------------------------------------------------------------- the whole workspace: build --all


KIND_SUFFIX = {"docx": "sla.docx", "pdf": "sla.pdf", "summary": "summary.pdf"}


def _workspace_file(ws: Workspace, *parts: str) -> Path:
    return ws.root.joinpath(*parts)


def plan_outputs(ws: Workspace, templates: Path | None = None) -> list[Output]:
    """Every output of `build --all`, each with the input files it is made from."""
    template_dirs = ws.template_dirs(templates)
    page_files = template_files(template_dirs)
    strings = [path for path in page_files if path.name == STRINGS_FILE][:1]
    assets = sorted(path for path in (ws.root / "assets").rglob("*") if path.is_file()) if (
        ws.root / "assets").is_dir() else []
    config = [ws.config.file]
    outputs: list[Output] = []

    def add(job: Job) -> None:
        tier = job.tier
        customer = [job.customer.file] if job.customer else []
        clauses = [ws.clauses[clause_id].file for clause_id in tier.model.clauses if clause_id in ws.clauses]
        base = [*config, tier.file, *customer]
        name = job.customer.model.short_name if job.customer else None
        languages = contract_languages(ws.config.model, job.customer.model if job.customer else None)
        wording = {strings_file(language) for language in languages.languages if language != languages.source}
        translated = [path for path in page_files if path.name in wording]  # strings.de.yaml, ...
        for kind in FORMATS:
            inputs = {
                "docx": [*base, *clauses, *strings, *translated],
                "pdf": [*base, *clauses, *page_files, *assets],
                "summary": [*base, *page_files, *assets],
            }[kind]
            path = f"{job.folder}/{job.file_name(KIND_SUFFIX[kind].split('.')[0])}.{KIND_SUFFIX[kind].split('.')[1]}"
            outputs.append(Output(path, kind, tier.model.id, name, tuple(inputs)))

    for customer in sorted(ws.customers.values(), key=lambda item: item.model.short_name):
        for tier_id in customer.model.tiers:
            add(Job(ws.tiers[tier_id], customer))
    for tier in sorted(ws.tiers.values(), key=lambda item: item.model.id):
        add(Job(tier, None))
    every_tier = [tier.file for tier in sorted(ws.tiers.values(), key=lambda item: item.model.id)]
    outputs.append(Output("compare.pdf", "compare", None, None, (*config, *every_tier, *page_files, *assets)))
    return outputs
