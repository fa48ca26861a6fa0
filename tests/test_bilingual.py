"""The bilingual example: huaxin's English/Chinese contract side by side, read back from the PDF (pypdf) and the
Word file (python-docx, its XML), with its Chinese legal name, both titles and contents, aligned numbered rows,
the precedence clause, CJK fonts and languages; its summary and comparison in Chinese; and the side-by-side
redline of a changed figure. Each document is built once per module."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from pypdf import PdfReader

from slagen.bilingual import pair_blocks, redline_second_text
from slagen.diff import redline_documents
from slagen.document import Delete, Document, Heading, Insert, ListBlock, Paragraph, Parallel, Span
from tests.conftest import REPO, run_cli
from tests.test_bad_inputs import has_cjk_font
from tests.test_languages import embedded_fonts, leftovers

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W}
CHINESE_NAME = "山东华欣饮料有限公司"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """huaxin's Basic contract (Word, PDF, summary) and comparison, built once."""
    if not has_cjk_font():
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk; make test does it as root)")
    out = tmp_path_factory.mktemp("bilingual")
    result = run_cli("--workspace", str(REPO), "build", "basic", "--customer", "huaxin", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    result = run_cli("--workspace", str(REPO), "compare", "--customer", "huaxin", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out / "huaxin"


def body_table(path: Path) -> etree._Element:
    document = etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))
    tables = document.findall("w:body/w:tbl", NS)
    assert len(tables) == 1, "the clauses sit in one side-by-side table"
    return tables[0]


def cell_text(cell: etree._Element) -> str:
    """The text of a cell (or paragraph) as Word shows it: tabs as tabs, deleted text left out."""
    parts = []
    for node in cell.iter(f"{{{W}}}t", f"{{{W}}}tab"):
        parts.append("\t" if node.tag == f"{{{W}}}tab" else node.text or "")
    return "".join(parts)


def test_pdf_shows_both_texts_with_the_chinese_legal_name(bilingual: Path) -> None:
    reader = PdfReader(bilingual / "huaxin-basic-sla.pdf")
    first = flat(reader.pages[0].extract_text())
    assert "Service Level Agreement" in first and "服务水平协议" in first  # the title page in both languages
    assert "Contents" in first and "目录" in first
    assert "Parties and Effective Date" in first and "协议双方与生效日" in first
    text = flat("\n".join(page.extract_text() for page in reader.pages))
    assert CHINESE_NAME in text and "Shandong Huaxin Beverage Co., Ltd." in text
    assert "李伟" in text and "总经理" in text and "经十路88号" in text  # signatory and address in Chinese
    assert "1 July 2026" in text and "2026年7月1日" in text
    assert "¥36,000.00" in text


def test_pdf_embeds_subsets_of_the_cjk_fonts(bilingual: Path) -> None:
    embedded = embedded_fonts(bilingual / "huaxin-basic-sla.pdf")
    cjk = sorted(name for name in embedded if "CJK" in name)
    assert cjk and all(re.fullmatch(r"/[A-Z]{6}\+Noto-S[a-z]+-CJK-SC.*", name) for name in cjk), embedded


