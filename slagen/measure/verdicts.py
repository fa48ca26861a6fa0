"""Each ticket against its severity's targets, in bulk: deadlines, times on the severity's clock, clock stops, verdicts.

The rules are clause "Service Targets" (see `terms.business_clock` for which clock a target runs on):
- a target in minutes or hours on the elapsed clock falls due that much real time after the Reported Time;
- on the business clock it falls due when that much Business Hours time has passed, counting from the next opening
  when the incident was reported outside Business Hours;
- "N business days" falls due at the same Local Time of day N Business Days later (`terms.BusinessCalendar`);
- "N days" falls due at the same Local Time of day N calendar days later;
- a clock stop that begins before the deadline (and before the response or resolution) moves the deadline on by the
  stopped time on the same clock, taken in order so that a stop the moved deadline reaches counts too;
- a target is met when its event happened at or before the deadline; an incident meets its targets when both are met.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from slagen import terms
from slagen.calendars import Calendar
from slagen.measure.clock import DAY_MS, BusinessSpine
from slagen.measure.tickets import MISSING, Tickets
from slagen.model import Tier
from slagen.units import Duration

MINUTE_MS = 60_000
_UNIT_MS = {"minutes": MINUTE_MS, "hours": 60 * MINUTE_MS, "business_hours": 60 * MINUTE_MS, "days": DAY_MS}
UNDECIDED = -1  # a verdict that cannot be given yet: no event, and the deadline lies after the end of the export


@dataclass(frozen=True)
class Rule:
    """One target as the measurement applies it."""

    kind: str  # "elapsed" (minutes, hours, business hours), "days" or "business_days"
    amount: int  # ms for "elapsed" and "days", a count of days for "business_days"
    business: bool  # counts Business Hours only

    @classmethod
    def of(cls, duration: Duration, coverage: str) -> Rule:
        business = terms.business_clock(duration, coverage)
        if duration.unit == "business_days":
            return cls("business_days", int(duration.amount), True)
        if duration.unit == "days":
            return cls("days", int(duration.amount * DAY_MS), business)
        return cls("elapsed", int(duration.amount * _UNIT_MS[duration.unit]), business)


@dataclass(frozen=True)
class Outcome:
    """One target over a set of tickets."""

    due: np.ndarray  # int64 UTC ms, after clock stops
    taken: np.ndarray  # int64 ms on the target's clock from creation to the event, stops taken off; MISSING if none
    paused: np.ndarray  # int64 ms stopped on the target's clock within the measured span
    verdict: np.ndarray  # int8: 1 met, 0 missed, UNDECIDED


@dataclass(frozen=True)
class Verdicts:
    """Per ticket (file order): both targets and the incident's verdict."""

    response: Outcome
    resolution: Outcome
    met: np.ndarray  # bool: both targets met
    horizon: int  # the latest instant in the export (UTC ms): "now" for open tickets
    spine: BusinessSpine


def _on_clock(spine: BusinessSpine, business: bool, instants: np.ndarray) -> np.ndarray:
    return spine.elapsed(instants) if business else instants


