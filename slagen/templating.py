"""The two sandboxed Jinja environments: clause bodies (Markdown out) and page templates (HTML out)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateNotFound,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

BUILTIN_PREFIX = "builtin"

# Backslash-escaping every ASCII punctuation mark keeps interpolated data literal in Markdown.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~&])")


def escape_markdown(value: object) -> str:
    """Data inserted into a clause stays text: Markup (from helpers such as ref()) passes as is."""
    if isinstance(value, Markup):
        return str(value)
    text = str(value)
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text).replace("\n", " ")


class _ContainedLoader(FileSystemLoader):
    """A file loader that refuses anything resolving outside its folders, symlinks included."""

    def get_source(self, environment: Any, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        resolved = Path(filename).resolve()
        roots = [Path(folder).resolve() for folder in self.searchpath]
        if not any(resolved.is_relative_to(root) for root in roots):
            raise TemplateNotFound(template)
        return source, filename, uptodate


def template_loader(search_path: list[Path], builtin: Path) -> BaseLoader:
    """First match wins along `search_path`; the packaged defaults stay reachable as `builtin/NAME`."""
    return ChoiceLoader(
        [
            PrefixLoader({BUILTIN_PREFIX: _ContainedLoader([str(builtin)])}),
            _ContainedLoader([str(folder) for folder in search_path if folder.is_dir()]),
        ]
    )


def clause_environment() -> SandboxedEnvironment:
    """Clause bodies: sandboxed, a missing value is an error, data is escaped for Markdown."""
    return SandboxedEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=escape_markdown,
        keep_trailing_newline=True,
    )


def page_environment(loader: BaseLoader) -> SandboxedEnvironment:
    """Page templates: sandboxed, a missing value is an error, always HTML-escaped (any file name)."""
    return SandboxedEnvironment(loader=loader, undefined=StrictUndefined, autoescape=True)
