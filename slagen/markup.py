"""Rendered clause Markdown into the document tree: numbered headings, paragraphs, lists, tables, cross-references."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from markdown_it import MarkdownIt

from slagen.document import (
    REF_PREFIX,
    Block,
    CrossRef,
    Heading,
    Inline,
    LineBreak,
    ListBlock,
    Paragraph,
    Span,
    Table,
    merge_spans,
)
from slagen.errors import TemplateError
from slagen.shapes import Candidates, Holders, candidates, holders, restored_tokens, shape_of

if TYPE_CHECKING:
    from markdown_it.rules_core import StateCore
    from markdown_it.token import Token


def slugify(text: str) -> str:
    """Anchor name for a heading: lower case words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


# `## Titel {:#chronic-failure}`: a heading that names its own anchor (translations carry the source's).
OWN_ANCHOR = re.compile(r"[ \t]*\{:#([a-z0-9][a-z0-9.-]*)\}[ \t]*$")


def _heading_title(content: str) -> tuple[str, str]:
    """A heading's shown title and its anchor slug."""
    own = OWN_ANCHOR.search(content)
    if own:
        return content[: own.start()], own.group(1)
    return content, slugify(content)


def _number_text(counters: list[int], level: int) -> str:
    return ".".join(str(n) for n in counters[:level])


class Numberer:
    """Gives headings their numbers in document order; Word's own numbering yields the same."""

    def __init__(self) -> None:
        self.counters = [0, 0, 0]

    def next(self, level: int) -> str:
        self.counters[level - 1] += 1
        for deeper in range(level, 3):
            self.counters[deeper] = 0
        return _number_text(self.counters, level)


def _inline_children(tokens: list[Token], numbers: dict[str, str]) -> list[Inline]:
    inlines: list[Inline] = []
    bold = italic = False
    in_ref: str | None = None
    for token in tokens:
        kind = token.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind == "em_open":
            italic = True
        elif kind == "em_close":
            italic = False
        elif kind == "link_open":
            href = str(token.attrs.get("href", ""))
            if href.startswith(REF_PREFIX):
                in_ref = href[len(REF_PREFIX) :]
                inlines.append(CrossRef(in_ref, numbers[in_ref]))
        elif kind == "link_close":
            in_ref = None
        elif kind in ("text", "code_inline", "html_inline"):
            if in_ref is None and token.content:
                inlines.append(Span(token.content, bold=bold, italic=italic, term=bold and not italic))
        elif kind in ("softbreak",):
            if in_ref is None:
                inlines.append(Span(" ", bold=bold, italic=italic))
        elif kind == "hardbreak":
            inlines.append(LineBreak())
    return merge_spans(inlines)


@dataclass
class ClauseText:
    """One clause after Jinja: its id, title, the file it came from and its Markdown body."""

    clause_id: str
    title: str
    source: str
    line: int
    markdown: str


def _parser() -> MarkdownIt:
    # html=False: raw HTML in clause text stays text; links only serve cross-references.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _heading_level(token: Token) -> int:
    return int(token.tag[1])