def _stops(spine: BusinessSpine, rule: Rule, tickets: Tickets, selected: np.ndarray, created: np.ndarray,
           until: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The clock stops of the selected tickets within [created, until], on the rule's clock: (owner, where each
    starts on the clock, its length on the clock, its rank among its ticket's stops), in order of start."""
    position = np.full(len(tickets), -1, dtype=np.int64)
    position[selected] = np.arange(selected.size)
    owner = position[tickets.pause_ticket]
    keep = owner >= 0
    owner = owner[keep]
    start = np.maximum(tickets.pause_start[keep], created[owner])
    end = np.maximum(np.minimum(tickets.pause_end[keep], until[owner]), start)
    begins = _on_clock(spine, rule.business, start)
    length = _on_clock(spine, rule.business, end) - begins
    # the stops come merged and sorted by ticket, then start (tickets.read_tickets): rank within each ticket
    first = np.ones(owner.size, dtype=bool)
    first[1:] = owner[1:] != owner[:-1]
    group_start = np.maximum.accumulate(np.where(first, np.arange(owner.size), 0)) if owner.size else owner
    return owner, begins, length, np.arange(owner.size) - group_start


def _target(spine: BusinessSpine, rule: Rule, tickets: Tickets, selected: np.ndarray, event: np.ndarray,
            horizon: int) -> Outcome:
    created = tickets.times["created"][selected]
    happened = event != MISSING
    until = np.where(happened, event, horizon)
    if rule.kind == "elapsed":
        base = (spine.instant(spine.elapsed(created) + rule.amount) if rule.business else created + rule.amount)
    elif rule.kind == "business_days":
        base = spine.add_business_days(created, rule.amount)
    else:
        start = spine.business_start(created) if rule.business else created
        base = spine.add_days(start, rule.amount)
    # A stop that begins before the deadline (on the target's clock) moves it on by the whole stop (the deadline
    # runs ahead while the clock stands); the stops are taken in order, so one that a moved deadline reaches counts.
    due_clock = _on_clock(spine, rule.business, base)
    paused = np.zeros(selected.size, dtype=np.int64)
    stopped = np.zeros(selected.size, dtype=np.int64)
    if tickets.pause_ticket.size:
        owner, begins, length, rank = _stops(spine, rule, tickets, selected, created, until)
        np.add.at(stopped, owner, length)
        for turn in range(int(rank.max()) + 1 if rank.size else 0):
            chosen = rank == turn
            who, where, how_long = owner[chosen], begins[chosen], length[chosen]
            counts = (how_long > 0) & (where < due_clock[who])
            due_clock[who[counts]] += how_long[counts]
            paused[who[counts]] += how_long[counts]
    # on the business clock, a deadline at an opening stays there unless a stop moves it on
    due = np.where(paused > 0, spine.instant(due_clock), base) if rule.business else due_clock
    taken = np.where(
        happened,
        _on_clock(spine, rule.business, np.where(happened, event, created))
        - _on_clock(spine, rule.business, created) - stopped,
        MISSING,
    )
    verdict = np.where(happened, (event <= due).astype(np.int8), np.where(due < horizon, 0, UNDECIDED))
    return Outcome(due, taken, paused, verdict.astype(np.int8))


def _margin_days(tier: Tier, calendar: Calendar) -> int:
    """Days past the last instant the spine must reach for every deadline (generous; grown on overflow)."""
    hours_per_day = max(float(calendar.business_hours.hours_per_day), 0.25)
    week_days = len(calendar.business_hours.days)
    longest = 14
    for target in tier.targets.values():
        for duration in (target.response, target.resolution):
            amount = float(duration.amount)
            if duration.unit == "business_days":
                days = amount * 7 / week_days
            elif duration.unit == "days":
                days = amount
            elif duration.unit in ("minutes", "hours", "business_hours"):
                hours = amount / 60 if duration.unit == "minutes" else amount
                days = hours / hours_per_day * 7 / week_days
            longest = max(longest, int(days * 2) + 14)
    return longest


def measure(tickets: Tickets, tier: Tier, calendar: Calendar) -> Verdicts:
    """Deadlines and verdicts of every ticket on the contract's calendar."""
    times = tickets.times
    known = [values[values != MISSING] for values in times.values()]
    known.append(tickets.pause_end)
    everything = np.concatenate(known)
    first, horizon = int(everything.min()), int(everything.max())
    margin = _margin_days(tier, calendar) * DAY_MS
    while True:
        spine = BusinessSpine.build(calendar, first, horizon + (horizon - first) + margin)
        try:
            return _measure(spine, tickets, tier, horizon)
        except OverflowError:
            margin *= 4


def _measure(spine: BusinessSpine, tickets: Tickets, tier: Tier, horizon: int) -> Verdicts:
    count = len(tickets)
    due = {name: np.zeros(count, dtype=np.int64) for name in ("response", "resolution")}
    taken = {name: np.zeros(count, dtype=np.int64) for name in due}
    paused = {name: np.zeros(count, dtype=np.int64) for name in due}
    verdict = {name: np.zeros(count, dtype=np.int8) for name in due}
    events = {"response": tickets.times["first_response"], "resolution": tickets.times["resolved"]}
    for code, severity in enumerate(tickets.severities):
        selected = np.flatnonzero(tickets.severity == code)
        if not selected.size:
            continue
        target = tier.targets[severity]  # type: ignore[index]
        for name, duration in (("response", target.response), ("resolution", target.resolution)):
            outcome = _target(spine, Rule.of(duration, target.coverage), tickets, selected,
                              events[name][selected], horizon)
            due[name][selected] = outcome.due
            taken[name][selected] = outcome.taken
            paused[name][selected] = outcome.paused
            verdict[name][selected] = outcome.verdict
    response = Outcome(due["response"], taken["response"], paused["response"], verdict["response"])
    resolution = Outcome(due["resolution"], taken["resolution"], paused["resolution"], verdict["resolution"])
    return Verdicts(response, resolution, (response.verdict == 1) & (resolution.verdict == 1), horizon, spine)


def minutes(ms: int | np.integer) -> Decimal:
    """Milliseconds as minutes, exact to the hundredth."""
    return (Decimal(int(ms)) / MINUTE_MS).quantize(Decimal("0.01"))
