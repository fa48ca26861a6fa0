"""Tests for the DOCX writer: styles, numbering, fields, bookmarks, tables, metadata and validity."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from typing import TYPE_CHECKING

import docx
import pytest
from docx.oxml.ns import qn
from pypdf import PdfReader

from slagen.document import Document, Heading
from slagen.errors import BuildError
from slagen.markup import ClauseText, build_blocks
from slagen.render.docx import render_docx

if TYPE_CHECKING:
    from pathlib import Path

    from docx.document import Document as WordDocument

SERVICE_ROWS = "\n".join(
    f"| Service {index} | {99 + (index % 10) / 10:.1f}% | {index * 5} minutes |" for index in range(1, 36)
)

CLAUSES = [
    ClauseText(
        "definitions",
        "Definitions",
        "clauses/definitions.md",
        1,
        "In this Agreement the following terms apply.\n\n"
        "## Interpretation\n\n"
        "**Service** means the hosted platform; *Business Day* means a working day.\n\n"
        "- first bullet\n- second bullet\n  - nested bullet\n  - another nested bullet\n- third bullet\n",
    ),
    ClauseText(
        "service-levels",
        "Service Levels",
        "clauses/service-levels.md",
        1,
        "The Provider shall meet the levels below.\n\n"
        "## Availability\n\nAvailability is measured monthly.\n\n"
        "### Measurement\n\nMeasured by external probes.  \nEvery minute.\n\n"
        "1. Step one\n2. Step two\n   1. sub step a\n   2. sub step b\n3. Step three\n\n"
        "| Service | Target | Response |\n|---|---|---|\n" + SERVICE_ROWS + "\n",
    ),
    ClauseText(
        "credits",
        "Service Credits",
        "clauses/credits.md",
        1,
        "Credits follow the method in [measurement](#ref:service-levels.measurement) "
        "and the terms in [definitions](#ref:definitions).\n\n"
        "1. Credit one\n2. Credit two\n\n"
        "## Claims\n\nClaims must be made in writing.\n",
    ),
]

CREATED = "2024-03-01T09:30:00Z"
BOOKMARK_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")


def make_document(**changes: object) -> Document:
    document = Document(
        title="Service Level Agreement",
        subtitle="Between Example Provider and Example Customer",
        author="Contracts Team",
        subject="Hosting services",
        keywords="sla, hosting",
        header_text="Example Provider - Confidential",
        language="en-GB",
        page_size="A4",
        brand_colour="#1F4E79",
        strings={"contents": "Inhaltsverzeichnis", "page_x_of_y": "Seite {page} von {pages}"},
        created=CREATED,
        contents_levels=3,
        blocks=build_blocks(CLAUSES),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def source() -> Document:
    return make_document()


@pytest.fixture(scope="module")
def data(source: Document) -> bytes:
    return render_docx(source)


@pytest.fixture(scope="module")
def word(data: bytes) -> WordDocument:
    return docx.Document(io.BytesIO(data))


def body_paragraphs(word: WordDocument, style_prefix: str) -> list[docx.text.paragraph.Paragraph]:
    return [p for p in word.paragraphs if p.style is not None and p.style.name.startswith(style_prefix)]


def label(heading: Heading) -> str:
    """The number Word's heading numbering shows: `1` for clauses, `1.1` and `1.1.1` below, as in the PDF."""
    return heading.number


def field_results(word: WordDocument, instruction_start: str) -> list[tuple[str, str]]:
    """(instruction, cached result) of every simple, single-paragraph complex field in the body."""
    found: list[tuple[str, str]] = []
    for paragraph in word.element.body.iter(qn("w:p")):
        state, instruction, result = "", "", ""
        for element in paragraph.iter(qn("w:fldChar"), qn("w:instrText"), qn("w:t")):
            if element.tag == qn("w:fldChar"):
                kind = element.get(qn("w:fldCharType"))
                if kind == "begin":
                    state, instruction, result = "instruction", "", ""
                elif kind == "separate":
                    state = "result"
                elif kind == "end":
                    if instruction.strip().startswith(instruction_start):
                        found.append((instruction.strip(), result))
                    state = ""
            elif element.tag == qn("w:instrText") and state == "instruction":
                instruction += element.text or ""
            elif element.tag == qn("w:t") and state == "result":
                result += element.text or ""
    return found


