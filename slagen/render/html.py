"""The HTML writer: the document tree as plain data, laid out by the page template."""

from __future__ import annotations

import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from slagen.bilingual import pair_blocks
from slagen.document import (
    ChangedHeading,
    ChangedList,
    ChangedParagraph,
    ChangedTable,
    CrossRef,
    Delete,
    Heading,
    Insert,
    LineBreak,
    ListBlock,
    Marked,
    Paragraph,
    Span,
    Table,
)
from slagen.errors import TemplateError

if TYPE_CHECKING:
    from slagen.document import Document, MarkedBlock, MarkedInline

PAGE_SIZES = ("A4", "Letter")

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]+")
_PAGE_FIELD = re.compile(r"\{(page|pages)\}")


def _inline_data(inline: MarkedInline) -> dict[str, Any]:
    if isinstance(inline, Insert | Delete):
        return {"kind": "ins" if isinstance(inline, Insert) else "del", "inlines": inlines_data(list(inline.inlines))}
    if isinstance(inline, Span):
        return {
            "kind": "text",
            "text": inline.text,
            "bold": inline.bold,
            "italic": inline.italic,
            "term": inline.term,
        }
    if isinstance(inline, CrossRef):
        return {"kind": "ref", "target": inline.target, "number": inline.number}
    if isinstance(inline, LineBreak):
        return {"kind": "break"}
    raise TypeError(f"unknown inline {inline!r}")


def inlines_data(inlines: list[MarkedInline]) -> list[dict[str, Any]]:
    """Inlines as plain data for the templates (change marks become `ins`/`del` with their own inlines)."""
    return [_inline_data(inline) for inline in inlines]


def _heading_data(heading: Heading | ChangedHeading) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "heading",
        "level": heading.level,
        "title": heading.title,
        "anchor": heading.anchor,
        "number": heading.number,
        "change": None,
    }
    if isinstance(heading, ChangedHeading):
        data["title_inlines"] = inlines_data(heading.inlines)
    return data


def _block_data(block: MarkedBlock) -> dict[str, Any]:
    """One block as a dict with a `kind`; keys avoid dict method names so `block.key` works in Jinja.

    `change` is None, or in a redline "ins", "del", "move-from" or "move-to" for a block inserted,
    deleted or moved as a whole; a table's `row_changes` says the same per body row.
    """
    if isinstance(block, Marked):
        data = _block_data(block.block)
        data["change"] = block.change
        return data
    if isinstance(block, Heading | ChangedHeading):
        return _heading_data(block)
    if isinstance(block, Paragraph | ChangedParagraph):
        return {"kind": "paragraph", "inlines": inlines_data(block.inlines), "change": None}
    if isinstance(block, ListBlock | ChangedList):
        return {
            "kind": "list",
            "ordered": block.ordered,
            "entries": [[_block_data(child) for child in item] for item in block.items],
            "change": None,
        }
    if isinstance(block, ChangedTable):
        return {
            "kind": "table",
            "header": [inlines_data(cell) for cell in block.header],
            "rows": [[inlines_data(cell) for cell in row.cells] for row in block.rows],
            "row_changes": [row.change for row in block.rows],
            "change": None,
        }
    if isinstance(block, Table):
        return {
            "kind": "table",
            "header": [inlines_data(cell) for cell in block.header],  # type: ignore[arg-type]
            "rows": [[inlines_data(cell) for cell in row] for row in block.rows],  # type: ignore[arg-type]
            "row_changes": [None] * len(block.rows),
            "change": None,
        }
    raise TypeError(f"unknown block {block!r}")


def _css_escape(text: str) -> str:
    """Characters that could end a CSS string or the <style> element become CSS escapes."""
    out: list[str] = []
    for char in text:
        if char in "\"'\\<>&" or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return "".join(out)


def css_string(value: object) -> Markup:
    """A quoted CSS string holding `value` literally, safe inside <style>."""
    return Markup(f'"{_css_escape(str(value))}"')


def css_page_content(pattern: object) -> Markup:
    """A CSS `content` value for text such as "Page {page} of {pages}": fields become page counters."""
    parts: list[str] = []
    position = 0
    text = str(pattern)
    for match in _PAGE_FIELD.finditer(text):
        if match.start() > position:
            parts.append(f'"{_css_escape(text[position : match.start()])}"')
        parts.append(f"counter({match.group(1)})")
        position = match.end()
    if position < len(text) or not parts:
        parts.append(f'"{_css_escape(text[position:])}"')
    return Markup(" ".join(parts))


def css_colour(value: object) -> Markup:
    """A colour for CSS: `#rgb`, `#rrggbb` (with optional alpha) or a colour keyword, nothing else."""
    text = str(value).strip()
    if not _COLOUR.fullmatch(text):
        raise TemplateError(f"brand colour {text!r} is not a CSS colour such as #1f4e79")
    return Markup(text)


