"""What to build and how: clauses through Jinja into the document tree, the writers, and atomic writes."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateError as JinjaTemplateError
from jinja2 import TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from slagen.context import build_context, page_size
from slagen.document import ClauseText, Document, build_blocks
from slagen.errors import BuildError, InputError, TemplateError, UsageError
from slagen.loader import read_yaml
from slagen.model import Customer, Tier
from slagen.templating import clause_environment, page_environment, template_loader
from slagen.workspace import Sourced, Workspace, apply_overrides, read_customer_file

FORMATS = ("docx", "pdf", "summary")
STRINGS_FILE = "strings.yaml"


@dataclass
class Job:
    """One contract to build: a tier, for a customer or as the blank template."""

    tier: Sourced[Tier]
    customer: Sourced[Customer] | None

    @property
    def folder(self) -> str:
        return self.customer.model.short_name if self.customer else "templates"

    def file_name(self, kind: str) -> str:
        stem = f"{self.customer.model.short_name}-{self.tier.model.id}" if self.customer else self.tier.model.id
        return f"{stem}-{kind}"


def resolve_customer(ws: Workspace, name: str) -> Sourced[Customer]:
    """A customer's short name in the workspace, or a path to a customer YAML file."""
    if name in ws.customers:
        return ws.customers[name]
    path = Path(name)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        problems: list[str] = []
        customer = read_customer_file(path, problems)
        if customer is None:
            raise InputError(problems[0], problems=problems)
        return customer
    return ws.customer(name)


def load_strings(ws: Workspace, templates: Path | None) -> dict[str, Any]:
    for folder in ws.template_dirs(templates):
        path = folder / STRINGS_FILE
        if path.is_file():
            return read_yaml(path, os.path.relpath(path)).data  # type: ignore[no-any-return]
    raise InputError(f"{STRINGS_FILE}: not found in any templates folder")


def _jinja_line(error: BaseException) -> int:
    """The template line a Jinja runtime error happened on (Jinja rewrites tracebacks to template lines)."""
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    line = 1
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == "<template>" and frame.lineno is not None:
            line = frame.lineno
    return line


def _undefined_name(error: UndefinedError, template_source: str) -> str:
    """`customer.vat_id` rather than Jinja's "'dict object' has no attribute 'vat_id'"."""
    message = error.message or ""
    match = re.search(r"has no attribute '([^']+)'|^'([^']+)' is undefined", message)
    if match is None:
        return message
    name = match.group(1) or match.group(2)
    lines = template_source.splitlines()
    index = _jinja_line(error) - 1
    text = lines[index] if 0 <= index < len(lines) else ""
    dotted = re.search(rf"[A-Za-z_][\w.]*\.{re.escape(name)}\b", text)
    return dotted.group(0) if dotted else name


def _template_problem(
    error: BaseException, source: str, first_line: int, field: str, template_source: str = ""
) -> TemplateError:
    line = first_line + _jinja_line(error) - 1
    if isinstance(error, UndefinedError):
        message = f"{_undefined_name(error, template_source)} is undefined; no data provides it"
    elif isinstance(error, SecurityError):
        message = f"unsafe template code refused: {error}"
    elif isinstance(error, TemplateSyntaxError):
        message = f"template syntax error: {error.message}"
    else:
        message = f"template error: {error}"
    return TemplateError(f"{source}:{line}: {field}: {message}")


def render_clauses(
    ws: Workspace, tier: Tier, context: dict[str, Any], environment: SandboxedEnvironment
) -> list[ClauseText]:
    """Render each clause the tier lists (when its condition holds) into Markdown."""
    texts = []
    for clause_id in tier.clauses:
        clause = ws.clauses[clause_id]
        source = clause.doc.path
        if clause.model.condition:
            try:
                included = environment.compile_expression(clause.model.condition)(**context)
            except (JinjaTemplateError, SecurityError) as error:
                line = clause.doc.line_of(("condition",))
                raise _template_problem(error, source, line, "condition", clause.model.condition) from error
            if not included:
                continue
        body_line = clause.doc.line_of(("body",))
        try:
            markdown = environment.from_string(clause.model.body).render(context)
        except (JinjaTemplateError, SecurityError) as error:
            raise _template_problem(error, source, body_line, "body", clause.model.body) from error
        except (ArithmeticError, TypeError, ValueError, AttributeError, OverflowError, MemoryError) as error:
            raise _template_problem(error, source, body_line, "body") from error
        texts.append(ClauseText(clause_id, clause.model.title, source, body_line, markdown))
    return texts


