"""`slagen build`: real DOCX and PDF files, read back with python-docx and pypdf."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from slagen.workspace import load_workspace
from tests.conftest import REPO, run_cli

PREMIUM_TITLES_ACME = [
    "Parties and Effective Date",
    "Definitions and Interpretation",
    "Scope of Services",
    "Onboarding",
    "Support Services and Support Hours",
    "Severity Classification",
    "Service Targets",
    "Escalation",
    "Named Engineer and Account Management",
    "Customer Responsibilities",
    "Reporting and Governance",
    "Service Credits",
    "Performance Credit",
    "Fees, Pricing and Invoicing",
    "Term and Termination",
    "Limitation of Liability",
    "General Terms",
    "Signatures",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run_cli("--workspace", str(REPO), "build", "premium", "--customer", "acme", "--out", str(out),
                     "--format", "docx", "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    folder = out / "acme"
    assert result.stdout.split() == [str(folder / "acme-premium-sla.docx"), str(folder / "acme-premium-sla.pdf")]
    return out / "acme"


def docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_clause_titles_in_order_in_both_files(built: Path) -> None:
    word = docx.Document(str(built / "acme-premium-sla.docx"))
    headings = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 1"]
    assert headings == PREMIUM_TITLES_ACME
    tier = load_workspace(REPO).tiers["premium"].model
    assert len([clause for clause in tier.clauses if clause != "pilot"]) == len(headings)  # acme has no pilot
    outline = PdfReader(built / "acme-premium-sla.pdf").outline
    top_level = [item.title for item in outline if not isinstance(item, list)]
    assert [re.sub(r"^\d+\s+", "", title) for title in top_level] == PREMIUM_TITLES_ACME


def test_the_same_sub_clauses_in_both_files(built: Path) -> None:
    word = docx.Document(str(built / "acme-premium-sla.docx"))
    word_subs = [p.text for p in word.paragraphs if p.style is not None and p.style.name == "Heading 2"]
    pdf_subs = []
    for item in PdfReader(built / "acme-premium-sla.pdf").outline:
        if isinstance(item, list):
            pdf_subs.extend(re.sub(r"^[\d.]+\s+", "", sub.title) for sub in item if not isinstance(sub, list))
    assert word_subs == pdf_subs and len(word_subs) > 40


def test_clause_numbers_look_the_same_in_both_files(built: Path) -> None:
    """Word numbers clauses `1`, `1.1` (no trailing dot), as the PDF prints them, in the text and the contents."""
    with zipfile.ZipFile(built / "acme-premium-sla.docx") as archive:
        numbering_xml = archive.read("word/numbering.xml").decode()
    levels = re.findall(r'<w:pStyle w:val="Heading(\d)"/><w:lvlText w:val="([^"]+)"/>', numbering_xml)
    assert levels == [("1", "%1"), ("2", "%1.%2"), ("3", "%1.%2.%3")]
    word = docx.Document(str(built / "acme-premium-sla.docx"))
    word_contents = [p.text.replace("\t", " ") for p in word.paragraphs if p.style and p.style.name == "toc 1"]
    pdf = built / "acme-premium-sla.pdf"
    contents_page = PdfReader(pdf).pages[0].extract_text()
    pdf_contents = re.findall(r"^(\d+(?:\.\d+)* \S.*?) \d+$", contents_page, re.MULTILINE)
    expected = [f"{number} {title}" for number, title in enumerate(PREMIUM_TITLES_ACME, start=1)]
    assert word_contents == expected
    assert pdf_contents == expected
    pdf_headings = [item.title for item in PdfReader(pdf).outline if not isinstance(item, list)]
    assert pdf_headings == expected


def test_contents_page_numbers_are_the_pages_the_clauses_start_on(built: Path) -> None:
    """Each contents entry ends in the page its clause starts on, and the dotted leader is no text."""
    reader = PdfReader(built / "acme-premium-sla.pdf")
    contents_page = reader.pages[0].extract_text()
    printed = dict(re.findall(r"^(\d+ \S.*?) (\d+)$", contents_page, re.MULTILINE))
    starts = {
        item.title: str(reader.get_destination_page_number(item) + 1)
        for item in reader.outline
        if not isinstance(item, list)
    }
    assert printed == starts
    assert len(set(starts.values())) > 10  # the clauses spread over the pages: a constant could not pass
    assert "..." not in contents_page


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_every_number_from_the_yaml(built: Path, kind: str) -> None:
    path = built / f"acme-premium-sla.{kind}"
    text = docx_text(path) if kind == "docx" else pdf_text(path)
    flat = " ".join(text.split())
    for expected in (
        "Acme Nutraceuticals, Inc.",
        "Quellmark Functional Ingredients GmbH",
        "$50,000.00",  # annual retainer
        "$4,166.67",  # monthly retainer
        "$1,350.00",  # 10-hour block
        "$1,200.00",  # on-site day
        "$62,000.00",  # bundle
        "1 hour", "8 hours", "4 hours", "24 hours", "1 business day", "3 business days",
        "2 business days", "10 business days",  # every severity target
        "January 1, 2026",  # effective date, en_US
        "$625.00",  # the monthly cap after acme's negotiated 15 % override
        "$208.33",  # the worked example: 5 % of the monthly retainer
        "43.2 minutes", "44.64 minutes", "40.32 minutes",  # allowed downtime on real month lengths
        "microcrystalline cellulose and polydextrose",  # acme's products, joined with "and"
        "direct-compression tablets for dietary supplements",  # acme's applications
        "fiber drink powders",
        "Cedar Rapids tablet plant, Cedar Rapids, United States",
    ):
        assert expected in flat, f"{expected!r} missing from the {kind}"


def test_the_contract_describes_the_ingredient_supplier_relationship(built: Path) -> None:
    flat = " ".join(docx_text(built / "acme-premium-sla.docx").split())
    assert '"Supported Application" means the use of the Products' in flat
    assert '"Supplied Equipment" means any dosing or feeding equipment' in flat
    assert "the following products supplied by the Provider (the \"Products\")" in flat
    assert "Tablet capping above the agreed limit on an MCC-based formulation, batch loss likely" in flat
    assert "Supported System" not in flat and "installed-base" not in flat


def test_docx_structure(built: Path) -> None:
    with zipfile.ZipFile(built / "acme-premium-sla.docx") as archive:
        document_xml = archive.read("word/document.xml").decode()
        styles_xml = archive.read("word/styles.xml").decode()
        settings_xml = archive.read("word/settings.xml").decode()
        numbering_xml = archive.read("word/numbering.xml").decode()
    assert 'TOC \\o "1-1" \\h \\z \\u' in document_xml
    assert re.search(r"REF _Ref\d+ \\r \\h", document_xml)
    assert "w:bookmarkStart" in document_xml and "w:tblHeader" in document_xml and "w:cantSplit" in document_xml
    assert "w:updateFields" not in settings_xml  # opens without a prompt: every field holds its result
    assert 'w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"' in settings_xml
    assert "%1.%2" in numbering_xml and "<w:numPr>" in styles_xml
    word = docx.Document(str(built / "acme-premium-sla.docx"))
    properties = word.core_properties
    assert (properties.author, properties.keywords) == ("Quellmark Functional Ingredients GmbH", "premium")
    assert properties.title == "Service Level Agreement"
    assert "Acme Nutraceuticals, Inc." in properties.subject
    assert len(word.tables) >= 6  # severity, targets, downtime, escalation, credits, prices, signatures
    signature = word.tables[-1]
    assert "Dr. Miriam Sattler" in signature._tbl.xml and "Jordan Ellis" in signature._tbl.xml


def test_pdf_metadata_page_size_and_fonts(built: Path) -> None:
    reader = PdfReader(built / "acme-premium-sla.pdf")
    assert reader.metadata is not None
    assert reader.metadata.title == "Service Level Agreement"
    assert reader.metadata.author == "Quellmark Functional Ingredients GmbH"
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # Letter for en_US
    assert 10 <= len(reader.pages) <= 20
    last = reader.pages[-1].extract_text()
    assert f"Page {len(reader.pages)} of {len(reader.pages)}" in last
    fonts = reader.pages[3]["/Resources"]["/Font"]
    assert all("/FontFile2" in font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
               for font in fonts.values())


def test_word_file_opens_in_libreoffice(built: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice not installed: `make test` installs libreoffice-writer-nogui when run as root")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(built / "acme-premium-sla.docx")],
        check=True, capture_output=True, timeout=180,
    )
    converted = PdfReader(tmp_path / "acme-premium-sla.pdf")
    text = " ".join("\n".join(page.extract_text() for page in converted.pages).split())
    assert len(converted.pages) >= 10
    assert "Acme Nutraceuticals, Inc." in text and "Service Credits" in text


def test_a4_for_a_german_customer(workspace: Path) -> None:
    result = run_cli("build", "standard", "--customer", "nordwerk", "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(workspace / "dist" / "nordwerk" / "nordwerk-standard-sla.pdf")
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    text = " ".join(pdf_text(workspace / "dist" / "nordwerk" / "nordwerk-standard-sla.pdf").split())
    assert "13.800,00 €" in text and "1. März 2026" in text  # nordwerk's contract is in German


def test_builds_are_byte_identical(workspace: Path) -> None:
    first = run_cli("build", "basic", "--customer", "huaxin", "--out", "one")
    second = run_cli("build", "basic", "--customer", "huaxin", "--out", "two")
    assert first.exit_code == second.exit_code == 0
    for name in ("huaxin-basic-sla.docx", "huaxin-basic-sla.pdf"):
        assert (workspace / "one" / "huaxin" / name).read_bytes() == (workspace / "two" / "huaxin" / name).read_bytes()


def test_a_failed_build_leaves_earlier_outputs_untouched(workspace: Path) -> None:
    assert run_cli("build", "basic", "--customer", "huaxin", "--format", "docx", "--format", "pdf").exit_code == 0
    folder = workspace / "dist" / "huaxin"
    before = {path.name: path.read_bytes() for path in folder.iterdir()}
    clause = workspace / "clauses" / "liability.yaml"
    clause.write_text(clause.read_text().replace("body: |\n", "body: |\n  Cap: {{ tier.liability_cap }}\n", 1))
    result = run_cli("build", "basic", "--customer", "huaxin")
    assert result.exit_code == 1
    assert result.lines == ["clauses/liability.yaml:7: body: tier.liability_cap is undefined; no data provides it"]
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before  # no temp files either


def test_changing_the_retainer_changes_every_place(workspace: Path) -> None:
    tier = workspace / "tiers" / "premium.yaml"
    tier.write_text(tier.read_text().replace("{USD: 50000,", "{USD: 51234,"))
    assert run_cli("build", "premium", "--customer", "acme", "--format", "docx", "--format", "pdf").exit_code == 0
    for kind in ("docx", "pdf"):
        path = workspace / "dist" / "acme" / f"acme-premium-sla.{kind}"
        text = " ".join((docx_text(path) if kind == "docx" else pdf_text(path)).split())
        assert "$51,234.00" in text and "$4,269.50" in text
        assert "$50,000.00" not in text


def test_blank_template_has_visible_placeholders(workspace: Path) -> None:
    result = run_cli("build", "standard", "--format", "docx")
    assert result.exit_code == 0
    path = workspace / "dist" / "templates" / "standard-sla.docx"
    assert result.stdout.strip() == str(Path("dist") / "templates" / "standard-sla.docx")
    text = docx_text(path)
    assert "[Customer legal name]" in text and "[Effective date]" in text
    assert "applications and processes of the Customer: [Applications covered]" in " ".join(text.split())


@pytest.mark.parametrize(
    ("tier", "named_engineer", "training", "spare_parts", "samples"),
    [
        ("basic", False, False, "7–10 days", "5 business days"),
        ("standard", False, True, "7–10 days", "3 business days"),
        ("premium", True, True, "48–72 hours", "48–72 hours"),
    ],
)
def test_onboarding_documentation_and_lead_times_follow_the_tier(
    tmp_path: Path, tier: str, named_engineer: bool, training: bool, spare_parts: str, samples: str
) -> None:
    result = run_cli("--workspace", str(REPO), "build", tier, "--out", str(tmp_path), "--format", "docx")
    assert result.exit_code == 0, result.stderr
    word = docx.Document(str(tmp_path / "templates" / f"{tier}-sla.docx"))
    clauses: list[tuple[str, list[str]]] = []
    for paragraph in word.paragraphs:
        if paragraph.style.name == "Heading 1":
            clauses.append((paragraph.text, []))
        elif paragraph.style.name == "Heading 2":
            clauses[-1][1].append(paragraph.text)
    titles = [title for title, _subs in clauses]
    onboarding = titles.index("Onboarding")
    assert titles[onboarding - 1] == "Scope of Services"
    expected = ["Kick-off meeting", "Exchange of contacts", "Application record"]
    expected += ["Named engineer"] * named_engineer + ["First training"] * training
    assert clauses[onboarding][1] == expected
    flat = " ".join(docx_text(tmp_path / "templates" / f"{tier}-sla.docx").split())
    assert "written application record that lists the Products with their grades, the Supported Applications" in flat
    # every tier states its lead times, in its own words
    assert f"holds in stock within {spare_parts} after receiving the Customer's order" in flat
    assert f"trials within {samples} after receiving the Customer's request" in flat
    # and every shipped tier, Basic included, gives access to the technical documentation
    assert (
        "Technical documentation on the Products through the support portal: product specifications, safety data "
        "sheets, certificates of analysis and application notes Continuous access"
    ) in flat
    assert "including the certificate of analysis of each lot delivered to the Customer" in flat


def test_no_documentation_entitlement_no_documentation_wording(workspace: Path) -> None:
    tier = workspace / "tiers" / "basic.yaml"
    tier.write_text(tier.read_text().replace(
        "  documentation: [specifications, safety_data_sheets, certificates_of_analysis, application_notes]\n", ""))
    result = run_cli("build", "basic", "--format", "docx")
    assert result.exit_code == 0, result.stderr
    flat = " ".join(docx_text(workspace / "dist" / "templates" / "basic-sla.docx").split())
    assert "Technical documentation on the Products" not in flat and "download" not in flat
    assert "Lead times for spare parts and samples" in flat


def test_customer_from_a_file_is_named_by_its_short_name(workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "Some Folder" / "new customer.yaml"
    outside.parent.mkdir()
    shutil.copy(workspace / "examples" / "customers" / "acme.yaml", outside)
    outside.write_text(outside.read_text().replace("short_name: acme", "short_name: acme-west"))
    result = run_cli("build", "premium", "--customer", str(outside), "--format", "docx")
    assert result.exit_code == 0, result.stderr
    assert (workspace / "dist" / "acme-west" / "acme-west-premium-sla.docx").is_file()


def test_workspace_overrides_templates_and_clauses_file_by_file(workspace: Path) -> None:
    (workspace / "templates" / "contract.html.j2").write_text(
        '{% extends "builtin/contract.html.j2" %}{% block end %}<p>Annex A: site map</p>{% endblock %}'
    )
    (workspace / "clauses" / "scope.yaml").unlink()  # falls back to the packaged clause
    liability = workspace / "clauses" / "liability.yaml"
    liability.write_text(liability.read_text().replace("title: Limitation of Liability", "title: Liability Cap"))
    result = run_cli("build", "basic", "--customer", "huaxin", "--format", "pdf")
    assert result.exit_code == 0, result.stderr
    text = pdf_text(workspace / "dist" / "huaxin" / "huaxin-basic-sla.pdf")
    assert "Annex A: site map" in text and "Liability Cap" in text and "Scope of Services" in text


def test_unsafe_template_code_fails_the_build(workspace: Path) -> None:
    clause = workspace / "clauses" / "general-terms.yaml"
    clause.write_text(clause.read_text().replace("body: |\n", "body: |\n  {{ cycler.__init__.__globals__ }}\n", 1))
    result = run_cli("build", "basic", "--customer", "huaxin", "--format", "docx")
    assert result.exit_code == 1
    assert result.lines == [
        "clauses/general-terms.yaml:7: body: unsafe template code refused: access to attribute '__init__' of 'type' "
        "object is unsafe."
    ]


def test_pdf_a_variant(workspace: Path) -> None:
    result = run_cli("build", "basic", "--customer", "huaxin", "--format", "pdf", "--pdf-variant", "pdf/a-3b")
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(workspace / "dist" / "huaxin" / "huaxin-basic-sla.pdf")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b'pdfaid:part="3"' in xmp and b'pdfaid:conformance="B"' in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]
