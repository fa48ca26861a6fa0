"""Pages without notes are laid out without WeasyPrint's note rules (slagen.render.ua_stylesheet), to the same PDF."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
import weasyprint
from pypdf import PdfReader

from slagen.build import Job, build_document, contract_html, load_strings
from slagen.render import ua_stylesheet
from slagen.render.pdf import render_pdf
from slagen.workspace import load_workspace, resolve_customer

REPO = Path(__file__).resolve().parent.parent
FOOTNOTE = """<html><head><style>.fn { float: footnote }</style></head><body>
<p>Response times are measured in business hours<span class="fn">Local public holidays excluded.</span>.</p>
</body></html>"""


def _contract(tier: str, customer: str) -> tuple[str, dict[str, object]]:
    ws = load_workspace(REPO)
    document, _ = build_document(ws, Job(ws.tier(tier), resolve_customer(ws, customer)), load_strings(ws, None))
    arguments = {"base_dir": ws.root, "allowed_roots": [ws.root], "document": document}
    return contract_html(ws, document), arguments


def test_the_installed_weasyprint_is_one_the_stylesheet_was_checked_against() -> None:
    """An upgrade of WeasyPrint fails here until the rules this module drops have been checked again."""
    assert ua_stylesheet.applies(weasyprint.__version__), weasyprint.__version__
    page = ua_stylesheet.page_html("<p>Service credits</p>")
    assert type(page) is not weasyprint.HTML and isinstance(page, weasyprint.HTML)
    lean, = page._ua_stylesheets()
    whole, = weasyprint.HTML(string="<p/>")._ua_stylesheets()
    assert whole.matcher.order - lean.matcher.order == len(ua_stylesheet.NOTE_RULES)


def test_a_contract_is_the_same_pdf_without_the_note_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    html, arguments = _contract("premium", "acme")
    assert type(ua_stylesheet.page_html(html)) is not weasyprint.HTML
    lean = render_pdf(html, **arguments)  # type: ignore[arg-type]
    ua_stylesheet._without_notes.cache_clear()
    monkeypatch.setattr(ua_stylesheet, "CHECKED_MAJOR_VERSIONS", ())  # as on a version not checked
    try:
        assert type(ua_stylesheet.page_html(html)) is weasyprint.HTML
        whole = render_pdf(html, **arguments)  # type: ignore[arg-type]
    finally:
        ua_stylesheet._without_notes.cache_clear()
    assert lean == whole


def test_a_page_with_a_footnote_keeps_weasyprints_stylesheet() -> None:
    """Its footnote is called with a number; without the whole stylesheet WeasyPrint could not lay it out."""
    assert type(ua_stylesheet.page_html(FOOTNOTE)) is weasyprint.HTML
    kept = PdfReader(io.BytesIO(ua_stylesheet.page_html(FOOTNOTE).write_pdf())).pages[0].extract_text()
    assert "hours1" in kept.replace(" ", "") and "1. Local public holidays" in kept
    lean = ua_stylesheet._without_notes()
    assert lean is not None
    with pytest.raises(TypeError):  # the footnote's marker has no style: what the check in page_html prevents
        lean(string=FOOTNOTE).write_pdf()


@pytest.mark.parametrize("markup", ["<p style='position: note(sidebar)'>n</p>", "<link rel=stylesheet href=x.css>",
                                    "<style>@import 'notes.css';</style>", "<style>p { float: FOOTNOTE }</style>"])
def test_pages_that_may_have_notes_keep_weasyprints_stylesheet(markup: str) -> None:
    assert type(ua_stylesheet.page_html(markup)) is weasyprint.HTML


def test_other_weasyprint_versions_are_left_alone() -> None:
    assert ua_stylesheet.applies("70.0") and not ua_stylesheet.applies("71.0")
    code = ("import weasyprint\nweasyprint.__version__ = '71.0'\nfrom slagen.render import ua_stylesheet\n"
            "print(type(ua_stylesheet.page_html('<p>x</p>')) is weasyprint.HTML)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True"]
