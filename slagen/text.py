"""Characters a contract cannot hold: the checks the models, strings.yaml and rendered clauses share."""

from __future__ import annotations

import re
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


# Unicode's Cc (C0 and C1 controls) but tab, newline and carriage return; Cs (surrogates); two non-characters.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def unprintable(text: str) -> tuple[int, str] | None:
    """The first character no Word or PDF file can hold (C0 controls but tab and newline, surrogates)."""
    match = _UNPRINTABLE.search(text)
    return (match.start(), match.group(0)) if match else None
