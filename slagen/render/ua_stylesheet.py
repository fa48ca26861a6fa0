"""WeasyPrint's default stylesheet without the notes and footnotes a page does not have.

WeasyPrint 70's user-agent stylesheet gives every element five pseudo-elements for footnotes and notes
(`::footnote-call`, `::footnote-marker`, `::note-call`, `::note-marker`, `::note-callback`), and computes a style
for each of them, for every element, before it knows whether any element is a footnote or a note. WeasyPrint
only looks at those styles for an element that is one (`float: footnote`, `position: note(...)`). Our contracts
have none: for acme's premium contract (916 elements) the unused styles cost 6 % of its CPU (0.09 s), for
huaxin's bilingual one (2,491 elements, 12,455 unused styles) 5 % (0.18 s) and 12 MiB (bench/RESULTS.md).

`page_html` gives WeasyPrint's `HTML` for a page; a page whose markup could make footnotes or notes (the words
appear in it, or it loads stylesheets we cannot see) keeps WeasyPrint's stylesheet whole. The rest are laid out
with the same stylesheet less those five rules, which gives the same PDF byte for byte. Only on the WeasyPrint
versions it was checked against (`CHECKED_MAJOR_VERSIONS`, which pyproject's bound matches).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

# WeasyPrint major versions whose `HTML._ua_stylesheets` and user-agent stylesheet are as this module expects.
CHECKED_MAJOR_VERSIONS = ("70",)
# The rules dropped: one line each in WeasyPrint's html5_ua.css.
NOTE_RULES = ("::footnote-call", "::footnote-marker", "::note-call", "::note-marker", "::note-callback")
# Anything that could make an element a footnote or a note, or bring in CSS this module cannot read.
_MAY_HAVE_NOTES = re.compile(r"footnote|note\s*\(|@import|<link\b", re.IGNORECASE)


def applies(version: str) -> bool:
    return version.split(".")[0] in CHECKED_MAJOR_VERSIONS


@cache
def _without_notes() -> type | None:
    """`weasyprint.HTML` with the note rules left out of its default stylesheet; None where not checked."""
    import weasyprint
    from weasyprint import html as weasyprint_html
    from weasyprint.css.counters import CounterStyle

    if not applies(weasyprint.__version__):
        return None
    lines = weasyprint_html.UA.split("\n")
    kept = [line for line in lines if not line.startswith(NOTE_RULES)]
    if len(lines) - len(kept) != len(NOTE_RULES):  # not the stylesheet this was checked against
        return None
    # A counter-style registry of its own: the documents keep using WeasyPrint's, filled from the whole stylesheet.
    lean = weasyprint.CSS(string="\n".join(kept), counter_style=CounterStyle())
    form = weasyprint_html.UA_FORM_STYLESHEET

    class HTMLWithoutNotes(weasyprint.HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            return [lean, form] if forms else [lean]

    return HTMLWithoutNotes


def prepare() -> None:
    """Parse the lean stylesheet now (0.03 s), in a process about to fork, rather than in each child."""
    _without_notes()


def page_html(html: str, **options: Any) -> Any:
    """WeasyPrint's `HTML(string=html, **options)`, with the lean default stylesheet where the page allows it."""
    import weasyprint

    lean = None if _MAY_HAVE_NOTES.search(html) else _without_notes()
    return (lean or weasyprint.HTML)(string=html, **options)
