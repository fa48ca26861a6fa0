"""`slagen redline`: Word tracked changes between two versions of a contract, and the PDF companion.

A temporary git repository holds the shipped workspace (commit 1), then an edited one (commit 2):
a sentence changed, the Premium retainer raised, a clause added, a clause moved. Accepting every
tracked change in the redline must give the text of the new contract, rejecting every one the old.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from slagen.diff import diff_inlines, redline_documents, summarise
from slagen.document import ChangedParagraph, CrossRef, Delete, Document, Heading, Insert, Paragraph, Span
from tests.conftest import Result, copy_workspace, run_cli

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
OLD_DATE = "2025-01-02T10:00:00Z"
NEW_DATE = "2025-02-03T11:00:00Z"
REDLINE = "acme-premium-redline-HEAD-1.docx"

NEW_CLAUSE = """\
id: data-protection
title: Data Protection
version: "1.0"
status: approved
body: |
  Each Party complies with the data protection law that applies to it. The Provider processes personal data
  only to provide the Support Services set out in clause {{ ref('service-targets') }}.
"""


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def git(repo: Path, *args: str, date: str = OLD_DATE) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Legal",
        "GIT_AUTHOR_EMAIL": "legal@example.com",
        "GIT_COMMITTER_NAME": "Legal",
        "GIT_COMMITTER_EMAIL": "legal@example.com",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo.parent),
    }
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=env)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path}: {old!r} not found"
    path.write_text(text.replace(old, new, 1))


def make_edits(root: Path) -> None:
    """Change a sentence, raise a price, add a clause, move a clause."""
    edit(
        root / "clauses" / "service-targets.yaml",
        "The Resolution Time is a target for restoring the affected function.",
        "The Resolution Time is the target for restoring the affected function or providing a workaround.",
    )
    tier = root / "tiers" / "premium.yaml"
    edit(tier, "annual_retainer: {USD: 50000,", "annual_retainer: {USD: 55000,")
    edit(tier, "  - scope\n", "  - scope\n  - data-protection\n")
    edit(tier, "  - reporting\n", "")
    edit(tier, "  - general-terms\n", "  - general-terms\n  - reporting\n")
    (root / "clauses" / "data-protection.yaml").write_text(NEW_CLAUSE)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A git repository: commit 1 the shipped workspace, commit 2 (HEAD) the edited one; the workspace in `ws/`."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    top = tmp_path_factory.mktemp("redline") / "repo"
    root = copy_workspace(top / "ws")
    git(top, "init", "-q")
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "contracts v1")
    make_edits(root)
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "contracts v2", date=NEW_DATE)
    return root


@pytest.fixture(scope="module")
def old_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace as in commit 1, as a plain folder (no git)."""
    return copy_workspace(tmp_path_factory.mktemp("old") / "ws")


@pytest.fixture(scope="module")
def no_epoch() -> Iterator[None]:
    saved = os.environ.pop("SOURCE_DATE_EPOCH", None)
    yield
    if saved is not None:
        os.environ["SOURCE_DATE_EPOCH"] = saved


@pytest.fixture(scope="module")
def redline(repo: Path, tmp_path_factory: pytest.TempPathFactory, no_epoch: None) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("out")
    result = redline_cli(repo, out, "--from", "HEAD~1", "--format", "docx", "--json")
    assert result.exit_code == 0, result.stderr
    return out / "acme" / REDLINE, json.loads(result.stdout)


def redline_cli(workspace: Path, out: Path, *args: str) -> Result:
    """`slagen --workspace WORKSPACE redline premium --customer acme --out OUT ARGS...`"""
    return run_cli("--workspace", str(workspace), "redline", "premium", "--customer", "acme", "--out", str(out), *args)


