"""Markdown parsed once per shape: a clause text with a customer's strings swapped for stand-ins.

`slagen validate` renders the parties and signature clauses a thousand times, once per customer, and
each text differs from the others only in names, addresses and titles. Parsing Markdown is the
costliest step of that render, so a text is parsed in its *shape*: each of the customer's strings
(its legal name, address, signatory, sites...) replaced by a stand-in that Markdown cannot tell apart
from it, and the values swapped back into the tokens.

Why a stand-in parses like its value: it keeps whatever comes before the value's first letter or digit
and after its last (what Markdown looks at around a value: indentation, emphasis flanking, trailing
spaces), and replaces the core between by ASCII letters that spell the stand-in's number. Inside the
core nothing starts Markdown syntax: interpolated data is escaped (`templating.escape_markdown`), so a
value's `*`, `[`, `#`, `.` or `)` are text, and a core holding a letter is never a list number; a core
of digits alone ("00", a postcode) could be one at a line start, so it is not swapped. Values holding
what escapes cannot tame (a backtick in a code span, `|` in a table cell) are
not swapped, and the rest is ruled out by parsing the text whole: an unescaped `&` before a letter
(entities such as `&amp;`) or `<` (autolinks such as `<ab:cd>`), link reference definitions (labels are
matched case-folded), and a stand-in that lands in a token's attributes (a link address or title) or
does not come back whole, as often as it went in. tests/test_shapes.py compares both ways on generated
texts and values.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slagen.templating import escape_markdown

if TYPE_CHECKING:
    from markdown_it.token import Token

_LONGEST = 300  # a link label may not exceed 999 characters; a longer value is simply not swapped
_ALPHABET = "bcdfghjklmnprstvwz"  # neither 'q' nor 'x', which open and close a stand-in
# An unescaped `&` before a letter, digit or `#` (entities) or `<` (autolinks): parsed whole.
_LETTER_SENSITIVE = re.compile(r"(?<!\\)(?:&[A-Za-z0-9#]|<)")


def _is_letter(character: str) -> bool:
    return unicodedata.category(character).startswith("L")


def _is_word(character: str) -> bool:
    return _is_letter(character) or character in "0123456789"


@functools.lru_cache(maxsize=4096)
def _around_core(value: str) -> tuple[str, str] | None:
    """What comes before the value's core and after it; None when it has no core, or one without a letter.
    Remembered: a customer's values come back in every clause text of every one of its documents."""
    words = [position for position, character in enumerate(value) if _is_word(character)]
    if not words or not any(map(_is_letter, value[words[0]: words[-1] + 1])):
        return None  # digits alone can be a list number (`12.` at a line start) where letters cannot
    return value[: words[0]], value[words[-1] + 1 :]


def _stand_in(value: str, index: int) -> str | None:
    """The value's core (from its first letter or digit to its last) replaced by ASCII letters spelling
    `index` between 'q' and 'x' (so no stand-in holds another); what comes before and after the core is
    kept. None when the value has no core, or a core without a letter."""
    around = _around_core(value)
    if around is None:
        return None
    code = []
    number = index + 1
    while number:
        number, digit = divmod(number, len(_ALPHABET))
        code.append(_ALPHABET[digit])
    return around[0] + "q" + "".join(code) + "x" + around[1]


@dataclass(frozen=True)
class Shape:
    """A text with values replaced by stand-ins, and how to swap them back: in Markdown source (a text, an
    inline token's source, a code span) a stand-in stands for the value as written (escaped); in a text
    token, where escapes are resolved, for the value itself."""

    text: str
    written: tuple[tuple[str, str], ...]  # (stand-in as written, value as written)
    plain: tuple[tuple[str, str], ...]  # (stand-in, value)

    def restore(self, text: str, *, plain: bool = False) -> str:
        for stand_in, value in self.plain if plain else self.written:
            text = text.replace(stand_in, value)
        return text


def _usable(value: str) -> bool:
    """Short enough, on one line, with a core, and neither `|` (a table cell unescapes `\\|` in its source) nor
    a backtick (escapes do not work in a code span, so one inside a value could end it)."""
    return (len(value) <= _LONGEST and value.isprintable() and "|" not in value and "`" not in value
            and sum(map(_is_word, value)) >= 2)


Candidates = tuple[tuple[str, str], ...]  # (value, value as written into Markdown), longest first


@functools.lru_cache(maxsize=2048)
def candidates(values: tuple[str, ...]) -> Candidates:
    """The values worth swapping, as a document's clauses will hold them (once per customer: remembered for its
    other documents)."""
    flat = {value.replace("\n", " ") for value in values}
    ordered = sorted((value for value in flat if _usable(value)), key=lambda item: (-len(item), item))
    return tuple((value, escape_markdown(value)) for value in ordered)