def _contents_headings(blocks: list[Any]) -> list[Heading | ChangedHeading]:
    """The headings the contents lists: top-level ones (in a redline, those of the newer document)."""
    found: list[Heading | ChangedHeading] = []
    for block in blocks:
        inner = block.block if isinstance(block, Marked) and block.change in ("ins", "move-to") else block
        if isinstance(inner, Heading | ChangedHeading):
            found.append(inner)
    return found


def page_data(document: Document, redline: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the page template sees: plain data plus the three CSS helpers.

    `redline` (None for a contract) tells the template it shows changes against an older version:
    its label (`old`), the date, the marked title and subtitle, and the changed clauses.
    """
    if document.page_size not in PAGE_SIZES:
        raise TemplateError(f"page size {document.page_size!r}: expected one of {', '.join(PAGE_SIZES)}")
    return {
        "document": {
            "title": document.title,
            "subtitle": document.subtitle,
            "author": document.author,
            "subject": document.subject,
            "keywords": document.keywords,
            "header_text": document.header_text,
            "language": document.language,
            "page_size": document.page_size,
            "brand_colour": document.brand_colour,
            "created": document.created,
            "contents_levels": document.contents_levels,
            "draft_marking": document.draft_marking,
        },
        "strings": dict(document.strings),
        "headings": [_heading_data(heading) for heading in _contents_headings(document.blocks)],
        "blocks": [_block_data(block) for block in document.blocks],
        "redline": redline,
        "parallel": parallel_data(document),
        "css_string": css_string,
        "css_page_content": css_page_content,
        "css_colour": css_colour,
    }


def parallel_data(document: Document) -> dict[str, Any] | None:
    """A bilingual contract's second text for contract-bilingual.html.j2 (None for one language): its language,
    title, subtitle, strings, its heading titles by anchor, and the rows that pair both texts block by block."""
    second = document.parallel
    if second is None:
        return None
    return {
        "language": second.language,
        "title": second.title,
        "subtitle": second.subtitle,
        "strings": dict(second.strings),
        "titles": {heading.anchor: heading.title for heading in _contents_headings(list(second.blocks))},
        "rows": [
            {"heading": row.heading, "left": [_block_data(block) for block in row.left],
             "right": [_block_data(block) for block in row.right]}
            for row in pair_blocks(list(document.blocks), list(second.blocks))
        ],
    }


def template_location(error: BaseException, fallback: str) -> str:
    """`file:line` of the innermost template frame in the traceback (Jinja maps frames to templates)."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.lineno:
        return f"{_shown(error.filename) if error.filename else error.name or fallback}:{error.lineno}"
    location = fallback
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".j2", ".css", ".html")) or frame.f_globals.get("__jinja_template__"):
            location = f"{_shown(filename)}:{line}"
    return location


def _shown(filename: str) -> str:
    """A template file as messages name it: relative to the current folder when inside it."""
    try:
        return str(Path(filename).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return filename


def render_html(
    document: Document,
    environment: jinja2.Environment,
    template: str | None = None,
    *,
    redline: dict[str, Any] | None = None,
) -> str:
    """Render the page template for `document` (by default contract.html.j2, or contract-bilingual.html.j2 for a
    bilingual contract); template problems become a TemplateError naming file:line."""
    if template is None:
        template = "contract-bilingual.html.j2" if document.parallel is not None else "contract.html.j2"
    return render_page(environment, template, page_data(document, redline))


# What a page template's own code can raise at run time ({{ 1 / 0 }}, {{ 'a' + 1 }}, a missing key).
RUNTIME_ERRORS = (ArithmeticError, TypeError, ValueError, AttributeError, LookupError)


def render_page(environment: jinja2.Environment, template: str, data: dict[str, Any]) -> str:
    """Render one page template; any template problem, at parse or at run time, is a TemplateError naming file:line."""
    try:
        return environment.get_template(template).render(data)
    except jinja2.TemplateNotFound as error:
        where = template_location(error, template)
        if where == template:  # the page template itself
            raise TemplateError(f"{template}: page template {error.name!r} not found") from error
        raise TemplateError(
            f"{where}: page template {error.name!r} not found in the template folders; names are relative to "
            "them and cannot leave them"
        ) from error
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(f"{template_location(error, template)}: template syntax error: {error.message}") from error
    except jinja2.TemplateError as error:
        where = template_location(error, template)
        raise TemplateError(f"{where}: {error.message or type(error).__name__}") from error
    except RecursionError as error:
        where = template_location(error, template)
        raise TemplateError(f"{where}: stopped: the template calls itself without end (recursion too deep)") from error
    except RUNTIME_ERRORS as error:
        where = template_location(error, template)
        raise TemplateError(f"{where}: template error: {error}") from error
