"""The document tree both writers consume, including its change marks (insertions, deletions, moves)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

REF_PREFIX = "#ref:"  # ref() in clause text becomes the Markdown link [ID](#ref:ID)


@dataclass(frozen=True)
class Span:
    """A run of plain text; `term` marks a defined term (shown bold in both writers)."""

    text: str
    bold: bool = False
    italic: bool = False
    term: bool = False


@dataclass(frozen=True)
class CrossRef:
    """A reference to a numbered heading; `number` is the number it has in this document."""

    target: str
    number: str


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph or a table cell."""


Inline = Span | CrossRef | LineBreak


@dataclass
class Heading:
    """A numbered heading: level 1 is a clause (`7`), level 2 a sub-clause (`7.1`), level 3 `7.1.1`."""

    level: int
    title: str
    anchor: str
    number: str


@dataclass
class Paragraph:
    inlines: list[Inline]


@dataclass
class ListBlock:
    """A bullet (`ordered=False`) or numbered list; each item is a list of blocks."""

    ordered: bool
    items: list[list[Block]]


@dataclass
class Table:
    """A table with one header row; every cell is a list of inlines."""

    header: list[list[Inline]]
    rows: list[list[list[Inline]]]


Block = Heading | Paragraph | ListBlock | Table


# ------------------------------------------------------------------ change marks
# A marked tree is a document whose blocks also hold the nodes below: what a newer version inserted,
# deleted or moved relative to an older one. The writers render them as tracked changes (DOCX) and as
# underlined / struck-through text (PDF) without knowing how they were found.

Change = Literal["ins", "del", "move-from", "move-to"]


@dataclass(frozen=True)
class Insert:
    """Inline content present only in the newer document."""

    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Delete:
    """Inline content present only in the older document."""

    inlines: tuple[Inline, ...]


MarkedInline = Span | CrossRef | LineBreak | Insert | Delete


@dataclass
class Marked:
    """A whole block inserted, deleted or moved; `move` names the move that pairs a move-from with its move-to."""

    change: Change
    block: Block
    move: str | None = None
    move_start: bool = False  # first block of the moved clause: opens the move range
    move_end: bool = False  # last block of the moved clause: closes it


@dataclass
class ChangedHeading:
    """A heading whose title changed; `number` and `anchor` are the newer document's."""

    level: int
    inlines: list[MarkedInline]
    anchor: str
    number: str

    @property
    def title(self) -> str:
        return accepted_text(self.inlines)


@dataclass
class ChangedParagraph:
    """A paragraph with inserted and deleted runs inside."""

    inlines: list[MarkedInline]


@dataclass
class ChangedRow:
    """A table row: `change` says it was inserted or deleted whole, else its cells hold the marks."""

    cells: list[list[MarkedInline]]
    change: Literal["ins", "del"] | None = None


@dataclass
class ChangedTable:
    header: list[list[MarkedInline]]
    rows: list[ChangedRow]


@dataclass
class ChangedList:
    ordered: bool
    items: list[list[MarkedBlock]]


MarkedBlock = (
    Heading | Paragraph | ListBlock | Table | Marked | ChangedHeading | ChangedParagraph | ChangedTable | ChangedList
)



@dataclass
class Parallel:
    """The second text of a bilingual contract, shown beside the first: its language, title, subtitle, the strings
    it prints, and its blocks (the same headings, anchors and numbers as the first text's)."""

    language: str
    title: str
    subtitle: str
    strings: dict[str, str]
    blocks: list[MarkedBlock]  # in a redline, with its change marks


@dataclass
class Document:
    """A whole contract: metadata for both writers, the strings they print, and the body blocks.

    In a marked tree (a redline) `blocks` also hold change marks, and `title_marks` / `subtitle_marks`
    are the title and subtitle with theirs; None in a plain contract.
    """

    title: str
    subtitle: str
    author: str
    subject: str
    keywords: str
    header_text: str
    language: str
    page_size: str  # "A4" or "Letter"
    brand_colour: str
    strings: dict[str, str]
    created: str  # ISO 8601 timestamp, fixed from the inputs, never from the clock
    contents_levels: int = 1  # heading levels the table of contents lists
    blocks: list[MarkedBlock] = field(default_factory=list)
    clauses: list[tuple[str, str]] = field(default_factory=list)  # (id, version) of each clause it holds, in order
    draft_clauses: list[str] = field(default_factory=list)  # ids of those not yet approved
    draft_marking: str = ""  # shown on every page while a clause is a draft; empty otherwise
    title_marks: list[MarkedInline] | None = None
    subtitle_marks: list[MarkedInline] | None = None
    parallel: Parallel | None = None  # a bilingual contract's second text, side by side with the first

    def headings(self) -> list[Heading]:
        return [block for block in self.blocks if isinstance(block, Heading)]


def merge_spans(inlines: list[Inline]) -> list[Inline]:
    """Neighbouring spans with the same emphasis become one."""
    merged: list[Inline] = []
    for inline in inlines:
        previous = merged[-1] if merged else None
        if (
            isinstance(inline, Span)
            and isinstance(previous, Span)
            and (previous.bold, previous.italic, previous.term) == (inline.bold, inline.italic, inline.term)
        ):
            merged[-1] = Span(previous.text + inline.text, inline.bold, inline.italic, inline.term)
        else:
            merged.append(inline)
    return merged


def plain_text(inlines: list[Inline]) -> str:
    """The text a reader sees, cross-references shown as their numbers."""
    parts: list[str] = []
    for inline in inlines:
        if isinstance(inline, Span):
            parts.append(inline.text)
        elif isinstance(inline, CrossRef):
            parts.append(inline.number)
        else:
            parts.append("\n")
    return "".join(parts)


def accepted_text(inlines: list[MarkedInline]) -> str:
    """The text once every change is accepted."""
    parts: list[str] = []
    for inline in inlines:
        if isinstance(inline, Insert):
            parts.append(accepted_text(list(inline.inlines)))
        elif isinstance(inline, Span):
            parts.append(inline.text)
        elif isinstance(inline, CrossRef):
            parts.append(inline.number)
        elif isinstance(inline, LineBreak):
            parts.append("\n")
    return "".join(parts)


def visible_headings(blocks: list[Any]) -> list[Heading | ChangedHeading]:
    """Headings of the (newer) document in order, lists included; deleted and moved-away ones left out."""
    return [heading for heading, gone in _headings(blocks, False) if not gone]


def removed_headings(blocks: list[Any]) -> list[Heading]:
    """Headings deleted or moved away in a marked tree, in order."""
    return [heading for heading, gone in _headings(blocks, False) if gone]  # type: ignore[misc]


def _headings(blocks: list[Any], gone: bool) -> list[tuple[Heading | ChangedHeading, bool]]:
    found: list[tuple[Heading | ChangedHeading, bool]] = []
    for block in blocks:
        if isinstance(block, Heading | ChangedHeading):
            found.append((block, gone))
        elif isinstance(block, Marked):
            found.extend(_headings([block.block], gone or block.change in ("del", "move-from")))
        elif isinstance(block, ListBlock | ChangedList):
            for item in block.items:
                found.extend(_headings(list(item), gone))
    return found
