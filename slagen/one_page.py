"""The one-page rule: lay a page out at the densities its template offers until it fits, else say what overflows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slagen.errors import BuildError

if TYPE_CHECKING:
    from slagen.document import Document
    from slagen.render.pdf import Layout

# Page densities, most generous first; the templates define what each means (the compact one keeps
# every text at 8 pt or more). Layout starts at "normal": it goes roomier when the page is less than
# FILLED full, tighter when it spills over.
DENSITIES = ("roomy", "normal", "compact")
START = DENSITIES.index("normal")
FILLED = 0.88


def _part(box: Any) -> str | None:
    element = getattr(box, "element", None)
    return element.get("data-part") if element is not None else None


def _parts_after_first_page(pages: list[Any]) -> list[str]:
    """The `data-part` names of the elements laid out on any page after the first, in page order."""
    parts: list[str] = []
    for page in pages[1:]:
        for box in page._page_box.descendants():
            name = _part(box)
            if name and name not in parts:
                parts.append(name)
    return parts


def _filled(page: Any) -> float:
    """How much of the page's content height the laid-out document takes (0 to 1)."""
    box = page._page_box
    return float(sum(child.margin_height() for child in box.children) / box.height) if box.height else 1.0


def _crowding_parts(page: Any) -> list[str]:
    """Parts that take more than a quarter of the first page on their own: likely the cause of an overflow."""
    limit = page._page_box.height / 4
    return [name for box in page._page_box.descendants() if (name := _part(box)) and box.margin_height() > limit]


def fit_one_page(
    render: Callable[[str], str],
    *,
    what: str,
    base_dir: Path,
    allowed_roots: list[Path],
    blame: Callable[[list[str]], tuple[str, str] | None] = lambda parts: None,
) -> Layout:
    """The layout of the first density that is one page; else a BuildError naming what overflows.

    Densities only change air and sizes within the template's limits (never below 8 pt); nothing spills
    silently. `blame` may pick, among the suspect parts (those that crowd the first page or overflow),
    one that comes from a single input field: it returns that field's `path:line: field` and the part.
    """
    # The chosen layout goes on to render_pdf, so a fitting page is laid out only once.
    from slagen.render.fonts import substituted_font_notes, template_search
    from slagen.render.pdf import lay_out

    def layout(density: str) -> tuple[Layout, list[Any]]:
        made = lay_out(render(density), base_dir=base_dir, allowed_roots=allowed_roots)
        if made.fetcher.problems:
            raise BuildError(made.fetcher.problems[0], problems=made.fetcher.problems)
        return made, made.pages

    chosen, pages = layout(DENSITIES[START])
    if len(pages) == 1:
        if START > 0 and _filled(pages[0]) < FILLED:
            roomier, roomier_pages = layout(DENSITIES[START - 1])
            if len(roomier_pages) == 1:
                return roomier
        return chosen
    for density in DENSITIES[START + 1 :]:
        chosen, pages = layout(density)
        if len(pages) == 1:
            return chosen
    parts = _parts_after_first_page(pages)
    message = f"{what}: {len(pages)} pages, must fit on one; overflowing: {', '.join(parts) or 'unnamed content'}"
    culprit = blame(list(dict.fromkeys(_crowding_parts(pages[0]) + parts)))
    if culprit is not None:
        where, part = culprit
        message = f"{where}: {message}; the {part} alone takes too much of the page, shorten it"
    # A stand-in font (the first choice is not installed) is often the whole reason a page no longer fits.
    notes = substituted_font_notes(chosen.document, chosen.html, template_search(allowed_roots))
    problems = [message, *notes]
    raise BuildError(message, problems=problems)


class NeedsWorkspace(Exception):
    """A page overflows, and only the workspace can tell which input to blame."""


def render_one_page(
    pages: dict[str, str], *, what: str, base_dir: Path, allowed_roots: list[Path], document: Document,
    variant: str | None,
) -> bytes:
    """The PDF of a page already rendered at each density (in a build's PDF helper, see slagen.prefork).
    A page that does not fit raises NeedsWorkspace: the build renders it again itself, to blame an input."""
    from slagen.render.pdf import render_pdf

    def blame(parts: list[str]) -> tuple[str, str] | None:
        raise NeedsWorkspace(", ".join(parts))

    layout = fit_one_page(pages.__getitem__, what=what, base_dir=base_dir, allowed_roots=allowed_roots, blame=blame)
    return render_pdf(layout.html, base_dir=base_dir, allowed_roots=allowed_roots, document=document,
                      variant=variant, layout=layout)
