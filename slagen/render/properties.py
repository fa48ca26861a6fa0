"""Which clauses, at which version, a document holds: the property names both writers record them under,
and the custom document properties part (docProps/custom.xml) of a Word package.

python-docx reads and writes only the core properties, so the custom part is added to the package's
files directly: the part itself, its relationship from the package and its content type. The same
document always gives the same bytes.
"""

from __future__ import annotations

from xml.sax.saxutils import escape as escape_text
from xml.sax.saxutils import quoteattr

from slagen.document import Document

PART = "docProps/custom.xml"
CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
RELATIONSHIP = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
RELATIONSHIP_ID = "rIdSlagenCustomProperties"
FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format id Office uses for user properties

# Names under which both writers record the clauses (the PDF's document information uses them too).
CLAUSES_PROPERTY = "SLAClauses"
DRAFT_PROPERTY = "SLADraftClauses"


def clause_properties(document: Document) -> dict[str, str]:
    """`SLAClauses`: 'id version' of each clause, in order, joined by '; '; `SLADraftClauses` when any is a draft."""
    properties = {}
    if document.clauses:
        properties[CLAUSES_PROPERTY] = "; ".join(f"{clause_id} {version}" for clause_id, version in document.clauses)
    if document.draft_clauses:
        properties[DRAFT_PROPERTY] = "; ".join(document.draft_clauses)
    return properties


def add_custom_properties(entries: dict[str, bytes], properties: dict[str, str]) -> None:
    """Add `properties` as text properties to the package files `entries` (name -> bytes), in place."""
    if not properties:
        return
    rows = "".join(
        f'<property fmtid="{FMTID}" pid="{pid}" name={quoteattr(name)}><vt:lpwstr>{escape_text(value)}</vt:lpwstr>'
        "</property>"
        for pid, (name, value) in enumerate(properties.items(), start=2)  # pid 0 and 1 are reserved
    )
    entries[PART] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        f'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">{rows}</Properties>'
    ).encode()
    entries["[Content_Types].xml"] = _insert_before(
        entries["[Content_Types].xml"], b"</Types>",
        f'<Override PartName="/{PART}" ContentType="{CONTENT_TYPE}"/>'.encode(),
    )
    entries["_rels/.rels"] = _insert_before(
        entries["_rels/.rels"], b"</Relationships>",
        f'<Relationship Id="{RELATIONSHIP_ID}" Type="{RELATIONSHIP}" Target="{PART}"/>'.encode(),
    )


def _insert_before(xml: bytes, closing: bytes, element: bytes) -> bytes:
    head, found, tail = xml.rpartition(closing)
    if not found:
        raise ValueError(f"{closing.decode()} not found")
    return head + element + closing + tail
