"""Fonts a laid-out page uses, checked against those installed: a family none of whose fonts exists (an
error: WeasyPrint would use another without a word), a first choice replaced by a later one (a note where a page
no longer fits), characters no font has; and where in the page templates a name is written, for the message."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from html import unescape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from slagen.errors import InputError
from slagen.files import InputScope

if TYPE_CHECKING:
    from weasyprint.document import Document as LaidOutDocument

GENERIC_FAMILIES = frozenset(
    {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "math", "emoji", "fangsong",
     "ui-serif", "ui-sans-serif", "ui-monospace", "ui-rounded", "inherit", "initial", "unset"}
)
_FONT_FACE = re.compile(r"@font-face\s*\{[^}]*?font-family\s*:\s*([^;}]+)", re.IGNORECASE)


@functools.cache
def installed_font_families() -> frozenset[str] | None:
    """Every font family fontconfig knows (casefolded), as WeasyPrint sees them; None if it cannot tell."""
    try:
        from weasyprint.text.ffi import ffi, fontconfig

        config = fontconfig.FcInitLoadConfigAndFonts()
    except (ImportError, AttributeError, OSError):  # pragma: no cover - a WeasyPrint without fontconfig
        return None
    families: set[str] = set()
    try:
        fonts = fontconfig.FcConfigGetFonts(config, fontconfig.FcSetSystem)
        value = ffi.new("FcChar8 **")
        for index in range(fonts.nfont if fonts != ffi.NULL else 0):
            number = 0
            while fontconfig.FcPatternGetString(fonts.fonts[index], b"family", number, value) == 0:
                families.add(ffi.string(value[0]).decode("utf-8", "replace").casefold())
                number += 1
    finally:
        fontconfig.FcConfigDestroy(config)
    return frozenset(families) or None


def _family_names(value: str) -> list[str]:
    return [name.strip().strip("'\"").strip() for name in value.split(",") if name.strip()]


def _used_font_families(laid_out: LaidOutDocument) -> list[tuple[str, ...]]:
    """The font-family lists of every box that draws text, in order of first use."""
    from weasyprint.formatting_structure.boxes import TextBox

    found: dict[tuple[str, ...], None] = {}
    for page in laid_out.pages:
        for box in page._page_box.descendants():
            if isinstance(box, TextBox) and box.text.strip():
                found[tuple(box.style["font_family"])] = None
    return list(found)


def _css_line(family: str, search: list[Path]) -> str | None:
    """`path:line` of the font-family declaration naming `family` in the template folders, if any."""
    return template_line(re.compile(rf"font-family\s*:[^;}}]*{re.escape(family)}", re.IGNORECASE), search)


def template_line(pattern: re.Pattern[str], search: list[Path]) -> str | None:
    """`path:line` of the first line matching `pattern` in the page templates and stylesheets."""
    scope = InputScope.within(*search)
    for folder in search:
        if not folder.is_dir():
            continue
        for file in sorted(folder.iterdir()):
            if file.suffix not in (".css", ".j2", ".html") or not file.is_file():
                continue
            try:
                text = scope.read_bytes(file, str(file)).decode("utf-8", errors="replace")
            except InputError:
                continue  # only a hint for a message; the template loader reports the file itself
            for number, line in enumerate(text.splitlines(), 1):
                if pattern.search(line):
                    return f"{_shown(file)}:{number}"
    return None


def template_search(allowed_roots: list[Path]) -> list[Path]:
    """Where a page's templates and stylesheets may be, to point a message at a line of them."""
    return [folder for root in allowed_roots for folder in (Path(root) / "templates", Path(root))]


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def _named_and_present(laid_out: LaidOutDocument, html: str) -> list[tuple[list[str], list[str]]]:
    """For each font-family list that draws text: the fonts it names, and those of them that exist (installed
    or loaded with @font-face); empty when fontconfig cannot tell."""
    installed = installed_font_families()
    if installed is None:
        return []
    declared = {name.casefold() for match in _FONT_FACE.finditer(html) for name in _family_names(match.group(1))}
    known = installed | declared
    found = []
    for families in _used_font_families(laid_out):
        named = [name for name in families if name.casefold() not in GENERIC_FAMILIES]
        if named:
            found.append((named, [name for name in named if name.casefold() in known]))
    return found


