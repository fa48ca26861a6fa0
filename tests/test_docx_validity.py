"""Every kind of Word file slagen makes passes Microsoft's Open XML SDK validator and the structural lint.

The set: every DOCX `build --all` makes of the shipped workspace (each customer's contract for each tier
it lists, each tier's blank template: bilingual ones included once the workspace has them), one with
`--update-fields-on-open`, and redlines (a removed clause, a moved one and changed words; two very
different contracts, whole table rows inserted and deleted; a moved clause holding a table).

Rule sets: every file against Office 2010 (the oldest Word the files must suit) and Microsoft 365 (the
newest); the rule sets in between against the richest file. The SDK validator runs once for all of
them (tests/ooxml/validate.mjs); it is skipped with its reason where `make test` could not install it.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import pytest

from slagen.document import Heading
from tests import ooxml_validator
from tests.docx_lint import lint_docx
from tests.redline_cases import DATE, redline_docx, shipped

if TYPE_CHECKING:
    from pathlib import Path

UPDATE_FIELDS = "acme-premium-sla-update-fields.docx"


def moved_table_redline() -> bytes:
    """The escalation clause (a table inside) moved to the end: its rows are deleted and inserted."""
    from slagen.diff import redline_documents
    from slagen.redline import render_redline_docx

    old = shipped("premium", "acme")
    starts = [i for i, block in enumerate(old.blocks) if isinstance(block, Heading) and block.level == 1]
    first = next(i for i in starts if old.blocks[i].anchor == "escalation")
    after = starts[starts.index(first) + 1]
    new = replace(old, blocks=[*old.blocks[:first], *old.blocks[after:], *old.blocks[first:after]])
    return render_redline_docx(redline_documents(old, new), date=DATE)


def different_contracts_redline() -> bytes:
    from slagen.diff import redline_documents
    from slagen.redline import render_redline_docx

    return render_redline_docx(
        redline_documents(shipped("premium", "acme"), shipped("basic", "huaxin")), date=DATE
    )


@pytest.fixture(scope="module")
def produced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """File name -> path of every Word file in the set."""
    from slagen.build import plan_outputs
    from slagen.render.docx import render_docx
    from slagen.workspace import load_workspace
    from tests.conftest import REPO

    folder = tmp_path_factory.mktemp("docx")
    files: dict[str, bytes] = {}
    for output in plan_outputs(load_workspace(REPO)):
        if output.kind == "docx":
            files[output.path.replace("/", "-")] = render_docx(shipped(output.tier, output.customer))
    files[UPDATE_FIELDS] = render_docx(shipped("premium", "acme"), update_fields=True)
    files["redline-removed-moved-changed.docx"] = redline_docx()
    files["redline-different-contracts.docx"] = different_contracts_redline()
    files["redline-moved-table.docx"] = moved_table_redline()
    paths = {}
    for name, data in files.items():
        paths[name] = folder / name
        paths[name].write_bytes(data)
    return paths


def test_the_set_covers_every_kind(produced: dict[str, Path]) -> None:
    names = set(produced)
    assert any("_blank" in name or name.count("-") <= 2 for name in names)
    assert sum(name.endswith("-sla.docx") for name in names) >= 10  # 6 customer contracts, 4 blank templates
    assert len([name for name in names if name.startswith("redline-")]) == 3


def test_structural_lint(produced: dict[str, Path]) -> None:
    problems = [
        f"{name}: {line}"
        for name, path in produced.items()
        for line in lint_docx(path.read_bytes(), update_fields=name == UPDATE_FIELDS)
    ]
    assert problems == []


def test_open_xml_sdk_validator(produced: dict[str, Path]) -> None:
    reason = ooxml_validator.missing()
    if reason:
        pytest.skip(reason)
    every = list(produced.values())
    richest = [produced["redline-removed-moved-changed.docx"]]  # fields, bookmarks, every kind of change
    results = ooxml_validator.validate(every, ooxml_validator.ENDS)
    results += ooxml_validator.validate(richest, ooxml_validator.BETWEEN)
    print(f"OOXML validator {ooxml_validator.version()}: {len(every)} files, {len(results)} validations")
    assert ooxml_validator.problems(results) == []
    assert len(results) == len(every) * 2 + len(richest) * 4
