"""Text and images that a laid-out page draws past its left or right margin, where nobody reads them.

WeasyPrint lets a word that cannot break (a long e-mail address or URL, a number in a narrow table
column) or a box wider than its column run out of the page's content area without a word. A contract
or summary with text cut off at the paper's edge is as wrong as one with a blank, so a build that
would print one fails and names the page and the text.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from weasyprint.document import Document as LaidOutDocument

# Glyph advances are rounded by the shaper: a line that exactly fills its box may end a hair (0.2 mm) further.
TOLERANCE_PX = 0.75
PX_PER_MM = 96 / 25.4  # WeasyPrint lays out in CSS pixels
_PROBLEM = re.compile(r"^PDF: (page \d+: .*?'(.+?)'\)? runs [\d.]+ mm past the (?:left|right) margin .*)$")


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def _overrun(box: Any, left: float, right: float) -> tuple[float, str]:
    start = box.border_box_x()
    end = start + box.border_width()
    return max(end - right, left - start), "right" if end - right >= left - start else "left"


def _widest_word(table: Any) -> tuple[float, str]:
    """(width, text) of the widest text without a break opportunity in a table: what forces its columns wide."""
    from weasyprint.formatting_structure.boxes import TextBox

    words = [box for box in table.descendants() if isinstance(box, TextBox) and box.text.strip()]
    unbroken = [box for box in words if len(box.text.split()) == 1] or words
    widest = max(unbroken, key=lambda box: box.width, default=None)
    return (widest.width, widest.text) if widest is not None else (0.0, "")


def _page_problem(page_box: Any) -> tuple[float, str, str, tuple[float, str] | None] | None:
    """(overrun, side, what, widest word if a table) of the widest overrun on the page, None if all is inside."""
    from weasyprint.formatting_structure.boxes import InlineReplacedBox, MarginBox, TableBox, TextBox

    left = page_box.content_box_x()
    right = left + page_box.width
    worst: tuple[float, str, str, tuple[float, str] | None] | None = None
    inside_tables: set[int] = set()
    for top in page_box.children:
        if isinstance(top, MarginBox):  # running headers and footers belong in the margins
            continue
        for box in top.descendants():
            if id(box) in inside_tables:
                continue
            if isinstance(box, TableBox):
                what = "a table"
            elif isinstance(box, TextBox) and box.text.strip():
                what = repr(_excerpt(box.text))
            elif isinstance(box, InlineReplacedBox):
                what = "an image"
            else:
                continue
            overrun, side = _overrun(box, left, right)
            if overrun <= TOLERANCE_PX:
                continue
            word = None
            if isinstance(box, TableBox):  # named by its widest word, its cells not again one by one
                inside_tables.update(id(child) for child in box.descendants())
                word = _widest_word(box)
            if worst is None or overrun > worst[0]:
                worst = (overrun, side, what, word)
    return worst


def text_past_margins(laid_out: LaidOutDocument) -> list[str]:
    """One problem per page with text, a table or an image outside its content area (the widest overrun)."""
    found = [
        (number, problem)
        for number, page in enumerate(laid_out.pages, start=1)
        if (problem := _page_problem(page._page_box)) is not None
    ]
    # A table split over pages overruns each page by as much: name its widest word from all of them.
    widest: dict[float, tuple[float, str]] = {}
    for _, (overrun, _, _, word) in found:
        if word is not None:
            widest[round(overrun, 1)] = max(widest.get(round(overrun, 1), word), word)
    problems = []
    for number, (overrun, side, what, word) in found:
        if word is not None:
            what = f"{what} (its widest word {_excerpt(widest[round(overrun, 1)][1])!r})"
        problems.append(
            f"PDF: page {number}: {what} runs {overrun / PX_PER_MM:.1f} mm past the {side} margin "
            "(a word too long to break, or a column too narrow for it); shorten it or give it room"
        )
    return problems


def overflowing_text(problem: str) -> tuple[str, str] | None:
    """(the text it names, the problem without its `PDF: ` prefix) of a problem made here, else None."""
    match = _PROBLEM.match(problem)
    return (match.group(2).removesuffix("..."), match.group(1)) if match else None
