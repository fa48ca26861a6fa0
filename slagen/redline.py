"""Redlines: the changes between two document trees as a tree of tracked insertions, deletions and moves."""

from __future__ import annotations

import datetime as dt
import difflib
import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from slagen.document import (
    CrossRef,
    Document,
    Heading,
    LineBreak,
    ListBlock,
    Paragraph,
    Span,
    Table,
    merge_spans,
)
from slagen.errors import BuildError, SlagenError, UsageError

if TYPE_CHECKING:
    from slagen.document import Block, Inline
    from slagen.workspace import Workspace

AUTHOR = "slagen"
TITLE_PAGE = "title-page"

Change = Literal["ins", "del", "move-from", "move-to"]
ClauseKind = Literal["added", "removed", "moved", "changed", "moved-changed"]


# ------------------------------------------------------------------ the redline tree


@dataclass(frozen=True)
class Insert:
    """Inline content present only in the newer document."""

    inlines: tuple[Inline, ...]


@dataclass(frozen=True)
class Delete:
    """Inline content present only in the older document."""

    inlines: tuple[Inline, ...]


RInline = Span | CrossRef | LineBreak | Insert | Delete


@dataclass
class Marked:
    """A whole block inserted, deleted or moved; `move` names the move that pairs a move-from with its move-to."""

    change: Change
    block: Block
    move: str | None = None
    move_start: bool = False  # first block of the moved clause: opens the move range
    move_end: bool = False  # last block of the moved clause: closes it


@dataclass
class RedlineHeading:
    """A heading whose title changed; `number` and `anchor` are the newer document's."""

    level: int
    inlines: list[RInline]
    anchor: str
    number: str

    @property
    def title(self) -> str:
        return accepted_text(self.inlines)


@dataclass
class RedlineParagraph:
    inlines: list[RInline]


@dataclass
class RedlineRow:
    cells: list[list[RInline]]
    change: Literal["ins", "del"] | None = None


@dataclass
class RedlineTable:
    header: list[list[RInline]]
    rows: list[RedlineRow]


@dataclass
class RedlineList:
    ordered: bool
    items: list[list[RBlock]]


RBlock = (
    Heading | Paragraph | ListBlock | Table | Marked | RedlineHeading | RedlineParagraph | RedlineTable | RedlineList
)


@dataclass
class ClauseChange:
    """One clause that differs: `change` is added, removed, moved, changed or moved-changed."""

    clause_id: str
    title: str
    change: ClauseKind
    insertions: int = 0
    deletions: int = 0
    old_number: str | None = None
    new_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "clause": self.clause_id,
            "title": self.title,
            "change": self.change,
            "insertions": self.insertions,
            "deletions": self.deletions,
            "old_number": self.old_number,
            "new_number": self.new_number,
        }


@dataclass
class RedlineResult:
    """The newer document with every change from the older one marked, and the per-clause summary."""

    old: Document
    new: Document
    document: Document  # the newer document's metadata; its blocks are RBlocks
    title: list[RInline]
    subtitle: list[RInline]
    changes: list[ClauseChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)


@dataclass
class ClauseSummary:
    """One clause across many redlines: how it changed and for which customers."""

    clause_id: str
    title: str
    changes: dict[str, list[str]]  # change kind -> the keys (customers) it happened for

    @property
    def customers(self) -> list[str]:
        return sorted({key for keys in self.changes.values() for key in keys})


def accepted_text(inlines: list[RInline]) -> str:
    """The text once every change is accepted."""
    parts: list[str] = []
    for inline in inlines:
        if isinstance(inline, Insert):
            parts.append(accepted_text(list(inline.inlines)))
        elif isinstance(inline, Span):
            parts.append(inline.text)
        elif isinstance(inline, CrossRef):
            parts.append(inline.number)
        elif isinstance(inline, LineBreak):
            parts.append("\n")
    return "".join(parts)


