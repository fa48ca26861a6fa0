"""The HTML writer: the document tree as plain data, laid out by the page template."""

from __future__ import annotations

import re
import traceback
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from slagen.document import Block, CrossRef, Heading, Inline, LineBreak, ListBlock, Paragraph, Span, Table
from slagen.errors import TemplateError

if TYPE_CHECKING:
    from slagen.document import Document

PAGE_SIZES = ("A4", "Letter")

_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})|[a-zA-Z]+")
_PAGE_FIELD = re.compile(r"\{(page|pages)\}")


def _inline_data(inline: Inline) -> dict[str, Any]:
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


def _inlines_data(inlines: list[Inline]) -> list[dict[str, Any]]:
    return [_inline_data(inline) for inline in inlines]


def _heading_data(heading: Heading) -> dict[str, Any]:
    return {
        "kind": "heading",
        "level": heading.level,
        "title": heading.title,
        "anchor": heading.anchor,
        "number": heading.number,
    }


def _block_data(block: Block) -> dict[str, Any]:
    """One block as a dict with a `kind`; keys avoid dict method names so `block.key` works in Jinja."""
    if isinstance(block, Heading):
        return _heading_data(block)
    if isinstance(block, Paragraph):
        return {"kind": "paragraph", "inlines": _inlines_data(block.inlines)}
    if isinstance(block, ListBlock):
        return {
            "kind": "list",
            "ordered": block.ordered,
            "entries": [[_block_data(child) for child in item] for item in block.items],
        }
    if isinstance(block, Table):
        return {
            "kind": "table",
            "header": [_inlines_data(cell) for cell in block.header],
            "rows": [[_inlines_data(cell) for cell in row] for row in block.rows],
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


def page_data(document: Document) -> dict[str, Any]:
    """Everything the page template sees: plain data plus the three CSS helpers."""
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
        },
        "strings": dict(document.strings),
        "headings": [_heading_data(heading) for heading in document.headings()],
        "blocks": [_block_data(block) for block in document.blocks],
        "css_string": css_string,
        "css_page_content": css_page_content,
        "css_colour": css_colour,
    }


def _template_location(error: BaseException, fallback: str) -> str:
    """`file:line` of the innermost template frame in the traceback (Jinja maps frames to templates)."""
    if isinstance(error, jinja2.TemplateSyntaxError) and error.lineno:
        return f"{error.filename or error.name or fallback}:{error.lineno}"
    location = fallback
    for frame, line in traceback.walk_tb(error.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".j2", ".css", ".html")) or frame.f_globals.get("__jinja_template__"):
            location = f"{filename}:{line}"
    return location


def render_html(
    document: Document, environment: jinja2.Environment, template: str = "contract.html.j2"
) -> str:
    """Render the page template for `document`; template problems become a TemplateError naming file:line."""
    data = page_data(document)
    try:
        return environment.get_template(template).render(data)
    except jinja2.TemplateNotFound as error:
        raise TemplateError(f"{template}: page template {error.name!r} not found") from error
    except jinja2.TemplateError as error:
        where = _template_location(error, template)
        raise TemplateError(f"{where}: {error.message or type(error).__name__}") from error
