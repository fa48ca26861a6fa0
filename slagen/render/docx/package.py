"""The Word package around the body: core properties, no thumbnail, and a ZIP that is the same byte for byte."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from docx.opc.constants import RELATIONSHIP_TYPE as RT

from slagen.errors import BuildError
from slagen.render.properties import add_custom_properties

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

    from slagen.document import Document

CORE_TEXT_LIMIT = 255  # python-docx refuses longer core property values


def timestamp(created: str) -> datetime:
    """`created` as a naive UTC datetime (what the core properties store)."""
    try:
        value = datetime.fromisoformat(created)
    except ValueError as error:
        raise BuildError(f"created: {created!r} is not an ISO 8601 timestamp") from error
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A ZIP entry time from `moment`; ZIP cannot store years before 1980 or after 2107."""
    if moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if moment.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def normalise_zip(
    data: bytes, date_time: tuple[int, int, int, int, int, int], properties: dict[str, str] | None = None
) -> bytes:
    """Rewrite the package with fixed entry order, times, attributes and compression (and custom properties)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {name: source.read(name) for name in source.namelist()}
    add_custom_properties(entries, properties or {})
    content_types = "[Content_Types].xml"
    names = [content_types, *sorted(name for name in entries if name != content_types)]
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as target:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # Unix, so the permission bits below mean what they say
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            target.writestr(info, entries[name])
    return output.getvalue()


def write_core_properties(word: WordDocument, source: Document, created: datetime) -> None:
    """Title, subject, author, keywords and language from the document; every date its creation time."""
    props = word.core_properties
    props.title = source.title[:CORE_TEXT_LIMIT]
    props.subject = source.subject[:CORE_TEXT_LIMIT]
    props.author = source.author[:CORE_TEXT_LIMIT]
    props.keywords = source.keywords[:CORE_TEXT_LIMIT]
    props.language = source.language[:CORE_TEXT_LIMIT]
    props.last_modified_by = source.author[:CORE_TEXT_LIMIT]
    props.comments = ""
    props.category = ""
    props.created = created
    props.modified = created
    props.last_printed = created
    props.revision = 1


def drop_thumbnail(word: WordDocument) -> None:
    """The template's thumbnail shows an empty page; without it viewers render their own."""
    rels = word.part.package.rels
    for rel_id in [rel_id for rel_id, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
        del rels[rel_id]