def _headings(tokens: list[Token]) -> list[tuple[Token, int, str]]:
    """Each heading's opening token, level (2 or 3 below the clause's own) and slug."""
    return [
        (token, min(max(_heading_level(token), 2), 3), _heading_title(tokens[index + 1].content)[1])
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def _number_headings(
    clauses: list[tuple[ClauseText, list[Token]]],
    headings: Callable[[list[Token]], list[tuple[Token, int, str]]] = _headings,
) -> dict[str, str]:
    """Number every heading and give each sub-heading a unique anchor (stored on its token)."""
    numberer = Numberer()
    numbers: dict[str, str] = {}
    for clause, tokens in clauses:
        numbers[clause.clause_id] = numberer.next(1)
        for token, level, slug in headings(tokens):
            anchor = base = f"{clause.clause_id}.{slug}"
            repeat = 1
            while anchor in numbers:
                repeat += 1
                anchor = f"{base}-{repeat}"
            token.meta["anchor"] = anchor
            numbers[anchor] = numberer.next(level)
    return numbers


class _BlockBuilder:
    def __init__(self, clause: ClauseText, tokens: list[Token], numbers: dict[str, str]) -> None:
        self.clause = clause
        self.tokens = tokens
        self.numbers = numbers
        self.position = 0

    def fail(self, token: Token, message: str) -> TemplateError:
        line = self.clause.line + (token.map[0] if token.map else 0)
        return TemplateError(f"{self.clause.source}:{line}: body: {message}")

    def inlines(self, token: Token) -> list[Inline]:
        for child in token.children or []:
            if child.type == "link_open":
                href = str(child.attrs.get("href", ""))
                if not href.startswith(REF_PREFIX):
                    raise self.fail(token, f"link to {href!r}: clause text may only link to clauses with ref()")
                if href[len(REF_PREFIX) :] not in self.numbers:
                    known = ", ".join(sorted(self.numbers))
                    raise self.fail(token, f"ref to unknown clause {href[len(REF_PREFIX):]!r}; known: {known}")
            if child.type == "image":
                raise self.fail(token, "images are not allowed in clause text")
        return _inline_children(token.children or [], self.numbers)

    def blocks(self, closing: str | None = None) -> list[Block]:
        blocks: list[Block] = []
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            kind = token.type
            if closing is not None and kind == closing:
                return blocks
            if kind == "heading_open":
                inline = self.tokens[self.position]
                self.position += 2  # inline, heading_close
                level = min(max(_heading_level(token), 2), 3)
                anchor = str(token.meta["anchor"])
                blocks.append(Heading(level, _heading_title(inline.content)[0], anchor, self.numbers[anchor]))
            elif kind == "paragraph_open":
                inline = self.tokens[self.position]
                self.position += 2
                blocks.append(Paragraph(self.inlines(inline)))
            elif kind in ("bullet_list_open", "ordered_list_open"):
                blocks.append(self.list_block(kind == "ordered_list_open", kind.replace("_open", "_close")))
            elif kind == "table_open":
                blocks.append(self.table())
            elif kind in ("fence", "code_block"):
                blocks.append(Paragraph([Span(token.content.rstrip("\n"))]))
            elif kind == "hr":
                continue
            elif kind == "blockquote_open":
                blocks.extend(self.blocks("blockquote_close"))
            elif kind == "html_block":
                blocks.append(Paragraph([Span(token.content.strip())]))
        return blocks

    def list_block(self, ordered: bool, closing: str) -> ListBlock:
        items: list[list[Block]] = []
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            if token.type == closing:
                break
            if token.type == "list_item_open":
                items.append(self.blocks("list_item_close"))
        return ListBlock(ordered, items)

    def table(self) -> Table:
        header: list[list[Inline]] = []
        rows: list[list[list[Inline]]] = []
        row: list[list[Inline]] = []
        in_head = False
        while self.position < len(self.tokens):
            token = self.tokens[self.position]
            self.position += 1
            if token.type == "table_close":
                break
            if token.type == "thead_open":
                in_head = True
            elif token.type == "thead_close":
                in_head = False
            elif token.type == "tr_open":
                row = []
            elif token.type == "tr_close":
                if in_head:
                    header = row
                else:
                    rows.append(row)
            elif token.type == "inline":
                row.append(self.inlines(token))
        return Table(header, rows)


@dataclass
class MarkupCache:
    """What `build_blocks` may reuse across many documents (`slagen validate` makes a thousand): each clause's
    parsed Markdown by clause and text, and its blocks (or its error) by clause, text and the document's
    numbering, which decides every anchor and reference. Blocks taken from here are shared: read them only."""

    tokens: dict[tuple[str, str], list[Token]] = field(default_factory=dict)
    headings: dict[int, list[tuple[Token, int, str]]] = field(default_factory=dict)  # by id of cached tokens
    blocks: dict[tuple[object, ...], list[Block] | TemplateError] = field(default_factory=dict)
    numberings: dict[tuple[tuple[str, str], ...], int] = field(default_factory=dict)
    # Inline content (a paragraph, a table cell) parsed before: its tokens, by text and link references.
    inline: dict[tuple[str, str], list[Token]] = field(default_factory=dict)
    parser: MarkdownIt = field(default_factory=lambda: _parser())
    # The strings of the document in hand (its customer's names, addresses...): a text is parsed in its shape,
    # with these swapped for stand-ins (slagen.shapes), so customers' texts share one parse.
    values: Candidates = ()
    shapes: dict[str, tuple[list[Token], bool]] = field(default_factory=dict)  # tokens, has link references
    holders: dict[tuple[str, tuple[str, ...]], Holders | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parser.core.ruler.at("inline", self._inline)

    def _inline(self, state: StateCore) -> None:
        """markdown-it's core `inline` rule, answering a content parsed before from memory: a new clause text
        mostly repeats paragraphs of earlier ones (only a name or a date differs)."""
        references = repr(sorted(state.env.get("references", {}).items()))
        for token in state.tokens:
            if token.type == "inline":
                known = self.inline.get((token.content, references))
                if known is not None:
                    token.children = list(known)  # the final tokens (text already joined): read only
                    continue
                if token.children is None:
                    token.children = []
                state.md.inline.parse(token.content, state.md, state.env, token.children)

    def _parsed(self, text: str) -> tuple[list[Token], bool]:
        env: dict[str, Any] = {}
        tokens = self.parser.parse(text, env)
        references = repr(sorted(env.get("references", {}).items()))
        for token in tokens:
            if token.type == "inline" and token.children is not None:
                self.inline.setdefault((token.content, references), token.children)
        return tokens, bool(env.get("references"))

    def _shaped(self, text: str) -> list[Token] | None:
        """The text's tokens from its shape's parse, or None where the shape cannot stand for it."""
        shape = shape_of(text, self.values)
        if shape is None:
            return None
        if shape.text not in self.shapes:
            self.shapes[shape.text] = self._parsed(shape.text)
        tokens, references = self.shapes[shape.text]
        key = (shape.text, tuple(stand_in for stand_in, _ in shape.written))
        if key not in self.holders:
            self.holders[key] = holders(shape, tokens, references)
        holding = self.holders[key]
        return None if holding is None else restored_tokens(shape, tokens, holding)

    def use_values(self, values: tuple[str, ...]) -> None:
        """The strings of the next document (its customer's), whose texts are parsed by shape."""
        self.values = candidates(values)

    def parse(self, clause: ClauseText) -> list[Token]:
        key = (clause.clause_id, clause.markdown)
        if key not in self.tokens:
            tokens = self._shaped(clause.markdown) or self._parsed(clause.markdown)[0]
            self.tokens[key] = tokens
            self.headings[id(tokens)] = _headings(tokens)
        return self.tokens[key]


def build_blocks(clauses: list[ClauseText], cache: MarkupCache | None = None) -> list[Block]:
    """Turn rendered clause Markdown into numbered blocks, resolving cross-references."""
    if cache is None:
        parser = _parser()
        parsed = [(clause, parser.parse(clause.markdown)) for clause in clauses]
        numbers = _number_headings(parsed)
    else:
        parsed = [(clause, cache.parse(clause)) for clause in clauses]
        # Anchors are set on the (shared) heading tokens again for this document's numbering.
        numbers = _number_headings(parsed, lambda tokens: cache.headings[id(tokens)])
    numbering = None if cache is None else cache.numberings.setdefault(tuple(numbers.items()), len(cache.numberings))
    blocks: list[Block] = []
    for clause, tokens in parsed:
        blocks.append(Heading(1, clause.title, clause.clause_id, numbers[clause.clause_id]))
        if cache is None:
            blocks.extend(_BlockBuilder(clause, tokens, numbers).blocks())
            continue
        key = (clause.clause_id, clause.source, clause.line, clause.markdown, numbering)
        if key not in cache.blocks:
            try:
                cache.blocks[key] = _BlockBuilder(clause, tokens, numbers).blocks()
            except TemplateError as error:
                cache.blocks[key] = error
        known = cache.blocks[key]
        if isinstance(known, TemplateError):
            raise known
        blocks.extend(known)
    return blocks
