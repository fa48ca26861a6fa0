"""The PDF writer: HTML to PDF with WeasyPrint, confined to local files, reproducible byte for byte."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import mimetypes
import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from slagen.errors import BuildError, InputError
from slagen.files import InputScope
from slagen.render.font_files import read_font_files_when_needed
from slagen.render.fonts import font_problems, missing_glyph_problem, record_warnings, template_line, template_search
from slagen.render.hyphenation import share_hyphenation_patterns
from slagen.render.libraries import direct_library_loading
from slagen.render.margins import text_past_margins
from slagen.render.properties import clause_properties
from slagen.render.ua_stylesheet import page_html, prepare

with direct_library_loading():
    from weasyprint.pdf import VARIANTS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher, URLFetcherResponse
read_font_files_when_needed()
share_hyphenation_patterns()

if TYPE_CHECKING:
    import pydyf
    from weasyprint.document import Document as LaidOutDocument

    from slagen.document import Document

# data: URLs carry their payload inline; anything bigger than this is refused.
MAX_DATA_URL = 256 * 1024
# Local files larger than this are refused (fonts and logos are far smaller).
MAX_FILE_SIZE = 32 * 1024 * 1024
# `@font-face { src: local(...) }` makes WeasyPrint fetch the system font file: fonts only, read-only.
SYSTEM_FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff", ".woff2", ".pfb")

_XMP_DOCUMENT_ID = re.compile(rb"xmp\.did:[0-9a-fA-F-]{36}")
# Tagged PDF (a structure tree for assistive technology) unless a caller says otherwise: it costs a few
# percent of a build (bench/tagging_bench.py, bench/RESULTS.md).
TAGGED = True


class _Refusal(Exception):
    """A URL the fetcher will not serve; WeasyPrint catches it and we report it afterwards."""


class ConfinedFetcher(URLFetcher):
    """Serves `file:` URLs inside the allowed folders (symlinks resolved) and small `data:` URLs.

    Everything else (http, https, ftp, files elsewhere, devices) is refused and remembered in
    `problems`, since WeasyPrint itself only logs a failed fetch and carries on.
    """

    def __init__(self, allowed_roots: list[Path]) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [Path(root).resolve() for root in allowed_roots]
        self.problems: list[str] = []
        self.failed: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        try:
            return self._fetch(url)
        except _Refusal as refusal:
            self.failed.append(url)
            self.problems.append(f"PDF: refused to load {_short(url)}: {refusal}")
            raise
        except OSError as error:
            self.failed.append(url)
            reason = "no such file" if isinstance(error, FileNotFoundError) else error.strerror or str(error)
            self.problems.append(f"PDF: cannot load {_short(url)}: {reason}")
            raise

    def _fetch(self, url: str) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            if len(url) > MAX_DATA_URL:
                raise _Refusal(f"data: URL larger than {MAX_DATA_URL // 1024} KiB")
            return super().fetch(url)
        if scheme != "file":
            raise _Refusal("only local files inside the workspace may be used")
        path = self._local_path(url)
        if path.stat().st_size > MAX_FILE_SIZE:
            raise _Refusal(f"file larger than {MAX_FILE_SIZE // (1024 * 1024)} MiB")
        try:
            # Through the one door for input: opened without blocking, a regular file once open, bounded.
            body = InputScope(limit=MAX_FILE_SIZE, confined=False).read_bytes(path, str(path))
        except InputError as error:
            raise _Refusal(str(error).removeprefix(f"{path}: ")) from error
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body, {"Content-Type": mime_type})

    def _local_path(self, url: str) -> Path:
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            raise _Refusal(f"file URL on another host {parts.netloc!r}")
        try:
            path = Path(url2pathname(unquote(parts.path))).resolve()
        except (OSError, RuntimeError) as error:  # a symlink loop
            raise _Refusal("unresolvable path") from error
        inside = any(path.is_relative_to(root) for root in self.roots) or (
            path.suffix.lower() in FONT_SUFFIXES
            and any(path.is_relative_to(folder.resolve()) for folder in SYSTEM_FONT_DIRS)
        )
        if not inside:
            raise _Refusal("outside the folders the build may read")
        if not path.exists():
            raise FileNotFoundError(str(path))
        if not path.is_file():
            raise _Refusal("not a regular file")
        return path


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."


class _ErrorCollector(logging.Handler):
    """Collects WeasyPrint's errors (unusable images, stylesheets, fonts) raised on this thread, and the
    characters it drew as empty boxes (its `.notdef` warning: no installed font has them)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []
        self.missing_glyphs: dict[str, None] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        if str(record.msg).startswith(".notdef glyph") and record.args:
            self.missing_glyphs[str(record.args[0])] = None  # type: ignore[index]
        elif record.levelno >= logging.ERROR:
            self.messages.append(_log_message(record))