def test_title_subtitle_and_headings_use_builtin_styles(word: WordDocument, source: Document) -> None:
    assert word.paragraphs[0].style.name == "Title"
    assert word.paragraphs[0].text == source.title
    assert word.paragraphs[1].style.name == "Subtitle"
    assert word.paragraphs[1].text == source.subtitle
    found = [(p.style.name, p.text) for p in body_paragraphs(word, "Heading")]
    expected = [(f"Heading {h.level}", h.title) for h in source.headings()]
    assert found == expected
    assert [level for level, _ in expected].count("Heading 3") == 1


def test_headings_carry_no_typed_numbers(word: WordDocument) -> None:
    headings = body_paragraphs(word, "Heading")
    assert headings
    for paragraph in headings:
        assert not re.match(r"^\s*\d", paragraph.text), paragraph.text
        assert paragraph._p.pPr.numPr is None  # numbering comes from the style alone


def test_heading_styles_link_a_three_level_abstract_numbering(word: WordDocument) -> None:
    numbering = word.part.numbering_part.element
    wanted = ["%1", "%1.%2", "%1.%2.%3"]
    abstracts = [
        abstract
        for abstract in numbering.findall(qn("w:abstractNum"))
        if [lvl.get(qn("w:val")) for lvl in abstract.iter(qn("w:lvlText"))][:3] == wanted
    ]
    assert len(abstracts) == 1
    abstract_id = abstracts[0].get(qn("w:abstractNumId"))
    num_ids = {
        num.get(qn("w:numId"))
        for num in numbering.findall(qn("w:num"))
        if num.find(qn("w:abstractNumId")).get(qn("w:val")) == abstract_id
    }
    for level in range(3):
        style = word.styles[f"Heading {level + 1}"].element
        num_pr = style.pPr.numPr
        assert num_pr is not None
        assert num_pr.ilvl.val == level
        assert str(num_pr.numId.val) in num_ids
    # "Contents" must not pick up a number through TOC Heading's basedOn Heading 1.
    assert word.styles["TOC Heading"].element.pPr.numPr.numId.val == 0
    # every abstractNum precedes every num, as the schema demands
    tags = [child.tag for child in numbering if child.tag in (qn("w:abstractNum"), qn("w:num"))]
    assert tags == sorted(tags, key=lambda tag: tag != qn("w:abstractNum"))


def test_lists_use_list_styles_and_each_numbered_list_restarts(word: WordDocument) -> None:
    bullets = [(p.style.name, p.text) for p in body_paragraphs(word, "List Bullet")]
    assert bullets == [
        ("List Bullet", "first bullet"),
        ("List Bullet", "second bullet"),
        ("List Bullet 2", "nested bullet"),
        ("List Bullet 2", "another nested bullet"),
        ("List Bullet", "third bullet"),
    ]
    numbered = body_paragraphs(word, "List Number")
    assert [(p.style.name, p.text) for p in numbered] == [
        ("List Number", "Step one"),
        ("List Number", "Step two"),
        ("List Number 2", "sub step a"),
        ("List Number 2", "sub step b"),
        ("List Number", "Step three"),
        ("List Number", "Credit one"),
        ("List Number", "Credit two"),
    ]
    numbering = word.part.numbering_part.element
    list_num_ids = [p._p.pPr.numPr.numId.val for p in numbered]
    # three lists (outer, nested, second outer): three distinct w:num, each restarting at 1
    assert list_num_ids[0] == list_num_ids[1] == list_num_ids[4]
    assert list_num_ids[2] == list_num_ids[3]
    assert list_num_ids[5] == list_num_ids[6]
    assert len({list_num_ids[0], list_num_ids[2], list_num_ids[5]}) == 3
    for num_id in set(list_num_ids):
        num = numbering.num_having_numId(num_id)
        assert num.xpath("./w:lvlOverride[@w:ilvl='0']/w:startOverride/@w:val") == ["1"]


