"""Issue 17 item 3: a redline's clause numbers and cross-references stay those of the new contract when
another program renumbers it. LibreOffice renumbers on load and recomputes every REF field when it lays
the file out; deleted and moved-away headings must not count.

The redline: Premium for acme without its clause 4 (onboarding), with clause 9 (named engineer) moved
near the end and words changed (tests/redline_cases.py). LibreOffice converts the redline and a twin of
it in which every REF field is replaced by its cached text (the new contract's number) in one run: the
two PDFs read the same only if LibreOffice's own REF results are the new contract's numbers.

LibreOffice (7.4 and later) prints a tracked list number as "ACCEPTED[SHOWN]": SHOWN counts the numbered
paragraphs as displayed (deleted ones included), ACCEPTED is its preview after accepting every change.
SHOWN is the number that consumed deleted headings; it must be the new contract's. (ACCEPTED is not
checked: LibreOffice joins a deleted paragraph with the next one keeping the deleted paragraph's
properties, so a heading right after a deleted clause loses its number in that preview, whatever the
file says; Word keeps the properties of the paragraph that stays.)
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from typing import TYPE_CHECKING

import pytest
from lxml import etree
from pypdf import PdfReader

from slagen.document import visible_headings
from tests.docx_lint import w
from tests.redline_cases import MOVED, REMOVED, redline_docx, removed_and_moved

if TYPE_CHECKING:
    from pathlib import Path

LABEL = re.compile(r"^(?P<accepted>\d+(?:\.\d+)*)?(?:\[(?P<shown>\d+(?:\.\d+)*)\])?\s+(?P<title>\S.*?)\s*$")


def without_ref_fields(data: bytes) -> bytes:
    """The same package with every REF field replaced by the runs of its cached result (the new contract's
    number). Deleted ones stay fields: their cached result is the older contract's number."""
    output = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(output, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "word/document.xml":
                root = etree.fromstring(content)
                _flatten_refs(root)
                content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            target.writestr(info, content)
    return output.getvalue()


def _kind(run: etree._Element) -> str | None:
    char = run.find(w("fldChar"))
    return None if char is None else char.get(w("fldCharType"))


def _flatten_refs(root: etree._Element) -> None:
    """Fields nest and the contents field spans paragraphs: walk every run in document order."""
    stack: list[dict] = []
    for run in list(root.iter(w("r"))):
        kind = _kind(run)
        if kind == "begin":
            stack.append({"runs": [run], "code": "", "separate": None})
        elif stack:
            field = stack[-1]
            if kind == "separate":
                field["separate"] = len(field["runs"])
            elif field["separate"] is None:
                field["code"] += "".join(node.text or "" for node in run.iter(w("instrText"), w("delInstrText")))
            field["runs"].append(run)
            if kind == "end":
                stack.pop()
                removed = any(node.tag in (w("del"), w("moveFrom")) for node in field["runs"][0].iterancestors())
                if field["code"].split()[:1] == ["REF"] and not removed:
                    code_runs = field["runs"][: field["separate"] + 1]
                    for gone in [*code_runs, run]:
                        gone.getparent().remove(gone)
                elif stack:
                    stack[-1]["runs"].extend(field["runs"])


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """(text of the redline's PDF, text of the twin's PDF), both as LibreOffice lays them out."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice not installed: `make test` installs libreoffice-writer-nogui when run as root")
    folder = tmp_path_factory.mktemp("lo-numbering")
    data = redline_docx()
    (folder / "redline.docx").write_bytes(data)
    (folder / "twin.docx").write_bytes(without_ref_fields(data))
    subprocess.run(
        [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--convert-to", "pdf",
         "--outdir", str(folder), str(folder / "redline.docx"), str(folder / "twin.docx")],
        check=True, capture_output=True, timeout=300,
    )
    return text_of(folder / "redline.pdf"), text_of(folder / "twin.pdf")


def text_of(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_the_case_removes_and_moves_numbered_clauses() -> None:
    changes = {change.clause_id: change.change for change in removed_and_moved()[2].changes}
    assert changes[REMOVED] == "removed" and changes[MOVED] == "moved"
    def live_refs(data: bytes) -> int:
        """REF fields outside deletions and moves away."""
        root = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))
        return sum(
            1 for code in root.iter(w("instrText"))
            if (code.text or "").split()[:1] == ["REF"]
            and not any(node.tag in (w("del"), w("moveFrom")) for node in code.iterancestors())
        )

    assert live_refs(without_ref_fields(redline_docx())) == 0 < live_refs(redline_docx())


def test_libreoffice_cross_references_are_the_new_contracts(converted: tuple[str, str]) -> None:
    redline, twin = converted
    assert "clause 13" in twin  # term and termination, clause 15 before the removal and the move
    redline_words, twin_words = redline.split(), twin.split()
    first = next((i for i, pair in enumerate(zip(redline_words, twin_words, strict=False)) if pair[0] != pair[1]),
                 None)
    if first is not None:
        window = slice(max(first - 8, 0), first + 4)
        pytest.fail(f"LibreOffice: {' '.join(redline_words[window])!r}; new contract: {' '.join(twin_words[window])!r}")
    assert len(redline_words) == len(twin_words)


def test_libreoffice_clause_numbers_are_the_new_contracts(converted: tuple[str, str]) -> None:
    redline, _ = converted
    document = removed_and_moved()[2].document
    headings = [heading for heading in visible_headings(document.blocks) if heading.level == 1]
    expected = {heading.title: heading.number for heading in headings}
    body = redline.split(headings[-1].title, 1)[1]  # past the table of contents
    shown: dict[str, str] = {}
    for line in body.splitlines():
        match = LABEL.match(line.strip())
        if match and match.group("title") in expected and (match.group("shown") or match.group("accepted")):
            shown.setdefault(match.group("title"), match.group("shown") or match.group("accepted"))
    moved_title = next(heading.title for heading in headings if heading.anchor == MOVED)
    checked = {title: number for title, number in shown.items() if title != moved_title}
    before_move = [heading.title for heading in headings if heading.anchor != MOVED][: len(headings) - 2]
    assert set(before_move) <= set(checked), f"LibreOffice shows no number for {set(before_move) - set(checked)}"
    assert {title: expected[title] for title in before_move} == {title: checked[title] for title in before_move}
