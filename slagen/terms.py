"""The contract maths: business-calendar deadlines, terms and contract years, service and performance credits,
discounts, in exact Decimal."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from slagen.calendars import Calendar, holiday_table
from slagen.model import WEEKDAYS, EarlyRenewal, PerformanceCredit, ServiceCredits
from slagen.units import Duration, Money

HUNDRED = Decimal(100)
MONTHS_PER_YEAR = 12
ROUNDING = ROUND_HALF_UP


# ---------------------------------------------------------------- money


def currency_digits(currency: str) -> int:
    from babel.numbers import get_currency_precision

    return int(get_currency_precision(currency))


def round_money(money: Money) -> Money:
    """The one place amounts are rounded: half up, to the currency's smallest unit."""
    quantum = Decimal(1).scaleb(-currency_digits(money.currency))
    return Money(money.amount.quantize(quantum, rounding=ROUNDING), money.currency)


def percent_of(money: Money, pct: Decimal) -> Money:
    """`pct` percent of `money`, exact (no rounding)."""
    return Money(money.amount * pct / HUNDRED, money.currency)


def monthly(annual: Money) -> Money:
    """A twelfth of an annual amount, exact (no rounding)."""
    return Money(annual.amount / MONTHS_PER_YEAR, annual.currency)


# ---------------------------------------------------------------- invoicing

INSTALMENTS_PER_YEAR: dict[str, int] = {"annually": 1, "quarterly": 4, "monthly": 12}


@dataclass(frozen=True)
class Instalments:
    """How an annual fee is invoiced in advance: `count` instalments a contract year that add up to it exactly."""

    schedule: str
    count: int
    regular: Money  # each instalment of a contract year but the last: the fee divided by `count`, rounded once
    last: Money  # the last instalment of the year: the fee less the others, so it absorbs the rounding remainder

    @property
    def even(self) -> bool:
        return self.regular.amount == self.last.amount


def instalments(annual: Money, schedule: str) -> Instalments:
    """The instalments of `annual` on `schedule` ('annually', 'quarterly' or 'monthly').

    Each is the fee divided by the number of instalments, rounded once (half up, to the currency's smallest
    unit); the last of each contract year takes the rounding remainder, so the year's instalments add up to
    the fee to the cent.
    """
    count = INSTALMENTS_PER_YEAR[schedule]
    regular = round_money(Money(annual.amount / count, annual.currency))
    last = Money(annual.amount - regular.amount * (count - 1), annual.currency)
    return Instalments(schedule, count, regular, last)


# ---------------------------------------------------------------- availability


def allowed_downtime_minutes(target_pct: Decimal, days: int) -> Decimal:
    """Downtime a target allows in a period of `days` days, on the period's real length."""
    return (HUNDRED - target_pct) / HUNDRED * days * 24 * 60


def days_in_month(month: dt.date) -> int:
    following = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (following - dt.date(month.year, month.month, 1)).days


# ---------------------------------------------------------------- business calendar


