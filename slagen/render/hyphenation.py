"""pyphen's hyphenation patterns, read twice as fast into a third of the memory.

WeasyPrint hyphenates with pyphen where a page asks for it (the summary, in German: `:lang(de) body
{ hyphens: auto }`), and a process keeps each language's patterns once loaded. pyphen 0.18 keeps every pattern's
weights as two fresh tuples: German's 66,441 patterns took 23 MiB and 0.5 s of CPU, which put the batch worker
that built a German set over its memory limit (bench/RESULTS.md). Here the same patterns share the 2,468 weight
tuples they have between them (7 MiB) and are parsed without a regular expression match per letter (0.19 s).

`share_hyphenation_patterns` makes pyphen build `CompactHyphDict`, whose patterns compare equal, weight by weight,
to pyphen's own (tests check every dictionary pyphen ships), so every hyphen falls where it did. It changes only
the pyphen versions it was checked against (`CHECKED_VERSIONS`, which pyproject's bound matches); on any other
it leaves pyphen alone, and a test fails, so that an upgrade is checked first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyphen

# pyphen minor versions whose `HyphDict` keeps `patterns`, `cache` and `maxlen` as this module builds them.
CHECKED_VERSIONS = ("0.18",)

_split_at_digits = re.compile(r"(\d)").split
# Patterns pyphen's own parser reads differently from a plain split at digits: two weights in a row, or a
# nonstandard hyphenation (`/change,index,cut`), whose weights carry data. They are rare (9 of German's).
_two_weights_in_a_row = re.compile(r"\d\d").search


def _hex_character(match: re.Match[str]) -> str:
    return chr(int(match.group(1), 16))


def _as_pyphen_reads_it(pattern: str) -> tuple[str, tuple[Any, ...]]:
    """pyphen's own parse of one pattern: its letters and the weight before each (and after the last)."""
    if "/" in pattern and "=" in pattern:
        pattern, alternative = pattern.split("/", 1)
        factory: Any = pyphen.AlternativeParser(pattern, alternative)
    else:
        factory = int
    tags, values = zip(*[(string, factory(digit or "0")) for digit, string in pyphen.parse(pattern)], strict=True)
    return "".join(tags), values


def _split(pattern: str) -> tuple[str, list[int]]:
    """The same as `_as_pyphen_reads_it` for a pattern without anything unusual, from one split at its digits."""
    pieces = _split_at_digits(pattern)
    letters = "".join(pieces[0::2])
    weights = [0] * (len(letters) + 1)
    position = len(pieces[0])
    for index in range(1, len(pieces), 2):
        weights[position] = int(pieces[index])
        position += len(pieces[index + 1])
    return letters, weights


Weights = tuple[int, tuple[Any, ...]]  # where a pattern's first nonzero weight is, and the weights from there


def read_patterns(path: Path) -> dict[str, Weights]:
    """A `hyph_*.dic` file's patterns as pyphen's `HyphDict.patterns` has them, equal weights shared."""
    with path.open("rb") as stream:
        encoding = stream.readline().decode()
    if encoding.lower() == "microsoft-cp1251":
        encoding = "cp1251"
    patterns: dict[str, Weights] = {}
    shared: dict[Weights, Weights] = {}
    with path.open(encoding=encoding, newline="\n") as lines:  # line by line, split where pyphen splits
        next(lines)  # the encoding
        for line in lines:
            pattern = line.strip()
            if not pattern or pattern.startswith(pyphen.ignored):
                continue
            if "^^" in pattern:
                pattern = pyphen.parse_hex(_hex_character, pattern)
            unusual = ("/" in pattern and "=" in pattern) or _two_weights_in_a_row(pattern) is not None
            letters, weights = _as_pyphen_reads_it(pattern) if unusual else _split(pattern)
            if any(weights):
                entry = _trimmed(weights)
                # Weights with data (nonstandard hyphenation) compare equal to plain ints: never share those.
                patterns[letters] = entry if unusual else shared.setdefault(entry, entry)
    return patterns


def _trimmed(weights: Sequence[Any]) -> Weights:
    """pyphen's form of a pattern's weights: without the zeros at either end, and where they start."""
    start, end = 0, len(weights)
    while not weights[start]:
        start += 1
    while not weights[end - 1]:
        end -= 1
    return start, tuple(weights[start:end])


class CompactHyphDict(pyphen.HyphDict):
    """pyphen's `HyphDict` with its patterns read by `read_patterns`; `positions` is pyphen's own."""

    def __init__(self, path: Path) -> None:
        self.patterns = read_patterns(Path(path))
        self.cache = {}
        self.maxlen = max(len(key) for key in self.patterns)


def applies(version: str) -> bool:
    return ".".join(version.split(".")[:2]) in CHECKED_VERSIONS


def share_hyphenation_patterns() -> bool:
    """Have pyphen read patterns with `CompactHyphDict` from now on; whether it does (or already did)."""
    if pyphen.HyphDict is CompactHyphDict:
        return True
    if not applies(pyphen.__version__):
        return False
    pyphen.HyphDict = CompactHyphDict  # the name `pyphen.Pyphen` builds a dictionary with
    return True