def _log_message(record: logging.LogRecord) -> str:
    """WeasyPrint's error line; an image it cannot read gets its reason (WeasyPrint logs an empty one)."""
    message = record.getMessage().splitlines()[0]
    args = record.args if isinstance(record.args, tuple) else ()
    if not str(record.msg).startswith("Failed to load image") or len(args) != 2:
        return message
    url, error = str(args[0]), args[1]
    if str(error).strip():
        return message  # a refused or failed fetch: the fetcher's own line says it better
    cause = error.__cause__ or error.__context__ if isinstance(error, BaseException) else None
    reason = str(cause).strip().splitlines()[0] if cause is not None and str(cause).strip() else ""
    if url.startswith("file:"):
        path = Path(url2pathname(unquote(urlsplit(url).path)))
        with contextlib.suppress(ValueError):
            url = os.path.relpath(path) if path.is_relative_to(Path.cwd()) else str(path)
    return f"PDF: cannot load the image {url}: {reason or 'not an image WeasyPrint can read (PNG, JPEG, GIF, SVG)'}"


@contextmanager
def _collect_errors() -> Iterator[_ErrorCollector]:
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    level = logger.level
    if logger.getEffectiveLevel() > logging.WARNING:
        logger.setLevel(logging.WARNING)  # the .notdef warning must reach us
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)
        logger.setLevel(level)


def _located(problem: str, urls: list[str], search: list[Path]) -> str:
    """`PDF: refused to load URL` becomes `templates/contract.html.j2:4: ...` when a template names the URL."""
    url = next((url for url in urls if url in problem), None)
    where = template_line(re.compile(re.escape(url)), search) if url else None
    return f"{where}: {problem.removeprefix('PDF: ')}" if where else problem


def _created(document: Document) -> datetime:
    try:
        created = datetime.fromisoformat(document.created)
    except ValueError as error:
        raise BuildError(f"PDF: creation time {document.created!r} is not an ISO 8601 timestamp") from error
    return created if created.tzinfo is not None else created.replace(tzinfo=UTC)


def _w3c_date(moment: datetime) -> str:
    """The W3C date-time form WeasyPrint accepts for PDF dates, e.g. 2025-03-01T09:30:00+01:00."""
    text = moment.replace(microsecond=0).isoformat()
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


