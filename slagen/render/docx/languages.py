"""Languages in the Word file: the text's own language on the document defaults and on runs (w:lang with
w:eastAsia), and an East Asian font (w:rFonts w:eastAsia) so Word and LibreOffice break and check Chinese
text as Chinese and English text as English."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.oxml.ns import qn

from slagen.render.docx.elements import element

if TYPE_CHECKING:
    from docx.document import Document as WordDocument
    from lxml.etree import _Element

    from slagen.document import Document

EAST_ASIAN = ("zh", "ja", "ko")
# Fonts Word and LibreOffice use for East Asian characters; Noto CJK is what the README installs.
EAST_ASIAN_FONTS = {"zh": ("Noto Serif CJK SC", "Noto Sans CJK SC"), "ja": ("Noto Serif CJK JP", "Noto Sans CJK JP"),
                    "ko": ("Noto Serif CJK KR", "Noto Sans CJK KR")}
LATIN_IN_EAST_ASIAN = "en-US"  # w:val of a Chinese text: the language of the Latin words inside it (names)


def east_asian(tag: str) -> bool:
    return tag.split("-")[0] in EAST_ASIAN


def language_attributes(tag: str, east_asian_tag: str | None) -> dict[str, str]:
    """w:lang attributes for text in `tag`: Latin script in w:val, East Asian in w:eastAsia."""
    if east_asian(tag):
        return {"val": LATIN_IN_EAST_ASIAN, "eastAsia": tag}
    attributes = {"val": tag}
    if east_asian_tag:
        attributes["eastAsia"] = east_asian_tag
    return attributes


def document_languages(document: Document) -> list[str]:
    """The BCP 47 tags of the document's texts: its own, and a bilingual contract's second."""
    return [document.language, *([document.parallel.language] if document.parallel else [])]


def set_document_languages(word: WordDocument, tags: list[str]) -> None:
    """The document defaults in the first text's language; with an East Asian text among `tags`, East Asian
    fonts on every style (in place of the template's theme fonts, which name none installed)."""
    asian = next((tag for tag in tags if east_asian(tag)), None)
    rpr = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    lang = None if rpr is None else rpr.find(qn("w:lang"))  # setup_styles made it, with the first text's language
    if lang is None or not tags:
        return
    for key, value in language_attributes(tags[0], asian).items():
        lang.set(qn(f"w:{key}"), value)
    if asian is None:
        return
    serif, sans = EAST_ASIAN_FONTS[asian.split("-")[0]]
    for fonts in word.styles.element.iter(qn("w:rFonts")):
        theme = fonts.get(qn("w:eastAsiaTheme"))
        if theme is not None or fonts.getparent() is rpr:
            fonts.attrib.pop(qn("w:eastAsiaTheme"), None)
            fonts.set(qn("w:eastAsia"), sans if theme and theme.startswith("major") else serif)


def mark_runs(container: _Element, tag: str, east_asian_tag: str | None) -> None:
    """Every run inside `container` in language `tag` (a column of a bilingual table), with the East Asian
    font hint when the text is East Asian."""
    attributes = language_attributes(tag, east_asian_tag)
    for run in container.iter(qn("w:r")):
        rpr = run.find(qn("w:rPr"))
        if rpr is None:
            rpr = element("rPr")
            run.insert(0, rpr)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = element("lang")
            rpr.append(lang)
        for key, value in attributes.items():
            lang.set(qn(f"w:{key}"), value)
        if east_asian(tag) and rpr.find(qn("w:rFonts")) is None:
            style = rpr.find(qn("w:rStyle"))  # rFonts follows rStyle, before everything else
            rpr.insert(0 if style is None else 1, element("rFonts", hint="eastAsia"))
