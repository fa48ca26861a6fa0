"""Characters a contract cannot hold: the checks the models, strings.yaml and rendered clauses share."""

from __future__ import annotations

import re
import unicodedata

# Every character clean_text may refuse (Cc, Cs, Co and two non-characters), and a few more it lets pass.
_SUSPECT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\ufffe\uffff\U000f0000-\U0010ffff]")


def clean_text(value: str) -> str:
    """`value` unchanged, or a ValueError naming the first control character in it (tab and newline pass)."""
    if not _SUSPECT.search(value):
        return value  # the usual case, without a Python loop over every character
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
