"""A bilingual contract's two texts paired into rows for a side-by-side layout: each heading beside its
translation, then the blocks under it paragraph by paragraph (a bullet list item by item), so both writers can
lay the texts out in two aligned columns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from slagen.diff import redline_documents
from slagen.document import Block, ChangedHeading, Document, Heading, ListBlock, Marked, Parallel


@dataclass
class Row:
    """One row of the side-by-side layout: blocks of the first text and their counterparts in the second."""

    left: list[Any]
    right: list[Any]

    @property
    def heading(self) -> bool:
        return len(self.left) == 1 and is_heading(self.left[0])


def is_heading(block: Any) -> bool:
    """A heading, in a redline also one whose title changed or that was inserted, deleted or moved whole."""
    return isinstance(block, Heading | ChangedHeading) or (isinstance(block, Marked) and is_heading(block.block))


def _sections(blocks: list[Any]) -> list[list[Any]]:
    """The blocks cut before each heading: [blocks before the first heading], [heading, blocks...], ..."""
    sections: list[list[Any]] = [[]]
    for block in blocks:
        if is_heading(block):
            sections.append([block])
        else:
            sections[-1].append(block)
    return sections


def _split_list(block: Any) -> list[Any]:
    """A bullet list as one single-item list per item (a numbered list stays whole: its numbers run on)."""
    if isinstance(block, ListBlock) and not block.ordered:
        return [ListBlock(False, [item]) for item in block.items]
    return [block]


def _pair(left: list[Any], right: list[Any]) -> list[Row]:
    """Blocks side by side one to one where both texts have as many; else all of them in one row."""
    if len(left) != len(right):
        return [Row(left, right)] if left or right else []
    rows: list[Row] = []
    for one, other in zip(left, right, strict=True):
        ones, others = _split_list(one), _split_list(other)
        if len(ones) == len(others):
            rows.extend(Row([a], [b]) for a, b in zip(ones, others, strict=True))
        else:
            rows.append(Row([one], [other]))
    return rows


def pair_blocks(left: list[Block], right: list[Block]) -> list[Row]:
    """The rows of the side-by-side layout. Headings are paired with headings (translations keep them parallel);
    a section whose blocks do not correspond one to one is one row, so nothing is ever lost or repeated."""
    ones, others = _sections(list(left)), _sections(list(right))
    if len(ones) != len(others):
        return [Row(list(left), list(right))]
    rows: list[Row] = []
    for one, other in zip(ones, others, strict=True):
        if one and is_heading(one[0]) and other and is_heading(other[0]):
            rows.append(Row([one[0]], [other[0]]))
            one, other = one[1:], other[1:]
        rows.extend(_pair(one, other))
    return rows


def _second_document(document: Document) -> Document:
    assert document.parallel is not None
    second = document.parallel
    return replace(document, title=second.title, subtitle=second.subtitle, language=second.language,
                   strings=second.strings, blocks=list(second.blocks), parallel=None)


def redline_second_text(old: Document, new: Document, marked: Document) -> None:
    """The redline of a bilingual contract marks the changes of its second text too (a Chinese one by character);
    when the older version had no such text, the redline shows the first text's changes alone."""
    if new.parallel is None or old.parallel is None or old.parallel.language != new.parallel.language:
        marked.parallel = None
        return
    second = redline_documents(_second_document(old), _second_document(new)).document
    marked.parallel = Parallel(new.parallel.language, new.parallel.title, new.parallel.subtitle,
                               new.parallel.strings, second.blocks)
