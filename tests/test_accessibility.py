"""Issue 17 item 5: accessible documents. PDFs are tagged (headings, lists, tables with header cells, the
logo's alternative text, reading order as the page), state their language and show their title; PDF/UA-1
is a `--pdf-variant`; Word tables mark their header rows and the Word file states the text's language.

The contracts come from the session's shared build (acme Premium, huaxin Basic): nothing is built twice.
"""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from slagen.document import Document, Paragraph, Span
from slagen.render.pdf import render_pdf
from tests.conftest import REPO, run_cli
from tests.redline_cases import shipped


def structure(path: Path) -> tuple[dict[str, Any], Counter[str], list[tuple[str, str]], list[str]]:
    """The catalog, the count of each structure type, (type, /Alt) pairs and the structure types in reading order."""
    reader = PdfReader(path)
    catalog = reader.trailer["/Root"]
    counts: Counter[str] = Counter()
    alternatives: list[tuple[str, str]] = []
    order: list[str] = []

    def walk(node: Any) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        kind = node.get("/S")
        if kind is not None:
            counts[str(kind)] += 1
            order.append(str(kind))
            if node.get("/Alt") is not None:
                alternatives.append((str(kind), str(node["/Alt"])))
        children = node.get("/K")
        for child in children if isinstance(children, list) else [children] if children is not None else []:
            if hasattr(child, "get_object"):
                walk(child)

    if "/StructTreeRoot" in catalog:
        walk(catalog["/StructTreeRoot"])
    return catalog, counts, alternatives, order


@pytest.fixture(scope="module")
def built(acme_premium_and_huaxin_basic: Path) -> Path:
    return acme_premium_and_huaxin_basic


def test_contract_pdf_is_tagged(built: Path) -> None:
    catalog, counts, _, order = structure(built / "acme" / "acme-premium-sla.pdf")
    document = shipped("premium", "acme")
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == document.language == "en-US"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert PdfReader(built / "acme" / "acme-premium-sla.pdf").metadata.title == document.title
    clauses = [block for block in document.headings() if block.level == 1]
    assert counts["/H1"] >= len(clauses) and counts["/H2"] > 0
    assert counts["/L"] > 0 and counts["/LI"] > 0 and counts["/Lbl"] > 0
    assert counts["/Table"] >= 6 and counts["/THead"] == counts["/Table"] and counts["/TH"] > 0 and counts["/TD"] > 0
    # reading order: a heading comes before the paragraphs and tables of its clause
    assert order.index("/H1") < order.index("/Table")


def test_summary_pdf_logo_has_alternative_text(built: Path) -> None:
    catalog, counts, alternatives, _ = structure(built / "acme" / "acme-premium-summary.pdf")
    assert catalog["/Lang"] == "en-US" and counts["/TH"] > 0
    assert ("/Figure", "Quellmark") in alternatives  # the provider's short name, as the logo shows it


def test_pdf_ua_1_variant(tmp_path: Path) -> None:
    result = run_cli("--workspace", str(REPO), "build", "basic", "-c", "acme", "-f", "summary",
                     "--pdf-variant", "pdf/ua-1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    path = next(tmp_path.rglob("*.pdf"))
    catalog, counts, _, _ = structure(path)
    xmp = catalog["/Metadata"].get_object().get_data().decode()
    assert 'pdfuaid:part="1"' in xmp
    assert counts["/Document"] == 1 and catalog["/Lang"] == "en-US"


def test_untagged_on_request() -> None:
    """Tagging is the default; `tagged=False` leaves the structure tree out (what bench/tagging_bench.py compares)."""
    document = Document("T", "", "", "", "", "", "en-GB", "A4", "#000000", {}, "2025-01-01T00:00:00Z",
                        blocks=[Paragraph([Span("x")])])
    html = '<html lang="en-GB"><head><title>T</title></head><body><h1>Heading</h1><p>Text</p></body></html>'
    tagged = render_pdf(html, base_dir=REPO, allowed_roots=[REPO], document=document)
    untagged = render_pdf(html, base_dir=REPO, allowed_roots=[REPO], document=document, tagged=False)
    def catalog(data: bytes) -> Any:
        return PdfReader(io.BytesIO(data)).trailer["/Root"]

    assert "/StructTreeRoot" in catalog(tagged) and "/StructTreeRoot" not in catalog(untagged)


def test_word_tables_mark_header_rows_and_the_language(built: Path) -> None:
    path = built / "acme" / "acme-premium-sla.docx"
    word = docx.Document(str(path))
    document = shipped("premium", "acme")
    assert word.tables
    for table in word.tables:
        first = table.rows[0]._tr
        if table._tbl.tblPr.find(qn("w:tblLook")).get(qn("w:firstRow")) == "1":
            assert first.trPr.find(qn("w:tblHeader")) is not None  # "Repeat as header row": read as the header
    assert sum(table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None for table in word.tables) >= 6
    defaults = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert defaults.get(qn("w:val")) == document.language == word.core_properties.language == "en-US"
    with zipfile.ZipFile(path) as package:
        assert b"<w:lang " in package.read("word/styles.xml")
