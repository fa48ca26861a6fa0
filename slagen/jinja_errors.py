"""Jinja's errors as slagen's messages: `file:line: field: what went wrong`, never a Python traceback."""

from __future__ import annotations

import re
import traceback

from jinja2 import TemplateNotFound, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from slagen.errors import TemplateError
from slagen.templating import RenderLimitError


def jinja_line(error: BaseException) -> int:
    """The template line a Jinja runtime error happened on (Jinja rewrites tracebacks to template lines)."""
    if isinstance(error, TemplateSyntaxError):
        return error.lineno
    line = 1
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == "<template>" and frame.lineno is not None:
            line = frame.lineno
    return line


def undefined_name(error: UndefinedError, template_source: str) -> str:
    """`customer.vat_id` rather than Jinja's "'dict object' has no attribute 'vat_id'"."""
    message = error.message or ""
    match = re.search(r"has no attribute '([^']+)'|^'([^']+)' is undefined", message)
    if match is None:
        return message
    name = match.group(1) or match.group(2)
    lines = template_source.splitlines()
    index = jinja_line(error) - 1
    text = lines[index] if 0 <= index < len(lines) else ""
    dotted = re.search(rf"[A-Za-z_][\w.]*\.{re.escape(name)}\b", text)
    return dotted.group(0) if dotted else name


def template_problem(
    error: BaseException, source: str, first_line: int, field: str, template_source: str = ""
) -> TemplateError:
    """A clause template's error (a `condition` or `body` starting at `first_line` of `source`) as one line."""
    line = first_line + jinja_line(error) - 1
    if isinstance(error, UndefinedError):
        message = f"{undefined_name(error, template_source)} is undefined; no data provides it"
    elif isinstance(error, SecurityError):
        message = f"unsafe template code refused: {error}"
    elif isinstance(error, TemplateSyntaxError):
        message = f"template syntax error: {error.message}"
    elif isinstance(error, RenderLimitError):
        message = str(error)
    elif isinstance(error, TemplateNotFound):
        message = str(error.message)
    elif isinstance(error, RecursionError):
        message = "stopped: the expression calls itself without end (recursion too deep)"
    else:
        message = f"template error: {error}"
    return TemplateError(f"{source}:{line}: {field}: {message}")
