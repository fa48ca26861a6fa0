"""The bilingual Word file: title and contents in both languages, then the clauses side by side in a borderless
two-column table, row by row as `slagen.bilingual` pairs them; the second column's runs carry its language."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docx.oxml.ns import qn
from docx.shared import Twips

from slagen.bilingual import is_heading, pair_blocks
from slagen.document import ChangedHeading, Heading, Marked, visible_headings
from slagen.render.docx.elements import element, text_run
from slagen.render.docx.languages import east_asian, mark_runs
from slagen.render.docx.styles import HEADING_INDENT
from slagen.render.docx.writer import BlockWriter

if TYPE_CHECKING:
    from docx.table import _Cell

    from slagen.document import Document, MarkedBlock, Parallel

GAP = 340  # twips between the columns (6 mm)


class BilingualWriter(BlockWriter):
    """Writes a Document with a `parallel` text: the first text on the left, the second on the right."""

    def __init__(
        self, document: Document, revisions: dict[str, str] | None = None, *, update_fields: bool = False
    ) -> None:
        super().__init__(document, revisions, update_fields=update_fields)
        assert document.parallel is not None
        self.second: Parallel = document.parallel
        self.asian = next((tag for tag in (document.language, self.second.language) if east_asian(tag)), None)
        self.second_titles = {heading.anchor: heading.title for heading in visible_headings(self.second.blocks)}

    def write_front_matter(self) -> None:
        super().write_front_matter()
        for text, style in ((self.second.title, "Title"), (self.second.subtitle, "Subtitle")):
            if text:
                paragraph = self.word.add_paragraph(text, style=style)
                mark_runs(paragraph._p, self.second.language, self.asian)

    def string(self, key: str) -> str:
        """The contents heading and the page numbers in both languages."""
        first = super().string(key)
        second = self.second.strings.get(key)
        return f"{first} / {second}" if key in ("contents", "page_x_of_y") and second else first

    def contents_title(self, heading: Heading | ChangedHeading) -> str:
        second = self.second_titles.get(heading.anchor)
        return f"{heading.title} / {second}" if second else heading.title

    def write_body(self) -> None:
        half = (self.text_width - GAP) // 2
        table = self.word.add_table(rows=0, cols=2)
        tbl_pr = table._tbl.tblPr
        width = tbl_pr.find(qn("w:tblW"))
        width.set(qn("w:type"), "dxa")
        width.set(qn("w:w"), str(self.text_width))
        borders = element("tblBorders")
        for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
            borders.append(element(side, val="nil"))
        after = ("w:tblCaption", "w:tblDescription")  # tblPr's children in schema order
        tbl_pr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", *after)
        tbl_pr.insert_element_before(element("tblLayout", type="fixed"), "w:tblCellMar", "w:tblLook", *after)
        margins = element("tblCellMar")
        margins.append(element("left", w="0", type="dxa"))
        margins.append(element("right", w=str(GAP // 2), type="dxa"))
        tbl_pr.insert_element_before(margins, "w:tblLook", *after)
        table.autofit = False
        for column in table.columns:
            column.width = Twips(half + GAP // 2)
        saved, self.text_width = self.text_width, half
        try:
            for row in pair_blocks(list(self.source.blocks), list(self.second.blocks)):  # type: ignore[arg-type]
                word_row = table.add_row()
                left, right = word_row.cells
                for cell in (left, right):
                    cell.width = Twips(half + GAP // 2)
                self.fill(left, row.left, second=False)
                self.fill(right, row.right, second=True)
        finally:
            self.text_width = saved

    def fill(self, cell: _Cell, blocks: list[MarkedBlock], *, second: bool) -> None:
        """Write `blocks` as the body would have them, then move what they added into `cell`."""
        body = self.word.element.body
        before = set(body)
        for block in blocks:
            self.write_block(block, depth=0)
        added = [written for written in body if written not in before]
        tc = cell._tc
        for paragraph in tc.findall(qn("w:p")):
            tc.remove(paragraph)
        for written in added:
            tc.append(written)
        if not added or added[-1].tag != qn("w:p"):
            tc.append(element("p"))  # a cell ends with a paragraph
        if second:
            numbers = [_heading_of(block).number for block in blocks if is_heading(block)]
            headings = [p for p in tc.iter(qn("w:p")) if _style(p).startswith("Heading")]
            for paragraph, number in zip(headings, numbers, strict=False):
                _unnumbered(paragraph, number)
            mark_runs(tc, self.second.language, self.asian)


def _heading_of(block: Any) -> Heading | ChangedHeading:
    return _heading_of(block.block) if isinstance(block, Marked) else block  # type: ignore[no-any-return]


def _style(paragraph: Any) -> str:
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return "" if style is None else str(style.get(qn("w:val")))


def _unnumbered(paragraph: Any, number: str) -> None:
    """A heading of the second text: the same number, written out, not counted by Word's heading numbering and
    outside the contents and the navigation pane (the first text's heading is the one they list)."""
    ppr = paragraph.get_or_add_pPr()
    num_pr = ppr.get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = 0
    num_pr.get_or_add_numId().val = 0
    indent = ppr.get_or_add_ind()
    indent.set(qn("w:left"), str(HEADING_INDENT))
    indent.set(qn("w:hanging"), str(HEADING_INDENT))
    ppr.insert_element_before(element("outlineLvl", val="9"), "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
                              "w:pPrChange")
    label = text_run(f"{number}\t")
    ppr.addnext(label)
