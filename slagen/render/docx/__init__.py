"""The DOCX writer: a Document (plain or marked) becomes a Word file; `writer` drives, the others serve it.

elements: w: elements, runs and fields; styles: page, styles, numbering; tables: column widths;
changes: tracked changes; package: core properties and a reproducible ZIP; languages: w:lang and East Asian
fonts; bilingual: the side-by-side body of a bilingual contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slagen.render.docx import writer
from slagen.render.docx.bilingual import BilingualWriter

if TYPE_CHECKING:
    from slagen.document import Document


def render_docx(
    document: Document, revisions: dict[str, str] | None = None, *, update_fields: bool = False
) -> bytes:
    """The .docx file for `document` (see `writer.render_docx`); a bilingual one lays its texts side by side."""
    if document.parallel is not None:
        return BilingualWriter(document, revisions, update_fields=update_fields).render()
    return writer.render_docx(document, revisions, update_fields=update_fields)


__all__ = ["render_docx"]