@dataclass
class BusinessCalendar:
    """When business hours and business days run on one contract's calendar (see calendars.resolve_calendar)."""

    calendar: Calendar

    @cached_property
    def zone(self) -> ZoneInfo:
        return self.calendar.zone

    @cached_property
    def _holidays(self) -> Any:
        return holiday_table(self.calendar.holidays, self.calendar.holiday_subdivision)

    def is_business_day(self, day: dt.date) -> bool:
        """A working weekday that is not a public holiday, or a weekend day the official calendar makes a
        working day in place of a holiday (China's adjusted working days)."""
        if day in self._holidays:  # also fills that year's make-up working days
            return False
        weekday = WEEKDAYS[day.weekday()]
        return weekday in self.calendar.business_hours.days or day in self._holidays.weekend_workdays

    def _open_close(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        hours = self.calendar.business_hours
        return (
            dt.datetime.combine(day, hours.start, self.zone),
            dt.datetime.combine(day, hours.end, self.zone),
        )

    def deadline(self, start: dt.datetime, duration: Duration) -> dt.datetime:
        """When a target of `duration` that starts at `start` (an aware datetime) falls due, in the calendar's zone.

        Minutes and hours are real elapsed time: across a change to or from daylight saving time the wall
        clock moves by one hour more or less. Calendar days and business days end at the same time of day.
        """
        local = start.astimezone(self.zone)
        if duration.unit in ("minutes", "hours"):
            minutes = duration.amount * (60 if duration.unit == "hours" else 1)
            elapsed = start.astimezone(dt.UTC) + dt.timedelta(minutes=float(minutes))
            return elapsed.astimezone(self.zone)
        if duration.unit == "days":
            return local + dt.timedelta(days=float(duration.amount))
        if duration.unit == "business_days":
            return self._add_business_days(local, int(duration.amount))
        return self._add_business_minutes(local, duration.amount * 60)

    def _add_business_minutes(self, local: dt.datetime, minutes: Decimal) -> dt.datetime:
        remaining = dt.timedelta(minutes=float(minutes))
        day = local.date()
        while True:
            if self.is_business_day(day):
                opens, closes = self._open_close(day)
                begin = max(local, opens)
                if begin < closes:
                    if begin + remaining <= closes:
                        return begin + remaining
                    remaining -= closes - begin
            day += dt.timedelta(days=1)
            local = dt.datetime.combine(day, dt.time(0), self.zone)

    def _add_business_days(self, local: dt.datetime, days: int) -> dt.datetime:
        # A request after closing time counts from the next business day's opening.
        day = local.date()
        opens, closes = self._open_close(day)
        if not self.is_business_day(day) or local >= closes:
            local = opens
            while True:
                day += dt.timedelta(days=1)
                if self.is_business_day(day):
                    local = self._open_close(day)[0]
                    break
        elif local < opens:
            local = opens
        moved = 0
        day = local.date()
        while moved < days:
            day += dt.timedelta(days=1)
            if self.is_business_day(day):
                moved += 1
        return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), self.zone)


def business_clock(duration: Duration, coverage: str) -> bool:
    """Whether a target counts Business Hours only (clause "Service Targets"): every target of a severity whose
    clock runs in Business Hours, and a target stated in business hours or business days; otherwise every hour
    counts, in real elapsed time. `slagen measure` measures each target on this clock."""
    return coverage == "business_hours" or duration.unit in ("business_hours", "business_days")


# ---------------------------------------------------------------- service credits


@dataclass(frozen=True)
class MonthInput:
    month: dt.date  # first day of the calendar month
    compliance_pct: Decimal
    incidents: int | None = None


@dataclass(frozen=True)
class MonthResult:
    month: dt.date
    compliance_pct: Decimal
    counts: bool  # enough incidents for the month to count
    missed: bool  # below the first threshold
    consecutive_missed: int
    step_pct: Decimal  # the schedule's credit for this compliance, before caps
    credit: Money  # due this month, rounded once
    year_total: Money  # credits so far in this contract year
    year_cap: Money
    chronic_failure: bool  # termination right arises this month
    pilot: bool = False  # the month falls in a pilot term (its own fee and cap)


def schedule_pct(credits: ServiceCredits, compliance_pct: Decimal) -> Decimal:
    """The credit percent the schedule gives: the lowest step the measure falls below."""
    pct = Decimal(0)
    for step in credits.schedule:
        if compliance_pct < step.below_pct:
            pct = step.credit_pct
    return pct


PILOT = -1  # the period index of a pilot term's months: before Contract Year 0


def months_between(start: dt.date, month: dt.date) -> int:
    return (month.year - start.year) * 12 + month.month - start.month


def contract_year(effective: dt.date, month: dt.date, pilot_months: int = 0) -> int:
    """The 0-based Contract Year of a month; with a pilot, PILOT for its months and years count from its end."""
    months = months_between(effective, month)
    if months < pilot_months:
        return PILOT
    return (months - pilot_months) // MONTHS_PER_YEAR


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, days_in_month(dt.date(year, month, 1))))


# ---------------------------------------------------------------- pilot


