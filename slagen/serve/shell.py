"""What the server adds around a preview: file URLs routed through the PDF's confined fetcher, the bar with the
page's files, the problems above the last good preview, the live script; and the start page. The wording and
markup are the package's own templates under slagen/serve/ui/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, urljoin, urlsplit

import jinja2

from slagen.serve.pages import DOWNLOADS, Page

UI = Path(__file__).resolve().parent / "ui"
# The route that serves local files, through the same fetcher (and confinement) as the PDF.
FILES_ROUTE = "/_serve/files"

_ATTRIBUTE_URL = re.compile(r"""(?P<lead>\b(?:src|href)\s*=\s*)(?P<quote>["'])(?P<url>.*?)(?P=quote)""", re.IGNORECASE)
_CSS_URL = re.compile(r"""(?P<lead>\burl\(\s*)(?P<quote>["']?)(?P<url>[^"')]*)(?P=quote)(?P<tail>\s*\))""",
                      re.IGNORECASE)
_HEAD_END = re.compile(r"</head\s*>", re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(UI), autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )


_UI = _environment()


def ui_file(name: str) -> bytes:
    """One of the server's own files (script, stylesheet), read from the package."""
    return (UI / name).read_bytes()


def served_url(url: str, base_url: str) -> str:
    """Where the browser fetches what `url` names: a local file goes through FILES_ROUTE (as /_serve/files/PATH,
    so relative URLs inside it keep working); anchors, data: and anything else are left as they are (the
    page's Content-Security-Policy blocks the network)."""
    text = url.strip()
    if not text or text.startswith(("#", "data:", "/_serve/")):
        return url
    absolute = urljoin(base_url, text)
    parts = urlsplit(absolute)
    if parts.scheme != "file":
        return url
    query = f"?{parts.query}" if parts.query else ""
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return f"{FILES_ROUTE}{quote(parts.path, safe='/%')}{query}{fragment}"


def rewrite_urls(html: str, base_url: str) -> str:
    """Every src=, href= and CSS url() that names a local file (absolute, or relative to the workspace as
    WeasyPrint reads it) rewritten to the confined file route."""

    def attribute(match: re.Match[str]) -> str:
        return f"{match['lead']}{match['quote']}{served_url(match['url'], base_url)}{match['quote']}"

    def css(match: re.Match[str]) -> str:
        return f"{match['lead']}{match['quote']}{served_url(match['url'], base_url)}{match['quote']}{match['tail']}"

    return _CSS_URL.sub(css, _ATTRIBUTE_URL.sub(attribute, html))


def _insert(html: str, pattern: re.Pattern[str], text: str, *, after: bool, default_end: bool) -> str:
    match = pattern.search(html)
    if match is None:
        return html + text if default_end else text + html
    at = match.end() if after else match.start()
    return html[:at] + text + html[at:]


def chrome(page: Page | None, version: str, problems: list[str], names: dict[str, Any]) -> dict[str, str]:
    """The pieces added to a page: `head` (stylesheet), `top` (bar and problems) and `end` (live script).
    `names`: the tier's name (`tier_name`) and the provider's (`provider`), for the bar's title."""
    data = {"page": page, "key": page.key if page else "/", "problems": problems, "version": version,
            "tier_name": names.get("tier_name"), "provider": names.get("provider"),
            "downloads": [(suffix, page.url(f".{suffix}")) for suffix in DOWNLOADS[page.kind]] if page else []}
    module = _UI.get_template("chrome.html.j2").make_module(data)
    return {name: str(getattr(module, name)()) for name in ("title", "head", "top", "end")}


def decorate(html: str, base_url: str, page: Page, version: str, problems: list[str], names: dict[str, Any]) -> str:
    """The preview as the browser gets it: the HTML the PDF is made from, its file URLs served by the
    confined route, with the bar, the problems (above it) and the live script added."""
    parts = chrome(page, version, problems, names)
    html = rewrite_urls(html, base_url)
    html = _insert(html, _HEAD_END, parts["head"], after=False, default_end=False)
    html = _insert(html, _BODY, parts["top"], after=True, default_end=False)
    return _insert(html, _BODY_END, parts["end"], after=False, default_end=True)


def bare_page(page: Page, version: str, problems: list[str], names: dict[str, Any]) -> str:
    """A page with nothing good to show yet (it never rendered): the bar and its problems only."""
    return _UI.get_template("problems.html.j2").render(parts=chrome(page, version, problems, names))


def start_page(data: dict[str, Any], version: str, problems: tuple[str, ...]) -> str:
    """The start page: every page the workspace can show, with its files."""
    parts = chrome(None, version, list(problems), data)
    return _UI.get_template("index.html.j2").render(parts=parts, **data)
