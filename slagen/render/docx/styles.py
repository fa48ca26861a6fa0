"""The Word styles, page and settings a contract uses: brand colours, heading numbering, contents and table styles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import RGBColor, Twips

from slagen.render.docx.elements import element

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

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

# (number position, text position) of each TOC level.
TOC_INDENTS = ((0, 567), (567, 1247), (1247, 2098))

def setup_page(word: WordDocument, geometry: tuple[int, int, int, int]) -> None:
    """Page size, margins and header/footer distances from `geometry` (a PAGE_GEOMETRY value)."""
    width, height, margin, distance = geometry
    section = word.sections[0]
    section.page_width = Twips(width)
    section.page_height = Twips(height)
    for side in ("top_margin", "bottom_margin", "left_margin", "right_margin"):
        setattr(section, side, Twips(margin))
    section.header_distance = Twips(distance)
    section.footer_distance = Twips(distance)
    section.gutter = Twips(0)


def setup_styles(word: WordDocument, *, brand: str, text_width: int, language: str) -> None:
    """Brand colour on titles and headings, numbered headings, contents and table styles, header/footer tabs."""
    styles = word.styles
    _set_language(word, language)
    for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3"):
        styles[name].font.color.rgb = RGBColor.from_string(brand)
    title_border = styles["Title"].element.find(f"{qn('w:pPr')}/{qn('w:pBdr')}/{qn('w:bottom')}")
    if title_border is not None:
        title_border.set(qn("w:color"), brand)
        title_border.attrib.pop(qn("w:themeColor"), None)
    # The template's Subtitle carries a stray numPr (an ilvl without a list); drop it.
    subtitle_ppr = styles["Subtitle"].element.pPr
    if subtitle_ppr is not None and subtitle_ppr.numPr is not None:
        subtitle_ppr._remove_numPr()
    _setup_heading_numbering(word)
    _setup_toc_styles(word, text_width)
    _setup_table_style(word, brand)
    for name in ("Header", "Footer"):
        tab_stops = styles[name].paragraph_format.tab_stops
        tab_stops.clear_all()
        tab_stops.add_tab_stop(Twips(text_width // 2), WD_TAB_ALIGNMENT.CENTER)
        tab_stops.add_tab_stop(Twips(text_width), WD_TAB_ALIGNMENT.RIGHT)


def _set_language(word: WordDocument, language: str) -> None:
    defaults = word.styles.element.find(qn("w:docDefaults"))
    rpr = None if defaults is None else defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None or not language:
        return
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = element("lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)


def _setup_heading_numbering(word: WordDocument) -> None:
    """One multi-level list 1. / 1.1 / 1.1.1 linked from the Heading 1-3 styles."""
    numbering = word.part.numbering_part.element
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
        ppr = word.styles[f"Heading {level + 1}"].element.get_or_add_pPr()
        num_pr = ppr.get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = level
        num_pr.get_or_add_numId().val = num_id
    # TOC Heading is based on Heading 1: keep "Contents" itself unnumbered.
    toc_heading = _style_element(word, "TOC Heading")
    if toc_heading is not None:
        toc_heading.get_or_add_pPr().get_or_add_numPr().get_or_add_numId().val = 0


def _style_element(word: WordDocument, name: str) -> OxmlElement | None:
    styles = word.styles
    return styles[name].element if name in styles else None


def _setup_toc_styles(word: WordDocument, text_width: int) -> None:
    styles = word.styles.element
    for level, (number_at, text_at) in enumerate(TOC_INDENTS, start=1):
        if f"TOC {level}" in word.styles or f"toc {level}" in word.styles:
            continue
        styles.append(
            parse_xml(
                f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="TOC{level}">'
                f'<w:name w:val="toc {level}"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/>'
                f'<w:autoRedefine/><w:uiPriority w:val="39"/><w:unhideWhenUsed/>'
                f"<w:pPr><w:tabs>"
                f'<w:tab w:val="left" w:pos="{text_at}"/>'
                f'<w:tab w:val="right" w:leader="dot" w:pos="{text_width}"/>'
                f'</w:tabs><w:spacing w:after="{100 if level > 1 else 120}"/>'
                f'<w:ind w:left="{text_at}" w:hanging="{text_at - number_at}"/></w:pPr>'
                f"{'<w:rPr><w:b/><w:bCs/></w:rPr>' if level == 1 else ''}"
                f"</w:style>"
            )
        )


def _setup_table_style(word: WordDocument, brand: str) -> None:
    if TABLE_STYLE_NAME in word.styles:
        return
    header_text = text_colour(brand)
    border = f'w:val="single" w:sz="4" w:space="0" w:color="{TABLE_BORDER_COLOUR}"'
    borders = "".join(f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right"))
    borders += f"<w:insideH {border}/><w:insideV {border}/>"
    word.styles.element.append(
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
            f'</w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{brand}"/></w:tcPr>'
            f"</w:tblStylePr></w:style>"
        )
    )


def text_colour(fill: str) -> str:
    """Black or white, whichever reads better on `fill`."""
    red, green, blue = (int(fill[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return "000000" if luminance > 150 else "FFFFFF"
