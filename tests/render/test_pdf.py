"""The HTML and PDF writers end to end: real WeasyPrint, PDFs read back with pypdf."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import Destination

from slagen.document import Document, Paragraph, Span
from slagen.errors import BuildError, TemplateError
from slagen.markup import ClauseText, build_blocks
from slagen.render.html import render_html
from slagen.render.pdf import render_pdf
from slagen.templating import page_environment, template_loader

REPO = Path(__file__).resolve().parents[2]
BUILTIN = REPO / "templates"

TABLE_ROWS = "\n".join(
    f"| Service {i:02d} | {99 + i % 9 / 10:.1f} % | {i * 5} minutes |" for i in range(1, 61)
)

CLAUSES = [
    ClauseText(
        "definitions",
        "Definitions",
        "clauses/definitions.md",
        1,
        "In this Agreement:\n\n"
        "- **Availability** means the share of time the Service can be used.\n"
        "- **Incident** means an unplanned interruption.\n"
        "  - including partial outages\n"
        "- **Business Day** means Monday to Friday.\n",
    ),
    ClauseText(
        "availability",
        "Service availability",
        "clauses/availability.md",
        1,
        "The Provider makes the Service available 99.9 % of each month.\n\n"
        "## Measurement\n\nAvailability is measured every minute.\n\n"
        "### Exclusions\n\n1. force majeure;\n2. faults caused by the Customer.\n\n"
        "## Targets per service\n\n"
        "| Service metric | Monthly target | Response time |\n|---|---|---|\n" + TABLE_ROWS + "\n",
    ),
    ClauseText(
        "credits",
        "Service credits",
        "clauses/credits.md",
        1,
        "If Availability falls below target the Customer receives credits.\n\n"
        "## Claims procedure\n\nClaims are made within 30 days, see clause "
        "[2.1](#ref:availability.measurement).\n\n"
        "## Maximum\n\nCredits are capped, see clause [x](#ref:credits.claims-procedure).\n",
    ),
]

CREATED = "2025-03-01T09:30:00+01:00"


def make_document(page_size: str = "A4", **changes: Any) -> Document:
    fields: dict[str, Any] = {
        "title": "Service Level Agreement",
        "subtitle": "Managed Hosting, Gold tier",
        "author": "Acme Hosting Ltd",
        "subject": "SLA for Example Corp",
        "keywords": "SLA, hosting, gold",
        "header_text": "Acme Hosting Ltd - Gold SLA",
        "language": "en-GB",
        "page_size": page_size,
        "brand_colour": "#1f4e79",
        "strings": {"contents": "Table of contents", "page_x_of_y": "Page {page} of {pages}"},
        "created": CREATED,
        "contents_levels": 2,
        "blocks": build_blocks(CLAUSES),
    }
    fields.update(changes)
    return Document(**fields)


def environment(*folders: Path) -> Any:
    return page_environment(template_loader([*folders, BUILTIN], BUILTIN))


def build(document: Document, workspace: Path | None = None, variant: str | None = None) -> bytes:
    folders = [workspace] if workspace is not None else []
    html = render_html(document, environment(*folders))
    base = workspace if workspace is not None else BUILTIN
    return render_pdf(html, base_dir=base, allowed_roots=[base, BUILTIN], document=document, variant=variant)


@cache
def sample_pdf(page_size: str = "A4") -> bytes:
    return build(make_document(page_size))


def reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in reader(pdf).pages]


def outline_entries(outline: list[Any], depth: int = 1) -> list[tuple[int, str]]:
    entries: list[tuple[int, str]] = []
    for item in outline:
        if isinstance(item, list):
            entries.extend(outline_entries(item, depth + 1))
        else:
            assert isinstance(item, Destination)
            entries.append((depth, str(item.title)))
    return entries


def override(tmp_path: Path, blocks: str) -> Path:
    (tmp_path / "contract.html.j2").write_text('{% extends "builtin/contract.html.j2" %}\n' + blocks)
    return tmp_path


# --- HTML -----------------------------------------------------------------------------------


def test_html_headings_refs_terms_and_tables() -> None:
    html = render_html(make_document(), environment())
    assert '<h2 id="availability.measurement"><span class="number">2.1 </span>Measurement</h2>' in html
    assert '<h3 id="availability.exclusions">' in html
    assert '<a class="ref" href="#availability.measurement">2.1</a>' in html
    assert '<strong class="term">Availability</strong>' in html
    assert "<thead><tr><th>Service metric</th>" in html
    assert html.count("<tr>") == 61
    assert '<html lang="en-GB">' in html


def test_html_escapes_text_and_css_strings() -> None:
    hostile = make_document(
        header_text='Acme "quoted" </style><script>',
        blocks=[Paragraph([Span("<script>alert(1)</script> & co")])],
    )
    html = render_html(hostile, environment())
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>" not in html
    assert "</style><script>" not in html
    assert html.count("</style>") == 1


def test_script_text_shows_literally_in_pdf() -> None:
    document = make_document(blocks=[Paragraph([Span("Do not run <script>alert(1)</script> here")])])
    texts = page_texts(build(document))
    assert "Do not run <script>alert(1)</script> here" in "\n".join(texts)


def test_workspace_contract_css_replaces_the_builtin_look(tmp_path: Path) -> None:
    (tmp_path / "contract.css").write_text("/* workspace look */ .cover .title { color: green; }\n")
    html = render_html(make_document(), environment(tmp_path))
    assert "/* workspace look */" in html
    assert "leader(dotted)" not in html


def test_template_errors_name_the_file_and_line(tmp_path: Path) -> None:
    override(tmp_path, "{% block end %}\n\n{{ document.no_such_field }}{% endblock %}\n")
    with pytest.raises(TemplateError, match=r"contract\.html\.j2:4: .*no_such_field"):
        render_html(make_document(), environment(tmp_path))


def test_unsafe_brand_colour_is_refused() -> None:
    with pytest.raises(TemplateError, match="brand colour"):
        render_html(make_document(brand_colour="red; } body { display: none"), environment())


# --- PDF content ----------------------------------------------------------------------------


def test_clause_titles_and_numbers_in_order() -> None:
    body = "\n".join(page_texts(sample_pdf())[1:])
    expected = [
        "1 Definitions",
        "2 Service availability",
        "2.1 Measurement",
        "2.1.1 Exclusions",
        "2.2 Targets per service",
        "3 Service credits",
        "3.1 Claims procedure",
        "3.2 Maximum",
    ]
    positions = [body.find(heading) for heading in expected]
    assert -1 not in positions, dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions)
    assert "see clause 2.1." in body
    assert "see clause 3.1." in body


def test_contents_lists_headings_with_their_pages() -> None:
    texts = page_texts(sample_pdf())
    contents = texts[0]
    assert "Table of contents" in contents
    for number, title in [("1", "Definitions"), ("2.2", "Targets per service"), ("3.2", "Maximum")]:
        match = re.search(rf"^{re.escape(number)} {re.escape(title)} (\d+)$", contents, re.MULTILINE)
        assert match, f"{number} {title} missing from contents:\n{contents}"
        page = int(match.group(1))
        assert re.search(rf"^{re.escape(number)} {re.escape(title)}$", texts[page - 1], re.MULTILINE)
    assert "2.1.1" not in contents


def test_outline_has_every_heading_nested_and_nothing_else() -> None:
    document = make_document()
    expected = [(heading.level, f"{heading.number} {heading.title}") for heading in document.headings()]
    entries = outline_entries(reader(sample_pdf()).outline)
    assert entries == expected
    assert (3, "2.1.1 Exclusions") in entries


def test_metadata_comes_from_the_document() -> None:
    pdf = reader(sample_pdf())
    metadata = pdf.metadata
    assert metadata is not None
    assert metadata.title == "Service Level Agreement"
    assert metadata.author == "Acme Hosting Ltd"
    assert metadata.subject == "SLA for Example Corp"
    assert metadata["/Keywords"] == "SLA, hosting, gold"
    assert metadata.creation_date == datetime(2025, 3, 1, 8, 30, tzinfo=UTC)
    assert metadata.modification_date == metadata.creation_date
    assert pdf.trailer["/Root"]["/Lang"] == "en-GB"


@pytest.mark.parametrize(("page_size", "width", "height"), [("A4", 595.3, 841.9), ("Letter", 612, 792)])
def test_page_size(page_size: str, width: float, height: float) -> None:
    pages = reader(sample_pdf(page_size)).pages
    for page in pages:
        assert float(page.mediabox.width) == pytest.approx(width, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(height, abs=0.5)


def test_table_header_repeats_on_every_page_of_the_table() -> None:
    texts = page_texts(sample_pdf())
    first = next(i for i, text in enumerate(texts) if "Service 01 " in text)
    last = next(i for i, text in enumerate(texts) if "Service 60 " in text)
    assert last > first, "the table should span pages"
    for index in range(first, last + 1):
        assert "Service metric Monthly target Response time" in texts[index], f"page {index + 1}"


def test_running_header_and_page_x_of_y() -> None:
    texts = page_texts(sample_pdf())
    total = len(texts)
    assert total >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {total}" in text
    assert "Acme Hosting Ltd - Gold SLA" not in texts[0], "no running header on the title page"
    assert all("Acme Hosting Ltd - Gold SLA" in text for text in texts[1:])


def test_fonts_are_embedded() -> None:
    pdf = reader(sample_pdf())
    fonts = 0
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
            fonts += 1
    assert fonts > 0


# --- Reproducibility ------------------------------------------------------------------------


def test_same_input_gives_identical_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    document = make_document()
    first, second = build(document), build(document)
    assert first == second
    assert "SOURCE_DATE_EPOCH" not in os.environ, "the variable is restored afterwards"
    assert build(make_document(created="2025-03-02T09:30:00+01:00")) != first


def test_identical_bytes_across_processes(tmp_path: Path) -> None:
    script = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('sample', {str(Path(__file__))!r})\n"
        "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
        "sys.stdout.buffer.write(module.build(module.make_document()))\n"
    )
    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        env.pop("SOURCE_DATE_EPOCH", None)
        result = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, check=True, env=env, cwd=REPO, timeout=120
        )
        outputs.append(result.stdout)
    assert outputs[0][:5] == b"%PDF-"
    assert outputs[0] == outputs[1]


# --- Confinement ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "url"),
    [
        (
            '{% block head %}<link rel="stylesheet" href="file:///etc/passwd">{% endblock %}',
            "file:///etc/passwd",
        ),
        ('{% block end %}<img src="file:///etc/passwd">{% endblock %}', "file:///etc/passwd"),
        (
            '{% block style %}@import url("file:///etc/passwd");{{ super() }}{% endblock %}',
            "file:///etc/passwd",
        ),
        ("{% block extra_style %}body { background: url(/dev/zero) }{% endblock %}", "file:///dev/zero"),
        (
            '{% block end %}<img src="https://example.com/logo.png">{% endblock %}',
            "https://example.com/logo.png",
        ),
        ('{% block end %}<img src="../outside.png">{% endblock %}', "outside.png"),
    ],
)
def test_resources_outside_the_workspace_are_refused(tmp_path: Path, blocks: str, url: str) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    override(workspace, blocks)
    (tmp_path / "outside.png").write_bytes(_png())
    with pytest.raises(BuildError, match=r"refused to load \S*" + re.escape(url)) as caught:
        build(make_document(), workspace)
    assert len(str(caught.value).splitlines()) == 1


def test_symlink_out_of_the_workspace_is_refused(tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    secret = tmp_path / "secret.png"
    secret.write_bytes(_png())
    (workspace / "logo.png").symlink_to(secret)
    override(workspace, '{% block end %}<img src="logo.png">{% endblock %}')
    with pytest.raises(BuildError, match=r"refused to load file://\S*/workspace/logo\.png: outside"):
        build(make_document(), workspace)


def test_missing_local_file_is_reported(tmp_path: Path) -> None:
    override(tmp_path, '{% block end %}<img src="missing.png">{% endblock %}')
    with pytest.raises(BuildError, match=r"cannot load file://\S*/missing\.png: no such file"):
        build(make_document(), tmp_path)


def test_files_inside_the_workspace_are_served(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(_png())
    (tmp_path / "extra.css").write_text("body .cover .title { color: #008000; }\n")
    override(
        tmp_path,
        '{% block head %}<link rel="stylesheet" href="extra.css">{% endblock %}'
        '{% block end %}<img src="logo.png" alt="logo">{% endblock %}',
    )
    pdf = reader(build(make_document(), tmp_path))
    images = [name for page in pdf.pages for name in page["/Resources"].get("/XObject", {})]
    assert images, "the workspace image should be in the PDF"
    first_page = pdf.pages[0].get_contents()
    assert first_page is not None
    assert b"0 0.501961 0 rg" in first_page.get_data(), "the workspace stylesheet colours the title"


def test_no_attachments_are_embedded(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("internal notes\n")
    override(
        tmp_path,
        '{% block head %}<link rel="attachment" href="notes.txt" title="notes">{% endblock %}'
        '{% block end %}<p><a rel="attachment" href="notes.txt">notes</a></p>{% endblock %}',
    )
    pdf_bytes = build(make_document(), tmp_path)
    pdf = reader(pdf_bytes)
    assert "/EmbeddedFiles" not in pdf.trailer["/Root"].get("/Names", {})
    assert pdf.attachments == {}
    for page in pdf.pages:
        for annotation in page.get("/Annots", []):
            assert annotation.get_object()["/Subtype"] != "/FileAttachment"
    assert b"/EmbeddedFile" not in pdf_bytes


# --- Variants -------------------------------------------------------------------------------


def test_pdf_variant_passes_through() -> None:
    pdf_bytes = build(make_document(), variant="pdf/a-3b")
    xmp = reader(pdf_bytes).trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3" pdfaid:conformance="B"' in xmp
    assert b"<xmp:CreateDate>2025-03-01T09:30:00+01:00</xmp:CreateDate>" in xmp
    assert build(make_document(), variant="pdf/a-3b") == pdf_bytes


def test_pdf_x4_is_reproducible_too() -> None:
    assert build(make_document(), variant="pdf/x-4") == build(make_document(), variant="pdf/x-4")


def test_unknown_variant_is_a_build_error() -> None:
    with pytest.raises(BuildError, match="unknown PDF variant 'pdf/z'"):
        build(make_document(), variant="pdf/z")


def _png() -> bytes:
    """A 2x2 red PNG, made with Pillow (a WeasyPrint dependency)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (255, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()