@contextmanager
def _source_date_epoch(moment: datetime) -> Iterator[None]:
    """Fixes SOURCE_DATE_EPOCH (used by font tools for timestamps) unless the caller set it."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(max(int(moment.timestamp()), 0))
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def _set_metadata(laid_out: LaidOutDocument, document: Document, created: datetime) -> None:
    """PDF metadata comes from the document, never from the template, the clock or the files."""
    metadata = laid_out.metadata
    metadata.title = document.title
    metadata.authors = [document.author] if document.author else []
    metadata.description = document.subject or None
    metadata.keywords = [word.strip() for word in document.keywords.split(",") if word.strip()]
    metadata.generator = "slagen"
    metadata.created = metadata.modified = _w3c_date(created)
    metadata.lang = document.language or None
    metadata.custom = clause_properties(document)  # in the document information, as `/SLAClauses`
    metadata.xmp_metadata = []
    # No embedded files: neither <link rel=attachment> nor <a rel=attachment> becomes one.
    metadata.attachments = []
    for page in laid_out.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]


def _fixed_document_id(seed: bytes) -> Any:
    """A finisher replacing the random XMP DocumentID (PDF/X-4) with one derived from the input."""
    document_id = b"xmp.did:" + str(uuid.UUID(bytes=hashlib.sha256(seed).digest()[:16], version=4)).encode()

    def finish(_laid_out: LaidOutDocument, pdf: pydyf.PDF) -> None:
        reference = pdf.catalog.get("Metadata")
        if reference is None:
            return
        stream = pdf.objects[int(reference.split()[0])]
        stream.stream = [_XMP_DOCUMENT_ID.sub(document_id, bytes(part)) for part in stream.stream]

    return finish


@dataclass
class Layout:
    """HTML laid out into pages by WeasyPrint, with what went wrong while fetching and shaping."""

    html: str
    document: Any
    fetcher: ConfinedFetcher
    messages: list[str]
    missing_glyphs: dict[str, None]

    @property
    def pages(self) -> list[Any]:
        return list(self.document.pages)


# A page that could load fonts of its own (@font-face, in its <style> or a linked stylesheet) gets a fresh
# font configuration: a font it adds must not reach the next page this process lays out.
_OWN_FONTS = re.compile(r"@font-face|@import|<link\b", re.IGNORECASE)
_FONT_CONFIGURATION: list[FontConfiguration] = []


def font_configuration(html: str) -> FontConfiguration | None:
    """The process's one FontConfiguration (fontconfig and Pango set up once, their font caches kept warm)
    for a page with the system fonts only; None (a fresh one) for a page that may load its own."""
    if _OWN_FONTS.search(html):
        return None
    if not _FONT_CONFIGURATION:
        _FONT_CONFIGURATION.append(FontConfiguration())
    return _FONT_CONFIGURATION[0]


def warm_up() -> None:
    """Set up what every page reuses (fontconfig and Pango, the default stylesheet), in a process about to fork."""
    font_configuration("")
    prepare()


def lay_out(html: str, *, base_dir: Path, allowed_roots: list[Path]) -> Layout:
    """Lay `html` out into pages; relative URLs resolve against `base_dir`, only `allowed_roots` may be read."""
    fetcher = ConfinedFetcher(allowed_roots)
    base_url = Path(base_dir).resolve().as_uri() + "/"
    with _collect_errors() as errors:
        laid_out = page_html(html, base_url=base_url, url_fetcher=fetcher).render(
            font_config=font_configuration(html)
        )
    return Layout(html, laid_out, fetcher, errors.messages, errors.missing_glyphs)


def render_pdf(
    html: str,
    *,
    base_dir: Path,
    allowed_roots: list[Path],
    document: Document,
    variant: str | None = None,
    layout: Layout | None = None,
    tagged: bool | None = None,
) -> bytes:
    """Lay out `html` (or take the `layout` already made of it) and return the PDF.

    Only files under `allowed_roots` may be loaded; any refused or failed resource is a BuildError.
    `variant` is a WeasyPrint PDF variant such as "pdf/a-3b" or "pdf/ua-1". `tagged` writes the
    structure tree (headings, lists, tables with header cells, figures with their alternative text, in
    reading order) that screen readers and PDF/UA need; None: `TAGGED`. "pdf/ua-1" is always tagged.
    """
    if variant is not None and variant not in VARIANTS:
        known = ", ".join(sorted(VARIANTS))
        raise BuildError(f"PDF: unknown PDF variant {variant!r}; known: {known}")
    created = _created(document)
    if layout is None:
        layout = lay_out(html, base_dir=base_dir, allowed_roots=allowed_roots)
    fetcher = layout.fetcher
    with _source_date_epoch(created), _collect_errors() as errors:
        _set_metadata(layout.document, document, created)
        pdf = layout.document.write_pdf(
            pdf_variant=variant,
            pdf_tags=TAGGED if tagged is None else tagged,
            attachments=None,
            custom_metadata=True,
            finisher=_fixed_document_id(html.encode() + document.created.encode()),
        )
    messages = layout.messages + errors.messages
    missing_glyphs = {**layout.missing_glyphs, **errors.missing_glyphs}
    # WeasyPrint also logs each failed fetch: keep our clearer line for those, its own for the rest.
    others = [message for message in messages if not any(url in message for url in fetcher.failed)]
    problems = list(dict.fromkeys(fetcher.problems + others))
    search = template_search(allowed_roots)
    problems = [_located(problem, fetcher.failed, search) for problem in problems]
    missing_fonts, font_warnings = font_problems(layout.document, html, search)
    problems += missing_fonts
    problems += text_past_margins(layout.document)
    if missing_glyphs:
        problems.append(missing_glyph_problem(list(missing_glyphs), html))
    if problems:
        raise BuildError(problems[0], problems=problems)
    record_warnings(font_warnings)  # the command reports them (slagen.render.fonts.take_warnings)
    return pdf
