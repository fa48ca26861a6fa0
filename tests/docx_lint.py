"""A structural lint for Word files: what the Office schema cannot express but Word relies on.

`lint_docx(data)` returns one line per problem (empty: clean). Each line starts with its kind, so a test
can tell which rule fired:

- fields: every complex field is begin, (separate,) end, nested properly, closed in the same part
- anchors: every REF/PAGEREF field and every TOC hyperlink points at a bookmark that exists
- bookmarks: names unique, at most 40 characters; ids unique; every start has its end and vice versa
- revisions: tracked-change ids (w:ins, w:del, moves, property changes) unique
- moves: every move range start has its end, every moveFrom name has its moveTo and vice versa
- deleted-text: w:delText / w:delInstrText only inside a deletion or a move away
- references: every style, numbering instance and abstract numbering a part names exists
- update-fields: w:updateFields only when the caller asked for it
- namespaces: only markup Word 2010 knows (the oldest rule set the files must pass)
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
REL = "http://schemas.openxmlformats.org/package/2006/relationships"
MAX_BOOKMARK_NAME = 40
FIELD_REFERENCE = re.compile(r"^\s*(?:REF|PAGEREF)\s+(\S+)")
TOC_FIELD = re.compile(r"^\s*TOC\b")
REVISION_TAGS = ("ins", "del", "moveFrom", "moveTo", "pPrChange", "rPrChange", "tblPrChange", "trPrChange",
                 "tcPrChange", "sectPrChange", "numberingChange", "cellIns", "cellDel", "cellMerge")
STORY_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml$")
# Namespaces Word 2010 reads in these parts (the w14 additions are the newest allowed).
KNOWN_NAMESPACES = {
    W,
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://schemas.openxmlformats.org/schemaLibrary/2006/main",
    "http://schemas.microsoft.com/office/word/2010/wordml",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingInk",
    "http://schemas.microsoft.com/office/drawing/2010/main",
    "urn:schemas-microsoft-com:office:office",
    "urn:schemas-microsoft-com:vml",
    "urn:schemas-microsoft-com:office:word",
    "http://www.w3.org/XML/1998/namespace",
}


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def parts_of(data: bytes) -> dict[str, etree._Element]:
    """Every XML part of the package, parsed."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            name: etree.fromstring(package.read(name))
            for name in package.namelist()
            if name.endswith((".xml", ".rels"))
        }


def lint_docx(data: bytes, *, update_fields: bool = False) -> list[str]:
    """Every structural problem of the Word file `data`, one line each."""
    return lint_parts(parts_of(data), update_fields=update_fields)


def lint_parts(parts: dict[str, etree._Element], *, update_fields: bool = False) -> list[str]:
    problems: list[str] = []
    stories = {name: root for name, root in parts.items() if STORY_PARTS.match(name)}
    bookmarks = _bookmarks(stories, problems)
    for name, root in stories.items():
        _fields(name, root, bookmarks, problems)
        _toc_links(name, root, bookmarks, problems)
        _deleted_text(name, root, problems)
    _revisions(stories, problems)
    _moves(stories, problems)
    _references(parts, problems)
    _update_fields(parts, update_fields, problems)
    _namespaces(parts, problems)
    return problems


def _bookmarks(stories: dict[str, etree._Element], problems: list[str]) -> set[str]:
    names: Counter[str] = Counter()
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for name, root in stories.items():
        for start in root.iter(w("bookmarkStart")):
            bookmark = start.get(w("name"), "")
            names[bookmark] += 1
            starts[f"{name}#{start.get(w('id'))}"] += 1
            if len(bookmark) > MAX_BOOKMARK_NAME:
                problems.append(f"bookmarks: {name}: name {bookmark!r} is longer than {MAX_BOOKMARK_NAME} characters")
        for end in root.iter(w("bookmarkEnd")):
            ends[f"{name}#{end.get(w('id'))}"] += 1
    problems += [f"bookmarks: name {bookmark!r} is used {count} times" for bookmark, count in names.items()
                 if count > 1]
    problems += [f"bookmarks: {key}: id is used by {count} bookmarks" for key, count in starts.items() if count > 1]
    problems += [f"bookmarks: {key}: a start without an end" for key in starts if key not in ends]
    problems += [f"bookmarks: {key}: an end without a start" for key in ends if key not in starts]
    return set(names)


def _fields(name: str, root: etree._Element, bookmarks: set[str], problems: list[str]) -> None:
    """begin, instruction, separate (optional), end; nested fields close before their parent."""
    stack: list[dict[str, object]] = []
    for node in root.iter(w("fldChar"), w("instrText"), w("delInstrText"), w("fldSimple")):
        if node.tag == w("fldSimple"):
            _check_instruction(name, node.get(w("instr"), ""), bookmarks, problems)
            continue
        if node.tag in (w("instrText"), w("delInstrText")):
            if not stack or stack[-1]["separated"]:
                problems.append(f"fields: {name}: instruction text {node.text!r} outside a field's code")
            else:
                stack[-1]["code"] = str(stack[-1]["code"]) + (node.text or "")
            continue
        kind = node.get(w("fldCharType"))
        if kind == "begin":
            stack.append({"code": "", "separated": False})
        elif kind == "separate":
            if not stack or stack[-1]["separated"]:
                problems.append(f"fields: {name}: a 'separate' without its 'begin'")
            else:
                stack[-1]["separated"] = True
                _check_instruction(name, str(stack[-1]["code"]), bookmarks, problems)
        elif kind == "end":
            if not stack:
                problems.append(f"fields: {name}: an 'end' without its 'begin'")
                continue
            field = stack.pop()
            if not field["separated"]:
                _check_instruction(name, str(field["code"]), bookmarks, problems)
    if stack:
        problems.append(f"fields: {name}: {len(stack)} field(s) begun but never ended")


