"""`slagen measure` against answers computed here, independently, by stepping minute by minute through the calendar
(zoneinfo and the holidays library directly; no slagen clock code): daylight saving in both directions, public
holidays, incidents across weekends and month ends, clock stops and exclusions, on two customers' calendars."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest

from slagen.measure import engine, formats
from slagen.measure.audit import audit_csv
from slagen.measure.tickets import read_tickets
from slagen.overrides import terms_for
from slagen.workspace import load_workspace

REPO = Path(__file__).resolve().parent.parent
UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)


@dataclass(frozen=True)
class Contract:
    """What the oracle knows of the contract, typed in from the YAML by hand."""

    customer: str
    tier: str
    zone: ZoneInfo
    opens: dt.time
    closes: dt.time
    holidays: object
    # severity -> (response, resolution, clock): ("m", minutes) elapsed or business minutes, ("bd", n) business days
    targets: dict[str, tuple[tuple[str, int], tuple[str, int], bool]]
    workdays: frozenset[dt.date] = frozenset()  # weekend days the official calendar makes working days


ACME = Contract(
    "acme", "premium", ZoneInfo("America/Chicago"), dt.time(8), dt.time(17),
    holidays.country_holidays("US", subdiv="IA", years=range(2025, 2028)),
    {"sev1": (("m", 60), ("m", 480), False), "sev2": (("m", 240), ("m", 1440), False),
     "sev3": (("bd", 1), ("bd", 3), True), "sev4": (("bd", 2), ("bd", 10), True)},
)
NORDWERK = Contract(
    "nordwerk", "standard", ZoneInfo("Europe/Berlin"), dt.time(9), dt.time(18),
    holidays.country_holidays("DE", subdiv="HH", years=range(2025, 2028)),
    {"sev1": (("m", 120), ("m", 1440), False), "sev2": (("m", 240), ("m", 2880), False),
     "sev3": (("bd", 1), ("bd", 5), True), "sev4": (("bd", 2), ("bd", 10), True)},
)


_CN = holidays.country_holidays("CN", years=range(2025, 2028))
HUAXIN = Contract(  # Basic: Sev-1 responds in 4 business hours; China's make-up working days
    "huaxin", "basic", ZoneInfo("Asia/Shanghai"), dt.time(8, 30), dt.time(17, 30), _CN,
    {"sev1": (("m", 240), ("bd", 3), True), "sev2": (("bd", 1), ("bd", 5), True),
     "sev3": (("bd", 2), ("bd", 10), True), "sev4": (("bd", 3), ("bd", 20), True)},
    frozenset(_CN.weekend_workdays),
)


def is_business_day(contract: Contract, day: dt.date) -> bool:
    return (day.weekday() < 5 or day in contract.workdays) and day not in contract.holidays


def in_business_hours(contract: Contract, moment: dt.datetime) -> bool:
    """Whether the minute starting at `moment` (UTC) lies in Business Hours."""
    local = moment.astimezone(contract.zone)
    return is_business_day(contract, local.date()) and contract.opens <= local.time() < contract.closes


def paused_at(moment: dt.datetime, pauses: list[tuple[dt.datetime, dt.datetime]]) -> bool:
    return any(start <= moment < end for start, end in pauses)


def counts(contract: Contract, business: bool, moment: dt.datetime) -> bool:
    return not business or in_business_hours(contract, moment)


def step_deadline(contract: Contract, business: bool, start: dt.datetime, minutes: int,
                  pauses: list[tuple[dt.datetime, dt.datetime]]) -> dt.datetime:
    """Walk minute by minute from `start`; the deadline is the end of the `minutes`-th minute that counts."""
    moment, counted = start, 0
    while counted < minutes:
        if counts(contract, business, moment) and not paused_at(moment, pauses):
            counted += 1
        moment += MINUTE
    return moment if minutes else start


def business_days_deadline(contract: Contract, created: dt.datetime, days: int,
                           pauses: list[tuple[dt.datetime, dt.datetime]]) -> dt.datetime:
    """The same local time of day `days` business days after the count starts, moved on by the stopped business
    minutes before it."""
    local = created.astimezone(contract.zone)
    day = local.date()
    opens = dt.datetime.combine(day, contract.opens, contract.zone)
    closes = dt.datetime.combine(day, contract.closes, contract.zone)
    if is_business_day(contract, day) and local < closes:
        start = max(local, opens)
    else:
        day += dt.timedelta(days=1)
        while not is_business_day(contract, day):
            day += dt.timedelta(days=1)
        start = dt.datetime.combine(day, contract.opens, contract.zone)
    day, moved = start.date(), 0
    while moved < days:
        day += dt.timedelta(days=1)
        moved += is_business_day(contract, day)
    due = dt.datetime.combine(day, start.time(), contract.zone).astimezone(UTC)
    moment = created  # each stopped business minute before the deadline moves it to the end of the next one
    last = max((end for _start, end in pauses), default=created)  # no minute after the last stop is stopped
    while moment < due and moment < last:
        if paused_at(moment, pauses) and in_business_hours(contract, moment):
            due = step_deadline(contract, True, due, 1, [])
        moment += MINUTE
    return due


def clipped(pauses: list[tuple[dt.datetime, dt.datetime]], start: dt.datetime, end: dt.datetime
            ) -> list[tuple[dt.datetime, dt.datetime]]:
    return [(max(a, start), min(b, end)) for a, b in pauses if min(b, end) > max(a, start)]


def oracle(contract: Contract, ticket: dict) -> tuple[dt.datetime, dt.datetime, bool]:
    """(response due, resolution due, both met)."""
    response_rule, resolution_rule, business = contract.targets[ticket["severity"]]
    results = []
    for (kind, amount), event in ((response_rule, ticket["first_response"]), (resolution_rule, ticket["resolved"])):
        pauses = clipped(ticket["paused"], ticket["created"], event)
        if kind == "m":
            if business:
                due = step_deadline(contract, True, ticket["created"], amount, pauses)
            else:
                due = step_deadline(contract, False, ticket["created"], amount, pauses)
        else:
            due = business_days_deadline(contract, ticket["created"], amount, pauses)
        results.append(due)
    met = ticket["first_response"] <= results[0] and ticket["resolved"] <= results[1]
    return results[0], results[1], met


# ---------------------------------------------------------------- generated logs


def hot_spots(contract: Contract) -> list[dt.datetime]:
    """Local moments near the hard parts of the calendar: DST changes, holidays, weekends, month ends."""
    zone = contract.zone
    spots = []
    for year in (2026,):
        for month in range(1, 13):
            for day in range(1, 29):
                local = dt.datetime(year, month, day, 12, tzinfo=zone)
                if local.utcoffset() != (local + dt.timedelta(days=1)).utcoffset():
                    spots += [dt.datetime(year, month, day, hour, tzinfo=zone) for hour in (20, 23)]
                    spots += [dt.datetime(year, month, day + 1, hour, 30, tzinfo=zone) for hour in (0, 1, 3, 5)]
    for holiday in sorted(day for day in contract.holidays if day.year == 2026)[:14]:
        eve = holiday - dt.timedelta(days=1)
        spots += [dt.datetime.combine(eve, dt.time(16, 10), zone), dt.datetime.combine(holiday, dt.time(10), zone)]
    for day in sorted(day for day in contract.workdays if day.year == 2026):  # a weekend day made a working day
        spots += [dt.datetime.combine(day - dt.timedelta(days=1), dt.time(17), zone),
                  dt.datetime.combine(day, dt.time(9), zone)]
    for month in range(1, 13):  # the last evening of each month
        last = dt.date(2026, month, 1) + dt.timedelta(days=31)
        last = last.replace(day=1) - dt.timedelta(days=1)
        spots.append(dt.datetime.combine(last, dt.time(21, 45), zone))
    spots += [dt.datetime(2026, 5, 8, 16, 50, tzinfo=zone), dt.datetime(2026, 5, 9, 11, tzinfo=zone)]  # Fri, Sat
    return [spot.astimezone(UTC) for spot in spots]


def generate(contract: Contract, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for number, spot in enumerate(hot_spots(contract)):
        for severity in contract.targets:
            created = spot + dt.timedelta(minutes=rng.randrange(0, 90))
            response = created + dt.timedelta(minutes=rng.choice((5, 55, 61, 200, 239, 241, 600, 1500, 2900)))
            resolved = response + dt.timedelta(minutes=rng.choice((10, 400, 470, 1300, 2000, 4400, 6000, 15000)))
            paused = []
            if rng.random() < 0.35:
                start = created + dt.timedelta(minutes=rng.randrange(0, 600))
                paused.append((start, start + dt.timedelta(minutes=rng.choice((30, 180, 900)))))
                if rng.random() < 0.5:  # a second stop, after or overlapping the first
                    again = start + dt.timedelta(minutes=rng.choice((20, 200, 1000)))
                    paused.append((again, again + dt.timedelta(minutes=rng.choice((45, 500)))))
            rows.append({
                "id": f"{contract.customer}-{number}-{severity}", "severity": severity, "created": created,
                "first_response": response, "resolved": resolved, "paused": paused,
                "excluded": rng.random() < 0.1,
            })
    return rows


def canonical(rows: list[dict], zone: ZoneInfo) -> str:
    """Alternately with an offset (UTC) and without (local wall time, read in the contract's zone)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "severity", "created", "first_response", "resolved", "paused", "excluded"])

    def stamp(moment: dt.datetime, naive: bool) -> str:
        if naive:
            local = moment.astimezone(zone)
            if local.fold or (local.replace(fold=1).utcoffset() != local.utcoffset()):
                naive = False  # an ambiguous wall time needs its offset
            else:
                return local.replace(tzinfo=None).isoformat()
        return moment.isoformat()

    for index, row in enumerate(rows):
        naive = index % 2 == 1
        paused = ";".join(f"{stamp(a, naive)}/{stamp(b, naive)}" for a, b in row["paused"])
        writer.writerow([row["id"], row["severity"], stamp(row["created"], naive),
                         stamp(row["first_response"], naive), stamp(row["resolved"], naive), paused,
                         "true" if row["excluded"] else ""])
    return out.getvalue()


@pytest.fixture(scope="module")
def ws():
    return load_workspace(REPO)


def measured(ws, contract: Contract, text: str, first: int | None = None, last: int | None = None):
    client = ws.customers[contract.customer]
    tier = terms_for(ws.tier(contract.tier).model, client)
    calendar = engine.resolve_calendar(ws.config.model.defaults, client.model)
    tickets = read_tickets(Path("tickets.csv"), "tickets.csv", formats.shipped("canonical"), text, tuple(tier.targets),
                           calendar.zone)
    currency = client.model.currency or ws.config.model.defaults.currency
    return engine.run(ws.config.model, tier, client.model, currency, tickets, first, last)


def audit_rows(measurement) -> dict[str, dict[str, str]]:
    return {row["id"]: row for row in csv.DictReader(io.StringIO(audit_csv(measurement).decode()))}


@pytest.fixture(scope="module", params=[ACME, NORDWERK, HUAXIN], ids=lambda contract: contract.customer)
def case(request, ws):
    """One generated log per contract, measured once, with the oracle's answer for each ticket."""
    contract = request.param
    rows = generate(contract, seed=3)
    answers = [oracle(contract, row) for row in rows]
    return contract, rows, answers, measured(ws, contract, canonical(rows, contract.zone))


def test_every_deadline_and_verdict_matches_minute_stepping(case) -> None:
    _contract, rows, answers, measurement = case
    audit = audit_rows(measurement)
    wrong = []
    for row, (response_due, resolution_due, met) in zip(rows, answers, strict=True):
        got = audit[row["id"]]
        expected = (response_due, resolution_due, "excluded" if row["excluded"] else ("met" if met else "missed"))
        actual = (dt.datetime.fromisoformat(got["response_due"]), dt.datetime.fromisoformat(got["resolution_due"]),
                  got["verdict"])
        if expected != actual:
            wrong.append((row["id"], row["severity"], row["created"].isoformat(), expected, actual))
    assert wrong == []
    assert len(rows) > 150
    verdicts = [answer[2] for row, answer in zip(rows, answers, strict=True) if not row["excluded"]]
    assert 0.2 < sum(verdicts) / len(verdicts) < 0.95  # both kinds of verdict are represented
    assert sum(bool(row["paused"]) for row in rows) > 30


def test_months_count_incidents_resolved_in_local_time_without_excluded(case) -> None:
    contract, rows, answers, measurement = case
    expected: dict[str, list[int]] = {}
    for row, answer in zip(rows, answers, strict=True):
        if row["excluded"]:
            continue
        month = f"{row['resolved'].astimezone(contract.zone):%Y-%m}"
        entry = expected.setdefault(month, [0, 0])
        entry[0] += 1
        entry[1] += answer[2]
    got = {period.period: [period.incidents, period.met] for period in measurement.report.periods
           if period.incidents}
    assert got == expected
    assert sum(period.excluded for period in measurement.report.periods) == sum(row["excluded"] for row in rows)


def test_dst_both_directions_are_real_elapsed_hours(ws) -> None:
    """acme's Sev-1: resolution in 8 hours of real time across both changes of 2026 in America/Chicago."""
    zone = ACME.zone
    rows = []
    for number, (created, resolved) in enumerate([
        ("2026-03-07T23:00:00", "2026-03-08T08:00:00"),  # spring forward: 8 real hours end at 08:00 CDT (met)
        ("2026-03-07T23:00:00", "2026-03-08T08:01:00"),  # one minute late
        ("2026-10-31T23:00:00", "2026-11-01T06:00:00"),  # fall back: 8 real hours end at 06:00 CST (met)
        ("2026-10-31T23:00:00", "2026-11-01T06:01:00"),  # one minute late, though only 7 wall-clock hours
    ]):
        rows.append([f"D{number}", "sev1", created, created.replace(":00:00", ":30:00", 1), resolved, "", ""])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "severity", "created", "first_response", "resolved", "paused", "excluded"])
    writer.writerows(rows)
    audit = audit_rows(measured(ws, ACME, out.getvalue()))
    assert [audit[f"D{n}"]["verdict"] for n in range(4)] == ["met", "missed", "met", "missed"]
    assert audit["D0"]["resolution_due"] == "2026-03-08T08:00:00-05:00"
    assert audit["D2"]["resolution_due"] == "2026-11-01T06:00:00-06:00"
    assert dt.datetime.fromisoformat(audit["D2"]["resolution_due"]) - dt.datetime(2026, 10, 31, 23, tzinfo=zone) \
        == dt.timedelta(hours=8)