def font_problems(laid_out: LaidOutDocument, html: str, search: list[Path]) -> tuple[list[str], list[str]]:
    """Errors and warnings about the fonts a laid-out page uses. An error: a font-family list none of whose
    named fonts exists (WeasyPrint would use another font without a word). A warning: a list whose first font
    is missing while a later one stands in (the page then breaks otherwise than where it is installed)."""
    found = _named_and_present(laid_out, html)
    problems = []
    for named, present in found:
        if present:
            continue
        where = _css_line(named[0], search) or "PDF"
        listed = ", ".join(f'"{name}"' for name in named)
        problems.append(
            f"{where}: font-family: {listed} {'is' if len(named) == 1 else 'are'} not installed, so the PDF would "
            "silently use another font; install it, load it with @font-face, or name an installed family "
            "('fc-list : family' lists them)"
        )
    warnings = [
        f'{where}: font-family: warning: "{first}" is not installed, so "{stand_in}" sets this text in its place '
        f"and lines and pages break otherwise than where it is installed; {_install_hint(first)}"
        for where, first, stand_in in _stand_ins(found, search)
    ]
    return problems, warnings


def substituted_font_notes(laid_out: LaidOutDocument, html: str, search: list[Path]) -> list[str]:
    """A font-family list whose first named font is missing while a later one stands in: the text is set in
    another font than the page was designed for, so it may wrap, break or overflow differently."""
    return [
        f'{where}: font-family: "{first}" is not installed, so "{stand_in}" set this text in its place and the '
        f"page may not fit as designed; {_install_hint(first)}"
        for where, first, stand_in in _stand_ins(_named_and_present(laid_out, html), search)
    ]


def _install_hint(family: str) -> str:
    return f'install "{family}" (\'fc-list : family\' lists the installed fonts)'


def _stand_ins(found: list[tuple[list[str], list[str]]], search: list[Path]) -> list[tuple[str, str, str]]:
    """(where the list is written, its missing first font, the font standing in), once each."""
    stand_ins: dict[tuple[str, str, str], None] = {}
    for named, present in found:
        if present and present[0] != named[0]:
            stand_ins[(_css_line(named[0], search) or "PDF", named[0], present[0])] = None
    return list(stand_ins)


# Warnings made while rendering in this process (a stand-in font), until the command takes them to report.
_WARNINGS: dict[str, None] = {}


def record_warnings(warnings: list[str]) -> None:
    _WARNINGS.update(dict.fromkeys(warnings))


def take_warnings() -> list[str]:
    """The warnings recorded so far in this process, once: they are forgotten here."""
    taken = list(_WARNINGS)
    _WARNINGS.clear()
    return taken


def with_warnings(function: Callable[..., bytes], *args: Any, **kwargs: Any) -> tuple[bytes, list[str]]:
    """In a helper or forked child: the bytes `function` makes, and the warnings making them recorded there, to
    send to the process that reports them (a child's record is its own)."""
    return function(*args, **kwargs), take_warnings()


def _text_around(html: str, char: str) -> str:
    """The first piece of body text (between tags) holding `char`, as the reader would see it."""
    body = html.find("<body")
    for match in re.finditer(r">([^<]+)<", html[max(body, 0) :]):
        if char in match.group(1):
            text = " ".join(unescape(match.group(1)).split())
            return text if len(text) <= 80 else text[:77] + "..."
    return ""


def missing_glyph_problem(characters: list[str], html: str) -> str:
    """One line for characters no installed font can draw (the PDF would show empty boxes)."""
    shown = "".join(characters[:12]) + ("..." if len(characters) > 12 else "")
    more = f" and {len(characters) - 1} more" if len(characters) > 1 else ""
    context = _text_around(html, characters[0])
    where = f' in "{context}"' if context else ""
    return (
        f"PDF: no installed font has the characters {shown} (U+{ord(characters[0]):04X}{more}){where}; the PDF "
        "would show empty boxes for them. Install a font that covers them (Chinese, Japanese, Korean: Noto Sans "
        "CJK, e.g. apt-get install fonts-noto-cjk) and add it to font-family in contract.css"
    )