def source_date(customer: Customer | None) -> dt.datetime:
    """Document timestamps: SOURCE_DATE_EPOCH if set, else from the inputs; never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    if customer is not None:
        return dt.datetime.combine(customer.effective_date, dt.time(0), dt.UTC)
    return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def build_document(ws: Workspace, job: Job, strings: dict[str, Any]) -> tuple[Document, dict[str, Any]]:
    """The document tree for one job, and the context it was rendered from."""
    customer = job.customer.model if job.customer else None
    tier = apply_overrides(job.tier.model, job.customer) if job.customer else job.tier.model
    context = build_context(ws.config.model, tier, customer, strings)
    texts = render_clauses(ws, tier, context, clause_environment())
    blocks = build_blocks(texts)
    provider = ws.config.model.provider
    customer_name = context["customer"]["legal_name"]
    title = strings["contract_title"]
    document = Document(
        title=title,
        subtitle=strings["contract_subtitle"].format(
            tier=tier.name, provider=provider.legal_name, customer=customer_name
        ),
        author=provider.legal_name,
        subject=f"{title}: {tier.name}, {customer_name}",
        keywords=tier.id,
        header_text=strings["header"].format(title=title, customer=customer_name, tier=tier.name),
        language=context["contract"]["locale"].replace("_", "-"),
        page_size=page_size(context["contract"]["locale"]),
        brand_colour=provider.branding.colour,
        strings={key: value for key, value in strings.items() if isinstance(value, str)},
        created=source_date(customer).strftime("%Y-%m-%dT%H:%M:%SZ"),
        contents_levels=int(strings.get("contents_levels", 1)),
        blocks=blocks,
    )
    return document, context


def allowed_roots(ws: Workspace, templates: Path | None) -> list[Path]:
    roots = [ws.root, ws.defaults_root]
    if templates is not None:
        roots.append(templates)
    return [root.resolve() for root in roots]


def render_job(
    ws: Workspace, job: Job, formats: tuple[str, ...], templates: Path | None = None, pdf_variant: str | None = None
) -> dict[str, bytes]:
    """Every requested output of one job, as file name -> bytes; nothing is written here."""
    strings = load_strings(ws, templates)
    document, _context = build_document(ws, job, strings)
    outputs: dict[str, bytes] = {}
    if "docx" in formats:
        from slagen.render.docx import render_docx

        outputs[f"{job.file_name('sla')}.docx"] = render_docx(document)
    if "pdf" in formats:
        from slagen.render.html import render_html
        from slagen.render.pdf import render_pdf

        environment = page_environment(template_loader(ws.template_dirs(templates), ws.defaults_root / "templates"))
        html = render_html(document, environment)
        outputs[f"{job.file_name('sla')}.pdf"] = render_pdf(
            html,
            base_dir=ws.root,
            allowed_roots=allowed_roots(ws, templates),
            document=document,
            variant=pdf_variant,
        )
    return outputs


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
                build_document(ws, Job(tier, customer), strings)
            except (TemplateError, InputError) as error:
                for problem in error.problems:
                    if problem not in problems:
                        problems.append(problem)
    return problems


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        Path(temp_name).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(temp_name).unlink()
        raise


def write_outputs(folder: Path, outputs: dict[str, bytes]) -> list[Path]:
    written = []
    try:
        for name, data in outputs.items():
            target = folder / name
            write_atomic(target, data)
            written.append(target)
    except OSError as error:
        raise BuildError(f"{error.filename or folder}: cannot write: {error.strerror}") from error
    return written


def build(
    ws: Workspace,
    tier_id: str,
    customer: str | None,
    out: Path,
    formats: tuple[str, ...] = FORMATS,
    templates: Path | None = None,
    pdf_variant: str | None = None,
) -> list[Path]:
    """Build one tier for one customer (or blank) and write the files; returns the paths written."""
    unknown = [kind for kind in formats if kind not in FORMATS]
    if unknown:
        raise UsageError(f"unknown format {unknown[0]!r}; choose from {', '.join(FORMATS)}")
    job = Job(ws.tier(tier_id), resolve_customer(ws, customer) if customer else None)
    if job.customer and tier_id not in job.customer.model.tiers:
        ws.warnings.append(
            f"{job.customer.where('tiers')}: tiers: warning: {job.customer.model.short_name!r} does not list "
            f"tier {tier_id!r}"
        )
    outputs = render_job(ws, job, formats, templates, pdf_variant)
    return write_outputs(out / job.folder, outputs)
