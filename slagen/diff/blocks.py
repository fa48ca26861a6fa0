"""Block-level diff: blocks matched in order, alike blocks compared word by word, lists by item, tables by row."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from slagen.diff.words import diff_inlines, tokens
from slagen.document import (
    Block,
    ChangedHeading,
    ChangedList,
    ChangedParagraph,
    ChangedRow,
    ChangedTable,
    Heading,
    Inline,
    ListBlock,
    Marked,
    MarkedBlock,
    MarkedInline,
    Paragraph,
    Span,
    Table,
)


def _flat_keys(block: Block) -> list[tuple[Any, ...]]:
    if isinstance(block, Heading):
        return [t.key for t in tokens([Span(block.title)])]
    if isinstance(block, Paragraph):
        return [t.key for t in tokens(block.inlines)]
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
            keys.extend(t.key for t in tokens(cell))
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


class BlockKeys:
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


class BlockDiffer:
    """Compares runs of blocks; one per document pair, so every block's key is computed once."""

    def __init__(self) -> None:
        self.keys = BlockKeys()

    def blocks(self, old: list[Block], new: list[Block]) -> list[MarkedBlock]:
        out: list[MarkedBlock] = []
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

    def pair(self, old: Block, new: Block) -> MarkedBlock:
        """Two alike blocks of the same shape: the newer one with its changes marked inside."""
        if isinstance(old, Heading) and isinstance(new, Heading):
            return ChangedHeading(new.level, diff_inlines([Span(old.title)], [Span(new.title)]), new.anchor, new.number)
        if isinstance(old, Paragraph) and isinstance(new, Paragraph):
            return ChangedParagraph(diff_inlines(old.inlines, new.inlines))
        if isinstance(old, ListBlock) and isinstance(new, ListBlock):
            return self.list(old, new)
        if isinstance(old, Table) and isinstance(new, Table):
            return self.table(old, new)
        raise TypeError(f"cannot pair {type(old).__name__} with {type(new).__name__}")  # _shape prevents this

    def list(self, old: ListBlock, new: ListBlock) -> ChangedList:
        items: list[list[MarkedBlock]] = []

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
        return ChangedList(new.ordered, items)

    def table(self, old: Table, new: Table) -> ChangedTable:
        header = [self.cell(a, b) for a, b in _zip_cells(old.header, new.header)]
        rows: list[ChangedRow] = []

        def row_key(row: list[list[Inline]]) -> tuple[Any, ...]:
            return tuple(tuple(t.key for t in tokens(cell)) for cell in row)

        def row_similarity(a: list[list[Inline]], b: list[list[Inline]]) -> float:
            flat_a = [key for cell in row_key(a) for key in (("cell",), *cell)]
            flat_b = [key for cell in row_key(b) for key in (("cell",), *cell)]
            return difflib.SequenceMatcher(None, flat_a, flat_b, autojunk=False).ratio()

        matcher = difflib.SequenceMatcher(
            None, [row_key(r) for r in old.rows], [row_key(r) for r in new.rows], autojunk=False
        )
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                rows.extend(ChangedRow(list(row)) for row in new.rows[j1:j2])
                continue
            for i, j in _align(old.rows[i1:i2], new.rows[j1:j2], row_similarity):
                if i is not None and j is not None:
                    cells = [self.cell(a, b) for a, b in _zip_cells(old.rows[i1 + i], new.rows[j1 + j])]
                    rows.append(ChangedRow(cells))
                elif i is not None:
                    rows.append(ChangedRow([list(cell) for cell in old.rows[i1 + i]], "del"))
                elif j is not None:
                    rows.append(ChangedRow([list(cell) for cell in new.rows[j1 + j]], "ins"))
        return ChangedTable(header, rows)

    @staticmethod
    def cell(old: list[Inline] | None, new: list[Inline] | None) -> list[MarkedInline]:
        return diff_inlines(old or [], new or [])


def _zip_cells(
    old: list[list[Inline]], new: list[list[Inline]]
) -> list[tuple[list[Inline] | None, list[Inline] | None]]:
    width = max(len(old), len(new))
    return [(old[i] if i < len(old) else None, new[i] if i < len(new) else None) for i in range(width)]

