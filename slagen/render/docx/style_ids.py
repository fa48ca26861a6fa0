"""Style lookups by name, each resolved once per document.

python-docx resolves a style name by scanning every style of the document (and scans them all again to
see whether it is the default), on every `add_paragraph(style=...)`: about 0.4 s of a contract's DOCX.
The names a writer uses do not change meaning while it writes, so each (name, type) is looked up once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from docx.document import Document as WordDocument


def remember_style_ids(word: WordDocument) -> None:
    """Make `word`'s body part resolve each style name once; style objects still go the usual way."""
    part = word.part
    lookup = part.get_style_id
    known: dict[tuple[str, Any], str | None] = {}

    def get_style_id(style_or_name: Any, style_type: Any) -> str | None:
        if not isinstance(style_or_name, str):
            return lookup(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in known:
            known[key] = lookup(style_or_name, style_type)  # an unknown name raises, and is not remembered
        return known[key]

    part.get_style_id = get_style_id  # type: ignore[method-assign]
