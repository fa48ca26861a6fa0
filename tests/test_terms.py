"""The contract maths: business calendar deadlines, real month lengths, credits, performance credit, discount."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from slagen import terms
from slagen.calendars import Calendar
from slagen.model import BusinessHours, ServiceCredits
from slagen.units import Duration, Money

BERLIN = ZoneInfo("Europe/Berlin")
CALENDAR = terms.BusinessCalendar(
    Calendar(
        timezone="Europe/Berlin",
        business_hours=BusinessHours.model_validate(
            {"start": "09:00", "end": "18:00", "days": ["mon", "tue", "wed", "thu", "fri"]}
        ),
        holidays="DE",
        holiday_subdivision="BY",
        own=False,
    )
)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        ("2026-03-04 10:00", "4 business hours", "2026-03-04 14:00"),  # inside one day
        ("2026-03-04 16:00", "4 business hours", "2026-03-05 11:00"),  # runs over the evening
        ("2026-03-06 17:00", "4 business hours", "2026-03-09 12:00"),  # Friday to Monday
        ("2026-03-07 11:00", "2 business hours", "2026-03-09 11:00"),  # reported on a Saturday
        ("2026-04-02 17:00", "2 business hours", "2026-04-07 10:00"),  # Good Friday and Easter Monday
        ("2026-03-04 10:00", "2 business days", "2026-03-06 10:00"),
        ("2026-03-06 19:00", "1 business day", "2026-03-10 09:00"),  # after hours: counts from Monday's opening
        ("2026-03-06 23:30", "1h", "2026-03-07 00:30"),  # clock hours ignore the calendar
        ("2026-12-31 12:00", "1 business day", "2027-01-04 12:00"),  # New Year's Day
    ],
)
def test_deadlines_follow_the_business_calendar(start: str, duration: str, due: str) -> None:
    assert CALENDAR.deadline(at(start), Duration.parse(duration)) == at(due)


@pytest.mark.parametrize(
    ("target", "days", "minutes"),
    [("99.9", 30, "43.2"), ("99.9", 31, "44.64"), ("99.9", 28, "40.32"), ("99.999", 365, "5.256")],
)
def test_allowed_downtime_uses_the_real_period_length(target: str, days: int, minutes: str) -> None:
    assert terms.allowed_downtime_minutes(Decimal(target), days) == Decimal(minutes)


def test_days_in_month() -> None:
    assert [terms.days_in_month(dt.date(2026, month, 1)) for month in (1, 2, 4, 12)] == [31, 28, 30, 31]
    assert terms.days_in_month(dt.date(2028, 2, 1)) == 29


SEED = ServiceCredits.model_validate(
    {
        "metric": "incident_compliance",
        "schedule": [{"below_pct": 90, "credit_pct": 5}],
        "consecutive_periods": 2,
        "cap_per_period_pct": 10,
        "cap_per_year_pct": 10,
        "applied_to": "next_invoice",
        "expiry_months": 12,
        "claim_window_days": 30,
        "chronic_failure": {"missed_periods": 2, "window_periods": 3},
    }
)
RETAINER = Money(Decimal(50000), "USD")


def months(*values: int, start: dt.date = dt.date(2026, 3, 1)) -> list[terms.MonthInput]:
    return [
        terms.MonthInput(dt.date(2026, start.month + index, 1), Decimal(value)) for index, value in enumerate(values)
    ]


def test_seed_example_two_consecutive_months_below_90() -> None:
    march, april = terms.assess_credits(SEED, RETAINER, dt.date(2026, 1, 1), months(88, 86))
    assert (march.missed, march.credit.amount) == (True, Decimal("0"))  # one month alone earns nothing
    assert (april.missed, april.consecutive_missed, april.credit.amount) == (True, 2, Decimal("208.33"))
    assert april.chronic_failure is True  # 2 of any 3 consecutive months


def test_a_good_month_breaks_the_streak() -> None:
    results = terms.assess_credits(SEED, RETAINER, dt.date(2026, 1, 1), months(88, 92, 86))
    assert [result.credit.amount for result in results] == [0, 0, 0]


def test_annual_cap_limits_the_running_total() -> None:
    tight = SEED.model_copy(update={"cap_per_year_pct": Decimal(3)})
    results = terms.assess_credits(tight, RETAINER, dt.date(2026, 1, 1), months(50, 50, 50, 50, 50, 50, 50, 50, 50))
    assert [result.credit.amount for result in results[-2:]] == [Decimal("208.33"), Decimal("41.69")]
    assert results[-1].year_total.amount == Decimal("1500.00")
    assert all(result.year_total.amount <= result.year_cap.amount for result in results)


def test_performance_credit_and_early_renewal() -> None:
    from slagen.model import EarlyRenewal, PerformanceCredit

    performance = PerformanceCredit(above_pct=Decimal(95), credit_pct=Decimal(5))
    assert terms.performance_credit_due(performance, RETAINER, Decimal("95.5")).amount == Decimal("2500.00")
    assert terms.performance_credit_due(performance, RETAINER, Decimal(95)).amount == 0  # "above", not "at"
    assert terms.less(RETAINER, Money(Decimal("2500.00"), "USD")).amount == Decimal("47500.00")
    renewal = EarlyRenewal(min_days_before=60, max_days_before=90, discount_pct=Decimal(5))
    assert terms.early_renewal_discount(renewal, RETAINER, 75).amount == Decimal("2500.00")
    assert terms.early_renewal_discount(renewal, RETAINER, 30).amount == 0


def test_rounding_is_half_up_to_the_currency_unit() -> None:
    assert terms.round_money(Money(Decimal("208.335"), "USD")).amount == Decimal("208.34")
    assert terms.round_money(Money(Decimal("1234.5"), "JPY")).amount == Decimal("1235")


@pytest.mark.parametrize(
    ("initial", "renewal", "ending"),
    [
        (12, 12, [0, 1, 2, 3]),  # every year ends a term
        (24, 12, [1, 2, 3, 4]),  # year 1 (index 0) of a 24-month term ends none
        (36, 24, [2, 4, 6, 8]),
        (12, 24, [0, 2, 4, 6]),
        (18, 12, [1, 2, 3, 4]),  # a term ending inside a year: that year is the term's last
        (6, 6, [0, 1, 2, 3]),  # two terms end in each year: counted once
    ],
)
def test_contract_years_that_end_a_term(initial: int, renewal: int, ending: list[int]) -> None:
    timeline = terms.Timeline(dt.date(2026, 3, 1), initial, renewal)
    assert timeline.term_ending_years(4) == ending
    assert [timeline.ends_term(year) for year in range(ending[-1] + 1)] == [
        year in ending for year in range(ending[-1] + 1)
    ]
    assert timeline.year_of(dt.date(2027, 2, 1)) == 0 and timeline.year_of(dt.date(2027, 3, 1)) == 1


# ---------------------------------------------------------------- rollover of unused entitlements


@pytest.mark.parametrize(
    ("entitled", "used", "max_pct", "carried_in", "carried", "lapsed"),
    [
        (10, "6", 50, 0, 4, "0"),  # under the cap: all unused units roll over
        (10, "2", 50, 0, 5, "3"),  # the cap binds: 50% of 10
        (10, "12", 50, 0, 0, "0"),  # more used than included: nothing left
        (10, "6.5", 50, 0, 3, "0.5"),  # whole units only; the half day lapses
        (2, "0", 50, 0, 1, "1"),  # trainings: 50% of 2
        (3, "0", 50, 0, 1, "2"),  # the cap is rounded down: 1.5 -> 1
        (10, "3", 50, 4, 5, "6"),  # 3 used from the 4 carried in (used first); 1 of them lapses, 5 of 10 own roll
        (10, "7", 50, 4, 5, "2"),  # 4 carried in used up, 3 own used: 7 own unused, 5 roll, 2 lapse
    ],
)
def test_rollover_allowance(
    entitled: int, used: str, max_pct: int, carried_in: int, carried: int, lapsed: str
) -> None:
    result = terms.rollover_allowance(entitled, Decimal(used), Decimal(max_pct), carried_in)
    assert result.carried == carried
    assert result.lapsed == Decimal(lapsed)
    assert result.carried <= result.cap == int(entitled * max_pct / 100)
    assert result.carried + result.lapsed + min(Decimal(used), entitled + carried_in) == entitled + carried_in


# ---------------------------------------------------------------- pilot


def test_pilot_fee_cap_and_entitlements() -> None:
    annual = Money(Decimal(13800), "EUR")
    pro_rata = terms.pilot_terms(6, annual, None)
    assert pro_rata.fee.amount == Decimal(6900)
    assert terms.round_money(pro_rata.monthly_fee).amount == Decimal("1150.00")
    fixed = terms.pilot_terms(6, annual, Money(Decimal(5500), "EUR"))
    assert terms.round_money(fixed.monthly_fee).amount == Decimal("916.67")
    # the yearly cap percentage of the pilot fee: with a pro-rata fee, the yearly cap pro-rated to the months
    yearly_cap = terms.round_money(terms.percent_of(annual, SEED.cap_per_year_pct)).amount
    assert terms.pilot_credit_cap(SEED, pro_rata).amount == yearly_cap * 6 / 12 == Decimal("690.00")
    assert terms.pilot_credit_cap(SEED, fixed).amount == Decimal("550.00")
    assert [terms.pilot_entitlement(n, 6) for n in (24, 16, 10, 4, 1)] == [12, 8, 5, 2, 0]  # rounded down
    assert terms.pilot_entitlement(10, 5) == 4


def test_pilot_months_have_their_own_fee_and_cap() -> None:
    annual = Money(Decimal(13800), "EUR")
    pilot = terms.pilot_terms(6, annual, Money(Decimal(5500), "EUR"))
    start = dt.date(2026, 2, 1)
    steep = ServiceCredits.model_validate(
        SEED.model_dump() | {"schedule": [{"below_pct": 90, "credit_pct": 20}], "cap_per_period_pct": 20}
    )
    entries = [terms.MonthInput(terms.add_months(start, i), Decimal(50)) for i in range(8)]  # every month missed
    results = terms.assess_credits(steep, annual, start, entries, pilot=pilot)
    assert [r.pilot for r in results] == [True] * 6 + [False, False]
    assert {r.year_cap.amount for r in results[:6]} == {Decimal("550.00")}
    assert results[-1].year_cap.amount == Decimal("1380.00")
    # 20% of the pilot's 916.67 a month = 183.33, until the pilot cap of 550.00 binds
    three = [Decimal("183.33")] * 3
    assert [r.credit.amount for r in results[:6]] == [0, *three, Decimal("0.01"), 0]
    assert results[5].year_total.amount == Decimal("550.00")
    # the first Contract Year starts at conversion with its own, fresh cap and the annual retainer's monthly fee
    assert results[6].credit.amount == Decimal("230.00") and results[6].year_total.amount == Decimal("230.00")


def test_timeline_with_a_pilot_counts_years_from_conversion() -> None:
    timeline = terms.Timeline(dt.date(2026, 2, 1), 24, 12, pilot_months=6)
    assert timeline.conversion_date == dt.date(2026, 8, 1)
    assert timeline.year_of(dt.date(2026, 7, 1)) == terms.PILOT
    assert timeline.year_of(dt.date(2026, 8, 1)) == 0 and timeline.year_of(dt.date(2027, 8, 1)) == 1
    assert timeline.term_ending_years(2) == [1, 2]
    assert terms.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
