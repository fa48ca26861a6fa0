"""The DOCX writer: a Document becomes a Word file built from styles, fields and Word's own numbering."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import docx
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
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
    plain_text,
    removed_headings,
    visible_headings,
)
from slagen.errors import BuildError
from slagen.render.properties import add_custom_properties, clause_properties

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from docx.oxml.text.paragraph import CT_P
    from docx.text.paragraph import Paragraph as WordParagraph

    from slagen.document import Change, Document, MarkedBlock, MarkedInline

# Page geometry in twips: width, height, margin, header/footer distance.
PAGE_GEOMETRY: dict[str, tuple[int, int, int, int]] = {
    "A4": (11906, 16838, 1417, 709),  # 210 x 297 mm, 2.5 cm margins
    "LETTER": (12240, 15840, 1440, 720),  # 8.5 x 11 in, 1 in margins
}

# Heading numbering: Word shows these, so the TOC's cached entries show them too.
HEADING_LEVEL_TEXT = ("%1", "%1.%2", "%1.%2.%3")  # as the PDF shows them: "1", "1.1", "1.1.1"
HEADING_INDENT = 720  # number hangs in the margin of the heading text, text starts here
HEADING_NSID = "5A1A0001"  # fixed, so the output never varies

TABLE_STYLE_ID = "SLATable"
TABLE_STYLE_NAME = "SLA Table"
TABLE_BORDER_COLOUR = "A6A6A6"
TABLE_CHAR_WIDTH = 125  # twips a character of 10 pt table text takes at most, on average (bold header)
TABLE_CELL_MARGINS = 2 * 108  # left and right cell margins of the table style

TOC_INSTRUCTION = 'TOC \\o "1-{levels}" \\h \\z \\u'
# (number position, text position) of each TOC level.
TOC_INDENTS = ((0, 567), (567, 1247), (1247, 2098))

# Successors of w:updateFields in CT_Settings (ECMA-376 part 1, 17.15.1.78).
SETTINGS_AFTER_UPDATE_FIELDS = (
    "w:hdrShapeDefaults",
    "w:footnotePr",
    "w:endnotePr",
    "w:compat",
    "w:docVars",
    "w:rsids",
    "m:mathPr",
    "w:attachedSchema",
    "w:themeFontLang",
    "w:clrSchemeMapping",
    "w:doNotIncludeSubdocsInStats",
    "w:doNotAutoCompressPictures",
    "w:forceUpgrade",
    "w:captions",
    "w:readModeInkLockDown",
    "w:smartTagType",
    "sl:schemaLibrary",
    "w:shapeDefaults",
    "w:doNotEmbedSmartTags",
    "w:decimalSymbol",
    "w:listSeparator",
)

# Tracked-change elements for each kind of change (ECMA-376 part 1, 17.13.5).
REVISION_TAGS = {"ins": "ins", "del": "del", "move-from": "moveFrom", "move-to": "moveTo"}
# Table rows cannot be moved in WordprocessingML: a moved table's rows are deleted and inserted.
ROW_TAGS = {"ins": "ins", "del": "del", "move-from": "del", "move-to": "ins"}
MOVE_RANGE_TAGS = {"move-from": "moveFromRange", "move-to": "moveToRange"}

PLACEHOLDER = re.compile(r"\{(page|pages)\}")
FIELD_FOR_PLACEHOLDER = {"page": "PAGE", "pages": "NUMPAGES"}
DRAFT_COLOUR = "C00000"  # the DRAFT marking, as in contract.css
CORE_TEXT_LIMIT = 255  # python-docx refuses longer core property values


def render_docx(document: Document, revisions: dict[str, str] | None = None) -> bytes:
    """The .docx file for `document`; the same document always gives the same bytes.

    `revisions` (author, date) makes every change mark in a marked tree (insertion, deletion, move,
    in `document.blocks` and its title and subtitle) a native Word tracked change by that author at that date.
    """
    return _Writer(document, revisions).render()


def _timestamp(created: str) -> datetime:
    """`created` as a naive UTC datetime (what the core properties store)."""
    try:
        value = datetime.fromisoformat(created)
    except ValueError as error:
        raise BuildError(f"created: {created!r} is not an ISO 8601 timestamp") from error
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A ZIP entry time from `moment`; ZIP cannot store years before 1980 or after 2107."""
    if moment.year < 1980:
        return (1980, 1, 1, 0, 0, 0)
    if moment.year > 2107:
        return (2107, 12, 31, 23, 59, 58)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _normalise_zip(
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


def _all_headings(blocks: list[Any]) -> list[Heading | ChangedHeading]:
    """Every heading in document order, including any inside list items (in a redline: the newer ones)."""
    return visible_headings(blocks)


def _inline_text(inlines: list[MarkedInline]) -> str:
    """The text of inlines, deleted and inserted text both (to size table columns)."""
    return "".join(
        _inline_text(list(inline.inlines)) if isinstance(inline, Insert | Delete) else plain_text([inline])
        for inline in inlines
    )


def _paragraph_like(block: MarkedBlock) -> bool:
    inner = block.block if isinstance(block, Marked) else block
    return isinstance(inner, Paragraph | ChangedParagraph)


def _element(tag: str, **attributes: str) -> OxmlElement:
    """A new `w:` element with `w:` attributes."""
    element = OxmlElement(f"w:{tag}")
    for key, value in attributes.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _text_run(text: str) -> OxmlElement:
    run = _element("r")
    run.text = text  # CT_R turns "\t" and "\n" into w:tab and w:br
    return run


def _field_char(kind: str) -> OxmlElement:
    run = _element("r")
    run.append(_element("fldChar", fldCharType=kind))
    return run


def _instruction_run(instruction: str) -> OxmlElement:
    run = _element("r")
    text = _element("instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run.append(text)
    return run


def _append_field(parent: OxmlElement, instruction: str, result: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end) at the end of `parent`."""
    parent.append(_field_char("begin"))
    parent.append(_instruction_run(instruction))
    parent.append(_field_char("separate"))
    parent.append(_text_run(result))
    parent.append(_field_char("end"))


def _text_colour(fill: str) -> str:
    """Black or white, whichever reads better on `fill`."""
    red, green, blue = (int(fill[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "000000" if luminance > 150 else "FFFFFF"


class _Writer:
    def __init__(self, document: Document, revisions: dict[str, str] | None = None) -> None:
        self.source = document
        self.revisions = revisions
        self.move_ranges: dict[tuple[str, str], str] = {}  # (range tag, move name) -> w:id
        self.word: WordDocument = docx.Document()
        self.created = _timestamp(document.created)
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

    def string(self, key: str) -> str:
        try:
            return self.source.strings[key]
        except KeyError:
            raise BuildError(f"strings: {key!r} is missing; the DOCX writer prints it") from None

    # -- whole document -------------------------------------------------------------------------

    def render(self) -> bytes:
        self.setup_page()
        self.setup_styles()
        self.setup_settings()
        self.assign_bookmarks()
        self.write_front_matter()
        self.write_contents()
        for block in self.source.blocks:
            self.write_block(block, depth=0)
        self.write_header_footer()
        self.write_properties()
        self.drop_thumbnail()
        buffer = io.BytesIO()
        self.word.save(buffer)
        return _normalise_zip(buffer.getvalue(), _zip_time(self.created), clause_properties(self.source))

    def setup_page(self) -> None:
        width, height, margin, distance = self.geometry
        section = self.word.sections[0]
        section.page_width = Twips(width)
        section.page_height = Twips(height)
        for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
            setattr(section, side, Twips(margin))
        section.header_distance = Twips(distance)
        section.footer_distance = Twips(distance)
        section.gutter = Twips(0)

    def setup_settings(self) -> None:
        settings = self.word.settings.element
        if settings.find(qn("w:updateFields")) is None:
            update = _element("updateFields", val="true")
            settings.insert_element_before(update, *SETTINGS_AFTER_UPDATE_FIELDS)

    def drop_thumbnail(self) -> None:
        """The template's thumbnail shows an empty page; without it viewers render their own."""
        rels = self.word.part.package.rels
        for rel_id in [rel_id for rel_id, rel in rels.items() if rel.reltype == RT.THUMBNAIL]:
            del rels[rel_id]

    def write_properties(self) -> None:
        props = self.word.core_properties
        source = self.source
        props.title = source.title[:CORE_TEXT_LIMIT]
        props.subject = source.subject[:CORE_TEXT_LIMIT]
        props.author = source.author[:CORE_TEXT_LIMIT]
        props.keywords = source.keywords[:CORE_TEXT_LIMIT]
        props.language = source.language[:CORE_TEXT_LIMIT]
        props.last_modified_by = source.author[:CORE_TEXT_LIMIT]
        props.comments = ""
        props.category = ""
        props.created = self.created
        props.modified = self.created
        props.last_printed = self.created
        props.revision = 1

    # -- styles ----------------------------------------------------------------------------------

    def setup_styles(self) -> None:
        styles = self.word.styles
        self.set_language()
        for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
            styles[name].font.color.rgb = RGBColor.from_string(self.brand)
        title_border = styles["Title"].element.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
        if title_border is not None:
            title_border.set(qn("w:color"), self.brand)
            title_border.attrib.pop(qn("w:themeColor"), None)
        # The template's Subtitle carries a stray numPr (an ilvl without a list); drop it.
        subtitle_ppr = styles["Subtitle"].element.pPr
        if subtitle_ppr is not None and subtitle_ppr.numPr is not None:
            subtitle_ppr._remove_numPr()
        self.setup_heading_numbering()
        self.setup_toc_styles()
        self.setup_table_style()
        for name in ("Header", "Footer"):
            tab_stops = styles[name].paragraph_format.tab_stops
            tab_stops.clear_all()
            tab_stops.add_tab_stop(Twips(self.text_width // 2), WD_TAB_ALIGNMENT.CENTER)
            tab_stops.add_tab_stop(Twips(self.text_width), WD_TAB_ALIGNMENT.RIGHT)

    def set_language(self) -> None:
        defaults = self.word.styles.element.find(qn("w:docDefaults"))
        rpr = None if defaults is None else defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is None or not self.source.language:
            return
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = _element("lang")
            rpr.append(lang)
        lang.set(qn("w:val"), self.source.language)

    def setup_heading_numbering(self) -> None:
        """One multi-level list 1. / 1.1 / 1.1.1 linked from the Heading 1-3 styles."""
        numbering = self.word.part.numbering_part.element
        abstract_ids = [int(value) for value in numbering.xpath("./w:abstractNum/@w:abstractNumId")]
        abstract_id = max(abstract_ids, default=-1) + 1
        levels = "".join(
            f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
            f'<w:pStyle w:val="Heading{level + 1}"/><w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{HEADING_INDENT}" w:hanging="{HEADING_INDENT}"/></w:pPr></w:lvl>'
            for level, text in enumerate(HEADING_LEVEL_TEXT)
        )
        abstract = parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:nsid w:val="{HEADING_NSID}"/><w:multiLevelType w:val="multilevel"/>{levels}</w:abstractNum>'
        )
        existing = numbering.findall(qn("w:abstractNum"))
        if existing:
            existing[-1].addnext(abstract)
        else:
            numbering.insert(0, abstract)
        num_id = numbering.add_num(abstract_id).numId
        for level in range(3):
            ppr = self.word.styles[f"Heading {level + 1}"].element.get_or_add_pPr()
            num_pr = ppr.get_or_add_numPr()
            num_pr.get_or_add_ilvl().val = level
            num_pr.get_or_add_numId().val = num_id
        # TOC Heading is based on Heading 1: keep "Contents" itself unnumbered.
        toc_heading = self.style_element("TOC Heading")
        if toc_heading is not None:
            toc_heading.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = 0

    def style_element(self, name: str) -> OxmlElement | None:
        styles = self.word.styles
        return styles[name].element if name in styles else None

    def setup_toc_styles(self) -> None:
        styles = self.word.styles.element
        for level, (number_at, text_at) in enumerate(TOC_INDENTS, start=1):
            if f"TOC {level}" in self.word.styles or f"toc {level}" in self.word.styles:
                continue
            styles.append(
                parse_xml(
                    f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="TOC{level}">'
                    f'<w:name w:val="toc {level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
                    f'<w:autoRedefine/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>'
                    f"<w:pPr><w:tabs>"
                    f'<w:tab w:val="left" w:pos="{text_at}"/>'
                    f'<w:tab w:val="right" w:leader="dot" w:pos="{self.text_width}"/>'
                    f'</w:tabs><w:spacing w:after="{100 if level > 1 else 120}"/>'
                    f'<w:ind w:left="{text_at}" w:hanging="{text_at - number_at}"/></w:pPr>'
                    f"{'<w:rPr><w:b/><w:bCs/></w:rPr>' if level == 1 else ''}"
                    f"</w:style>"
                )
            )

    def setup_table_style(self) -> None:
        if TABLE_STYLE_NAME in self.word.styles:
            return
        header_text = _text_colour(self.brand)
        border = f'w:val="single" w:sz="4" w:space="0" w:color="{TABLE_BORDER_COLOUR}"'
        borders = "".join(f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right"))
        borders += f"<w:insideH {border}/><w:insideV {border}/>"
        self.word.styles.element.append(
            parse_xml(
                f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{TABLE_STYLE_ID}">'
                f'<w:name w:val="{TABLE_STYLE_NAME}"/><w:basedOn w:val="TableNormal"/>'
                f'<w:uiPriority w:val="59"/><w:qFormat/>'
                f'<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
                f'<w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr>'
                f"<w:tblPr><w:tblBorders>{borders}</w:tblBorders>"
                f'<w:tblCellMar><w:top w:w="57" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
                f'<w:bottom w:w="57" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr>'
                f'<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/><w:color w:val="{header_text}"/>'
                f'</w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{self.brand}"/></w:tcPr>'
                f"</w:tblStylePr></w:style>"
            )
        )

    # -- bookmarks, front matter, contents -------------------------------------------------------

    def assign_bookmarks(self) -> None:
        taken: set[str] = set()
        for heading in _all_headings(self.source.blocks):
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
        headings = [heading for heading in _all_headings(self.source.blocks) if heading.level <= levels]
        if not headings:
            paragraph = self.word.add_paragraph()._p
            paragraph.append(_field_char("begin"))
            paragraph.append(_instruction_run(TOC_INSTRUCTION.format(levels=self.source.contents_levels)))
            paragraph.append(_field_char("separate"))
            paragraph.append(_field_char("end"))
        for index, heading in enumerate(headings):
            paragraph = self.word.add_paragraph(style=f"toc {max(heading.level, 1)}")._p
            if index == 0:
                paragraph.append(_field_char("begin"))
                paragraph.append(_instruction_run(TOC_INSTRUCTION.format(levels=self.source.contents_levels)))
                paragraph.append(_field_char("separate"))
            link = _element("hyperlink", anchor=self.bookmarks[id(heading)], history="1")
            link.append(_text_run(f"{_heading_label(heading)}\t{heading.title}"))
            paragraph.append(link)
            if index == len(headings) - 1:
                paragraph.append(_field_char("end"))
        page_break = self.word.add_paragraph()
        page_break.add_run().add_break(WD_BREAK.PAGE)

    # -- body ------------------------------------------------------------------------------------

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
        self.bookmark_ids += 1
        return str(self.bookmark_ids)

    def write_heading(self, heading: Heading | ChangedHeading) -> None:
        level = min(max(heading.level, 1), 3)
        word_paragraph = self.word.add_paragraph(style=f"Heading {level}")
        paragraph = word_paragraph._p
        name = self.bookmarks.get(id(heading))  # none for a heading moved away (the new place has it)
        bookmark_id = self.next_id() if name else ""
        if name:
            paragraph.append(_element("bookmarkStart", id=bookmark_id, name=name))
        if isinstance(heading, ChangedHeading):
            self.write_inlines(word_paragraph, heading.inlines)
        else:
            paragraph.append(_text_run(heading.title))
        if name:
            paragraph.append(_element("bookmarkEnd", id=bookmark_id))

    # -- tracked changes -------------------------------------------------------------------------

    def revision(self, tag: str) -> OxmlElement:
        """A w:ins, w:del, w:moveFrom or w:moveTo with a fresh id, the author and the date."""
        if self.revisions is None:
            raise BuildError("redline: a tracked change needs an author and a date")
        return _element(tag, id=self.next_id(), author=self.revisions["author"], date=self.revisions["date"])

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
            rpr = _element("rPr")
            ppr.append(rpr)  # rPr comes after every other paragraph property we write
        rpr.insert(0, self.revision(REVISION_TAGS[change]))

    def mark_row(self, row: OxmlElement, change: Change) -> None:
        row.get_or_add_trPr().append(self.revision(ROW_TAGS[change]))
        for paragraph in row.iter(qn("w:p")):
            self.track_runs([child for child in paragraph if child.tag != qn("w:pPr")], change)

    def body_snapshot(self) -> set[OxmlElement]:
        return set(self.word.element.body)

    def new_body_elements(self, before: set[OxmlElement]) -> list[OxmlElement]:
        return [element for element in self.word.element.body if element not in before]

    def write_marked(self, block: Marked, depth: int) -> None:
        """Write the block as usual, then mark everything it added to the body."""
        before = self.body_snapshot()
        self.write_block(block.block, depth)
        added = self.new_body_elements(before)
        paragraphs: list[OxmlElement] = []
        for element in added:
            if element.tag == qn("w:p"):
                self.mark_paragraph(element, block.change)
                paragraphs.append(element)
            elif element.tag == qn("w:tbl"):
                for row in element.iter(qn("w:tr")):
                    self.mark_row(row, block.change)
                paragraphs.extend(element.iter(qn("w:p")))
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
            paragraphs[-1].append(_element(f"{tag}End", id=range_id))

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
                self.mark_paragraph(paragraph._p, change)
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
                self.track_runs(list(paragraph._p)[count:], "ins" if isinstance(inline, Insert) else "del")
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
            paragraph.append(_text_run(ref.number))
            return
        _append_field(paragraph, f"REF {name} \\r \\h", ref.number)

    def write_table(self, table: Table | ChangedTable) -> None:
        body: list[list[list[MarkedInline]]]
        if isinstance(table, ChangedTable):
            body = [row.cells for row in table.rows]
            changes = [None] * (1 if table.header else 0) + [row.change for row in table.rows]
        else:
            body = list(table.rows)  # type: ignore[arg-type]
            changes = []
        rows: list[list[list[MarkedInline]]] = ([table.header] if table.header else []) + body  # type: ignore[list-item]
        columns = max((len(row) for row in rows), default=0)
        if columns == 0:
            return
        widths = self.column_widths(rows, columns)
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
            tr_pr.append(_element("cantSplit"))
            if index == 0 and table.header:
                tr_pr.append(_element("tblHeader"))
            for cell, width, inlines in zip(word_row.cells, widths, [*cells, *[[]] * columns], strict=False):
                cell.width = Twips(width)
                self.write_inlines(cell.paragraphs[0], inlines)
            change = changes[index] if index < len(changes) else None
            if change is not None:
                self.mark_row(word_row._tr, change)

    def column_widths(self, rows: list[list[list[MarkedInline]]], columns: int) -> list[int]:
        """Spread the text width over the columns, wider where the text is longer."""
        weights = []
        minimums = []
        for column in range(columns):
            texts = [_inline_text(row[column]) for row in rows if column < len(row)]
            longest_word = max((len(word) for text in texts for word in text.split()), default=0)
            # Never narrower than the longest word, so "Severity" is not broken into "Severit y".
            weights.append(max(min(max((len(text) for text in texts), default=0), 40), longest_word + 2, 6))
            minimums.append(longest_word * TABLE_CHAR_WIDTH + TABLE_CELL_MARGINS)
        total = sum(weights)
        widths = [self.text_width * weight // total for weight in weights]
        if sum(minimums) <= self.text_width:
            # Short columns (a "Level" beside long descriptions) take width from the wide ones.
            for _ in range(columns):
                short = [i for i in range(columns) if widths[i] < minimums[i]]
                if not short:
                    break
                need = sum(minimums[i] - widths[i] for i in short)
                for i in short:
                    widths[i] = minimums[i]
                donors = [i for i in range(columns) if i not in short]
                spare = sum(widths[i] - minimums[i] for i in donors)
                for i in donors:
                    widths[i] -= need * (widths[i] - minimums[i]) // max(spare, 1)
        widths[-1] += self.text_width - sum(widths)
        return widths

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
            _append_field(footer._p, FIELD_FOR_PLACEHOLDER[match.group(1)], "1")
            position = match.end()
        if position < len(template):
            footer.add_run(template[position:])


__all__ = ["render_docx"]