def shape_of(text: str, values: Candidates) -> Shape | None:
    """The text's shape for these values, or None when no value occurs in it or a swap could be ambiguous."""
    if not values or _LETTER_SENSITIVE.search(text):
        return None
    written_pairs: list[tuple[str, str]] = []
    plain_pairs: list[tuple[str, str]] = []
    shaped = text
    # Numbered by where each value first occurs, so texts of the same build share their stand-ins.
    first = {value: text.find(written) for value, written in values}
    order = {value: rank for rank, value in enumerate(sorted((v for v in first if first[v] >= 0), key=first.get))}
    for value, written in values:
        if written not in shaped:
            continue
        stand_in = _stand_in(value, order[value])
        if stand_in is None:
            continue
        written_stand_in = escape_markdown(stand_in)
        if written_stand_in in text or stand_in in text:
            return None  # the text already holds it: swapping back could not tell them apart
        shaped = shaped.replace(written, written_stand_in)
        written_pairs.append((written_stand_in, written))
        plain_pairs.append((stand_in, value))
    if not written_pairs:
        return None
    shape = Shape(shaped, tuple(written_pairs), tuple(plain_pairs))
    return shape if shape.restore(shaped) == text else None


# Where the stand-ins are in a shape's tokens: (index of a token, indexes of its children that hold one).
Holders = tuple[tuple[int, tuple[int, ...]], ...]


def _holds_text(token: Token) -> bool:
    """Whether the token's content is text with escapes resolved (else it is Markdown source, as written)."""
    return token.type == "text"


def holders(shape: Shape, tokens: list[Token], references: bool) -> Holders | None:
    """The tokens to swap values back into, or None when the swap would not give the whole text's tokens:
    every stand-in must come back whole in the content of a token, as often as it went in, and in no
    address or other attribute."""
    if references:
        return None  # labels are matched case-folded: a stand-in could match where its value would not
    written = [stand_in for stand_in, _ in shape.written]
    plain = [stand_in for stand_in, _ in shape.plain]
    anywhere = re.compile("|".join(re.escape(stand_in) for stand_in in {*written, *plain}))
    attributes: list[str] = []
    as_text: list[str] = []  # contents with escapes resolved
    as_written: list[str] = []  # contents as Markdown source
    sources: list[str] = []  # each block's own source (an inline token's, a code block's)
    found: list[tuple[int, tuple[int, ...]]] = []
    for index, token in enumerate(tokens):
        children = token.children or []
        for item in (token, *children):
            attributes.extend(str(value) for value in item.attrs.values())
            attributes.extend((item.info, item.markup))
        holding = tuple(number for number, child in enumerate(children) if anywhere.search(child.content))
        for number in holding:
            (as_text if _holds_text(children[number]) else as_written).append(children[number].content)
        if token.type != "inline":
            as_written.append(token.content)
        sources.append(token.content)
        if holding or anywhere.search(token.content):
            found.append((index, holding))
    if anywhere.search("\0".join(attributes)):
        return None
    went_in = _count(shape.text, written)
    came_back = _count("\0".join(as_text), plain) + _count("\0".join(as_written), written)
    # Both the tokens' text and their sources must hold every stand-in as written (a table cell, for one,
    # unescapes `\|` in its source: a stand-in ending in `|` would not come back there).
    return tuple(found) if came_back == went_in == _count("\0".join(sources), written) else None


def _count(text: str, stand_ins: list[str]) -> int:
    return sum(text.count(stand_in) for stand_in in stand_ins)


def restored_tokens(shape: Shape, tokens: list[Token], holding: Holders) -> list[Token]:
    """The shape's tokens with the values swapped back in; tokens holding no stand-in are shared, not copied."""
    restored = list(tokens)
    for index, children in holding:
        token = tokens[index]
        kids = None
        if token.children is not None:
            kids = list(token.children)
            for number in children:
                kid = kids[number]
                kids[number] = kid.copy(content=shape.restore(kid.content, plain=_holds_text(kid)))
        restored[index] = token.copy(content=shape.restore(token.content), children=kids)
    return restored


def strings_in(data: object) -> tuple[str, ...]:
    """Every string in nested data (a customer's model dumped to dicts and lists), in order, once."""
    found: dict[str, None] = {}
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            found[item] = None
        elif isinstance(item, dict):
            pending.extend(reversed(list(item.values())))
        elif isinstance(item, (list, tuple)):
            pending.extend(reversed(item))
    return tuple(found)