@dataclass(frozen=True)
class PilotTerms:
    """A pilot that opens the agreement: its length and its whole fee (agreed, or the retainer pro rata)."""

    months: int
    fee: Money

    @property
    def monthly_fee(self) -> Money:
        """The pilot's Monthly Retainer, on which its service credits are calculated, exact."""
        return Money(self.fee.amount / self.months, self.fee.currency)


def pro_rata(annual: Money, months: int) -> Money:
    """`months` twelfths of an annual amount, exact."""
    return Money(annual.amount * months / MONTHS_PER_YEAR, annual.currency)


def pilot_terms(months: int, annual: Money, fee: Money | None) -> PilotTerms:
    """The pilot's fee: the agreed pilot fee, or else the annual retainer pro rata to the pilot's months."""
    return PilotTerms(months, fee if fee is not None else pro_rata(annual, months))


def pilot_credit_cap(credits: ServiceCredits, pilot: PilotTerms) -> Money:
    """Service credits over the whole pilot are capped at the yearly cap percentage of the pilot fee (so, with a
    pro-rata fee, the yearly cap pro-rated to the pilot's months), rounded once."""
    return round_money(percent_of(pilot.fee, credits.cap_per_year_pct))


def pilot_entitlement(per_year: int, months: int) -> int:
    """A yearly entitlement during a pilot: pro rata to its months, rounded down to whole units."""
    return per_year * months // MONTHS_PER_YEAR


# ---------------------------------------------------------------- rollover of unused entitlements


@dataclass(frozen=True)
class RolloverResult:
    """One entitlement over one Contract Year: what was used, what rolls into the next year, what lapses."""

    entitled: int  # the year's own entitlement
    carried_in: int  # units rolled in from the year before (used first; they lapse at this year's end)
    used: Decimal
    unused: Decimal  # of the year's own entitlement
    cap: int  # the most that may roll over: max_pct of the year's entitlement, whole units
    carried: int  # units that roll into the next Contract Year
    lapsed: Decimal  # units that lapse at the year's end: own units beyond the cap and unused carried-in units


def rollover_allowance(entitled: int, used: Decimal, max_pct: Decimal, carried_in: int = 0) -> RolloverResult:
    """Unused units of one countable entitlement that roll into the next Contract Year.

    Units carried in from the year before are used first, and lapse at the end of this year if unused (they never
    roll twice). Of the year's own entitlement, what is unused rolls over up to `max_pct` of it; both the cap and the
    units carried are rounded down to whole units.
    """
    from_carried = min(used, Decimal(carried_in))
    unused = max(Decimal(0), entitled - (used - from_carried))
    cap = int(Decimal(entitled) * max_pct / HUNDRED)  # int() rounds a non-negative value down
    carried = min(int(unused), cap)
    return RolloverResult(
        entitled=entitled,
        carried_in=carried_in,
        used=used,
        unused=unused,
        cap=cap,
        carried=carried,
        lapsed=unused - carried + (carried_in - from_carried),
    )


