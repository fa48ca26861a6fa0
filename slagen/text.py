"""Characters a contract cannot hold: the checks the models, strings.yaml and rendered clauses share."""

from __future__ import annotations

import unicodedata


def clean_text(value: str) -> str:
    """`value` unchanged, or a ValueError naming the first control character in it (tab and newline pass)."""
    for position, char in enumerate(value):
        if char in "\n\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cs", "Co") or char in "\ufffe\uffff":
            raise ValueError(
                f"contains the control character U+{ord(char):04X} at position {position + 1} "
                "(often pasted from Word); delete it"
            )
    return value


def unprintable(text: str) -> tuple[int, str] | None:
    """The first character no Word or PDF file can hold (C0 controls but tab and newline, surrogates)."""
    for position, char in enumerate(text):
        if char in "\n\t\r":
            continue
        if unicodedata.category(char) in ("Cc", "Cs") or char in "\ufffe\uffff":
            return position, char
    return None
