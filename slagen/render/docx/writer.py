"""The DOCX writer: a Document becomes a Word file built from styles, fields and Word's own numbering."""

from __future__ import annotations

import hashlib
import io
import re
from typing import TYPE_CHECKING

import docx
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import RGBColor, Twips

from slagen.document import (
    ChangedHeading,
    ChangedList,
    ChangedParagraph,
    ChangedTable,
    CrossRef,
    Delete,
    Heading,
    Insert,
    LineBreak,
    ListBlock,
    Marked,
    Paragraph,
    Span,
    Table,
    removed_headings,
    visible_headings,
)
from slagen.errors import BuildError
from slagen.render.docx.changes import TrackedChanges
from slagen.render.docx.elements import append_field, element, field_char, instruction_run, text_run
from slagen.render.docx.languages import document_languages, set_document_languages
from slagen.render.docx.opening import drop_leftovers, set_app_properties, setup_settings
from slagen.render.docx.package import drop_thumbnail, normalise_zip, timestamp, write_core_properties, zip_time
from slagen.render.docx.style_ids import remember_style_ids
from slagen.render.docx.styles import (
    HEADING_LEVEL_TEXT,
    PAGE_GEOMETRY,
    TABLE_STYLE_NAME,
    setup_page,
    setup_styles,
)
from slagen.render.docx.tables import column_widths
from slagen.render.properties import clause_properties

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.oxml.text.paragraph import CT_P
    from docx.text.paragraph import Paragraph as WordParagraph

    from slagen.document import Document, MarkedBlock, MarkedInline

TOC_INSTRUCTION = 'TOC \\o "1-{levels}" \\h \\z \\u'
PLACEHOLDER = re.compile(r"\{(page|pages)\}")
FIELD_FOR_PLACEHOLDER = {"page": "PAGE", "pages": "NUMPAGES"}
DRAFT_COLOUR = "C00000"  # the DRAFT marking, as in contract.css


def render_docx(
    document: Document, revisions: dict[str, str] | None = None, *, update_fields: bool = False
) -> bytes:
    """The .docx file for `document`; the same document always gives the same bytes.

    `revisions` (author, date) makes every change mark in a marked tree (insertion, deletion, move,
    in `document.blocks` and its title and subtitle) a native Word tracked change by that author at that date.
    The file opens without a prompt: contents, cross-references and page numbers hold their results
    already; `update_fields` makes Word offer to update every field when it opens the file.
    """
    return _Writer(document, revisions, update_fields=update_fields).render()


def _bookmark_name(anchor: str, taken: set[str]) -> str:
    """A hidden Word bookmark name (`_Ref` + 9 digits, as Word makes them) derived from `anchor`."""
    salt = 0
    while True:
        digest = hashlib.sha256(f"{anchor}#{salt}".encode()).hexdigest()
        name = f"_Ref{int(digest[:12], 16) % 10**9:09d}"
        if name not in taken:
            taken.add(name)
            return name
        salt += 1


def _heading_label(heading: Heading | ChangedHeading) -> str:
    """The number as Word's heading numbering shows it (`1`, `1.1`, `1.1.1`), as the PDF does."""
    parts = heading.number.split(".")
    text = HEADING_LEVEL_TEXT[min(max(heading.level, 1), 3) - 1]
    for index, part in enumerate(parts, start=1):
        text = text.replace(f"%{index}", part)
    return text


def _paragraph_like(block: MarkedBlock) -> bool:
    inner = block.block if isinstance(block, Marked) else block
    return isinstance(inner, Paragraph | ChangedParagraph)