@dataclass(frozen=True)
class Timeline:
    """How the agreement runs: an optional pilot, then Contract Years of twelve months, and the terms (initial, then
    renewals) that end after `initial_term_months` and every `renewal_term_months` after that."""

    effective: dt.date
    initial_term_months: int
    renewal_term_months: int
    pilot_months: int = 0  # a pilot opens the agreement; Contract Years and terms count from its end

    def year_of(self, month: dt.date) -> int:
        """The 0-based Contract Year a calendar month (its first day) falls in; PILOT for a pilot month."""
        return contract_year(self.effective, month, self.pilot_months)

    @property
    def conversion_date(self) -> dt.date:
        """The day the first Contract Year (and the initial term) starts: the Effective Date, or a pilot's end."""
        return add_months(self.effective, self.pilot_months)

    def ends_term(self, year: int) -> bool:
        """Whether a term ends within 0-based Contract Year `year` (at its end or inside it).

        Only such a year is "the last Contract Year of the term then running", the one that can earn a performance
        credit: with a 24-month initial term, year 0 does not, year 1 does.
        """
        start, end = MONTHS_PER_YEAR * year, MONTHS_PER_YEAR * (year + 1)
        if self.initial_term_months > start:
            return self.initial_term_months <= end
        renewals = -(-(start + 1 - self.initial_term_months) // self.renewal_term_months)  # ceiling
        return self.initial_term_months + renewals * self.renewal_term_months <= end

    def term_ending_years(self, count: int) -> list[int]:
        """The first `count` 0-based Contract Years in which a term ends."""
        years: list[int] = []
        year = 0
        while len(years) < count:
            if self.ends_term(year):
                years.append(year)
            year += 1
        return years


def assess_credits(
    credits: ServiceCredits,
    annual_retainer: Money,
    effective: dt.date,
    months: list[MonthInput],
    pilot: PilotTerms | None = None,
) -> list[MonthResult]:
    """Month by month: whether the target was missed, the streak, the credit due and the running cap.

    With a pilot, its months take the pilot's Monthly Retainer and share the pilot's own cap; Contract Years
    count from its end.
    """
    pilot_months = pilot.months if pilot else 0
    monthly_fee = monthly(annual_retainer)
    year_cap = round_money(percent_of(annual_retainer, credits.cap_per_year_pct))
    results: list[MonthResult] = []
    history: list[bool] = []
    streak = 0
    totals: dict[int, Decimal] = {}
    for entry in sorted(months, key=lambda item: item.month):
        counts = entry.incidents is None or entry.incidents >= credits.min_incidents
        missed = counts and entry.compliance_pct < credits.schedule[0].below_pct
        streak = streak + 1 if missed else 0
        history.append(missed)
        step = schedule_pct(credits, entry.compliance_pct) if counts else Decimal(0)
        year = contract_year(effective, entry.month, pilot_months)
        in_pilot = pilot is not None and year == PILOT
        fee, cap = monthly_fee, year_cap
        if pilot is not None and in_pilot:
            fee, cap = pilot.monthly_fee, pilot_credit_cap(credits, pilot)
        used = totals.get(year, Decimal(0))
        amount = Decimal(0)
        if missed and streak >= credits.consecutive_periods:
            exact = percent_of(fee, min(step, credits.cap_per_period_pct)).amount
            rounded = round_money(Money(exact, annual_retainer.currency)).amount
            amount = max(Decimal(0), min(rounded, cap.amount - used))
        totals[year] = used + amount
        chronic = False
        rule = credits.chronic_failure
        if rule is not None and missed:
            window = history[-rule.window_periods :]
            chronic = sum(window) >= rule.missed_periods
        results.append(
            MonthResult(
                month=entry.month,
                compliance_pct=entry.compliance_pct,
                counts=counts,
                missed=missed,
                consecutive_missed=streak,
                step_pct=step,
                credit=Money(amount, annual_retainer.currency),
                year_total=Money(totals[year], annual_retainer.currency),
                year_cap=cap,
                chronic_failure=chronic,
                pilot=in_pilot,
            )
        )
    return results


def annual_compliance(months: list[MonthInput]) -> Decimal | None:
    """Mean monthly compliance over the months given, exact."""
    if not months:
        return None
    return sum((entry.compliance_pct for entry in months), Decimal(0)) / len(months)


def performance_credit_due(terms: PerformanceCredit, renewal_fee: Money, compliance_pct: Decimal) -> Money:
    """The customer's performance credit against the renewal fee: only when compliance is above the threshold."""
    if compliance_pct > terms.above_pct:
        return round_money(percent_of(renewal_fee, terms.credit_pct))
    return Money(Decimal(0), renewal_fee.currency)


def less(fee: Money, credit: Money) -> Money:
    """A fee after a credit or discount is deducted, never below zero."""
    return Money(max(Decimal(0), fee.amount - credit.amount), fee.currency)


def early_renewal_discount(terms: EarlyRenewal, renewal_fee: Money, days_before_expiry: int) -> Money:
    """Discount on the renewal fee when the renewal is signed inside the window before expiry."""
    if terms.min_days_before <= days_before_expiry <= terms.max_days_before:
        return round_money(percent_of(renewal_fee, terms.discount_pct))
    return Money(Decimal(0), renewal_fee.currency)
