"""Word-level diff of inline text: the newer inlines with Insert and Delete marks against the older ones."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from slagen.document import CrossRef, Delete, Inline, Insert, MarkedInline, Span, merge_spans

# Numbers stay whole ("50,000.00", "99.9%", "24x7", "4h") so a changed price is one small change. Chinese,
# Japanese and Korean text has no spaces between words: each of its characters is a token of its own, so a
# changed figure in a Chinese clause is a small insertion and deletion, not the whole sentence.
_CJK = "\u2e80-\u2fdf\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(
    rf"\d+(?:[.,:\u00a0\u202f'’]\d+)*(?:(?![{_CJK}])[^\W_])*%?|[{_CJK}]|(?:(?![{_CJK}])\w)+(?:['’]\w+)*|\s+|[^\w\s]"
)


@dataclass(frozen=True)
class Token:
    """One word, number, run of spaces, punctuation mark, cross-reference or line break."""

    key: tuple[Any, ...]  # what is compared: text and style; a cross-reference by its target, not its number
    piece: Inline

    @property
    def size(self) -> int:
        return len(self.piece.text) if isinstance(self.piece, Span) else 1


def tokens(inlines: list[Inline]) -> list[Token]:
    """Inlines as words, numbers, spaces and punctuation, each with the key it is compared by."""
    found: list[Token] = []
    for inline in inlines:
        if isinstance(inline, Span):
            style = (inline.bold, inline.italic, inline.term)
            for match in _TOKEN.finditer(inline.text):
                text = match.group(0)
                found.append(Token(("t", text, *style), Span(text, *style)))
        elif isinstance(inline, CrossRef):
            found.append(Token(("r", inline.target), inline))
        else:
            found.append(Token(("b",), inline))
    return found


@dataclass
class _Segment:
    equal: bool
    old: list[Token]
    new: list[Token]


def _size(pieces: list[Token]) -> int:
    return sum(token.size for token in pieces)


def _segments(old: list[Token], new: list[Token]) -> list[_Segment]:
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


def diff_inlines(old: list[Inline], new: list[Inline]) -> list[MarkedInline]:
    """The newer inlines with word-level Insert/Delete marks against the older ones."""
    out: list[MarkedInline] = []
    for segment in _segments(tokens(old), tokens(new)):
        if segment.equal:
            out.extend(merge_spans([token.piece for token in segment.new]))
            continue
        if segment.old:
            out.append(Delete(tuple(merge_spans([token.piece for token in segment.old]))))
        if segment.new:
            out.append(Insert(tuple(merge_spans([token.piece for token in segment.new]))))
    return out
