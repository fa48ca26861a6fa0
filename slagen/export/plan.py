"""What a help desk needs to measure one contract: each severity's targets as whole minutes on an elapsed or a
business-hours clock, the contract's calendar (business week, public holidays over the term) and its thresholds.

The clock of a target follows its unit exactly as `terms.BusinessCalendar.deadline` reads it (the one definition of
a deadline): minutes and hours are elapsed time, calendar days are elapsed days, business hours and business days
count only business hours. "N business days" falls due at the same time of day N business days later, which on a
business-hours clock is N times the length of the support day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from slagen.calendars import Calendar, holiday_table, resolve_calendar
from slagen.errors import collect
from slagen.model import Customer, Tier, WorkspaceConfig
from slagen.terms import add_months
from slagen.units import Duration
from slagen.workspace_data import Sourced

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


@dataclass(frozen=True)
class ClockTarget:
    """One target as a help desk counts it."""

    minutes: int  # whole minutes on the clock below
    business_hours: bool  # True: only business hours count; False: every minute counts
    text: str  # as the tier states it, e.g. "1 business day"


@dataclass(frozen=True)
class SeverityTargets:
    severity: str  # "sev1"
    name: str  # the workspace's name, e.g. "Critical"
    label: str  # strings.yaml's short label, e.g. "Sev-1"
    response: ClockTarget
    resolution: ClockTarget
    where: str  # "tiers/premium.yaml:11", for messages


@dataclass(frozen=True)
class Holiday:
    day: dt.date
    name: str


@dataclass(frozen=True)
class ExportPlan:
    """Everything the Zendesk, Freshdesk and OpenSLO writers draw from; computed once, no wording of its own."""

    provider: str  # provider's legal name
    tier: str  # tier id
    tier_name: str
    customer: str  # short name
    customer_name: str  # legal name
    calendar: Calendar
    day_minutes: int  # length of the support day
    weekdays: tuple[int, ...]  # business weekdays, Monday = 0
    opens_minute: int  # minutes after midnight the support day starts
    targets: tuple[SeverityTargets, ...]
    start: dt.date  # first day the holidays cover: the Effective Date
    end: dt.date  # last day: the end of the initial term and its first renewal
    holidays: tuple[Holiday, ...]  # public holidays of the calendar from start to end
    make_up_days: tuple[dt.date, ...]  # weekend days the official calendar makes working days
    credit_below_pct: Decimal | None  # a month below this compliance is missed (the schedule's first step)
    min_incidents: int
    bonus_above_pct: Decimal | None  # annual compliance above this earns the performance credit
    availability_pct: Decimal | None
    availability_service: str | None
    timezone_where: str  # where the calendar's time zone is set: "examples/customers/acme.yaml:38"


def clock_target(duration: Duration, day_minutes: int, where: str, field: str) -> tuple[ClockTarget | None, str | None]:
    """The target in whole minutes on its clock, or why it has none (a fraction of a minute)."""
    per_unit = {
        "minutes": (Decimal(1), False),
        "hours": (Decimal(60), False),
        "days": (Decimal(24 * 60), False),
        "business_hours": (Decimal(60), True),
        "business_days": (Decimal(day_minutes), True),
    }
    factor, business = per_unit[duration.unit]
    minutes = duration.amount * factor
    if minutes != minutes.to_integral_value():
        return None, (
            f"{where}: {field}: '{duration}' is {minutes.normalize():f} minutes; help desks count targets in whole "
            "minutes, so state it in whole minutes"
        )
    return ClockTarget(int(minutes), business, str(duration)), None


def term_span(customer: Customer) -> tuple[dt.date, dt.date]:
    """From the Effective Date to the end of the initial term (a pilot included) and of its first renewal."""
    months = (customer.pilot.months if customer.pilot else 0) + customer.initial_term_months
    end = add_months(customer.effective_date, months + customer.renewal_term_months)
    return customer.effective_date, end - dt.timedelta(days=1)


def calendar_days(calendar: Calendar, start: dt.date, end: dt.date) -> tuple[tuple[Holiday, ...], tuple[dt.date, ...]]:
    """The public holidays from `start` to `end` (the same table the contract's deadlines use) and the weekend
    days the official calendar turns into working days."""
    table = holiday_table(calendar.holidays, calendar.holiday_subdivision)
    found: list[Holiday] = []
    day = start
    while day <= end:
        if day in table:  # fills that year, make-up working days included
            found.append(Holiday(day, str(table.get(day))))
        day += dt.timedelta(days=1)
    make_up = tuple(sorted(day for day in getattr(table, "weekend_workdays", ()) if start <= day <= end))
    return tuple(found), make_up


def export_plan(
    config: Sourced[WorkspaceConfig], tier: Sourced[Tier], terms: Tier, customer: Sourced[Customer],
    labels: dict[str, str],
) -> ExportPlan:
    """The plan for one customer's contract on one tier (`terms`: the tier after the customer's overrides)."""
    calendar = resolve_calendar(config.model.defaults, customer.model)
    hours = calendar.business_hours
    opens = hours.start.hour * 60 + hours.start.minute
    day_minutes = hours.end.hour * 60 + hours.end.minute - opens
    problems: list[str] = []
    targets: list[SeverityTargets] = []
    severities = config.model.severities
    for severity in SEVERITIES:
        target = terms.targets[severity]
        found: dict[str, ClockTarget] = {}
        for field in ("response", "resolution"):
            clock, problem = clock_target(
                getattr(target, field), day_minutes, tier.where("targets", severity, field),
                f"targets.{severity}.{field}",
            )
            if problem:
                problems.append(problem)
            elif clock:
                found[field] = clock
        if len(found) == 2:
            targets.append(SeverityTargets(
                severity, severities[severity].name, labels[severity], found["response"], found["resolution"],
                tier.where("targets", severity),
            ))
    collect(problems)
    start, end = term_span(customer.model)
    holidays, make_up = calendar_days(calendar, start, end)
    credits = terms.service_credits
    return ExportPlan(
        provider=config.model.provider.legal_name,
        tier=terms.id,
        tier_name=terms.name,
        customer=customer.model.short_name,
        customer_name=customer.model.legal_name,
        calendar=calendar,
        day_minutes=day_minutes,
        weekdays=tuple(sorted(WEEKDAY_INDEX[day] for day in hours.days)),
        opens_minute=opens,
        targets=tuple(targets),
        start=start,
        end=end,
        holidays=holidays,
        make_up_days=make_up,
        credit_below_pct=credits.schedule[0].below_pct if credits and credits.metric == "incident_compliance" else None,
        min_incidents=credits.min_incidents if credits else 0,
        bonus_above_pct=terms.performance_credit.above_pct if terms.performance_credit else None,
        availability_pct=terms.availability.target_pct if terms.availability else None,
        availability_service=terms.availability.service if terms.availability else None,
        timezone_where=(
            customer.where("calendar", "timezone") if customer.model.calendar and customer.model.calendar.timezone
            else config.where("defaults", "timezone")
        ),
    )