def test_inline_emphasis_becomes_bold_and_italic_runs(word: WordDocument) -> None:
    paragraph = next(p for p in word.paragraphs if p.text.startswith("Service means"))
    runs = {run.text: (bool(run.bold), bool(run.italic)) for run in paragraph.runs}
    assert runs["Service"] == (True, False)
    assert runs["Business Day"] == (False, True)
    assert paragraph.style.name == "Normal"


def test_table_of_contents_is_a_prefilled_toc_field(word: WordDocument, source: Document) -> None:
    contents = next(p for p in word.paragraphs if p.text == "Inhaltsverzeichnis")
    assert contents.style.name == "TOC Heading"
    instructions = [text.text.strip() for text in word.element.body.iter(qn("w:instrText"))]
    assert instructions.count('TOC \\o "1-3" \\h \\z \\u') == 1
    entries = [p for p in word.paragraphs if re.fullmatch(r"toc \d", p.style.name.lower())]
    assert [(p.style.name.lower(), p.text) for p in entries] == [
        (f"toc {h.level}", f"{label(h)}\t{h.title}") for h in source.headings()
    ]
    assert [p.style.style_id for p in entries[:2]] == ["TOC1", "TOC2"]
    bookmarks = {
        start.get(qn("w:name")): "".join(t.text for t in start.getparent().iter(qn("w:t")))
        for start in word.element.body.iter(qn("w:bookmarkStart"))
    }
    anchors = [p._p.find(qn("w:hyperlink")).get(qn("w:anchor")) for p in entries]
    assert [bookmarks[anchor] for anchor in anchors] == [h.title for h in source.headings()]
    # the field opens in the first entry and closes in the last one
    assert entries[0]._p.xpath("./w:r/w:fldChar/@w:fldCharType") == ["begin", "separate"]
    assert entries[-1]._p.xpath("./w:r/w:fldChar/@w:fldCharType") == ["end"]


def test_field_characters_are_balanced(data: bytes) -> None:
    for part in ("word/document.xml", "word/footer1.xml"):
        xml = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
        depth, separated = 0, [False]
        for kind in re.findall(r'w:fldCharType="(\w+)"', xml):
            if kind == "begin":
                depth += 1
                separated.append(False)
            elif kind == "separate":
                assert depth > 0 and not separated[-1]
                separated[-1] = True
            else:
                assert depth > 0 and separated.pop()
                depth -= 1
        assert depth == 0, part


def test_bookmark_for_every_heading(word: WordDocument, source: Document) -> None:
    headings = body_paragraphs(word, "Heading")
    names = []
    for paragraph in headings:
        starts = paragraph._p.findall(qn("w:bookmarkStart"))
        assert len(starts) == 1, paragraph.text
        ends = paragraph._p.findall(qn("w:bookmarkEnd"))
        assert [end.get(qn("w:id")) for end in ends] == [starts[0].get(qn("w:id"))]
        names.append(starts[0].get(qn("w:name")))
    assert len(names) == len(source.headings())
    assert len(set(names)) == len(names)
    for name in names:
        assert BOOKMARK_NAME.match(name), name


def test_cross_references_are_ref_fields_with_cached_numbers(word: WordDocument) -> None:
    refs = field_results(word, "REF ")
    assert [result for _, result in refs] == ["2.1.1", "1"]
    heading_paragraphs = body_paragraphs(word, "Heading")
    headings = {p._p.find(qn("w:bookmarkStart")).get(qn("w:name")): p.text for p in heading_paragraphs}
    targets = []
    for instruction, _ in refs:
        match = re.fullmatch(r"REF (\S+) \\r \\h", instruction)
        assert match, instruction
        targets.append(headings[match.group(1)])
    assert targets == ["Measurement", "Definitions"]
    paragraph = next(p for p in word.paragraphs if p.text.startswith("Credits follow"))
    assert paragraph.text == "Credits follow the method in 2.1.1 and the terms in 1."


