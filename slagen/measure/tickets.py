"""Read a ticket export into columns (numpy arrays), every problem at once as `tickets.csv:LINE: column: message`.

The CSV is read in chunks: each chunk's text columns become typed arrays at once, so a million tickets never sit in
memory as Python strings (ids and the breakdown labels excepted, the labels interned).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from slagen import bounds
from slagen.errors import InputError
from slagen.files import InputScope
from slagen.measure.clock import DAY_MS, ZoneTable
from slagen.measure.columns import BAD, MISSING, codes, labels, merged_stops, numbers, timestamps
from slagen.measure.halves import collector_paused, lines_of, read_in_halves
from slagen.model.ticket_map import REQUIRED_COLUMNS, TicketMap

TICKETS_LIMIT = 4 * 1024**3  # bytes: a million tickets are about 100 MB
MAX_PROBLEMS = 200  # problem lines printed; the rest are counted
CHUNK = 50_000
_EPOCH_NAIVE = dt.datetime(1970, 1, 1)
_EPOCH_AWARE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_ONE_MS = dt.timedelta(milliseconds=1)
_FIRST_MS = (dt.datetime.combine(bounds.FIRST_DATE, dt.time()) - _EPOCH_NAIVE) // _ONE_MS
_LAST_MS = (dt.datetime.combine(bounds.LAST_DATE, dt.time()) - _EPOCH_NAIVE) // _ONE_MS
_FALSE = frozenset({"", "false", "no", "0"})
ISO_HINT = "use ISO 8601, e.g. 2026-03-02T09:15:00+01:00 (without an offset: the contract's time zone)"
TIME_COLUMNS = ("created", "first_response", "resolved", "escalated_tier2", "escalated_tier3")
LABEL_COLUMNS = ("site", "product", "root_cause")
NUMBER_COLUMNS = ("contacts_to_resolve", "csat", "nps")


@dataclass
class Tickets:
    """The export as columns, one entry per ticket in file order. Times are UTC milliseconds (MISSING when empty)."""

    source: str
    format: str
    severities: tuple[str, ...]  # the tier's severity ids; `severity` holds indexes into it
    lines: np.ndarray
    ids: list[str]
    severity: np.ndarray
    times: dict[str, np.ndarray]  # canonical time column -> int64 ms; only the columns the export has
    excluded: np.ndarray
    pause_ticket: np.ndarray  # clock stops, merged per ticket: which ticket, from, to (ms)
    pause_start: np.ndarray
    pause_end: np.ndarray
    labels: dict[str, tuple[np.ndarray, list[str]]]  # site/product/root_cause -> (codes, names); -1 when empty
    numbers: dict[str, np.ndarray]  # contacts_to_resolve/csat/nps -> float64, NaN when empty
    present: frozenset[str]  # canonical columns the export has
    naive: int  # timestamps without an offset, read in the contract's time zone

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class _Problems:
    display: str
    found: list[tuple[int, int, str]] = field(default_factory=list)

    def add(self, line: int, order: int, column: str, message: str) -> None:
        self.found.append((line, order, f"{self.display}:{line}: {column}: {message}"))

    def raise_any(self) -> None:
        if not self.found:
            return
        ordered = [text for _line, _order, text in sorted(self.found)]
        shown = ordered[:MAX_PROBLEMS]
        if len(ordered) > MAX_PROBLEMS:
            shown.append(f"{self.display}: ... and {len(ordered) - MAX_PROBLEMS:,} more problems")
        raise InputError(shown[0], problems=shown)


def read_text(path: Path, display: str) -> str:
    """The export as text: a regular file named on the command line, UTF-8 (a byte-order mark is dropped)."""
    scope = InputScope(limit=TICKETS_LIMIT, hint="the largest ticket export slagen reads", confined=False)
    text = scope.read_text(path, display).removeprefix("\ufeff")
    if not text.strip():
        raise InputError(
            f"{display}: the file is empty; expected a header line ({', '.join(REQUIRED_COLUMNS)}) and one row a ticket"
        )
    return text


def header_of(text: str) -> list[str]:
    return [name.strip() for name in next(csv.reader(io.StringIO(text[: text.find("\n") + 1 or len(text)])))]


def parse_time(text: str, layout: str | None) -> tuple[int, bool]:
    """(ms since the epoch, naive): UTC for a timestamp with an offset, wall time for one without."""
    if len(text) < 16:  # a date alone, or less
        raise ValueError
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        if layout is None:
            raise
        moment = dt.datetime.strptime(text, layout)
    if moment.tzinfo is None:
        return (moment - _EPOCH_NAIVE) // _ONE_MS, True
    return (moment - _EPOCH_AWARE) // _ONE_MS, False


class _Reader:
    """One pass over the rows, column by column within each chunk."""

    def __init__(self, mapping: TicketMap, header: list[str], severities: tuple[str, ...], problems: _Problems):
        self.mapping = mapping
        self.header = header
        self.problems = problems
        self.width = len(header)
        columns = mapping.columns.model_dump(exclude_none=True)
        self.first_minutes = columns.pop("first_response_minutes", None)
        missing = [name for name, source in columns.items() if name in REQUIRED_COLUMNS and source not in header]
        if self.first_minutes is not None and self.first_minutes not in header:
            missing.append("first_response")
        if missing:
            found = ", ".join(header) if header else "none"
            for name in missing:
                source = self.first_minutes if name == "first_response" and self.first_minutes else columns[name]
                needed = "" if source == name else f" (it holds {name})"
                problems.add(1, 0, source, f"missing column{needed}; the columns found are {found}")
            problems.raise_any()
        # canonical name -> (index in the row, the export's name)
        self.index = {name: (header.index(source), source) for name, source in columns.items() if source in header}
        if self.first_minutes is not None:
            self.index["first_response_minutes"] = (header.index(self.first_minutes), self.first_minutes)
        self.order = {name: position for position, name in enumerate(self.index)}
        lookup = {severity: code for code, severity in enumerate(severities)}
        self.severity_codes = {key.lower(): code for key, code in lookup.items()}
        for priority, severity in mapping.severity.items():
            if severity in lookup:
                self.severity_codes[priority.strip().lower()] = lookup[severity]
        self.severities = severities
        self.true_values = frozenset(value.lower() for value in mapping.true_values)
        self.lines: list[np.ndarray] = []
        self.ids: list[str] = []
        self.severity: list[np.ndarray] = []
        self.times: dict[str, list[np.ndarray]] = {name: [] for name in TIME_COLUMNS if name in self.index}
        self.naive_flags: dict[str, list[np.ndarray]] = {name: [] for name in self.times}
        self.excluded: list[np.ndarray] = []
        self.pauses: list[tuple[int, int, bool, int, bool]] = []  # ticket, start, naive, end, naive
        self.label_codes: dict[str, list[np.ndarray]] = {name: [] for name in LABEL_COLUMNS if name in self.index}
        self.label_names: dict[str, dict[str, int]] = {name: {} for name in self.label_codes}
        self.numbers: dict[str, list[np.ndarray]] = {name: [] for name in NUMBER_COLUMNS if name in self.index}
        self.minutes: list[np.ndarray] = []
        self.pause_lines: list[tuple[int, str]] = []
        self.count = 0
        self.lines_seen = 1  # lines read so far (the header's)
        self.line_offset = 0  # lines of the file before this part's rows (a second half read elsewhere)

    def problem(self, line: int, name: str, message: str) -> None:
        self.problems.add(line, self.order.get(name, 0), self.index[name][1], message)

    def raw(self, columns: list[tuple[str, ...]], name: str) -> tuple[str, ...]:
        return columns[self.index[name][0]]

    def read(self, text: str, begin: int = 0, end: int | None = None) -> None:
        """The rows of text[begin:end] (the header first when `begin` is 0) in chunks. Each row's line is its
        position, unless a quoted value spans lines: then the part is read again, taking each row's line from the
        reader. The text is read line by line in place (io.StringIO would hold a copy four times its size)."""
        reader = csv.reader(lines_of(text, begin, end))
        if begin == 0:
            next(reader)
        self.lines_seen = reader.line_num
        while chunk := list(islice(reader, CHUNK)):
            first = reader.line_num - len(chunk) + 1
            if chunk and reader.line_num - self.lines_seen != len(chunk):
                self.restart()
                return self.read_slowly(text, begin, end)
            self.lines_seen = reader.line_num
            offset = self.line_offset
            self.chunk(chunk, list(range(first + offset, reader.line_num + 1 + offset)))
        return None

    def absorb(self, other: _Reader) -> None:
        """The rows another reader read (the file's second half) appended to these."""
        shift = self.count
        self.lines += other.lines
        self.ids += other.ids
        self.severity += other.severity
        for name in self.times:
            self.times[name] += other.times[name]
            self.naive_flags[name] += other.naive_flags[name]
        self.excluded += other.excluded
        self.pauses += [(ticket + shift, *rest) for ticket, *rest in other.pauses]  # type: ignore[misc]
        self.pause_lines += other.pause_lines
        for name, names in self.label_names.items():
            remap = np.array([names.setdefault(label, len(names)) for label in other.label_names[name]] or [0],
                             dtype=np.int32)
            self.label_codes[name] += [np.where(codes >= 0, remap[np.maximum(codes, 0)], -1).astype(np.int32)
                                       for codes in other.label_codes[name]]
        for name in self.numbers:
            self.numbers[name] += other.numbers[name]
        self.minutes += other.minutes
        self.problems.found += other.problems.found
        self.count += other.count

    def restart(self) -> None:
        offset = self.line_offset
        self.__init__(self.mapping, self.header, self.severities, self.problems)  # type: ignore[misc]
        self.line_offset = offset
        self.problems.found.clear()

    def read_slowly(self, text: str, begin: int, end: int | None) -> None:
        reader = csv.reader(lines_of(text, begin, end))
        if begin == 0:
            next(reader)
        rows: list[list[str]] = []
        lines: list[int] = []
        previous = reader.line_num
        for row in reader:
            rows.append(row)
            lines.append(previous + 1 + self.line_offset)  # the line the row starts on
            previous = reader.line_num
            if len(rows) == CHUNK:
                self.chunk(rows, lines)
                rows, lines = [], []
        if rows:
            self.chunk(rows, lines)

    def chunk(self, rows: list[list[str]], lines: list[int]) -> None:
        widths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        if np.any(widths != self.width):
            for position in np.flatnonzero(widths != self.width).tolist():
                if rows[position]:  # a blank line is no ticket
                    self.problems.add(lines[position], -1, "row",
                                      f"has {len(rows[position])} fields; the header has {self.width}")
            keep = (widths == self.width).tolist()
            rows = [row for row, good in zip(rows, keep, strict=True) if good]
            lines = [line for line, good in zip(lines, keep, strict=True) if good]
        if rows:
            self.take(list(zip(*rows, strict=True)), lines)

    def take(self, columns: list[tuple[str, ...]], lines: list[int]) -> None:
        base = self.count
        count = len(lines)
        self.lines.append(np.array(lines, dtype=np.int64))
        ids = [ticket.strip() for ticket in self.raw(columns, "id")]
        if "" in ids:
            for position, ticket in enumerate(ids):
                if not ticket:
                    self.problem(lines[position], "id", "missing; every ticket needs its id")
        self.ids.extend(ids)
        severity = self.raw(columns, "severity")
        codes_of = codes(severity, self.severity_codes, fold=True)
        for position in np.flatnonzero(codes_of < 0).tolist():
            self.problem(lines[position], "severity", self._unknown_severity(severity[position].strip()))
        self.severity.append(np.maximum(codes_of, 0).astype(np.int8))
        layout = self.mapping.timestamp_format
        for name in self.times:
            values, naive = self._times(columns, lines, name, layout)
            self.times[name].append(values)
            self.naive_flags[name].append(naive)
        if "first_response_minutes" in self.index:
            self.minutes.append(self._numbers(columns, lines, "first_response_minutes", 0, None))
        flags = np.zeros(count, dtype=bool)
        if "excluded" in self.index:
            table = {value: 1 for value in self.true_values} | {value: 0 for value in _FALSE}
            raw = self.raw(columns, "excluded")
            flag_codes = codes(raw, table, fold=True)
            flags = flag_codes == 1
            for position in np.flatnonzero(flag_codes < 0).tolist():
                shown = ", ".join(sorted(self.true_values))
                self.problem(lines[position], "excluded", f"{raw[position].strip()!r} is not true or false; use "
                             f"{shown} for true, and false, no, 0 or nothing for false")
        self.excluded.append(flags)
        if "paused" in self.index:
            for position, value in enumerate(self.raw(columns, "paused")):
                if value and not value.isspace():
                    self._pauses(base + position, lines[position], value.strip(), layout)
        for name, names in self.label_names.items():
            self.label_codes[name].append(labels(self.raw(columns, name), names))
        limits = {"contacts_to_resolve": (0, None), "csat": (None, None), "nps": (0, 10)}
        for name in self.numbers:
            low, high = limits[name]
            self.numbers[name].append(self._numbers(columns, lines, name, low, high))
        self.count += count

    def _unknown_severity(self, value: str) -> str:
        if not value:
            return "missing; every ticket needs its severity or priority"
        ids = ", ".join(self.severities)
        priorities = [key for key, severity in self.mapping.severity.items() if severity in self.severities]
        if priorities:
            return (f"{value!r} is not a priority the {self.mapping.format} mapping knows; use "
                    f"{', '.join(priorities)} (or a severity id: {ids}), or map it with --map FILE")
        return f"{value!r} is not a severity of the tier; use {ids}"

    def _times(self, columns: list[tuple[str, ...]], lines: list[int], name: str, layout: str | None
               ) -> tuple[np.ndarray, np.ndarray]:
        raw = self.raw(columns, name)
        values, naive, left = timestamps(np.array(raw, dtype=str))  # the shapes numpy reads, in bulk
        for position in left.tolist():
            value = raw[position].strip()
            if not value:
                continue  # white space only: empty
            try:
                values[position], naive[position] = parse_time(value, layout)
            except (ValueError, OverflowError):
                values[position] = BAD
                hint = f"use {layout!r} or ISO 8601" if layout else ISO_HINT
                self.problem(lines[position], name, f"{value!r} is not a timestamp; {hint}")
        return values, naive

    def _numbers(self, columns: list[tuple[str, ...]], lines: list[int], name: str, low: float | None,
                 high: float | None) -> np.ndarray:
        raw = self.raw(columns, name)
        values, left = numbers(raw)
        outside = np.zeros(len(values), dtype=bool)
        if low is not None:
            outside |= values < low
        if high is not None:
            outside |= values > high
        span = f" from {low:g} to {high:g}" if low is not None and high is not None else (
            f" of at least {low:g}" if low is not None else "")
        for position in sorted({*left.tolist(), *np.flatnonzero(outside).tolist()}):
            self.problem(lines[position], name, f"{raw[position].strip()!r} is not a number{span}")
            values[position] = np.inf  # reported: no further checks
        return values

    def _pauses(self, ticket: int, line: int, text: str, layout: str | None) -> None:
        for part in text.split(";"):
            part = part.strip()
            if not part:
                continue
            start_text, slash, end_text = part.partition("/")
            try:
                if not slash:
                    raise ValueError
                start, start_naive = parse_time(start_text.strip(), layout)
                end, end_naive = parse_time(end_text.strip(), layout)
            except (ValueError, OverflowError):
                self.problem(line, "paused", f"{part!r} is not an interval; use start/end in ISO 8601, e.g. "
                             "2026-03-02T10:00+01:00/2026-03-02T12:30+01:00, several separated by ';'")
                continue
            self.pauses.append((ticket, start, start_naive, end, end_naive))
            self.pause_lines.append((line, part))


def read_tickets(path: Path, display: str, mapping: TicketMap, text: str, severities: tuple[str, ...],
                 zone: ZoneInfo) -> Tickets:
    """Every ticket of the export, checked; all problems in one InputError."""
    problems = _Problems(display)
    header = header_of(text)
    state = _Reader(mapping, header, severities, problems)
    with collector_paused():
        if not read_in_halves(state, text):
            state.read(text)
    if state.count == 0 and not problems.found:
        raise InputError(f"{display}: no tickets after the header line")
    return _finish(state, display, mapping, zone, problems)


def _concat(parts: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(parts) if parts else np.empty(0, dtype=dtype)


def _finish(state: _Reader, display: str, mapping: TicketMap, zone: ZoneInfo, problems: _Problems) -> Tickets:
    lines = _concat(state.lines, np.int64)
    times = {name: _concat(parts, np.int64) for name, parts in state.times.items()}
    naive = {name: _concat(parts, bool) for name, parts in state.naive_flags.items()}
    pauses = np.array([(t, s, e) for t, s, _sn, e, _en in state.pauses], dtype=np.int64).reshape(-1, 3)
    pause_naive = np.array([(sn, en) for _t, _s, sn, _e, en in state.pauses], dtype=bool).reshape(-1, 2)
    walls = [values[flags & (values > BAD)] for name, values in times.items() for flags in [naive[name]]]
    walls += [pauses[:, 1][pause_naive[:, 0]], pauses[:, 2][pause_naive[:, 1]]]
    known = np.concatenate([*walls, *[values[values > BAD] for values in times.values()]])
    naive_count = int(sum(int(flags.sum()) for flags in naive.values()) + int(pause_naive.sum()))
    if known.size:
        table = ZoneTable.build(zone, int(known.min()) - DAY_MS, int(known.max()) + DAY_MS)
        for name, values in times.items():
            flags = naive[name] & (values > BAD)
            values[flags] = table.to_utc(values[flags])
        if pauses.size:
            pauses[pause_naive[:, 0], 1] = table.to_utc(pauses[pause_naive[:, 0], 1])
            pauses[pause_naive[:, 1], 2] = table.to_utc(pauses[pause_naive[:, 1], 2])
    if "first_response_minutes" in state.index:
        minutes = _concat(state.minutes, np.float64)
        created = times["created"]
        first = np.full(len(created), MISSING, dtype=np.int64)
        given = ~np.isnan(minutes) & (created > BAD)
        first[given] = created[given] + np.round(np.where(np.isinf(minutes), 0, minutes)[given] * 60_000
                                                 ).astype(np.int64)
        first[np.isinf(minutes) | (created == BAD)] = BAD
        times["first_response"] = first
        state.index["first_response"] = state.index["first_response_minutes"]
        state.order["first_response"] = state.order["first_response_minutes"]
    _check_ids(state, lines)
    _check_order(state, lines, times, pauses, problems, zone)
    problems.raise_any()
    ticket, start, end = merged_stops(pauses)
    return Tickets(
        source=display,
        format=mapping.format,
        severities=state.severities,
        lines=lines,
        ids=state.ids,
        severity=_concat(state.severity, np.int8),
        times=times,
        excluded=_concat(state.excluded, bool),
        pause_ticket=ticket,
        pause_start=start,
        pause_end=end,
        labels={name: (_concat(parts, np.int32), list(state.label_names[name])) for name, parts in
                state.label_codes.items()},
        numbers={name: _concat(parts, np.float64) for name, parts in state.numbers.items()},
        present=frozenset(state.index) - {"first_response_minutes"},
        naive=naive_count,
    )


def _check_ids(state: _Reader, lines: np.ndarray) -> None:
    """Each id once: checked in bulk, and line by line only when some id repeats."""
    if len(set(state.ids)) == len(state.ids):
        return
    seen: dict[str, int] = {}
    for line, ticket in zip(lines.tolist(), state.ids, strict=True):
        if ticket in seen:
            state.problem(line, "id", f"{ticket!r} is also on line {seen[ticket]}; ids must be unique")
        elif ticket:
            seen[ticket] = line


def _shown(ms: int, zone: ZoneInfo) -> str:
    """A time for a message, in the contract's zone with its offset."""
    return (_EPOCH_AWARE + dt.timedelta(milliseconds=int(ms))).astimezone(zone).isoformat()


def _check_order(state: _Reader, lines: np.ndarray, times: dict[str, np.ndarray], pauses: np.ndarray,
                 problems: _Problems, zone: ZoneInfo) -> None:
    """Times out of range or out of order, vectorised; only the offending rows are looked at one by one."""

    def shown(ms: int) -> str:
        return _shown(ms, zone)

    for name, values in times.items():
        given = values > BAD
        for position in np.flatnonzero(given & ((values < _FIRST_MS) | (values > _LAST_MS))):
            state.problem(int(lines[position]), name, f"{shown(values[position])} is out of range; use a time "
                          f"from {bounds.FIRST_DATE} to {bounds.LAST_DATE}")
            values[position] = BAD
    created, first, resolved = times["created"], times["first_response"], times["resolved"]
    for position in np.flatnonzero(created == MISSING):
        state.problem(int(lines[position]), "created", "missing; every ticket needs the time it was reported")
    for position in np.flatnonzero((created > BAD) & (resolved > BAD) & (resolved < created)):
        state.problem(int(lines[position]), "resolved", f"{shown(resolved[position])} is before the ticket was "
                      f"created ({shown(created[position])})")
    for position in np.flatnonzero((first > BAD) & (created > BAD) & (first < created)):
        state.problem(int(lines[position]), "first_response", f"{shown(first[position])} is before the ticket "
                      f"was created ({shown(created[position])})")
    for position in np.flatnonzero((first > BAD) & (resolved > BAD) & (first > resolved)):
        state.problem(int(lines[position]), "first_response", f"{shown(first[position])} is after the ticket was "
                      f"resolved ({shown(resolved[position])})")
    for position in np.flatnonzero((first == MISSING) & (resolved != MISSING)):
        state.problem(int(lines[position]), "first_response", "missing; a resolved ticket needs the time of its "
                      "first response")
    for name in ("escalated_tier2", "escalated_tier3"):
        if name in times:
            values = times[name]
            for position in np.flatnonzero((values > BAD) & (created > BAD) & (values < created)):
                state.problem(int(lines[position]), name, f"{shown(values[position])} is before the ticket was "
                              f"created ({shown(created[position])})")
    for index in np.flatnonzero(pauses[:, 2] <= pauses[:, 1]) if pauses.size else ():
        line, part = state.pause_lines[int(index)]
        state.problem(line, "paused", f"{part!r} ends before it starts; use start/end")
