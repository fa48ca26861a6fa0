"""Text columns of an export into typed arrays in bulk: ISO 8601 timestamps by numpy's own parser (grouped by shape),
numbers, and small vocabularies. Whatever the bulk path cannot read is handed back, by position, for the reader to
parse one by one (and to report with its line)."""

from __future__ import annotations

import warnings

import numpy as np

MISSING = np.iinfo(np.int64).min  # an empty timestamp
BAD = MISSING + 1  # a value already reported as unreadable: no further checks on it
_ZERO = ord("0")
# ISO 8601 shapes the bulk path reads: date and time (minutes, seconds, milliseconds, microseconds), then nothing,
# "Z", "+HH:MM" or "+HHMM".
_MAIN = (16, 19, 23, 26)
_SUFFIX = {0: "", 1: "Z", 6: "+HH:MM", 5: "+HHMM"}


def _digits(chars: np.ndarray, first: int, count: int) -> np.ndarray:
    codes = chars[:, first:first + count].view(np.uint32).astype(np.int64) - _ZERO
    value = np.zeros(len(chars), dtype=np.int64)
    for column in range(count):
        value = value * 10 + codes[:, column]
    return value


def _group(values: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(ms, naive, understood) for strings of one length, or None when no shape of that length fits."""
    chars = np.ascontiguousarray(values.astype(f"U{length}")).view("U1").reshape(-1, length)
    ms = np.zeros(len(values), dtype=np.int64)
    naive = np.zeros(len(values), dtype=bool)
    understood = np.zeros(len(values), dtype=bool)
    for main in _MAIN:
        suffix = length - main
        if suffix not in _SUFFIX:
            continue
        shape = _SUFFIX[suffix]
        if shape == "":
            fits = np.ones(len(values), dtype=bool)
        elif shape == "Z":
            fits = chars[:, main] == "Z"
        else:
            sign = chars[:, main]
            fits = (sign == "+") | (sign == "-")
            if shape == "+HH:MM":
                fits &= chars[:, main + 3] == ":"
        fits &= ~understood
        if main > 16:
            fits &= chars[:, 16] == ":"
        if main > 19:  # a fraction of a second: a point and digits only
            fits &= chars[:, 19] == "."
            for column in range(20, main):
                fits &= (chars[:, column] >= "0") & (chars[:, column] <= "9")
        if not fits.any():
            continue
        body = np.ascontiguousarray(chars[fits, :main]).view(f"U{main}").ravel()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # numpy reading an offset itself: leave that to the slow path
                parsed = body.astype("datetime64[ms]").astype(np.int64)
        except (ValueError, UserWarning, DeprecationWarning):
            continue  # one of them is no timestamp: the slow path reads each and names the bad ones
        if shape in ("+HH:MM", "+HHMM"):
            part = chars[fits]
            hours = _digits(part, main + 1, 2)
            minutes = _digits(part, main + (4 if shape == "+HH:MM" else 3), 2)
            sign = np.where(part[:, main] == "-", -1, 1)
            offset = sign * (hours * 60 + minutes) * 60_000
            good = (hours >= 0) & (hours <= 23) & (minutes >= 0) & (minutes <= 59)
            parsed = parsed - offset
            positions = np.flatnonzero(fits)[good]
            ms[positions] = parsed[good]
            understood[positions] = True
            continue
        ms[fits] = parsed
        naive[fits] = shape == ""
        understood[fits] = True
    return ms, naive, understood


def timestamps(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(ms since the epoch, naive, left): UTC for a timestamp with an offset, wall time for one without; MISSING
    for an empty value; `left` lists the positions the bulk path could not read."""
    ms = np.full(len(values), MISSING, dtype=np.int64)
    naive = np.zeros(len(values), dtype=bool)
    lengths = np.strings.str_len(values) if len(values) else np.empty(0, dtype=np.int64)
    left = []
    for length in np.unique(lengths).tolist():
        if length == 0:
            continue
        positions = np.flatnonzero(lengths == length)
        if length < 16:
            left.append(positions)
            continue
        got = _group(values[positions], length)
        if got is None:
            left.append(positions)
            continue
        parsed, flags, understood = got
        ms[positions[understood]] = parsed[understood]
        naive[positions[understood]] = flags[understood]
        left.append(positions[~understood])
    rest = np.sort(np.concatenate(left)) if left else np.empty(0, dtype=np.int64)
    return ms, naive, rest


def numbers(values: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """(float64 with NaN for empty, positions that are not numbers)."""
    try:
        parsed = np.array([value or "nan" for value in values], dtype=np.float64)
    except ValueError:  # some value is no number: each one on its own
        parsed = np.full(len(values), np.nan)
        for position, value in enumerate(values):
            if value.strip():
                try:
                    parsed[position] = float(value)
                except ValueError:
                    parsed[position] = np.inf
    odd = np.flatnonzero(~np.isfinite(parsed))  # empty, or no number, or 'nan' or 'inf' written out
    wrong = np.array([position for position in odd.tolist() if values[position].strip()], dtype=np.int64)
    parsed[odd] = np.nan
    return parsed, wrong


def codes(values: tuple[str, ...], table: dict[str, int], fold: bool = False) -> np.ndarray:
    """Each value's code in `table` (white space removed, matched ignoring case when `fold`), -1 where it has none."""
    found = dict.fromkeys(values)
    for name in found:
        key = name.strip()
        found[name] = table.get(key.lower() if fold else key, -1)
    return np.fromiter(map(found.__getitem__, values), dtype=np.int64, count=len(values))


def labels(values: tuple[str, ...], names: dict[str, int]) -> np.ndarray:
    """Codes of free-text labels (site, product, root cause), new ones added to `names`; -1 when empty."""
    found = dict.fromkeys(values)
    for name in found:
        key = name.strip()
        found[name] = names.setdefault(key, len(names)) if key else -1
    return np.fromiter(map(found.__getitem__, values), dtype=np.int32, count=len(values))


def merged_stops(pauses: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Clock stops per ticket, overlapping ones merged (the clock stands while any stop lasts)."""
    if not pauses.size:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), empty.copy()
    ordered = pauses[np.lexsort((pauses[:, 1], pauses[:, 0]))]
    merged: list[list[int]] = []
    for ticket, start, end in ordered.tolist():
        if merged and merged[-1][0] == ticket and start <= merged[-1][2]:
            merged[-1][2] = max(merged[-1][2], end)
        else:
            merged.append([ticket, start, end])
    result = np.array(merged, dtype=np.int64)
    return result[:, 0].copy(), result[:, 1].copy(), result[:, 2].copy()
