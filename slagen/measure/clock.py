"""The contract's clocks over arrays of instants: vectorised interval arithmetic on a precomputed business-time spine.

Instants are numpy int64 milliseconds since the epoch (UTC). Two clocks run on them:

- the elapsed clock (a 24/7 severity): every millisecond counts, so a change to or from daylight saving time neither
  adds nor removes an hour;
- the business clock: only Business Hours on Business Days count, from the calendar `terms.BusinessCalendar`
  decides (weekdays, public holidays, make-up working days). `BusinessSpine.elapsed` maps an instant to the business
  time since the spine's start, `BusinessSpine.instant` maps back to the earliest instant that reaches it.

Wall times (local) convert with the zone's own transitions, the same way `datetime.combine(day, time, zone)` does
(fold=0): a wall time in a gap counts with the offset before the change, an ambiguous one as the earlier instant.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from slagen import terms
from slagen.calendars import Calendar

MS = 1000
DAY_MS = 86_400 * MS
_EPOCH = dt.date(1970, 1, 1)


def _offset_ms(zone: ZoneInfo, utc_ms: int) -> int:
    moment = dt.datetime.fromtimestamp(utc_ms / MS, dt.UTC).astimezone(zone)
    offset = moment.utcoffset()
    assert offset is not None
    return int(offset.total_seconds() * MS)


@dataclass(frozen=True)
class ZoneTable:
    """A zone's offsets between `first` and `last` (UTC ms): the instants it changes and the offset from each."""

    changes: np.ndarray  # int64 UTC ms of each change, ascending
    offsets: np.ndarray  # int64 ms; offsets[0] before the first change, offsets[i + 1] from changes[i]
    switch_wall: np.ndarray  # wall ms from which a wall time takes offsets[i + 1] (fold=0)

    @classmethod
    def build(cls, zone: ZoneInfo, first_ms: int, last_ms: int) -> ZoneTable:
        start = (first_ms // DAY_MS - 2) * DAY_MS
        end = (last_ms // DAY_MS + 2) * DAY_MS
        changes: list[int] = []
        offsets = [_offset_ms(zone, start)]
        day = start
        while day < end:
            after = _offset_ms(zone, day + DAY_MS)
            if after != offsets[-1]:
                low, high = day, day + DAY_MS  # offset(low) is the old one, offset(high) the new one
                while high - low > MS:
                    middle = (low + high) // 2 // MS * MS
                    if middle in (low, high):
                        break
                    if _offset_ms(zone, middle) == offsets[-1]:
                        low = middle
                    else:
                        high = middle
                changes.append(high)
                offsets.append(after)
            day += DAY_MS
        change_array = np.array(changes, dtype=np.int64)
        offset_array = np.array(offsets, dtype=np.int64)
        switch = change_array + np.maximum(offset_array[:-1], offset_array[1:])
        return cls(change_array, offset_array, switch)

    def to_wall(self, utc: np.ndarray) -> np.ndarray:
        return utc + self.offsets[np.searchsorted(self.changes, utc, side="right")]

    def offset_at(self, utc: np.ndarray) -> np.ndarray:
        return self.offsets[np.searchsorted(self.changes, utc, side="right")]

    def to_utc(self, wall: np.ndarray) -> np.ndarray:
        """Wall time to the instant, as `datetime.combine(..., zone)` with fold=0 gives it."""
        return wall - self.offsets[np.searchsorted(self.switch_wall, wall, side="right")]


@dataclass(frozen=True)
class BusinessSpine:
    """Business Days and their opening hours from `first_day` on, as arrays; built once per run."""

    zone: ZoneTable
    first_day: int  # days since the epoch of the spine's first local date
    business_day: np.ndarray  # bool per local date
    opens: np.ndarray  # int64 UTC ms per local date (whether or not a Business Day)
    closes: np.ndarray
    business_days: np.ndarray  # indexes (into the per-date arrays) of the Business Days, ascending
    cumulative: np.ndarray  # business ms before each Business Day opens
    span: np.ndarray  # business ms of each Business Day

    @classmethod
    def build(cls, calendar: Calendar, first_ms: int, last_ms: int) -> BusinessSpine:
        """A spine covering local dates from before `first_ms` to after `last_ms`."""
        clock = terms.BusinessCalendar(calendar)
        first_day = int(first_ms // DAY_MS) - 2
        last_day = int(last_ms // DAY_MS) + 2
        zone = ZoneTable.build(calendar.zone, first_day * DAY_MS, last_day * DAY_MS)
        hours = calendar.business_hours
        start = (hours.start.hour * 60 + hours.start.minute) * 60 * MS
        end = (hours.end.hour * 60 + hours.end.minute) * 60 * MS
        days = np.arange(first_day, last_day + 1, dtype=np.int64)
        flags = np.array(
            [clock.is_business_day(_EPOCH + dt.timedelta(days=int(day))) for day in days], dtype=bool
        )
        opens = zone.to_utc(days * DAY_MS + start)
        closes = zone.to_utc(days * DAY_MS + end)
        business = np.flatnonzero(flags)
        span = (closes - opens)[business]
        cumulative = np.concatenate(([0], np.cumsum(span)[:-1])).astype(np.int64)
        return cls(zone, first_day, flags, opens, closes, business, cumulative, span)

    @property
    def last_ms(self) -> int:
        return int((self.first_day + len(self.business_day)) * DAY_MS)

    # ------------------------------------------------------------ the business clock

    def elapsed(self, utc: np.ndarray) -> np.ndarray:
        """Business ms from the spine's start to each instant (flat outside Business Hours)."""
        opens = self.opens[self.business_days]
        index = np.searchsorted(opens, utc, side="right") - 1
        safe = np.maximum(index, 0)
        inside = np.clip(utc - opens[safe], 0, self.span[safe])
        return np.where(index >= 0, self.cumulative[safe] + inside, 0)

    def instant(self, business: np.ndarray) -> np.ndarray:
        """The earliest instant at which the business clock reaches `business` ms."""
        ends = self.cumulative + self.span
        index = np.searchsorted(ends, business, side="left")
        if np.any(index >= len(ends)):
            raise OverflowError("the business-time spine is too short")
        return self.opens[self.business_days][index] + (business - self.cumulative[index])

    # ------------------------------------------------------------ business days

    def day_of(self, utc: np.ndarray) -> np.ndarray:
        """Index into the per-date arrays of each instant's local date."""
        return self.zone.to_wall(utc) // DAY_MS - self.first_day

    def business_start(self, utc: np.ndarray) -> np.ndarray:
        """When a business-day count starts: the instant itself in Business Hours, else the next opening."""
        day = self.day_of(utc)
        in_day = self.business_day[day] & (utc < self.closes[day])
        same_day = np.maximum(utc, self.opens[day])
        following = self.business_days[np.searchsorted(self.business_days, day, side="right")]
        return np.where(in_day, same_day, self.opens[following])

    def add_business_days(self, utc: np.ndarray, days: int) -> np.ndarray:
        """The same local time of day `days` Business Days after the count starts (`terms.BusinessCalendar`)."""
        start = self.business_start(utc)
        wall = self.zone.to_wall(start)
        day = wall // DAY_MS - self.first_day
        position = np.searchsorted(self.business_days, day, side="left")
        target = position + days
        if np.any(target >= len(self.business_days)):
            raise OverflowError("the business-time spine is too short")
        due_day = self.business_days[target] + self.first_day
        return self.zone.to_utc(due_day * DAY_MS + wall % DAY_MS)

    def add_days(self, utc: np.ndarray, amount_ms: int) -> np.ndarray:
        """Calendar days: the same local time of day, `amount_ms` of wall time later."""
        return self.zone.to_utc(self.zone.to_wall(utc) + amount_ms)