def test_docx_sets_the_clauses_side_by_side_with_the_same_numbers(bilingual: Path) -> None:
    rows = body_table(bilingual / "huaxin-basic-sla.docx").findall("w:tr", NS)
    headings = 0
    for row in rows:
        cells = row.findall("w:tc", NS)
        assert len(cells) == 2
        left = [p for p in cells[0].iter(f"{{{W}}}p") if (p.find("w:pPr/w:pStyle", NS) is not None and
                p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val", "").startswith("Heading"))]
        right = [p for p in cells[1].iter(f"{{{W}}}p") if (p.find("w:pPr/w:pStyle", NS) is not None and
                 p.find("w:pPr/w:pStyle", NS).get(f"{{{W}}}val", "").startswith("Heading"))]
        assert len(left) == len(right)
        for other in right:
            headings += 1
            # the right heading writes its number out and stays out of Word's numbering and the contents
            assert other.find("w:pPr/w:numPr/w:numId", NS).get(f"{{{W}}}val") == "0"
            assert other.find("w:pPr/w:outlineLvl", NS).get(f"{{{W}}}val") == "9"
            assert re.match(r"\d+(\.\d+)*\t", cell_text(other))
    assert headings > 40
    texts = [(cell_text(row[0]), cell_text(row[1])) for row in (r.findall("w:tc", NS) for r in rows)]
    assert ("Parties and Effective Date", "1\t协议双方与生效日") in texts
    assert any(left.startswith("This Agreement takes effect on 1 July 2026") and "2026年7月1日" in right
               for left, right in texts)


def test_docx_title_page_and_contents_in_both_languages(bilingual: Path) -> None:
    word = docx.Document(str(bilingual / "huaxin-basic-sla.docx"))
    titles = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Title"]
    assert titles == ["Service Level Agreement", "服务水平协议"]
    contents = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "toc 1"]
    assert contents[0] == "1\tParties and Effective Date / 协议双方与生效日"


def test_docx_runs_carry_their_language_and_east_asian_font(bilingual: Path) -> None:
    package = zipfile.ZipFile(bilingual / "huaxin-basic-sla.docx")
    styles = package.read("word/styles.xml").decode()
    assert '<w:lang w:val="en-US" w:eastAsia="zh-CN"' in styles  # English text; Chinese characters as Chinese
    assert 'w:eastAsia="Noto Serif CJK SC"' in styles
    for row in body_table(bilingual / "huaxin-basic-sla.docx").findall("w:tr", NS):
        left, right = row.findall("w:tc", NS)
        for run in right.iter(f"{{{W}}}r"):
            lang = run.find("w:rPr/w:lang", NS)
            assert lang is not None and lang.get(f"{{{W}}}eastAsia") == "zh-CN"
            assert run.find("w:rPr/w:rFonts", NS).get(f"{{{W}}}hint") == "eastAsia"
        assert all(run.find("w:rPr/w:lang", NS) is None for run in left.iter(f"{{{W}}}r"))


def test_the_precedence_clause_says_which_text_prevails(bilingual: Path) -> None:
    rows = body_table(bilingual / "huaxin-basic-sla.docx").findall("w:tr", NS)
    texts = [(cell_text(left), cell_text(right)) for left, right in (row.findall("w:tc", NS) for row in rows)]
    english, chinese = next((left, right) for left, right in texts if left.startswith("This Agreement is made in"))
    assert english.startswith("This Agreement is made in English and Chinese, the two texts set side by side. "
                              "If the texts differ, the English text prevails.")
    assert "英" in chinese and "中" in chinese


def test_summary_and_comparison_in_chinese_on_one_page(bilingual: Path) -> None:
    for name in ("huaxin-basic-summary.pdf", "huaxin-compare.pdf"):
        reader = PdfReader(bilingual / name)
        assert len(reader.pages) == 1, name
        text = reader.pages[0].extract_text()
        assert CHINESE_NAME in flat(text), name
        assert leftovers(text, "zh") == [], name
    assert "支持服务报价" in flat(PdfReader(bilingual / "huaxin-basic-summary.pdf").pages[0].extract_text())


# ---------------------------------------------------------------- pairing and the bilingual redline


def _document(blocks: list[object], second: list[object]) -> Document:
    document = Document("SLA", "", "", "", "", "", "en-US", "A4", "#000000", {}, "2026-01-01T00:00:00Z",
                        blocks=blocks)  # type: ignore[arg-type]
    document.parallel = Parallel("zh-CN", "服务水平协议", "", {}, second)  # type: ignore[arg-type]
    document.clauses = [("scope", "1.0")]
    return document


def test_pairing_aligns_paragraphs_and_bullet_items_and_keeps_uneven_sections_whole() -> None:
    left = [Heading(1, "Scope", "scope", "1"), Paragraph([Span("One.")]), Paragraph([Span("Two.")]),
            ListBlock(False, [[Paragraph([Span("a")])], [Paragraph([Span("b")])]]),
            Heading(2, "Fees", "scope.fees", "1.1"), Paragraph([Span("Three.")])]
    right = [Heading(1, "范围", "scope", "1"), Paragraph([Span("一。")]), Paragraph([Span("二。")]),
             ListBlock(False, [[Paragraph([Span("甲")])], [Paragraph([Span("乙")])]]),
             Heading(2, "费用", "scope.fees", "1.1"), Paragraph([Span("三。")]), Paragraph([Span("四。")])]
    rows = pair_blocks(left, right)  # type: ignore[arg-type]
    assert [(len(row.left), len(row.right)) for row in rows] == [(1, 1), (1, 1), (1, 1), (1, 1), (1, 1), (1, 1),
                                                                 (1, 2)]
    assert rows[3].left[0].items == [[Paragraph([Span("a")])]]  # a bullet list item by item


def test_a_bilingual_redline_marks_the_chinese_figure_by_character() -> None:
    old = _document([Heading(1, "Scope", "scope", "1"), Paragraph([Span("Claims within 30 days.")])],
                    [Heading(1, "范围", "scope", "1"), Paragraph([Span("客户应在30日内提出索赔。")])])
    new = _document([Heading(1, "Scope", "scope", "1"), Paragraph([Span("Claims within 45 days.")])],
                    [Heading(1, "范围", "scope", "1"), Paragraph([Span("客户应在45日内提出索赔。")])])
    marked = redline_documents(old, new).document
    redline_second_text(old, new, marked)
    assert marked.parallel is not None
    changed = marked.parallel.blocks[1]
    inserted = [span.text for mark in changed.inlines if isinstance(mark, Insert) for span in mark.inlines]
    deleted = [span.text for mark in changed.inlines if isinstance(mark, Delete) for span in mark.inlines]
    assert (inserted, deleted) == (["45"], ["30"])


def test_the_chinese_column_has_no_english_leftovers(bilingual: Path) -> None:
    rows = body_table(bilingual / "huaxin-basic-sla.docx").findall("w:tr", NS)
    chinese = "\n".join(cell_text(row.findall("w:tc", NS)[1]) for row in rows)
    assert leftovers(chinese, "zh") == []
    english = "\n".join(cell_text(row.findall("w:tc", NS)[0]) for row in rows)
    assert CHINESE_NAME not in english and "Shandong Huaxin Beverage Co., Ltd." in english