def visible_headings(blocks: list[Any]) -> list[Heading | RedlineHeading]:
    """Headings of the newer document in order (deleted and moved-away ones left out), lists included."""
    return [heading for heading, gone in _headings(blocks, False) if not gone]


def removed_headings(blocks: list[Any]) -> list[Heading]:
    """Headings deleted or moved away in a redline, in order."""
    return [heading for heading, gone in _headings(blocks, False) if gone]  # type: ignore[misc]


def _headings(blocks: list[Any], gone: bool) -> list[tuple[Heading | RedlineHeading, bool]]:
    found: list[tuple[Heading | RedlineHeading, bool]] = []
    for block in blocks:
        if isinstance(block, Heading | RedlineHeading):
            found.append((block, gone))
        elif isinstance(block, Marked):
            found.extend(_headings([block.block], gone or block.change in ("del", "move-from")))
        elif isinstance(block, ListBlock | RedlineList):
            for item in block.items:
                found.extend(_headings(list(item), gone))
    return found


# ------------------------------------------------------------------ tokens


# Numbers stay whole ("50,000.00", "99.9%", "24x7", "4h") so a changed price is one small change.
_TOKEN = re.compile(r"\d+(?:[.,:\u00a0\u202f'’]\d+)*[^\W_]*%?|\w+(?:['’]\w+)*|\s+|[^\w\s]")


@dataclass(frozen=True)
class _Token:
    key: tuple[Any, ...]  # what is compared: text and style; a cross-reference by its target, not its number
    piece: Inline

    @property
    def size(self) -> int:
        return len(self.piece.text) if isinstance(self.piece, Span) else 1


def _tokens(inlines: list[Inline]) -> list[_Token]:
    tokens: list[_Token] = []
    for inline in inlines:
        if isinstance(inline, Span):
            style = (inline.bold, inline.italic, inline.term)
            for match in _TOKEN.finditer(inline.text):
                text = match.group(0)
                tokens.append(_Token(("t", text, *style), Span(text, *style)))
        elif isinstance(inline, CrossRef):
            tokens.append(_Token(("r", inline.target), inline))
        else:
            tokens.append(_Token(("b",), inline))
    return tokens


@dataclass
class _Segment:
    equal: bool
    old: list[_Token]
    new: list[_Token]


def _size(tokens: list[_Token]) -> int:
    return sum(token.size for token in tokens)


