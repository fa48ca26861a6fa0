"""Issue 17 items 1 and 2: a Word file that opens silently, in Word's own mode, without template leftovers."""

from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING

import pytest
from lxml import etree

from slagen import __version__
from slagen.render.docx import render_docx
from tests.conftest import run_cli
from tests.docx_lint import lint_docx
from tests.render.test_docx import make_document

if TYPE_CHECKING:
    from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
APP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


@pytest.fixture(scope="module")
def silent() -> bytes:
    return render_docx(make_document())


@pytest.fixture(scope="module")
def asking() -> bytes:
    return render_docx(make_document(), update_fields=True)


def part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def names(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.namelist()


def test_opens_without_a_field_update_prompt(silent: bytes) -> None:
    assert part(silent, "word/settings.xml").find(w("updateFields")) is None
    assert lint_docx(silent) == []


def test_update_fields_on_open_restores_the_prompt(asking: bytes) -> None:
    settings = part(asking, "word/settings.xml")
    assert settings.find(w("updateFields")).get(w("val")) == "true"
    # and in its schema place: before w:compat
    children = [etree.QName(child).localname for child in settings]
    assert children.index("updateFields") < children.index("compat")
    assert lint_docx(asking, update_fields=True) == []


def test_every_field_reads_right_without_an_update(silent: bytes) -> None:
    """Contents, cross-references and page numbers carry results; the contents shows no page number at all
    (the writer cannot know Word's pages, and a wrong number is worse than none)."""
    document = part(silent, "word/document.xml")
    codes = [code.text.strip() for code in document.iter(w("instrText"))]
    assert not any(code.startswith("PAGEREF") for code in codes)
    entries = [p for p in document.iter(w("p")) if p.xpath("./w:pPr/w:pStyle[starts-with(@w:val, 'TOC')]",
                                                           namespaces={"w": W})]
    entries = [p for p in entries if p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) != "TOCHeading"]
    assert entries
    for entry in entries:
        text = "".join(node.text or "\t" for node in entry.iter(w("t"), w("tab")))
        number, title = text.split("\t")
        assert re.fullmatch(r"\d+(\.\d+)*", number) and not re.search(r"\d\s*$", title), text
    footer = part(silent, "word/footer1.xml")
    assert [code.text.strip() for code in footer.iter(w("instrText"))] == ["PAGE", "NUMPAGES"]
    results = [run for run in footer.iter(w("r")) if run.find(w("t")) is not None]
    assert any(run.find(w("t")).text == "1" for run in results)


def test_current_compatibility_mode_and_zoom(silent: bytes) -> None:
    settings = part(silent, "word/settings.xml")
    modes = [s.get(w("val")) for s in settings.iter(w("compatSetting")) if s.get(w("name")) == "compatibilityMode"]
    assert modes == ["15"]
    zoom = settings.find(w("zoom"))
    assert zoom.get(w("percent")) == "100" and zoom.get(w("val")) is None
    assert settings.find(w("themeFontLang")).get(w("val")) == "en-GB"


def test_app_properties_name_slagen_and_its_version(silent: bytes) -> None:
    app = part(silent, "docProps/app.xml")
    assert app.findtext(f"{APP}Application") == f"slagen {__version__}"
    assert app.find(f"{APP}AppVersion") is None  # Word's own version number: not ours to claim
    assert app.find(f"{APP}Pages") is None and app.find(f"{APP}Words") is None  # no stale statistics
    assert "Microsoft" not in etree.tostring(app).decode()
    assert app.xpath("string(//*[local-name()='TitlesOfParts']//*[local-name()='lpstr'])") == "Service Level Agreement"


def test_no_template_leftovers(silent: bytes) -> None:
    files = names(silent)
    assert "word/stylesWithEffects.xml" not in files
    assert not [name for name in files if name.startswith("customXml/")]
    assert "docProps/thumbnail.jpeg" not in files
    content_types = part(silent, "[Content_Types].xml")
    overrides = {node.get("PartName") for node in content_types}
    assert overrides - {None} <= {f"/{name}" for name in files}
    rels = part(silent, "word/_rels/document.xml.rels")
    targets = {rel.get("Target") for rel in rels}
    assert "stylesWithEffects.xml" not in targets and not any("customXml" in target for target in targets)
    assert all(f"word/{target}" in files for target in targets)


def test_build_option_and_its_usage_error(workspace: Path) -> None:
    result = run_cli("build", "basic", "-f", "docx", "--out", "out")
    assert result.exit_code == 0, result.stderr
    made = next((workspace / "out").rglob("*.docx")).read_bytes()
    assert part(made, "word/settings.xml").find(w("updateFields")) is None
    result = run_cli("build", "basic", "-f", "docx", "--out", "asked", "--update-fields-on-open")
    assert result.exit_code == 0, result.stderr
    made = next((workspace / "asked").rglob("*.docx")).read_bytes()
    assert part(made, "word/settings.xml").find(w("updateFields")).get(w("val")) == "true"
    result = run_cli("build", "--all", "--update-fields-on-open")
    assert result.exit_code == 2 and "--update-fields-on-open" in result.stderr
