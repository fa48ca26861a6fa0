"""The structural lint (tests/docx_lint.py) passes a real redline and catches a broken copy of each kind.

The base is a redline with a removed clause and a moved one: fields, bookmarks, tracked changes and
move ranges are all in it. Each case breaks one thing in a copy of the package and expects lines of
that kind only.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Callable

import pytest
from lxml import etree

from tests.docx_lint import W, lint_docx, w
from tests.redline_cases import redline_docx

DOCUMENT = "word/document.xml"


@pytest.fixture(scope="module")
def base() -> bytes:
    return redline_docx()


def broken_copy(data: bytes, name: str, change: Callable[[etree._Element], None]) -> bytes:
    """`data` with part `name` parsed, changed by `change`, and written back into a new package."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == name:
                root = etree.fromstring(content)
                change(root)
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, content)
    return output.getvalue()


def nth(root: etree._Element, tag: str, index: int = 0, **attributes: str) -> etree._Element:
    found = [node for node in root.iter(w(tag)) if all(node.get(w(k)) == v for k, v in attributes.items())]
    return found[index]


def drop(node: etree._Element) -> None:
    node.getparent().remove(node)


def drop_field_end(root: etree._Element) -> None:
    drop(nth(root, "fldChar", fldCharType="end").getparent())


def separate_twice(root: etree._Element) -> None:
    separate = nth(root, "fldChar", fldCharType="separate").getparent()
    separate.addnext(copy.deepcopy(separate))


def ref_to_nowhere(root: etree._Element) -> None:
    code = next(node for node in root.iter(w("instrText")) if node.text.strip().startswith("REF "))
    code.text = " REF _Ref999999999 \\r \\h "


def toc_link_to_nowhere(root: etree._Element) -> None:
    nth(root, "hyperlink").set(w("anchor"), "_Ref000000001")


def duplicate_bookmark_name(root: etree._Element) -> None:
    nth(root, "bookmarkStart", 1).set(w("name"), nth(root, "bookmarkStart", 0).get(w("name")))


def long_bookmark_name(root: etree._Element) -> None:
    start = nth(root, "bookmarkStart", 0)
    old = start.get(w("name"))
    start.set(w("name"), "_Ref" + "1" * 40)
    for code in root.iter(w("instrText"), w("delInstrText")):
        code.text = code.text.replace(old, "_Ref" + "1" * 40)
    for link in root.iter(w("hyperlink")):
        if link.get(w("anchor")) == old:
            link.set(w("anchor"), "_Ref" + "1" * 40)


def duplicate_bookmark_id(root: etree._Element) -> None:
    second = nth(root, "bookmarkStart", 1)
    end = next(node for node in root.iter(w("bookmarkEnd")) if node.get(w("id")) == second.get(w("id")))
    same = nth(root, "bookmarkStart", 0).get(w("id"))
    second.set(w("id"), same)
    end.set(w("id"), same)


def bookmark_without_end(root: etree._Element) -> None:
    drop(nth(root, "bookmarkEnd", 3))


def duplicate_revision_id(root: etree._Element) -> None:
    nth(root, "ins", 1).set(w("id"), nth(root, "del", 0).get(w("id")))


def move_range_without_end(root: etree._Element) -> None:
    drop(nth(root, "moveFromRangeEnd"))


def move_arriving_nowhere(root: etree._Element) -> None:
    nth(root, "moveToRangeStart").set(w("name"), "elsewhere")


def deleted_text_outside_a_deletion(root: etree._Element) -> None:
    text = next(node for node in root.iter(w("t")) if node.text and node.text.strip())
    text.tag = w("delText")


def missing_style(root: etree._Element) -> None:
    nth(root, "pStyle", 3).set(w("val"), "NoSuchStyle")


def missing_numbering(root: etree._Element) -> None:
    num_id = next(node for node in root.iter(w("numId")) if node.get(w("val")) != "0")
    num_id.set(w("val"), "999")


def update_fields(root: etree._Element) -> None:
    update = etree.Element(w("updateFields"))
    update.set(w("val"), "true")
    root.find(w("compat")).addprevious(update)


def word_2013_markup(root: etree._Element) -> None:
    paragraph = nth(root, "p", 5)
    paragraph.set("{http://schemas.microsoft.com/office/word/2012/wordml}collapsed", "1")


CASES = {
    "fields: end missing": ("fields", DOCUMENT, drop_field_end),
    "fields: separate twice": ("fields", DOCUMENT, separate_twice),
    "anchors: REF": ("anchors", DOCUMENT, ref_to_nowhere),
    "anchors: TOC hyperlink": ("anchors", DOCUMENT, toc_link_to_nowhere),
    "bookmarks: name twice": ("bookmarks", DOCUMENT, duplicate_bookmark_name),
    "bookmarks: name too long": ("bookmarks", DOCUMENT, long_bookmark_name),
    "bookmarks: id twice": ("bookmarks", DOCUMENT, duplicate_bookmark_id),
    "bookmarks: no end": ("bookmarks", DOCUMENT, bookmark_without_end),
    "revisions: id twice": ("revisions", DOCUMENT, duplicate_revision_id),
    "moves: range without end": ("moves", DOCUMENT, move_range_without_end),
    "moves: arrives nowhere": ("moves", DOCUMENT, move_arriving_nowhere),
    "deleted-text": ("deleted-text", DOCUMENT, deleted_text_outside_a_deletion),
    "references: style": ("references", DOCUMENT, missing_style),
    "references: numbering": ("references", DOCUMENT, missing_numbering),
    "update-fields": ("update-fields", "word/settings.xml", update_fields),
    "namespaces": ("namespaces", DOCUMENT, word_2013_markup),
}


def test_the_real_redline_is_clean(base: bytes) -> None:
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(base)).read(DOCUMENT))
    assert {etree.QName(node).localname for node in root.iter(f"{{{W}}}*")} >= {
        "fldChar", "bookmarkStart", "ins", "del", "moveFrom", "moveTo", "moveFromRangeStart", "delText", "numId"
    }
    assert lint_docx(base) == []


@pytest.mark.parametrize("case", list(CASES))
def test_lint_catches_a_broken_copy(base: bytes, case: str) -> None:
    kind, part, change = CASES[case]
    problems = lint_docx(broken_copy(base, part, change))
    assert problems, f"{case}: not caught"
    assert {line.split(":", 1)[0] for line in problems} == {kind}, problems


def test_update_fields_is_fine_when_asked() -> None:
    asked = redline_docx(update_fields=True)
    assert lint_docx(asked, update_fields=True) == []
    assert [line.split(":", 1)[0] for line in lint_docx(asked)] == ["update-fields"]