def _segments(old: list[_Token], new: list[_Token]) -> list[_Segment]:
    """Word-level diff; a short equality between two changes is folded into them (no confetti)."""
    matcher = difflib.SequenceMatcher(None, [t.key for t in old], [t.key for t in new], autojunk=False)
    segments: list[_Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        equal = tag == "equal"
        if segments and not equal and not segments[-1].equal:
            segments[-1].old.extend(old[i1:i2])
            segments[-1].new.extend(new[j1:j2])
        else:
            segments.append(_Segment(equal, old[i1:i2], new[j1:j2]))
    folded = True
    while folded:
        folded = False
        for index in range(1, len(segments) - 1):
            before, middle, after = segments[index - 1 : index + 2]
            if not middle.equal or before.equal or after.equal:
                continue
            length = _size(middle.old)
            if length <= max(_size(before.old), _size(before.new)) and length <= max(
                _size(after.old), _size(after.new)
            ):
                merged = _Segment(False, before.old + middle.old + after.old, before.new + middle.new + after.new)
                segments[index - 1 : index + 2] = [merged]
                folded = True
                break
    return segments


def diff_inlines(old: list[Inline], new: list[Inline]) -> list[RInline]:
    """The newer inlines with word-level Insert/Delete marks against the older ones."""
    out: list[RInline] = []
    for segment in _segments(_tokens(old), _tokens(new)):
        if segment.equal:
            out.extend(merge_spans([token.piece for token in segment.new]))
            continue
        if segment.old:
            out.append(Delete(tuple(merge_spans([token.piece for token in segment.old]))))
        if segment.new:
            out.append(Insert(tuple(merge_spans([token.piece for token in segment.new]))))
    return out


# ------------------------------------------------------------------ comparing blocks


def _flat_keys(block: Block) -> list[tuple[Any, ...]]:
    if isinstance(block, Heading):
        return [t.key for t in _tokens([Span(block.title)])]
    if isinstance(block, Paragraph):
        return [t.key for t in _tokens(block.inlines)]
    if isinstance(block, ListBlock):
        keys: list[tuple[Any, ...]] = []
        for item in block.items:
            keys.append(("item",))
            for child in item:
                keys.extend(_flat_keys(child))
        return keys
    keys = []
    for row in [block.header, *block.rows]:
        keys.append(("row",))
        for cell in row:
            keys.append(("cell",))
            keys.extend(t.key for t in _tokens(cell))
    return keys


def _shape(block: Block) -> tuple[Any, ...]:
    """Blocks can only be compared word by word when they have the same shape."""
    if isinstance(block, Heading):
        return ("heading", block.level)
    if isinstance(block, Paragraph):
        return ("paragraph",)
    if isinstance(block, ListBlock):
        return ("list", block.ordered)
    columns = max((len(row) for row in [block.header, *block.rows]), default=0)
    return ("table", columns)


class _Keys:
    """Block keys, computed once per block (a document is compared many times in a replace region)."""

    def __init__(self) -> None:
        self.cache: dict[int, tuple[Any, ...]] = {}
        self.keep: list[Block] = []  # keeps ids valid

    def __call__(self, block: Block) -> tuple[Any, ...]:
        key = self.cache.get(id(block))
        if key is None:
            key = (*_shape(block), tuple(_flat_keys(block)))
            self.cache[id(block)] = key
            self.keep.append(block)
        return key

    def similarity(self, old: Block, new: Block) -> float:
        a, b = self(old), self(new)
        if a[:-1] != b[:-1]:
            return 0.0
        matcher = difflib.SequenceMatcher(None, a[-1], b[-1], autojunk=False)
        if matcher.real_quick_ratio() < SIMILAR or matcher.quick_ratio() < SIMILAR:
            return 0.0
        return matcher.ratio()


SIMILAR = 0.5  # blocks at least this alike are shown as one changed block, below as deleted + inserted
MAX_PAIRING = 40_000  # replace regions larger than this (old x new blocks) are not paired


def _align(
    old: list[Any], new: list[Any], similarity: Callable[[Any, Any], float]
) -> list[tuple[int | None, int | None]]:
    """Pair alike items in order (best total similarity); unpaired ones come out as (i, None) or (None, j)."""
    n, m = len(old), len(new)
    if n * m > MAX_PAIRING:
        return [(i, None) for i in range(n)] + [(None, j) for j in range(m)]
    scores = [[similarity(a, b) for b in new] for a in old]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            pair = scores[i][j] + best[i + 1][j + 1] if scores[i][j] >= SIMILAR else -1.0
            best[i][j] = max(best[i + 1][j], best[i][j + 1], pair)
    steps: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and scores[i][j] >= SIMILAR and best[i][j] == scores[i][j] + best[i + 1][j + 1]:
            steps.append((i, j))
            i, j = i + 1, j + 1
        elif i < n and (j == m or best[i][j] == best[i + 1][j]):
            steps.append((i, None))  # deletions before insertions
            i += 1
        else:
            steps.append((None, j))
            j += 1
    return steps


class _Differ:
    def __init__(self) -> None:
        self.keys = _Keys()

    def blocks(self, old: list[Block], new: list[Block]) -> list[RBlock]:
        out: list[RBlock] = []
        matcher = difflib.SequenceMatcher(
            None, [self.keys(b) for b in old], [self.keys(b) for b in new], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                out.extend(new[j1:j2])
                continue
            for i, j in _align(old[i1:i2], new[j1:j2], self.keys.similarity):
                if i is not None and j is not None:
                    out.append(self.pair(old[i1 + i], new[j1 + j]))
                elif i is not None:
                    out.append(Marked("del", old[i1 + i]))
                elif j is not None:
                    out.append(Marked("ins", new[j1 + j]))
        return out

    def pair(self, old: Block, new: Block) -> RBlock:
        """Two alike blocks of the same shape: the newer one with its changes marked inside."""
        if isinstance(old, Heading) and isinstance(new, Heading):
            return RedlineHeading(new.level, diff_inlines([Span(old.title)], [Span(new.title)]), new.anchor, new.number)
        if isinstance(old, Paragraph) and isinstance(new, Paragraph):
            return RedlineParagraph(diff_inlines(old.inlines, new.inlines))
        if isinstance(old, ListBlock) and isinstance(new, ListBlock):
            return self.list(old, new)
        if isinstance(old, Table) and isinstance(new, Table):
            return self.table(old, new)
        raise TypeError(f"cannot pair {type(old).__name__} with {type(new).__name__}")  # _shape prevents this

    def list(self, old: ListBlock, new: ListBlock) -> RedlineList:
        items: list[list[RBlock]] = []

        def item_key(item: list[Block]) -> tuple[Any, ...]:
            return tuple(self.keys(block) for block in item)

        def item_similarity(a: list[Block], b: list[Block]) -> float:
            flat_a = [key for block in a for key in self.keys(block)[-1]]
            flat_b = [key for block in b for key in self.keys(block)[-1]]
            return difflib.SequenceMatcher(None, flat_a, flat_b, autojunk=False).ratio()

        matcher = difflib.SequenceMatcher(
            None, [item_key(i) for i in old.items], [item_key(i) for i in new.items], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                items.extend(list(item) for item in new.items[j1:j2])
                continue
            for i, j in _align(old.items[i1:i2], new.items[j1:j2], item_similarity):
                if i is not None and j is not None:
                    items.append(self.blocks(old.items[i1 + i], new.items[j1 + j]))
                elif i is not None:  # an empty item still has its (list) paragraph
                    items.append([Marked("del", block) for block in old.items[i1 + i] or [Paragraph([])]])
                elif j is not None:
                    items.append([Marked("ins", block) for block in new.items[j1 + j] or [Paragraph([])]])
        return RedlineList(new.ordered, items)

    def table(self, old: Table, new: Table) -> RedlineTable:
        header = [self.cell(a, b) for a, b in _zip_cells(old.header, new.header)]
        rows: list[RedlineRow] = []

        def row_key(row: list[list[Inline]]) -> tuple[Any, ...]:
            return tuple(tuple(t.key for t in _tokens(cell)) for cell in row)

        def row_similarity(a: list[list[Inline]], b: list[list[Inline]]) -> float:
            flat_a = [key for cell in row_key(a) for key in (("cell",), *cell)]
            flat_b = [key for cell in row_key(b) for key in (("cell",), *cell)]
            return difflib.SequenceMatcher(None, flat_a, flat_b, autojunk=False).ratio()

        matcher = difflib.SequenceMatcher(
            None, [row_key(r) for r in old.rows], [row_key(r) for r in new.rows], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                rows.extend(RedlineRow(list(row)) for row in new.rows[j1:j2])
                continue
            for i, j in _align(old.rows[i1:i2], new.rows[j1:j2], row_similarity):
                if i is not None and j is not None:
                    cells = [self.cell(a, b) for a, b in _zip_cells(old.rows[i1 + i], new.rows[j1 + j])]
                    rows.append(RedlineRow(cells))
                elif i is not None:
                    rows.append(RedlineRow([list(cell) for cell in old.rows[i1 + i]], "del"))
                elif j is not None:
                    rows.append(RedlineRow([list(cell) for cell in new.rows[j1 + j]], "ins"))
        return RedlineTable(header, rows)

    @staticmethod
    def cell(old: list[Inline] | None, new: list[Inline] | None) -> list[RInline]:
        return diff_inlines(old or [], new or [])


def _zip_cells(
    old: list[list[Inline]], new: list[list[Inline]]
) -> list[tuple[list[Inline] | None, list[Inline] | None]]:
    width = max(len(old), len(new))
    return [(old[i] if i < len(old) else None, new[i] if i < len(new) else None) for i in range(width)]


# ------------------------------------------------------------------ clauses


@dataclass
class _Clause:
    heading: Heading | None  # None: blocks before the first clause heading
    blocks: list[Block]

    @property
    def clause_id(self) -> str:
        return self.heading.anchor if self.heading else ""


def _clauses(blocks: list[Block]) -> list[_Clause]:
    clauses: list[_Clause] = []
    for block in blocks:
        if isinstance(block, Heading) and block.level == 1:
            clauses.append(_Clause(block, []))
        elif clauses:
            clauses[-1].blocks.append(block)
        else:
            clauses.append(_Clause(None, [block]))
    return clauses


def _clause_blocks(clause: _Clause) -> list[Block]:
    return ([clause.heading] if clause.heading else []) + clause.blocks


def _count(blocks: list[Any]) -> tuple[int, int]:
    """(insertions, deletions): each marked run, block or table row counts once."""
    insertions = deletions = 0

    def inlines(items: list[RInline]) -> None:
        nonlocal insertions, deletions
        for inline in items:
            if isinstance(inline, Insert):
                insertions += 1
            elif isinstance(inline, Delete):
                deletions += 1

    for block in blocks:
        if isinstance(block, Marked):
            if block.change == "ins":
                insertions += 1
            elif block.change == "del":
                deletions += 1
        elif isinstance(block, RedlineHeading | RedlineParagraph):
            inlines(block.inlines)
        elif isinstance(block, RedlineList):
            for item in block.items:
                more_ins, more_del = _count(list(item))
                insertions, deletions = insertions + more_ins, deletions + more_del
        elif isinstance(block, RedlineTable):
            for cell in block.header:
                inlines(cell)
            for row in block.rows:
                if row.change == "ins":
                    insertions += 1
                elif row.change == "del":
                    deletions += 1
                else:
                    for cell in row.cells:
                        inlines(cell)
    return insertions, deletions


def redline_documents(old: Document, new: Document) -> RedlineResult:
    """Compare two contracts clause by clause.

    Clauses are matched by id (the level-1 heading's anchor), never by number, so renumbering is no
    change. A clause only in `new` is added, only in `old` removed; a clause whose position among the
    others changed is moved (a Word move when its content is the same, else removed here and added
    there). Inside a clause, blocks are matched in order, alike blocks are compared word by word and
    tables cell by cell.
    """
    differ = _Differ()
    old_clauses, new_clauses = _clauses(old.blocks), _clauses(new.blocks)
    old_by_id = {clause.clause_id: clause for clause in old_clauses}
    new_by_id = {clause.clause_id: clause for clause in new_clauses}
    common_old = [c.clause_id for c in old_clauses if c.clause_id in new_by_id]
    common_new = [c.clause_id for c in new_clauses if c.clause_id in old_by_id]
    matcher = difflib.SequenceMatcher(None, common_old, common_new, autojunk=False)
    stayed = {common_old[block.a + k] for block in matcher.get_matching_blocks() for k in range(block.size)}

    def same(clause_id: str) -> bool:
        a, b = _clause_blocks(old_by_id[clause_id]), _clause_blocks(new_by_id[clause_id])
        return [differ.keys(x) for x in a] == [differ.keys(x) for x in b]

    moves: dict[str, str] = {}
    for clause_id in common_new:
        if clause_id not in stayed and same(clause_id):
            moves[clause_id] = f"slagen-move-{len(moves) + 1}"

    blocks: list[RBlock] = []
    changes: list[ClauseChange] = []

    def marked(clause: _Clause, change: Change, move: str | None) -> list[RBlock]:
        items = _clause_blocks(clause)
        return [
            Marked(change, block, move, move is not None and k == 0, move is not None and k == len(items) - 1)
            for k, block in enumerate(items)
        ]

    def title(clause: _Clause) -> str:
        return clause.heading.title if clause.heading else ""

    def number(clause: _Clause) -> str | None:
        return clause.heading.number if clause.heading else None

    i = j = 0
    while i < len(old_clauses) or j < len(new_clauses):
        if i < len(old_clauses) and old_clauses[i].clause_id not in stayed:
            clause = old_clauses[i]
            i += 1
            move = moves.get(clause.clause_id)
            blocks.extend(marked(clause, "move-from" if move else "del", move))
            if clause.clause_id not in new_by_id:
                count = _count(blocks[-len(_clause_blocks(clause)) :])
                changes.append(ClauseChange(clause.clause_id, title(clause), "removed", *count, number(clause)))
            continue
        if j < len(new_clauses) and new_clauses[j].clause_id not in stayed:
            clause = new_clauses[j]
            j += 1
            move = moves.get(clause.clause_id)
            blocks.extend(marked(clause, "move-to" if move else "ins", move))
            if clause.clause_id in old_by_id:
                # Moved as is: a Word move. Moved and changed: removed there, added here.
                before = old_by_id[clause.clause_id]
                kind: ClauseKind = "moved" if move else "moved-changed"
                counts = (0, 0) if move else (len(_clause_blocks(clause)), len(_clause_blocks(before)))
                changes.append(
                    ClauseChange(clause.clause_id, title(clause), kind, *counts, number(before), number(clause))
                )
            else:
                count = _count(blocks[-len(_clause_blocks(clause)) :])
                changes.append(ClauseChange(clause.clause_id, title(clause), "added", *count, None, number(clause)))
            continue
        before, after = old_clauses[i], new_clauses[j]
        i, j = i + 1, j + 1
        diffed = differ.blocks(_clause_blocks(before), _clause_blocks(after))
        blocks.extend(diffed)
        insertions, deletions = _count(diffed)
        if insertions or deletions:
            changes.append(
                ClauseChange(
                    after.clause_id, title(after), "changed", insertions, deletions, number(before), number(after)
                )
            )

    title_inlines = diff_inlines([Span(old.title)], [Span(new.title)])
    subtitle_inlines = diff_inlines([Span(old.subtitle)], [Span(new.subtitle)])
    front = _count([RedlineParagraph(title_inlines), RedlineParagraph(subtitle_inlines)])
    if any(front):
        changes.insert(0, ClauseChange(TITLE_PAGE, "Title page", "changed", *front))
    document = replace(new, blocks=blocks)  # type: ignore[arg-type]  # RBlocks: only the redline writers read them
    return RedlineResult(old, new, document, title_inlines, subtitle_inlines, changes)


def summarise(results: Mapping[str, RedlineResult]) -> list[ClauseSummary]:
    """Which clauses changed, how, and for which of the redlines (keyed e.g. by customer), in document order."""
    summaries: dict[str, ClauseSummary] = {}
    for key, result in results.items():
        for change in result.changes:
            summary = summaries.setdefault(change.clause_id, ClauseSummary(change.clause_id, change.title, {}))
            summary.changes.setdefault(change.change, []).append(key)
    return list(summaries.values())


# ------------------------------------------------------------------ writers


def render_redline_docx(result: RedlineResult, *, date: str, author: str = AUTHOR) -> bytes:
    """The newer contract as a Word file in which every change is a native tracked change."""
    from slagen.render.docx import render_docx

    return render_docx(result.document, revisions={"author": author, "date": date, "result": result})


def render_redline_pdf(
    result: RedlineResult,
    ws: Workspace,
    templates: Path | None = None,
    *,
    label: str,
    date: str,
    variant: str | None = None,
) -> bytes:
    """The same changes as a PDF: insertions underlined in blue, deletions struck through in red."""
    from slagen.build import allowed_roots
    from slagen.render.html import render_html
    from slagen.render.pdf import render_pdf
    from slagen.templating import page_environment, template_loader

    environment = page_environment(
        template_loader(ws.template_dirs(templates), ws.defaults_root / "templates"), ws.config.model.limits
    )
    html = render_html(result.document, environment, redline=redline_page_data(result, label, date))
    return render_pdf(
        html, base_dir=ws.root, allowed_roots=allowed_roots(ws, templates), document=result.document, variant=variant
    )


def redline_page_data(result: RedlineResult, label: str, date: str) -> dict[str, Any]:
    """What the page template gets as `redline`: the older version's label, the date and the title page marks."""
    from slagen.render.html import inlines_data

    return {
        "old": label,
        "date": date[:10],
        "title": inlines_data(result.title),
        "subtitle": inlines_data(result.subtitle),
        "changes": [change.as_dict() for change in result.changes],
    }


# ------------------------------------------------------------------ versions of a workspace


def _git(root: Path, *args: str, binary: bool = False) -> subprocess.CompletedProcess[Any]:
    git = shutil.which("git")
    if git is None:
        raise BuildError("git: not found on PATH; --from needs git (or compare folders with --old-workspace)")
    try:
        return subprocess.run(
            [git, "-C", str(root), *args],
            capture_output=True,
            check=False,
            text=not binary,
            timeout=300,
            env={**os.environ, "LC_ALL": "C"},  # messages we recognise, in English
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"git {args[0]}: {error}") from error


def _first_line(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else "git failed"


def git_location(root: Path) -> tuple[Path, str]:
    """The git top level holding the workspace `root`, and the workspace's path inside it (`` or `a/b/`)."""
    done = _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
    if done.returncode != 0 and "not a git repository" not in done.stderr:
        raise UsageError(f"{root}: git cannot read this repository: {_first_line(done.stderr)}")
    if done.returncode != 0:
        raise UsageError(
            f"{root}: not inside a git repository; --from REV needs the workspace under git "
            "(or compare two folders with --old-workspace DIR)"
        )
    lines = done.stdout.splitlines()
    return Path(lines[0]), lines[1] if len(lines) > 1 else ""


def _commit(root: Path, revision: str, option: str) -> str:
    done = _git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}")
    if done.returncode != 0 or not done.stdout.strip():
        raise UsageError(f"{option} {revision!r}: no such commit in the git repository of {root}")
    return str(done.stdout.strip())


def commit_date(root: Path, revision: str, option: str = "--from") -> str:
    """The committer date of `revision` as an ISO 8601 UTC timestamp (what w:date holds)."""
    commit = _commit(root, revision, option)
    done = _git(root, "log", "-1", "--format=%ct", commit)
    if done.returncode != 0 or not done.stdout.strip().isdigit():
        raise BuildError(f"git log {revision}: {_first_line(done.stderr)}")
    return _utc(dt.datetime.fromtimestamp(int(done.stdout.strip()), dt.UTC))


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def working_tree_date(root: Path, fallback: str) -> str:
    """The date of changes in the working tree: SOURCE_DATE_EPOCH, else the newest commit, else `fallback`."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():
        return _utc(dt.datetime.fromtimestamp(int(epoch), dt.UTC))
    if shutil.which("git") is not None:
        done = _git(root, "log", "-1", "--format=%ct", "HEAD")
        if done.returncode == 0 and done.stdout.strip().isdigit():
            return _utc(dt.datetime.fromtimestamp(int(done.stdout.strip()), dt.UTC))
    return fallback


@contextmanager
def workspace_at(root: Path, revision: str, option: str = "--from") -> Iterator[Path]:
    """The workspace `root` as it was at git `revision`, extracted into a temporary folder."""
    toplevel, prefix = git_location(root)
    commit = _commit(root, revision, option)
    pathspec = ["--", prefix.rstrip("/")] if prefix else []
    done = _git(toplevel, "archive", "--format=tar", commit, *pathspec, binary=True)
    if done.returncode != 0:
        raise UsageError(f"{option} {revision!r}: the workspace folder {prefix or '.'} is not in that revision")
    with tempfile.TemporaryDirectory(prefix="slagen-redline-") as folder:
        try:
            with tarfile.open(fileobj=io.BytesIO(done.stdout)) as archive:
                archive.extractall(folder, filter="data")
        except (tarfile.TarError, OSError) as error:
            raise BuildError(f"{option} {revision!r}: cannot unpack the revision: {error}") from error
        workspace = Path(folder) / prefix
        from slagen.workspace import CONFIG_NAME

        if not (workspace / CONFIG_NAME).is_file():
            raise UsageError(f"{option} {revision!r}: no {CONFIG_NAME} in {prefix or 'the repository root'} there")
        yield workspace


def label_for_file(text: str) -> str:
    """A revision or folder name made safe for a file name: `HEAD~1` -> `HEAD-1`, `v1.2/rc` -> `v1.2-rc`."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return cleaned[:60] or "old"


def load_version(root: Path, label: str) -> Workspace:
    """Load an older workspace; its problems are prefixed with the version they belong to."""
    from slagen.workspace import load_workspace

    try:
        return load_workspace(root)
    except SlagenError as error:
        problems = [f"{label}: {problem}" for problem in error.problems]
        raise type(error)(problems[0], problems=problems) from error


@dataclass
class Redline:
    """A redline ready to write: the comparison, where it goes and the file contents."""

    result: RedlineResult
    folder: str
    outputs: dict[str, bytes]


def build_redline(
    old_ws: Workspace,
    new_ws: Workspace,
    tier_id: str,
    customer: str | None,
    *,
    label: str,
    date: str | None,
    file_label: str | None = None,
    formats: tuple[str, ...] = ("docx", "pdf"),
    templates: Path | None = None,
    pdf_variant: str | None = None,
) -> Redline:
    """Build the contract of `tier_id` (for `customer`, or blank) in both workspaces and redline them.

    `label` names the older version (a revision or a folder) in messages and the PDF, `file_label`
    (default: `label`) in the file names; `date` is the w:date of every change (None: the newer
    document's own creation time).
    """
    from slagen.build import Job, build_document, load_strings, resolve_customer

    new_job = Job(new_ws.tier(tier_id), resolve_customer(new_ws, customer) if customer else None)
    try:
        old_job = Job(old_ws.tier(tier_id), resolve_customer(old_ws, customer) if customer else None)
    except SlagenError as error:
        problems = [f"{label}: {problem}" for problem in error.problems]
        raise type(error)(problems[0], problems=problems) from error
    old_document, _ = build_document(old_ws, old_job, load_strings(old_ws, templates))
    new_document, _ = build_document(new_ws, new_job, load_strings(new_ws, templates))
    result = redline_documents(old_document, new_document)
    when = date or new_document.created
    stem = new_job.file_name(f"redline-{label_for_file(file_label or label)}")
    outputs: dict[str, bytes] = {}
    if "docx" in formats:
        outputs[f"{stem}.docx"] = render_redline_docx(result, date=when)
    if "pdf" in formats:
        outputs[f"{stem}.pdf"] = render_redline_pdf(
            result, new_ws, templates, label=label, date=when, variant=pdf_variant
        )
    return Redline(result, new_job.folder, outputs)


__all__ = [
    "ClauseChange",
    "ClauseSummary",
    "Delete",
    "Insert",
    "Marked",
    "RedlineHeading",
    "RedlineList",
    "RedlineParagraph",
    "RedlineResult",
    "RedlineRow",
    "RedlineTable",
    "build_redline",
    "redline_documents",
    "render_redline_docx",
    "render_redline_pdf",
    "summarise",
]
