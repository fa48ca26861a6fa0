"""The DOCX writer: a Document (plain or marked) becomes a Word file; `writer` drives, the others serve it.

elements: w: elements, runs and fields; styles: page, styles, numbering; tables: column widths;
changes: tracked changes; package: core properties and a reproducible ZIP.
"""

from slagen.render.docx.writer import render_docx

__all__ = ["render_docx"]
