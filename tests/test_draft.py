"""Draft clauses and clause metadata: a contract holding an unapproved clause says DRAFT on every page of
both files, and every output records the id and version of each clause it holds (read back for real)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import docx
import pytest
from pypdf import PdfReader

from slagen.workspace import load_workspace
from tests.conftest import REPO, copy_workspace, run_cli

MARKING = "DRAFT – clauses not yet approved; not for signature"
WARNING = (
    "tiers/premium.yaml:80: clauses[8]: warning: clause 'named-engineer' is a draft "
    "(clauses/named-engineer.yaml:5: status: draft); approve it before a contract is signed"
)
CUSTOM = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
HEADER = f"Service Level Agreement · {load_workspace(REPO).customers['acme'].model.legal_name}"


def build(root: Path, out: str) -> Path:
    result = run_cli("--workspace", str(root), "build", "premium", "--customer", "acme", "--format", "docx",
                     "--format", "pdf", "--out", str(root / out))
    assert result.exit_code == 0, result.stderr
    return root / out / "acme"


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_workspace(tmp_path_factory.mktemp("draft") / "ws")
    clause = root / "clauses" / "named-engineer.yaml"
    clause.write_text(clause.read_text().replace("status: approved", "status: draft", 1))
    return build(root, "dist")


@pytest.fixture(scope="module")
def approved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(copy_workspace(tmp_path_factory.mktemp("approved") / "ws"), "dist")


def expected_clauses() -> str:
    ws = load_workspace(REPO)
    # acme is not on a pilot, so the pilot clause's condition leaves it out of acme's contract
    ids = [clause_id for clause_id in ws.tiers["premium"].model.clauses if clause_id != "pilot"]
    return "; ".join(f"{clause_id} {ws.clauses[clause_id].model.version}" for clause_id in ids)


def docx_properties(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as package:
        if "docProps/custom.xml" not in package.namelist():
            return {}
        root = ElementTree.fromstring(package.read("docProps/custom.xml"))
        assert "docProps/custom.xml" in package.read("_rels/.rels").decode()
        assert "/docProps/custom.xml" in package.read("[Content_Types].xml").decode()
    return {prop.get("name", ""): "".join(prop.itertext()) for prop in root.iter(f"{CUSTOM}property")}


def pdf_properties(path: Path) -> dict[str, str]:
    metadata = PdfReader(path).metadata
    assert metadata is not None
    return {key.lstrip("/"): str(value) for key, value in metadata.items() if key.startswith("/SLA")}


def test_building_with_a_draft_warns_and_validate_strict_fails(workspace: Path) -> None:
    clause = workspace / "clauses" / "named-engineer.yaml"
    clause.write_text(clause.read_text().replace("status: approved", "status: draft", 1))
    result = run_cli("build", "premium", "--customer", "acme", "--format", "docx")
    assert (result.exit_code, result.lines) == (0, [WARNING])
    strict = run_cli("validate", "--strict")
    assert (strict.exit_code, strict.lines) == (1, [WARNING, "1 warning(s) and --strict: failing"])


def test_word_file_of_a_draft_says_so_in_the_header(draft: Path) -> None:
    header = docx.Document(str(draft / "acme-premium-sla.docx")).sections[0].header
    assert [paragraph.text for paragraph in header.paragraphs] == [MARKING, HEADER]
    run = header.paragraphs[0].runs[0]
    assert run.bold and str(run.font.color.rgb) == "C00000"


def test_every_pdf_page_of_a_draft_says_draft(draft: Path) -> None:
    pages = [" ".join(page.extract_text().split()) for page in PdfReader(draft / "acme-premium-sla.pdf").pages]
    assert len(pages) > 5
    assert all("DRAFT" in text for text in pages)  # the watermark, on every page
    assert all(MARKING in text for text in pages)  # and the header marking, the title page too


def test_approved_contracts_carry_no_marking(approved: Path) -> None:
    header = docx.Document(str(approved / "acme-premium-sla.docx")).sections[0].header
    assert [paragraph.text for paragraph in header.paragraphs] == [HEADER]
    text = " ".join(page.extract_text() for page in PdfReader(approved / "acme-premium-sla.pdf").pages)
    assert "DRAFT" not in text


def test_both_files_record_every_clause_id_and_version(approved: Path, draft: Path) -> None:
    clauses = expected_clauses()
    assert clauses.startswith("parties 1.0; definitions 1.0; ") and len(clauses.split("; ")) == 18
    for folder, drafts in ((approved, {}), (draft, {"SLADraftClauses": "named-engineer"})):
        assert docx_properties(folder / "acme-premium-sla.docx") == {"SLAClauses": clauses, **drafts}
        assert pdf_properties(folder / "acme-premium-sla.pdf") == {"SLAClauses": clauses, **drafts}


def test_a_clause_left_out_by_its_condition_is_not_recorded(tmp_path: Path) -> None:
    root = copy_workspace(tmp_path / "ws")
    premium = root / "tiers" / "premium.yaml"
    premium.write_text(premium.read_text().replace("  named_engineer: true\n", "  named_engineer: false\n", 1))
    result = run_cli("--workspace", str(root), "build", "premium", "--customer", "acme", "--format", "docx",
                     "--out", str(root / "dist"))
    assert result.exit_code == 0, result.stderr
    recorded = docx_properties(root / "dist" / "acme" / "acme-premium-sla.docx")["SLAClauses"].split("; ")
    assert "named-engineer 1.0" not in recorded and len(recorded) == 17


def test_draft_builds_are_byte_identical(draft: Path, tmp_path: Path) -> None:
    root = draft.parent.parent
    again = build(root, "again")
    for name in ("acme-premium-sla.docx", "acme-premium-sla.pdf"):
        assert (again / name).read_bytes() == (draft / name).read_bytes(), name
    shutil.rmtree(root / "again")
