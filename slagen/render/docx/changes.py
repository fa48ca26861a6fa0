"""Word tracked changes: runs, paragraph marks and table rows wrapped in w:ins, w:del, w:moveFrom and w:moveTo."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from docx.oxml.ns import qn

from slagen.errors import BuildError
from slagen.render.docx.elements import element

if TYPE_CHECKING:
    from docx.oxml import OxmlElement
    from docx.oxml.text.paragraph import CT_P

    from slagen.document import Change, Marked

# Tracked-change elements for each kind of change (ECMA-376 part 1, 17.13.5).
REVISION_TAGS = {"ins": "ins", "del": "del", "move-from": "moveFrom", "move-to": "moveTo"}
# Table rows cannot be moved in WordprocessingML: a moved table's rows are deleted and inserted.
ROW_TAGS = {"ins": "ins", "del": "del", "move-from": "del", "move-to": "ins"}
MOVE_RANGE_TAGS = {"move-from": "moveFromRange", "move-to": "moveToRange"}


class TrackedChanges:
    """Marks what the writer wrote as changes by one author at one date; ids come from the writer's counter."""

    def __init__(self, revisions: dict[str, str] | None, next_id: Callable[[], str]) -> None:
        self.revisions = revisions
        self.next_id = next_id
        self.move_ranges: dict[tuple[str, str], str] = {}  # (range tag, move name) -> w:id

    def revision(self, tag: str) -> OxmlElement:
        """A w:ins, w:del, w:moveFrom or w:moveTo with a fresh id, the author and the date."""
        if self.revisions is None:
            raise BuildError("redline: a tracked change needs an author and a date")
        return element(tag, id=self.next_id(), author=self.revisions["author"], date=self.revisions["date"])

    def track_runs(self, children: list[OxmlElement], change: Change) -> None:
        """Wrap each stretch of consecutive runs among `children` in one tracked-change element."""
        tag = REVISION_TAGS[change]
        container = None
        for child in children:
            if child.tag != qn("w:r"):
                container = None  # bookmarks and range markers stay outside
                continue
            if container is None:
                container = self.revision(tag)
                child.addprevious(container)
            container.append(child)
            if change == "del":  # deleted text and field codes have their own elements
                for text in child.iter(qn("w:t")):
                    text.tag = qn("w:delText")
                for code in child.iter(qn("w:instrText")):
                    code.tag = qn("w:delInstrText")

    def mark_paragraph(self, paragraph: CT_P, change: Change) -> None:
        """All of a paragraph's runs and its paragraph mark (so it joins its neighbour on accept/reject)."""
        self.track_runs([child for child in paragraph if child.tag != qn("w:pPr")], change)
        ppr = paragraph.get_or_add_pPr()
        rpr = ppr.find(qn("w:rPr"))
        if rpr is None:
            rpr = element("rPr")
            ppr.insert_element_before(rpr, "w:sectPr", "w:pPrChange")
        rpr.insert(0, self.revision(REVISION_TAGS[change]))

    @staticmethod
    def unnumber(paragraph: CT_P) -> None:
        """Take a deleted or moved-away heading out of the heading numbering (w:numId 0).

        Word (after a field update) and LibreOffice count every numbered paragraph, deleted ones too: the
        clauses after it would show, and cross-references would say, numbers one higher than the new
        contract's. Not a tracked formatting change (w:pPrChange): LibreOffice would then drop the
        deletion of the heading's text, so rejecting the deletion brings the heading back unnumbered.
        """
        paragraph.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = 0

    def mark_row(self, row: OxmlElement, change: Change) -> None:
        """The row itself (w:trPr) and the runs of every paragraph in it."""
        row.get_or_add_trPr().append(self.revision(ROW_TAGS[change]))
        for paragraph in row.iter(qn("w:p")):
            self.track_runs([child for child in paragraph if child.tag != qn("w:pPr")], change)

    def mark_block(self, added: list[OxmlElement], block: Marked) -> None:
        """Mark the body elements written for `block` with its change; a move also gets its move range."""
        paragraphs: list[OxmlElement] = []
        for written in added:
            if written.tag == qn("w:p"):
                self.mark_paragraph(written, block.change)
                paragraphs.append(written)
            elif written.tag == qn("w:tbl"):
                for row in written.iter(qn("w:tr")):
                    self.mark_row(row, block.change)
                paragraphs.extend(written.iter(qn("w:p")))
        if block.move is None or not paragraphs or block.change not in MOVE_RANGE_TAGS:
            return
        tag = MOVE_RANGE_TAGS[block.change]
        if block.move_start:
            range_id = self.move_ranges.setdefault((tag, block.move), self.next_id())
            start = self.revision(f"{tag}Start")
            start.set(qn("w:id"), range_id)
            start.set(qn("w:name"), block.move)
            first = paragraphs[0]
            first.insert(1 if first.find(qn("w:pPr")) is not None else 0, start)
        if block.move_end:
            range_id = self.move_ranges.setdefault((tag, block.move), self.next_id())
            paragraphs[-1].append(element(f"{tag}End", id=range_id))
