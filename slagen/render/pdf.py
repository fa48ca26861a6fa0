"""The PDF writer: HTML to PDF with WeasyPrint, confined to local files, reproducible byte for byte."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.pdf import VARIANTS
from weasyprint.urls import URLFetcher, URLFetcherResponse

from slagen.errors import BuildError

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
        with path.open("rb") as stream:
            body = stream.read(MAX_FILE_SIZE + 1)
        if len(body) > MAX_FILE_SIZE:
            raise _Refusal(f"file larger than {MAX_FILE_SIZE // (1024 * 1024)} MiB")
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
    """Collects WeasyPrint's errors (unusable images, stylesheets, fonts) raised on this thread."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread:
            self.messages.append(record.getMessage().splitlines()[0])


@contextmanager
def _collect_errors() -> Iterator[_ErrorCollector]:
    collector = _ErrorCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)


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
    metadata.custom = {}
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


def render_pdf(
    html: str,
    *,
    base_dir: Path,
    allowed_roots: list[Path],
    document: Document,
    variant: str | None = None,
) -> bytes:
    """Lay out `html` and return the PDF; relative URLs resolve against `base_dir`.

    Only files under `allowed_roots` may be loaded; any refused or failed resource is a BuildError.
    `variant` is a WeasyPrint PDF variant such as "pdf/a-3b" or "pdf/ua-1".
    """
    if variant is not None and variant not in VARIANTS:
        known = ", ".join(sorted(VARIANTS))
        raise BuildError(f"PDF: unknown PDF variant {variant!r}; known: {known}")
    created = _created(document)
    fetcher = ConfinedFetcher(allowed_roots)
    base_url = Path(base_dir).resolve().as_uri() + "/"
    with _source_date_epoch(created), _collect_errors() as errors:
        laid_out = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
        _set_metadata(laid_out, document, created)
        pdf = laid_out.write_pdf(
            pdf_variant=variant,
            attachments=None,
            finisher=_fixed_document_id(html.encode() + document.created.encode()),
        )
    # WeasyPrint also logs each failed fetch: keep our clearer line for those, its own for the rest.
    others = [message for message in errors.messages if not any(url in message for url in fetcher.failed)]
    problems = list(dict.fromkeys(fetcher.problems + others))
    if problems:
        raise BuildError(problems[0], problems=problems)
    return pdf