def built_docx(workspace: Path, out: Path) -> Path:
    result = run_cli("--workspace", str(workspace), "build", "premium", "-c", "acme", "-f", "docx", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out / "acme" / "acme-premium-sla.docx"


@pytest.fixture(scope="module")
def new_contract(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_docx(repo, tmp_path_factory.mktemp("new"))


@pytest.fixture(scope="module")
def old_contract(old_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_docx(old_root, tmp_path_factory.mktemp("old-out"))


# ------------------------------------------------------------------ accept / reject, as Word does


def document_xml(path: Path) -> etree._Element:
    return etree.fromstring(zipfile.ZipFile(path).read("word/document.xml"))


def unwrap(element: etree._Element) -> None:
    parent = element.getparent()
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)


def resolve(root: etree._Element, accept: bool) -> etree._Element:
    """Accept (or reject) every tracked change: what Word's Accept All (Reject All) does to the text."""
    keep, drop = ("ins", "moveTo"), ("del", "moveFrom")
    if not accept:
        keep, drop = drop, keep
    body = root.find(w("body"))
    # Rows inserted (rejected) or deleted (accepted) go; a table left without rows goes too.
    for row in list(body.iter(w("tr"))):
        marks = {child.tag for child in row.findall(f"{w('trPr')}/*")}
        if any(w(tag) in marks for tag in drop if tag in ("ins", "del")):
            row.getparent().remove(row)
    for table in list(body.iter(w("tbl"))):
        if table.find(w("tr")) is None:
            table.getparent().remove(table)
    # Paragraph marks that go: the paragraph joins the next one.
    for paragraph in list(body.iter(w("p"))):
        marks = paragraph.find(f"{w('pPr')}/{w('rPr')}")
        if marks is None or not any(marks.find(w(tag)) is not None for tag in drop):
            continue
        rest = [child for child in paragraph if child.tag != w("pPr")]
        following = paragraph.getnext()
        if following is not None and following.tag == w("p"):
            position = 1 if following.find(w("pPr")) is not None else 0
            for offset, child in enumerate(rest):
                following.insert(position + offset, child)
        paragraph.getparent().remove(paragraph)
    for tag in drop:
        for element in list(body.iter(w(tag))):
            element.getparent().remove(element)
    for tag in keep:
        for element in list(body.iter(w(tag))):
            if element.getparent().tag in (w("rPr"), w("trPr")):
                element.getparent().remove(element)
            else:
                unwrap(element)
    for tag in ("moveFromRangeStart", "moveFromRangeEnd", "moveToRangeStart", "moveToRangeEnd"):
        for element in list(body.iter(w(tag))):
            element.getparent().remove(element)
    for element in body.iter(w("delText"), w("delInstrText")):
        element.tag = w("t") if element.tag == w("delText") else w("instrText")
    return root


def paragraph_text(paragraph: etree._Element) -> str:
    """Text as read, but a REF field as its target bookmark: renumbering must not count as a change."""
    parts: list[str] = []
    state, instruction = "", ""
    for element in paragraph.iter(w("fldChar"), w("instrText"), w("t"), w("delText"), w("tab"), w("br")):
        tag = etree.QName(element).localname
        if tag == "fldChar":
            kind = element.get(w("fldCharType"))
            if kind == "begin":
                state, instruction = "code", ""
            elif kind == "separate":
                state = "result"
            elif kind == "end":
                words = instruction.split()
                if words and words[0] == "REF":
                    parts.append(f"<ref {words[1]}>")
                state = ""
        elif tag == "instrText" and state == "code":
            instruction += element.text or ""
        elif state == "result" and instruction.split()[:1] == ["REF"]:
            continue
        elif tag in ("t", "delText"):
            parts.append(element.text or "")
        elif tag == "tab":
            parts.append("\t")
        elif tag == "br":
            parts.append("\n")
    return "".join(parts)


def body_texts(root: etree._Element) -> list[tuple[str, str]]:
    """(style, text) of every paragraph of the body, table cells included, the table of contents left out.

    The contents is a field Word rebuilds when its fields are updated; the redline carries the
    new contents, whose page numbers and entries are not tracked changes.
    """
    found: list[tuple[str, str]] = []
    for paragraph in root.find(w("body")).iter(w("p")):
        style_element = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
        style = style_element.get(w("val")) if style_element is not None else ""
        if style.upper().startswith("TOC") and style != "TOCHeading":
            continue
        found.append((style, paragraph_text(paragraph)))
    return found


def changes_by_clause(summary: dict) -> dict[str, dict]:
    return {change["clause"]: change for change in summary["changes"]}


# ------------------------------------------------------------------ the tests


def test_accepting_every_change_gives_the_new_contract(redline: tuple[Path, dict], new_contract: Path) -> None:
    path, _ = redline
    assert body_texts(resolve(document_xml(path), accept=True)) == body_texts(document_xml(new_contract))


def test_rejecting_every_change_gives_the_old_contract(redline: tuple[Path, dict], old_contract: Path) -> None:
    path, _ = redline
    assert body_texts(resolve(document_xml(path), accept=False)) == body_texts(document_xml(old_contract))


def test_summary_names_each_edit(redline: tuple[Path, dict]) -> None:
    _, summary = redline
    assert summary["from"] == "HEAD~1" and summary["to"] == "working tree"
    changes = changes_by_clause(summary)
    assert changes["service-targets"] == {
        "clause": "service-targets",
        "title": "Service Targets",
        "change": "changed",
        "insertions": 2,  # "the", " or providing a workaround"
        "deletions": 1,  # "a"
        "old_number": "7",
        "new_number": "8",
    }
    assert changes["data-protection"]["change"] == "added"
    assert changes["data-protection"]["new_number"] == "4"
    assert changes["reporting"]["change"] == "moved"
    assert (changes["reporting"]["old_number"], changes["reporting"]["new_number"]) == ("11", "18")
    assert changes["renewal-and-pricing"]["change"] == "changed"


def test_renumbering_alone_is_no_change(redline: tuple[Path, dict]) -> None:
    """Clauses after the inserted one are renumbered, and so are references to them: neither is a change."""
    _, summary = redline
    changes = changes_by_clause(summary)
    for renumbered in (
        "support-services",
        "severity-classification",
        "escalation",
        "named-engineer",
        "customer-responsibilities",
        "term-and-termination",
        "general-terms",
        "signatures",
    ):
        assert renumbered not in changes, changes.get(renumbered)
    # Only the retainer and what is computed from it changed beyond the three edits.
    assert set(changes) == {
        "data-protection",
        "service-targets",
        "service-credits",
        "performance-credit",
        "renewal-and-pricing",
        "liability",
        "reporting",
    }


def test_text_summary_on_stdout(repo: Path, tmp_path: Path, no_epoch: None) -> None:
    result = redline_cli(repo, tmp_path, "--from", "HEAD~1", "-f", "docx")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "HEAD~1 -> working tree: 7 clause(s) changed"
    assert any("added" in line and "Data Protection [data-protection]" in line for line in lines)
    assert any("moved" in line and "Reporting and Governance [reporting] (was 11)" in line for line in lines)
    assert any(
        "changed" in line and "Service Targets [service-targets]" in line and "(+2 -1)" in line for line in lines
    )
    assert lines[-1] == str(tmp_path / "acme" / REDLINE)


def test_price_change_is_one_small_deletion_and_insertion(redline: tuple[Path, dict]) -> None:
    path, _ = redline
    root = document_xml(path)
    pairs = []
    for deletion in root.iter(w("del")):
        following = deletion.getnext()
        if deletion.getparent().tag == w("p") and following is not None and following.tag == w("ins"):
            pairs.append(("".join(deletion.itertext()), "".join(following.itertext())))
    assert ("50,000.00", "55,000.00") in pairs
    assert ("4,166.67", "4,583.33") in pairs  # the monthly retainer follows the annual one
    retainer = next(
        p for p in root.iter(w("p")) if "".join(p.itertext()).startswith("For the Premium support tier the Customer")
    )
    assert len(retainer.findall(w("del"))) == 2 and len(retainer.findall(w("ins"))) == 2
    assert "".join(t.text for t in retainer.iter(w("t"))).startswith("For the Premium support tier the Customer pays")


def test_sentence_change_is_word_level(redline: tuple[Path, dict]) -> None:
    path, _ = redline
    root = document_xml(path)
    paragraph = next(p for p in root.iter(w("p")) if "".join(p.itertext()).startswith("The Resolution Time is"))
    marks = [
        (etree.QName(child).localname, "".join(child.itertext()))
        for child in paragraph
        if etree.QName(child).localname in ("ins", "del")
    ]
    assert marks == [("del", "a"), ("ins", "the"), ("ins", " or providing a workaround")]
    assert paragraph.find(f"{w('pPr')}/{w('rPr')}") is None  # the paragraph itself stays


def test_added_clause_is_inserted_paragraphs(redline: tuple[Path, dict]) -> None:
    path, _ = redline
    root = document_xml(path)
    paragraphs = [p for p in root.iter(w("p")) if "Data Protection" in "".join(p.itertext())]
    heading = next(p for p in paragraphs if p.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) == "Heading1")
    assert heading.find(f"{w('pPr')}/{w('rPr')}/{w('ins')}") is not None
    assert heading.find(w("r")) is None  # every run sits inside w:ins
    assert heading.find(w("bookmarkStart")) is not None  # cross-references to it still work


def test_moved_clause_is_a_word_move(redline: tuple[Path, dict]) -> None:
    path, _ = redline
    root = document_xml(path)
    starts = {etree.QName(e).localname: e for e in root.iter(w("moveFromRangeStart"), w("moveToRangeStart"))}
    assert set(starts) == {"moveFromRangeStart", "moveToRangeStart"}
    assert starts["moveFromRangeStart"].get(w("name")) == starts["moveToRangeStart"].get(w("name"))
    for kind in ("moveFrom", "moveTo"):
        start_id = starts[f"{kind}RangeStart"].get(w("id"))
        assert [e.get(w("id")) for e in root.iter(w(f"{kind}RangeEnd"))] == [start_id]
    moved_from = "".join(
        t.text for e in root.iter(w("moveFrom")) if e.getparent().tag == w("p") for t in e.iter(w("t"))
    )
    moved_to = "".join(t.text for e in root.iter(w("moveTo")) if e.getparent().tag == w("p") for t in e.iter(w("t")))
    assert moved_from.startswith("Reporting and GovernanceMonthly service dashboard")
    # The same words; only the numbers of referenced clauses differ (clause 8.1 became 9.1).
    assert moved_from.replace("8.1", "9.1").replace("7.4", "8.4") == moved_to


def test_every_change_has_author_date_and_a_unique_id(redline: tuple[Path, dict]) -> None:
    path, _ = redline
    root = document_xml(path)
    tracked = list(
        root.iter(w("ins"), w("del"), w("moveFrom"), w("moveTo"), w("moveFromRangeStart"), w("moveToRangeStart"))
    )
    assert len(tracked) > 40
    for element in tracked:
        assert element.get(w("author")) == "slagen"
        assert element.get(w("date")) == NEW_DATE  # the newest commit: the working tree has no other date
    ids = [e.get(w("id")) for e in tracked if not etree.QName(e).localname.endswith("RangeStart")]
    ids += [e.get(w("id")) for e in root.iter(w("bookmarkStart"))]
    ids += [e.get(w("id")) for e in root.iter(w("moveFromRangeStart"), w("moveToRangeStart"))]
    assert all(value.isdigit() for value in ids)
    assert len(ids) == len(set(ids))
    # Deleted text is w:delText, never w:t.
    for deletion in root.iter(w("del")):
        if deletion.getparent().tag == w("p"):
            assert deletion.find(f".//{w('t')}") is None


def test_to_revision_uses_that_commit_date(repo: Path, tmp_path: Path) -> None:
    result = redline_cli(repo, tmp_path, "--from", "HEAD~1", "--to", "HEAD", "-f", "docx")
    assert result.exit_code == 0, result.stderr
    root = document_xml(tmp_path / "acme" / "acme-premium-redline-HEAD-1-HEAD.docx")
    assert {e.get(w("date")) for e in root.iter(w("ins"), w("del"))} == {NEW_DATE}


def test_source_date_epoch_dates_changes_in_the_working_tree(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    result = redline_cli(repo, tmp_path, "--from", "HEAD~1", "-f", "docx")
    assert result.exit_code == 0, result.stderr
    root = document_xml(tmp_path / "acme" / REDLINE)
    assert {e.get(w("date")) for e in root.iter(w("ins"), w("del"))} == {"2026-01-01T00:00:00Z"}


def test_two_folders(repo: Path, old_root: Path, tmp_path: Path, redline: tuple[Path, dict]) -> None:
    result = redline_cli(repo, tmp_path, "--old-workspace", str(old_root), "-f", "docx", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["changes"] == redline[1]["changes"]
    assert (tmp_path / "acme" / "acme-premium-redline-ws.docx").is_file()


def test_redline_opens_in_libreoffice(redline: tuple[Path, dict], tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("soffice not installed: `make test` installs libreoffice-writer-nogui when run as root")
    path, _ = redline
    for target in ("pdf", "fodt"):
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{tmp_path}/profile",
                "--headless",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path),
                str(path),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
    reader = PdfReader(tmp_path / path.with_suffix(".pdf").name)
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 10 and "Data Protection" in text and "55,000.00" in text
    # LibreOffice read them as tracked changes (not as plain text): they are in its change list.
    flat = (tmp_path / path.with_suffix(".fodt").name).read_text()
    assert "<text:insertion>" in flat and "<text:deletion>" in flat
    assert flat.count("<dc:creator>slagen</dc:creator>") >= 30
    assert flat.count("<dc:date>2025-02-03T11:00:00</dc:date>") == flat.count("<dc:creator>slagen</dc:creator>")


def test_pdf_companion(repo: Path, tmp_path: Path, no_epoch: None) -> None:
    result = redline_cli(repo, tmp_path, "--from", "HEAD~1", "-f", "pdf")
    assert result.exit_code == 0, result.stderr
    reader = PdfReader(tmp_path / "acme" / "acme-premium-redline-HEAD-1.pdf")
    first = " ".join(reader.pages[0].extract_text().split())
    assert "Changes against HEAD~1, as of 2025-02-03" in first
    assert "Data Protection: added" in first and "Reporting and Governance: moved" in first
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "50,000.00" in text and "55,000.00" in text
    # The moved-away heading is struck through in place but is no bookmark: the outline is the new contract's.
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles.count("18 Reporting and Governance") == 1 and "4 Data Protection" in titles
    assert not any("Reporting" in title for title in titles if not title.startswith("18"))


def test_html_marks_insertions_and_deletions() -> None:
    from slagen.render.html import render_html
    from slagen.templating import page_environment, template_loader
    from tests.conftest import REPO

    old = document([Heading(1, "Fees", "fees", "1"), Paragraph([Span("The fee is $50,000.00 a year.")])])
    new = document(
        [
            Heading(1, "Fees", "fees", "1"),
            Paragraph([Span("The fee is $55,000.00 a year.")]),
            Heading(1, "Data", "data", "2"),
            Paragraph([Span("New.")]),
        ]
    )
    result = redline_documents(old, new)
    environment = page_environment(template_loader([REPO / "templates"], REPO / "templates"))
    html = render_html(
        result.document,
        environment,
        redline={"old": "v1", "date": "2025-01-01", "title": [], "subtitle": [], "changes": []},
    )
    assert "The fee is $<del>50,000.00</del><ins>55,000.00</ins> a year." in html
    assert '<h1 id="data" class="ins">' in html and '<p class="ins">New.</p>' in html


def shipped_contract(tier: str, customer: str | None) -> Document:
    from slagen.build import Job, build_document, load_strings, resolve_customer
    from slagen.workspace import load_workspace
    from tests.conftest import REPO

    ws = load_workspace(REPO)
    job = Job(ws.tier(tier), resolve_customer(ws, customer) if customer else None)
    document = build_document(ws, job, load_strings(ws, None))[0]
    document.parallel = None  # huaxin's English text alone (its bilingual redline: tests/test_bilingual.py)
    return document


def assert_accept_and_reject(old: Document, new: Document) -> etree._Element:
    """Accept all gives `new`, reject all gives `old`; returns the redline's document.xml."""
    from slagen.redline import render_redline_docx
    from slagen.render.docx import render_docx

    data = render_redline_docx(redline_documents(old, new), date=NEW_DATE)
    assert render_redline_docx(redline_documents(old, new), date=NEW_DATE) == data  # byte for byte

    def xml(data: bytes) -> etree._Element:
        return etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml"))

    assert body_texts(resolve(xml(data), accept=True)) == body_texts(xml(render_docx(new)))
    assert body_texts(resolve(xml(data), accept=False)) == body_texts(xml(render_docx(old)))
    return xml(data)


@pytest.mark.parametrize(
    ("old_job", "new_job"),
    [(("basic", None), ("premium", None)), (("premium", "acme"), ("basic", "huaxin"))],
)
def test_accept_and_reject_between_very_different_contracts(
    old_job: tuple[str, str | None], new_job: tuple[str, str | None]
) -> None:
    """Two tiers differ in every way a redline must handle: table rows, list items, clauses, references."""
    root = assert_accept_and_reject(shipped_contract(*old_job), shipped_contract(*new_job))
    marks = {mark.tag for mark in root.iter(w("ins"), w("del")) if mark.getparent().tag == w("trPr")}
    assert marks == {w("ins"), w("del")}  # whole table rows were inserted and deleted


def test_moved_clause_with_a_table() -> None:
    """Word cannot move table rows: they are deleted there and inserted here, inside the move ranges."""
    old = shipped_contract("premium", "acme")
    starts = [i for i, block in enumerate(old.blocks) if isinstance(block, Heading) and block.level == 1]
    first = next(i for i in starts if old.blocks[i].anchor == "escalation")
    after = starts[starts.index(first) + 1]
    rest = old.blocks[:first] + old.blocks[after:]
    new = replace(old, blocks=[*rest, *old.blocks[first:after]])
    assert [(c.clause_id, c.change) for c in redline_documents(old, new).changes] == [("escalation", "moved")]
    root = assert_accept_and_reject(old, new)
    assert len(list(root.iter(w("moveFromRangeStart")))) == len(list(root.iter(w("moveToRangeStart")))) == 1
    rows = [mark.tag for mark in root.iter(w("ins"), w("del")) if mark.getparent().tag == w("trPr")]
    assert rows.count(w("del")) == rows.count(w("ins")) > 0


# ------------------------------------------------------------------ the comparison itself


def document(blocks: list) -> Document:
    strings = {"contents": "Contents", "page_x_of_y": "Page {page} of {pages}"}
    return Document("SLA", "", "", "", "", "", "en", "A4", "#000000", strings, "2025-01-01T00:00:00Z", 1, blocks)


def test_numbers_are_whole_tokens() -> None:
    marks = diff_inlines(
        [Span("Credits are 5% of $4,166.67 within 4h.")], [Span("Credits are 10% of $4,583.33 within 2h.")]
    )
    assert marks == [
        Span("Credits are "),
        Delete((Span("5%"),)),
        Insert((Span("10%"),)),
        Span(" of $"),
        Delete((Span("4,166.67"),)),
        Insert((Span("4,583.33"),)),
        Span(" within "),
        Delete((Span("4h"),)),
        Insert((Span("2h"),)),
        Span("."),
    ]


def test_a_rewritten_sentence_is_one_change_not_confetti() -> None:
    marks = diff_inlines([Span("the quick brown fox")], [Span("a slow red dog")])
    assert marks == [Delete((Span("the quick brown fox"),)), Insert((Span("a slow red dog"),))]


def test_cross_reference_renumbered_is_no_change() -> None:
    old = document(
        [
            Heading(1, "A", "a", "1"),
            Paragraph([Span("See clause "), CrossRef("b", "2"), Span(".")]),
            Heading(1, "B", "b", "2"),
        ]
    )
    new = document(
        [
            Heading(1, "New", "new", "1"),
            Heading(1, "A", "a", "2"),
            Paragraph([Span("See clause "), CrossRef("b", "3"), Span(".")]),
            Heading(1, "B", "b", "3"),
        ]
    )
    result = redline_documents(old, new)
    assert [(c.clause_id, c.change) for c in result.changes] == [("new", "added")]
    paragraph = next(b for b in result.document.blocks if isinstance(b, Paragraph))
    assert paragraph.inlines[1] == CrossRef("b", "3")  # the newer number, unmarked


def test_moved_and_changed_clause_is_removed_and_added() -> None:
    old = document(
        [Heading(1, "A", "a", "1"), Paragraph([Span("Alpha.")]), Heading(1, "B", "b", "2"), Heading(1, "C", "c", "3")]
    )
    new = document(
        [
            Heading(1, "B", "b", "1"),
            Heading(1, "C", "c", "2"),
            Heading(1, "A", "a", "3"),
            Paragraph([Span("Alpha, changed.")]),
        ]
    )
    result = redline_documents(old, new)
    assert [(c.clause_id, c.change) for c in result.changes] == [("a", "moved-changed")]


def test_summarise_counts_customers_per_clause() -> None:
    old = document([Heading(1, "Fees", "fees", "1"), Paragraph([Span("$1")])])
    changed = document([Heading(1, "Fees", "fees", "1"), Paragraph([Span("$2")])])
    summary = summarise(
        {
            "acme": redline_documents(old, changed),
            "nordwerk": redline_documents(old, changed),
            "huaxin": redline_documents(old, old),
        }
    )
    assert [(s.clause_id, s.changes, s.customers) for s in summary] == [
        ("fees", {"changed": ["acme", "nordwerk"]}, ["acme", "nordwerk"])
    ]
    assert isinstance(redline_documents(old, changed).document.blocks[1], ChangedParagraph)


# ------------------------------------------------------------------ errors


def test_from_outside_git_is_a_usage_error(old_root: Path, tmp_path: Path) -> None:
    result = redline_cli(old_root, tmp_path, "--from", "HEAD~1")
    if "not inside a git repository" not in result.stderr and result.exit_code == 0:
        pytest.skip("the temporary folder is itself inside a git repository")
    assert result.exit_code == 2
    assert "not inside a git repository" in result.stderr and "--old-workspace" in result.stderr


def test_unknown_revision_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    result = redline_cli(repo, tmp_path, "--from", "v9.9")
    assert result.exit_code == 2
    assert result.lines == [f"--from 'v9.9': no such commit in the git repository of {repo.resolve()}"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "redline: give the older version with either --from REV or --old-workspace DIR"),
        (("--from", "HEAD~1", "--old-workspace", "."), "redline: give the older version with either --from REV or"),
        (("--old-workspace", ".", "--to", "HEAD"), "redline: --to REV goes with --from REV"),
        (("--from", "HEAD~1", "-f", "summary"), "unknown format 'summary'; choose from docx, pdf"),
    ],
)
def test_usage_errors(repo: Path, args: tuple[str, ...], message: str) -> None:
    result = run_cli("--workspace", str(repo), "redline", "premium", "-c", "acme", *args)
    assert result.exit_code == 2
    assert result.lines[0].startswith(message)


def test_customer_missing_in_the_old_version(repo: Path, tmp_path: Path) -> None:
    customer = repo / "examples" / "customers" / "acme.yaml"
    copy = tmp_path / "ws"
    shutil.copytree(repo, copy)
    (copy / "examples" / "customers" / "newco.yaml").write_text(
        customer.read_text().replace("short_name: acme", "short_name: newco")
    )
    result = run_cli(
        "--workspace",
        str(copy),
        "redline",
        "premium",
        "-c",
        "newco",
        "--old-workspace",
        str(repo),
        "--out",
        str(tmp_path / "out"),
        "-f",
        "docx",
    )
    assert result.exit_code == 2
    assert result.lines[0].startswith(f"{repo}: unknown customer 'newco'")


def test_redline_docx_is_a_valid_package(redline: tuple[Path, dict]) -> None:
    import docx

    path, _ = redline
    word = docx.Document(io.BytesIO(path.read_bytes()))
    assert word.paragraphs[0].style.name == "Title"