def _check_instruction(name: str, code: str, bookmarks: set[str], problems: list[str]) -> None:
    match = FIELD_REFERENCE.match(code)
    if match and match.group(1) not in bookmarks:
        problems.append(f"anchors: {name}: field {code.strip()!r} names no bookmark")


def _toc_links(name: str, root: etree._Element, bookmarks: set[str], problems: list[str]) -> None:
    for link in root.iter(w("hyperlink")):
        anchor = link.get(w("anchor"))
        if anchor is not None and anchor not in bookmarks:
            problems.append(f"anchors: {name}: hyperlink to {anchor!r}, which is no bookmark")


def _deleted_text(name: str, root: etree._Element, problems: list[str]) -> None:
    removals = (w("del"), w("moveFrom"))
    for node in root.iter(w("delText"), w("delInstrText")):
        if not any(ancestor.tag in removals for ancestor in node.iterancestors()):
            problems.append(f"deleted-text: {name}: {etree.QName(node).localname} {node.text!r} outside a deletion")


def _revisions(stories: dict[str, etree._Element], problems: list[str]) -> None:
    ids: Counter[str] = Counter()
    for root in stories.values():
        for tag in REVISION_TAGS:
            for node in root.iter(w(tag)):
                ids[node.get(w("id"), "")] += 1
    problems += [f"revisions: id {key!r} is used by {count} tracked changes" for key, count in ids.items()
                 if count > 1]


def _moves(stories: dict[str, etree._Element], problems: list[str]) -> None:
    for kind in ("moveFrom", "moveTo"):
        starts = Counter(node.get(w("id")) for root in stories.values() for node in root.iter(w(f"{kind}RangeStart")))
        ends = Counter(node.get(w("id")) for root in stories.values() for node in root.iter(w(f"{kind}RangeEnd")))
        problems += [f"moves: {kind} range {key}: a start without an end" for key in starts if key not in ends]
        problems += [f"moves: {kind} range {key}: an end without a start" for key in ends if key not in starts]
        problems += [f"moves: {kind} range id {key} is used {count} times" for key, count in starts.items()
                     if count > 1]
    names = {
        kind: {node.get(w("name")) for root in stories.values() for node in root.iter(w(f"{kind}RangeStart"))}
        for kind in ("moveFrom", "moveTo")
    }
    away, arrive = names["moveFrom"], names["moveTo"]
    problems += [f"moves: {move!r} moves away but arrives nowhere" for move in sorted(away - arrive)]
    problems += [f"moves: {move!r} arrives from nowhere" for move in sorted(arrive - away)]


def _references(parts: dict[str, etree._Element], problems: list[str]) -> None:
    styles = parts.get("word/styles.xml")
    numbering = parts.get("word/numbering.xml")
    style_ids = {style.get(w("styleId")) for style in styles.iter(w("style"))} if styles is not None else set()
    nums: dict[str, str] = {}
    abstracts: set[str] = set()
    if numbering is not None:
        abstracts = {node.get(w("abstractNumId")) for node in numbering.iter(w("abstractNum"))}
        for num in numbering.iter(w("num")):
            abstract = num.find(w("abstractNumId"))
            nums[num.get(w("numId"))] = abstract.get(w("val")) if abstract is not None else ""
        problems += [f"references: word/numbering.xml: num {num_id} uses abstractNum {abstract!r}, which does "
                     "not exist" for num_id, abstract in nums.items() if abstract not in abstracts]
    for name, root in parts.items():
        if not name.startswith("word/") or not name.endswith(".xml"):
            continue
        for tag in ("pStyle", "rStyle", "tblStyle", "basedOn", "next", "link", "numStyleLink", "styleLink"):
            for node in root.iter(w(tag)):
                if node.get(w("val")) not in style_ids:
                    problems.append(f"references: {name}: {tag} {node.get(w('val'))!r} names no style")
        for node in root.iter(w("numId")):
            value = node.get(w("val"))
            if value != "0" and value not in nums:
                problems.append(f"references: {name}: numId {value!r} names no numbering")


def _update_fields(parts: dict[str, etree._Element], asked: bool, problems: list[str]) -> None:
    settings = parts.get("word/settings.xml")
    update = settings.find(w("updateFields")) if settings is not None else None
    present = update is not None and update.get(w("val"), "true") in ("true", "1", "on")
    if present and not asked:
        problems.append("update-fields: word/settings.xml asks Word to update fields on open (a prompt every time)")
    if asked and not present:
        problems.append("update-fields: word/settings.xml does not ask Word to update fields, though asked to")


def _namespaces(parts: dict[str, etree._Element], problems: list[str]) -> None:
    for name, root in parts.items():
        if not name.startswith("word/") or not name.endswith(".xml") or name.startswith("word/theme/"):
            continue
        used = {etree.QName(node).namespace for node in root.iter() if isinstance(node.tag, str)}
        used |= {etree.QName(key).namespace for node in root.iter() if isinstance(node.tag, str) for key in node.attrib}
        for namespace in sorted(ns for ns in used - KNOWN_NAMESPACES if ns):
            problems.append(f"namespaces: {name}: markup from {namespace}, which Word 2010 does not know")
