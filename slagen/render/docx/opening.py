"""How Word opens the file: settings.xml (no field-update prompt unless asked, current compatibility mode,
zoom, language) and a package without the template's leftovers (stylesWithEffects, bibliography
sources, the template's application name and stale statistics in docProps/app.xml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape as escape_text

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn

from slagen import __version__
from slagen.render.docx.elements import element

if TYPE_CHECKING:
    from docx.document import Document as WordDocument

# Word 2013 and later open a file in their own mode only at 15; 14 (Word 2010) shows "[Compatibility Mode]".
COMPATIBILITY_MODE = "15"
WORD_URI = "http://schemas.microsoft.com/office/word"
ZOOM_PERCENT = "100"

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

# Parts of python-docx's template that no slagen document uses: Word 2010's copy of the styles (which
# lacks the styles slagen adds and so disagrees with styles.xml) and an empty bibliography source list.
LEFTOVER_RELATIONSHIPS = (
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
    RT.CUSTOM_XML,
)

APP_NAMESPACE = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def setup_settings(word: WordDocument, *, update_fields: bool, language: str) -> None:
    """Open silently (fields already hold their results) unless `update_fields`; Word 2013+ mode; 100% zoom."""
    settings = word.settings.element
    update = settings.find(qn("w:updateFields"))
    if update_fields and update is None:
        settings.insert_element_before(element("updateFields", val="true"), *SETTINGS_AFTER_UPDATE_FIELDS)
    elif not update_fields and update is not None:
        settings.remove(update)
    zoom = settings.find(qn("w:zoom"))
    if zoom is not None:
        zoom.attrib.pop(qn("w:val"), None)  # "bestFit" without a percent: Word has to guess
        zoom.set(qn("w:percent"), ZOOM_PERCENT)
    compat = settings.find(qn("w:compat"))
    if compat is None:
        compat = element("compat")
        settings.insert_element_before(compat, *SETTINGS_AFTER_UPDATE_FIELDS[4:])
    mode = next(
        (setting for setting in compat.findall(qn("w:compatSetting"))
         if setting.get(qn("w:name")) == "compatibilityMode"),
        None,
    )
    if mode is None:
        mode = element("compatSetting", name="compatibilityMode", uri=WORD_URI)
        compat.append(mode)
    mode.set(qn("w:val"), COMPATIBILITY_MODE)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None and language:
        theme_lang.set(qn("w:val"), language)


def drop_leftovers(word: WordDocument) -> None:
    """Unlink the template parts no slagen document uses; unlinked parts are not saved."""
    part = word.part
    for rel_id in [rel_id for rel_id, rel in part.rels.items() if rel.reltype in LEFTOVER_RELATIONSHIPS]:
        part.drop_rel(rel_id)
    rels = part.package.rels
    for rel_id in [rel_id for rel_id, rel in rels.items() if rel.reltype in LEFTOVER_RELATIONSHIPS]:
        del rels[rel_id]


def app_properties(title: str) -> bytes:
    """docProps/app.xml naming slagen and its version, without the template's statistics (pages, words),
    which would be wrong: Word counts them itself when it saves."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Properties xmlns="{APP_NAMESPACE}" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Template>Normal.dotm</Template><TotalTime>0</TotalTime>"
        f"<Application>slagen {escape_text(__version__)}</Application><DocSecurity>0</DocSecurity>"
        "<ScaleCrop>false</ScaleCrop>"
        '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Title</vt:lpstr></vt:variant>'
        "<vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs>"
        f'<TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>{escape_text(title)}</vt:lpstr>'
        "</vt:vector></TitlesOfParts>"
        "<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
        "<HyperlinksChanged>false</HyperlinksChanged></Properties>"
    ).encode()


def set_app_properties(word: WordDocument, title: str) -> None:
    """Replace the template's docProps/app.xml (which names "Microsoft Macintosh Word" 14.0)."""
    for rel in word.part.package.rels.values():
        if rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = app_properties(title)  # a plain Part: its bytes are what is saved