class _Writer:
    """Writes one Document into a fresh python-docx document, block by block."""

    def __init__(
        self, document: Document, revisions: dict[str, str] | None = None, *, update_fields: bool = False
    ) -> None:
        self.source = document
        self.update_fields = update_fields
        self.changes = TrackedChanges(revisions, self.next_id)
        self.word: WordDocument = docx.Document()
        remember_style_ids(self.word)
        self.created = timestamp(document.created)
        size = document.page_size.strip().upper()
        if size not in PAGE_GEOMETRY:
            raise BuildError(f"page_size: {document.page_size!r} is not one of A4, Letter")
        self.geometry = PAGE_GEOMETRY[size]
        self.text_width = self.geometry[0] - 2 * self.geometry[2]
        colour = document.brand_colour.strip().lstrip("#")
        if not re.fullmatch(r"[0-9A-Fa-f]{6}", colour):
            raise BuildError(f"brand_colour: {document.brand_colour!r} is not a #RRGGBB colour")
        self.brand = colour.upper()
        self.bookmark_ids = 0  # every annotation id (bookmarks, revisions): unique in the document
        self.bookmarks: dict[int, str] = {}  # id(heading) -> bookmark name
        self.by_anchor: dict[str, str] = {}
        self.by_anchor_number: dict[tuple[str, str], str] = {}
        self.visible = {id(heading) for heading in visible_headings(document.blocks)}
        self.removing = 0  # > 0 while writing a deleted or moved-away block

    def string(self, key: str) -> str:
        try:
            return self.source.strings[key]
        except KeyError:
            raise BuildError(f"strings: {key!r} is missing; the DOCX writer prints it") from None

    # -- whole document -------------------------------------------------------------------------

    def render(self) -> bytes:
        setup_page(self.word, self.geometry)
        setup_styles(self.word, brand=self.brand, text_width=self.text_width, language=self.source.language)
        set_document_languages(self.word, document_languages(self.source))
        setup_settings(self.word, update_fields=self.update_fields, language=self.source.language)
        self.assign_bookmarks()
        self.write_front_matter()
        self.write_contents()
        self.write_body()
        self.write_header_footer()
        write_core_properties(self.word, self.source, self.created)
        drop_thumbnail(self.word)
        drop_leftovers(self.word)
        set_app_properties(self.word, self.source.title)
        buffer = io.BytesIO()
        self.word.save(buffer)
        return normalise_zip(buffer.getvalue(), zip_time(self.created), clause_properties(self.source))

    # -- bookmarks, front matter, contents -------------------------------------------------------

    def assign_bookmarks(self) -> None:
        taken: set[str] = set()
        for heading in visible_headings(self.source.blocks):
            name = _bookmark_name(heading.anchor, taken)
            self.bookmarks[id(heading)] = name
            self.by_anchor.setdefault(heading.anchor, name)
            self.by_anchor_number.setdefault((heading.anchor, heading.number), name)
        # A heading only the older version has keeps its bookmark, so a deleted cross-reference to
        # it stays a live field (and works again when the deletion is rejected).
        for heading in removed_headings(self.source.blocks):
            if heading.anchor not in self.by_anchor:
                name = _bookmark_name(heading.anchor, taken)
                self.bookmarks[id(heading)] = name
                self.by_anchor[heading.anchor] = name

    def write_front_matter(self) -> None:
        if self.source.title_marks is not None:  # a marked tree: the title and subtitle carry their changes
            self.write_inlines(self.word.add_paragraph(style="Title"), self.source.title_marks)
            if self.source.subtitle_marks:  # empty only when neither version has a subtitle
                self.write_inlines(self.word.add_paragraph(style="Subtitle"), self.source.subtitle_marks)
            return
        self.word.add_paragraph(self.source.title, style="Title")
        if self.source.subtitle:
            self.word.add_paragraph(self.source.subtitle, style="Subtitle")

    def write_contents(self) -> None:
        """Contents heading, then a TOC field whose cached result already lists every heading."""
        heading_style = "TOC Heading" if "TOC Heading" in self.word.styles else "Heading 1"
        contents = self.word.add_paragraph(self.string("contents"), style=heading_style)
        if heading_style != "TOC Heading":
            contents.paragraph_format.keep_with_next = True
        levels = self.source.contents_levels
        headings = [heading for heading in visible_headings(self.source.blocks) if heading.level <= levels]
        if not headings:
            paragraph = self.word.add_paragraph()._p
            paragraph.append(field_char("begin"))
            paragraph.append(instruction_run(TOC_INSTRUCTION.format(levels=self.source.contents_levels)))
            paragraph.append(field_char("separate"))
            paragraph.append(field_char("end"))
        for index, heading in enumerate(headings):
            paragraph = self.word.add_paragraph(style=f"toc {max(heading.level, 1)}")._p
            if index == 0:
                paragraph.append(field_char("begin"))
                paragraph.append(instruction_run(TOC_INSTRUCTION.format(levels=self.source.contents_levels)))
                paragraph.append(field_char("separate"))
            link = element("hyperlink", anchor=self.bookmarks[id(heading)], history="1")
            link.append(text_run(f"{_heading_label(heading)}\t{self.contents_title(heading)}"))
            paragraph.append(link)
            if index == len(headings) - 1:
                paragraph.append(field_char("end"))
        page_break = self.word.add_paragraph()
        page_break.add_run().add_break(WD_BREAK.PAGE)

    def contents_title(self, heading: Heading | ChangedHeading) -> str:
        """A heading's title as the contents list it (a bilingual contract lists both)."""
        return heading.title

    # -- body ------------------------------------------------------------------------------------

    def write_body(self) -> None:
        for block in self.source.blocks:
            self.write_block(block, depth=0)

    def write_block(self, block: MarkedBlock, depth: int) -> None:
        if isinstance(block, Heading | ChangedHeading):
            self.write_heading(block)
        elif isinstance(block, Paragraph | ChangedParagraph):
            style = None if depth == 0 else self.continue_style(depth)
            self.write_inlines(self.word.add_paragraph(style=style), block.inlines)
        elif isinstance(block, ListBlock | ChangedList):
            self.write_list(block, depth + 1)
        elif isinstance(block, Table | ChangedTable):
            self.write_table(block)
        elif isinstance(block, Marked):
            self.write_marked(block, depth)

    def next_id(self) -> str:
        """A fresh annotation id (bookmarks and tracked changes share one sequence)."""
        self.bookmark_ids += 1
        return str(self.bookmark_ids)

    def write_heading(self, heading: Heading | ChangedHeading) -> None:
        level = min(max(heading.level, 1), 3)
        word_paragraph = self.word.add_paragraph(style=f"Heading {level}")
        paragraph = word_paragraph._p
        name = self.bookmarks.get(id(heading))
        if self.removing and id(heading) in self.visible:
            name = None  # a heading moved away: its bookmark is at the place it moved to
        bookmark_id = self.next_id() if name else ""
        if name:
            paragraph.append(element("bookmarkStart", id=bookmark_id, name=name))
        if isinstance(heading, ChangedHeading):
            self.write_inlines(word_paragraph, heading.inlines)
        else:
            paragraph.append(text_run(heading.title))
        if name:
            paragraph.append(element("bookmarkEnd", id=bookmark_id))
        if self.removing:
            self.changes.unnumber(paragraph)

    # -- tracked changes -------------------------------------------------------------------------

    def write_marked(self, block: Marked, depth: int) -> None:
        """Write the block as usual, then mark everything it added to the body."""
        before = set(self.word.element.body)
        removing = block.change in ("del", "move-from")
        self.removing += removing
        self.write_block(block.block, depth)
        self.removing -= removing
        self.changes.mark_block([written for written in self.word.element.body if written not in before], block)

    @staticmethod
    def list_style(ordered: bool, level: int) -> str:
        base = "List Number" if ordered else "List Bullet"
        return base if level == 1 else f"{base} {level}"

    @staticmethod
    def continue_style(level: int) -> str:
        level = min(level, 3)
        return "List Continue" if level == 1 else f"List Continue {level}"

    def write_list(self, block: ListBlock | ChangedList, level: int) -> None:
        style = self.list_style(block.ordered, min(level, 3))
        num_id = self.restarted_numbering(style) if block.ordered else None
        for item in block.items:
            blocks: list[MarkedBlock] = list(item)
            first = blocks.pop(0) if blocks and _paragraph_like(blocks[0]) else Paragraph([])
            change = first.change if isinstance(first, Marked) else None
            inner = first.block if isinstance(first, Marked) else first
            assert isinstance(inner, Paragraph | ChangedParagraph)
            paragraph = self.word.add_paragraph(style=style)
            if num_id is not None:
                num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = num_id
            self.write_inlines(paragraph, inner.inlines)
            if change is not None:
                self.changes.mark_paragraph(paragraph._p, change)
            for child in blocks:
                self.write_block(child, depth=level)

    def restarted_numbering(self, style: str) -> int:
        """A new w:num on the list style's abstract numbering that starts again at 1."""
        numbering = self.word.part.numbering_part.element
        style_ppr = self.word.styles[style].element.pPr
        style_num_id = style_ppr.numPr.numId.val
        abstract_id = int(numbering.num_having_numId(style_num_id).abstractNumId.val)
        num = numbering.add_num(abstract_id)
        num.add_lvlOverride(ilvl=0).add_startOverride(1)
        return num.numId

    def write_inlines(self, paragraph: WordParagraph, inlines: list[MarkedInline]) -> None:
        for inline in inlines:
            if isinstance(inline, Insert | Delete):
                count = len(paragraph._p)
                self.write_inlines(paragraph, list(inline.inlines))
                self.changes.track_runs(list(paragraph._p)[count:], "ins" if isinstance(inline, Insert) else "del")
            elif isinstance(inline, Span):
                run = paragraph.add_run(inline.text)
                if inline.bold or inline.term:
                    run.bold = True
                if inline.italic:
                    run.italic = True
            elif isinstance(inline, LineBreak):
                paragraph.add_run().add_break()
            elif isinstance(inline, CrossRef):
                self.write_cross_ref(paragraph._p, inline)

    def write_cross_ref(self, paragraph: CT_P, ref: CrossRef) -> None:
        name = self.by_anchor_number.get((ref.target, ref.number)) or self.by_anchor.get(ref.target)
        if name is None:  # no heading to point at: a REF field would show an error in Word
            paragraph.append(text_run(ref.number))
            return
        append_field(paragraph, f"REF {name} \\r \\h", ref.number)

    def write_table(self, table: Table | ChangedTable) -> None:
        body: list[list[list[MarkedInline]]]
        if isinstance(table, ChangedTable):
            body = [row.cells for row in table.rows]
            row_changes = [None] * (1 if table.header else 0) + [row.change for row in table.rows]
        else:
            body = list(table.rows)  # type: ignore[arg-type]
            row_changes = []
        rows: list[list[list[MarkedInline]]] = ([table.header] if table.header else []) + body  # type: ignore[list-item]
        columns = max((len(row) for row in rows), default=0)
        if columns == 0:
            return
        widths = column_widths(rows, columns, self.text_width)
        word_table = self.word.add_table(rows=len(rows), cols=columns)
        word_table.style = self.word.styles[TABLE_STYLE_NAME]
        word_table.autofit = False
        tbl_pr = word_table._tbl.tblPr
        tbl_w = tbl_pr.find(qn("w:tblW"))
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(self.text_width))
        look = tbl_pr.find(qn("w:tblLook"))
        if look is not None:
            look.set(qn("w:firstColumn"), "0")
            look.set(qn("w:firstRow"), "1" if table.header else "0")
        for column, width in zip(word_table.columns, widths, strict=True):
            column.width = Twips(width)
        for index, (word_row, cells) in enumerate(zip(word_table.rows, rows, strict=True)):
            tr_pr = word_row._tr.get_or_add_trPr()
            tr_pr.append(element("cantSplit"))
            if index == 0 and table.header:
                tr_pr.append(element("tblHeader"))
            for cell, width, inlines in zip(word_row.cells, widths, [*cells, *[[]] * columns], strict=False):
                cell.width = Twips(width)
                self.write_inlines(cell.paragraphs[0], inlines)
            change = row_changes[index] if index < len(row_changes) else None
            if change is not None:
                self.changes.mark_row(word_row._tr, change)

    # -- header and footer -----------------------------------------------------------------------

    def write_header_footer(self) -> None:
        section = self.word.sections[0]
        header = section.header.paragraphs[0]
        header.style = self.word.styles["Header"]
        if self.source.header_text:
            header.add_run(self.source.header_text)
        if self.source.draft_marking:  # on every page, above the running header
            marking = header.insert_paragraph_before(style=self.word.styles["Header"]).add_run(
                self.source.draft_marking
            )
            marking.bold = True
            marking.font.color.rgb = RGBColor.from_string(DRAFT_COLOUR)
        footer = section.footer.paragraphs[0]
        footer.style = self.word.styles["Footer"]
        footer.add_run("\t\t")
        template = self.string("page_x_of_y")
        position = 0
        for match in PLACEHOLDER.finditer(template):
            if match.start() > position:
                footer.add_run(template[position : match.start()])
            append_field(footer._p, FIELD_FOR_PLACEHOLDER[match.group(1)], "1")
            position = match.end()
        if position < len(template):
            footer.add_run(template[position:])


# For slagen.render.docx.bilingual, which writes the body of a bilingual contract in two columns.
BlockWriter = _Writer

__all__ = ["BlockWriter", "render_docx"]
