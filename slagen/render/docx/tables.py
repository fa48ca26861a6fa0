"""Table layout for Word: column widths from the text each column holds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slagen.document import Delete, Insert, plain_text

if TYPE_CHECKING:
    from slagen.document import MarkedInline

TABLE_CHAR_WIDTH = 125  # twips a character of 10 pt table text takes at most, on average (bold header)
TABLE_CELL_MARGINS = 2 * 108  # left and right cell margins of the table style


def inline_text(inlines: list[MarkedInline]) -> str:
    """The text of inlines, deleted and inserted text both (to size table columns)."""
    return "".join(
        inline_text(list(inline.inlines)) if isinstance(inline, Insert | Delete) else plain_text([inline])
        for inline in inlines
    )


def column_widths(rows: list[list[list[MarkedInline]]], columns: int, text_width: int) -> list[int]:
    """Spread the text width over the columns, wider where the text is longer."""
    weights = []
    minimums = []
    for column in range(columns):
        texts = [inline_text(row[column]) for row in rows if column < len(row)]
        longest_word = max((len(word) for text in texts for word in text.split()), default=0)
        # Never narrower than the longest word, so "Severity" is not broken into "Severit y".
        weights.append(max(min(max((len(text) for text in texts), default=0), 40), longest_word + 2, 6))
        minimums.append(longest_word * TABLE_CHAR_WIDTH + TABLE_CELL_MARGINS)
    total = sum(weights)
    widths = [text_width * weight // total for weight in weights]
    if sum(minimums) <= text_width:
        # Short columns (a "Level" beside long descriptions) take width from the wide ones.
        for _ in range(columns):
            short = [i for i in range(columns) if widths[i] < minimums[i]]
            if not short:
                break
            need = sum(minimums[i] - widths[i] for i in short)
            for i in short:
                widths[i] = minimums[i]
            donors = [i for i in range(columns) if i not in short]
            spare = sum(widths[i] - minimums[i] for i in donors)
            for i in donors:
                widths[i] -= need * (widths[i] - minimums[i]) // max(spare, 1)
    widths[-1] += text_width - sum(widths)
    return widths
