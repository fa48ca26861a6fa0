"""The tree diff: two contracts compared clause by clause into one marked tree and a per-clause summary.

A pure function of two document trees (no files, no git, no build): orchestration decides which
versions to compare, the writers render the marks.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from slagen.diff.blocks import BlockDiffer
from slagen.diff.words import diff_inlines
from slagen.document import (
    Block,
    Change,
    ChangedHeading,
    ChangedList,
    ChangedParagraph,
    ChangedTable,
    Delete,
    Document,
    Heading,
    Insert,
    Marked,
    MarkedBlock,
    MarkedInline,
    Span,
)

TITLE_PAGE = "title-page"

ClauseKind = Literal["added", "removed", "moved", "changed", "moved-changed"]


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
    document: Document  # the marked tree: the newer document's metadata, MarkedBlocks, marked title and subtitle
    changes: list[ClauseChange] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def title(self) -> list[MarkedInline]:
        return self.document.title_marks or []

    @property
    def subtitle(self) -> list[MarkedInline]:
        return self.document.subtitle_marks or []


@dataclass
class ClauseSummary:
    """One clause across many redlines: how it changed and for which customers."""

    clause_id: str
    title: str
    changes: dict[str, list[str]]  # change kind -> the keys (customers) it happened for

    @property
    def customers(self) -> list[str]:
        return sorted({key for keys in self.changes.values() for key in keys})


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

    def inlines(items: list[MarkedInline]) -> None:
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
        elif isinstance(block, ChangedHeading | ChangedParagraph):
            inlines(block.inlines)
        elif isinstance(block, ChangedList):
            for item in block.items:
                more_ins, more_del = _count(list(item))
                insertions, deletions = insertions + more_ins, deletions + more_del
        elif isinstance(block, ChangedTable):
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
    differ = BlockDiffer()
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

    blocks: list[MarkedBlock] = []
    changes: list[ClauseChange] = []

    def marked(clause: _Clause, change: Change, move: str | None) -> list[MarkedBlock]:
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
    front = _count([ChangedParagraph(title_inlines), ChangedParagraph(subtitle_inlines)])
    if any(front):
        changes.insert(0, ClauseChange(TITLE_PAGE, "Title page", "changed", *front))
    # the first texts only: a bilingual contract's second text is redlined on its own (slagen.bilingual)
    document = replace(new, blocks=blocks, title_marks=title_inlines, subtitle_marks=subtitle_inlines, parallel=None)
    return RedlineResult(old, new, document, changes)


def summarise(results: Mapping[str, RedlineResult]) -> list[ClauseSummary]:
    """Which clauses changed, how, and for which of the redlines (keyed e.g. by customer), in document order."""
    summaries: dict[str, ClauseSummary] = {}
    for key, result in results.items():
        for change in result.changes:
            summary = summaries.setdefault(change.clause_id, ClauseSummary(change.clause_id, change.title, {}))
            summary.changes.setdefault(change.change, []).append(key)
    return list(summaries.values())