def test_tables_repeat_header_row_and_rows_never_split(word: WordDocument, source: Document) -> None:
    assert len(word.tables) == 1
    table = word.tables[0]
    assert table.style.name == "SLA Table"
    assert len(table.rows) == 36
    assert [cell.text for cell in table.rows[0].cells] == ["Service", "Target", "Response"]
    assert [cell.text for cell in table.rows[35].cells] == ["Service 35", "99.5%", "175 minutes"]
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:cantSplit")) is not None
        assert (tr_pr.find(qn("w:tblHeader")) is not None) == (index == 0)
    section = word.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert sum(column.width for column in table.columns) == text_width
    style = word.styles["SLA Table"].element
    first_row = style.find(qn("w:tblStylePr"))
    assert first_row.get(qn("w:type")) == "firstRow"
    assert first_row.find(f"{qn('w:rPr')}/{qn('w:b')}") is not None


def test_page_size_and_margins() -> None:
    a4 = docx.Document(io.BytesIO(render_docx(make_document(page_size="A4")))).sections[0]
    assert (a4.page_width.twips, a4.page_height.twips) == (11906, 16838)
    letter = docx.Document(io.BytesIO(render_docx(make_document(page_size="Letter")))).sections[0]
    assert (letter.page_width.twips, letter.page_height.twips) == (12240, 15840)
    for section in (a4, letter):
        assert section.left_margin.twips >= 1134 and section.top_margin.twips >= 1134
    with pytest.raises(BuildError, match="page_size"):
        render_docx(make_document(page_size="A5"))


def test_brand_colour_is_in_the_heading_styles(word: WordDocument) -> None:
    for name in ("Heading 1", "Heading 2", "Heading 3", "Title"):
        assert str(word.styles[name].font.color.rgb) == "1F4E79"
    for paragraph in body_paragraphs(word, "Heading"):
        assert all(run.font.color.rgb is None for run in paragraph.runs)


def test_header_and_footer(word: WordDocument) -> None:
    section = word.sections[0]
    assert section.header.paragraphs[0].text == "Example Provider - Confidential"
    footer = section.footer.paragraphs[0]._p
    instructions = [text.text.strip() for text in footer.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    texts = "".join(t.text for t in footer.iter(qn("w:t")))
    assert texts.startswith("Seite ") and " von " in texts
    assert "{page}" not in texts and "{pages}" not in texts


def test_core_properties_come_from_the_document(word: WordDocument) -> None:
    props = word.core_properties
    assert props.title == "Service Level Agreement"
    assert props.subject == "Hosting services"
    assert props.author == "Contracts Team"
    assert props.last_modified_by == "Contracts Team"
    assert props.keywords == "sla, hosting"
    assert props.language == "en-GB"
    assert props.revision == 1
    for moment in (props.created, props.modified, props.last_printed):
        assert moment.isoformat().startswith("2024-03-01T09:30:00")


def test_output_is_deterministic(data: bytes, source: Document) -> None:
    assert render_docx(source) == data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {info.date_time for info in infos} == {(2024, 3, 1, 9, 30, 0)}
    older = render_docx(make_document(created="1970-01-01T00:00:00Z"))
    with zipfile.ZipFile(io.BytesIO(older)) as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not on PATH")
def test_libreoffice_converts_it_to_pdf(data: bytes, tmp_path: Path) -> None:
    source = tmp_path / "contract.docx"
    source.write_bytes(data)
    profile = tmp_path / "profile"
    completed = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "contract.pdf"
    assert pdf.exists(), completed.stdout + completed.stderr
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Service Credits" in text
    assert "Inhaltsverzeichnis" in text
    assert "2.1.1" in text
