"""The escalation matrix: what each level commits to per severity, and the rule that its targets fit.

Level 1 triages and confirms the severity within the severity's response target; a 'take_over' level
takes an incident over within its target of the handover; a 'root_cause_path' level proposes a path to
the root cause within its target. Take-over targets must fit inside the resolution target of every
severity they apply to, in every tier, on every calendar a contract of that tier can run on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from slagen import terms
from slagen.calendars import Calendar, resolve_calendar
from slagen.model import Customer, Defaults, EscalationLevel, SeverityId, Tier, WorkspaceConfig
from slagen.units import Duration
from slagen.workspace_data import Located

CLOCK_UNITS = frozenset({"minutes", "hours"})
BUSINESS_UNITS = frozenset({"business_hours", "business_days"})
# The provider's own calendar has no contract dates; with no customer to borrow them from, it is checked
# over this year. Any year serves: one ordinary week decides whether a target can fit.
FALLBACK_START = dt.date(2026, 1, 1)


# ---------------------------------------------------------------- the matrix for clauses and the summary


def escalation_context(
    config: WorkspaceConfig,
    tier: Tier,
    duration: Callable[[Duration], str],
    labels: dict[str, str],
    join: Callable[[list[str]], str],
) -> dict[str, Any]:
    """Each level with its targets grouped by duration, and the per-severity matrix of the tier."""
    levels = [_level(level, tier, duration, labels, join) for level in config.provider.escalation]
    later = [level for level in config.provider.escalation if level.duty != "confirm_severity"]
    rows = []
    others = []
    for sev, target in tier.targets.items():
        if not any(sev in level.targets for level in later):
            others.append(labels[sev])
            continue
        cells = [duration(level.targets[sev]) if sev in level.targets else None for level in later]
        rows.append({"label": labels[sev], "response": duration(target.response), "cells": cells})
    return {
        "levels": levels,
        "later_levels": levels[1:],
        "rows": rows,
        "others": join(others) if others else None,
        "has_gaps": any(cell is None for row in rows for cell in row["cells"]),
        "clock_targets": any(target.unit not in BUSINESS_UNITS for level in later for target in level.targets.values()),
        "business_targets": any(target.unit in BUSINESS_UNITS for level in later for target in level.targets.values()),
    }


def _level(
    level: EscalationLevel,
    tier: Tier,
    duration: Callable[[Duration], str],
    labels: dict[str, str],
    join: Callable[[list[str]], str],
) -> dict[str, Any]:
    groups: list[tuple[Duration, list[str]]] = []
    for sev in tier.targets:
        target = level.targets.get(sev)
        if target is None:
            continue
        for known, names in groups:
            if known == target:
                names.append(labels[sev])
                break
        else:
            groups.append((target, [labels[sev]]))
    return {
        "level": level.level,
        "role": level.role,
        "contact": level.contact,
        "duty": level.duty,
        "severities": join([labels[sev] for sev in tier.targets if sev in level.targets]),
        "groups": [{"severities": join(names), "duration": duration(target)} for target, names in groups],
    }


# ---------------------------------------------------------------- the fit rule


def escalation_problems(
    config: Located[WorkspaceConfig], tiers: Iterable[Located[Tier]], customers: Iterable[Located[Customer]]
) -> list[str]:
    """Each take-over target that cannot fit inside a resolution target it applies to, one line each.

    The rule, stated once: started at the same moment, a take-over target fits when there is at least one
    moment an incident can start at which it falls due no later than the resolution target. Clock targets
    (minutes, hours) against clock targets compare exactly as elapsed time; business time against business
    time compares exactly in business minutes on the calendar's day length (a business day is that many
    business hours, whichever moment the clock starts). Across clocks, or with calendar days, the calendar
    itself decides: both deadlines are computed from every opening and closing of a business day and every
    midnight over the contract term (the moments at which the difference between the two deadlines changes
    direction), so a business-time target is taken at its shortest possible elapsed time, holidays, weekends,
    official make-up working days and daylight-saving changes included.
    """
    problems = []
    ordered_tiers = sorted(tiers, key=lambda item: (item.model.level, item.model.id))
    ordered_customers = sorted(customers, key=lambda item: item.model.short_name)
    defaults = config.model.defaults
    for index, level in enumerate(config.model.provider.escalation):
        if level.duty != "take_over":
            continue  # a root-cause path concerns the permanent fix, which follows the resolution
        for sev, target in level.targets.items():
            for tier in ordered_tiers:
                failure = _first_misfit(defaults, ordered_customers, tier, sev, target)
                if failure is None:
                    continue
                resolution = tier.model.targets[sev].resolution
                problems.append(
                    f"{config.where('provider', 'escalation', index, 'targets', sev)}: "
                    f"provider.escalation[{index}].targets.{sev}: {target} cannot fit inside the Sev-{sev[-1]} "
                    f"resolution target of {resolution} in tier {tier.model.id!r} "
                    f"({tier.where('targets', sev, 'resolution')}){failure}"
                )
    return problems


def _first_misfit(
    defaults: Defaults, customers: list[Located[Customer]], tier: Located[Tier], sev: SeverityId, target: Duration
) -> str | None:
    """'' when the target cannot fit on the provider's calendar, the customer named when only theirs fails."""
    resolution = tier.model.targets[sev].resolution
    for customer, calendar, start, months in _calendars(defaults, customers, tier.model.id):
        if not fits(target, resolution, calendar, start, months):
            if customer is None:
                return ""
            return f" on the calendar of customer {customer.model.short_name!r} ({customer.where('calendar')})"
    return None


def _calendars(
    defaults: Defaults, customers: list[Located[Customer]], tier_id: str
) -> Iterator[tuple[Located[Customer] | None, Calendar, dt.date, int]]:
    """The provider's calendar first, then each customer's own calendar for a tier it takes (customers in
    order of short name)."""
    start = min((item.model.effective_date for item in customers), default=FALLBACK_START)
    yield None, resolve_calendar(defaults, None), start, 12
    for customer in customers:
        model = customer.model
        if model.calendar is not None and tier_id in model.tiers:
            yield customer, resolve_calendar(defaults, model), model.effective_date, model.initial_term_months


def fits(handover: Duration, resolution: Duration, calendar: Calendar, start: dt.date, months: int) -> bool:
    """Whether `handover` can fall due no later than `resolution`, both started at the same moment."""
    if handover.unit in CLOCK_UNITS and resolution.unit in CLOCK_UNITS:
        return _minutes(handover) <= _minutes(resolution)
    day_hours = calendar.business_hours.hours_per_day
    if handover.unit in BUSINESS_UNITS and resolution.unit in BUSINESS_UNITS:
        return _business_minutes(handover, day_hours) <= _business_minutes(resolution, day_hours)
    clock = terms.BusinessCalendar(calendar)
    return any(
        clock.deadline(moment, handover) <= clock.deadline(moment, resolution)
        for moment in _boundaries(clock, start, months)
    )


def _minutes(duration: Duration) -> Any:
    return duration.amount * (60 if duration.unit == "hours" else 1)


def _business_minutes(duration: Duration, day_hours: Any) -> Any:
    hours = duration.amount * (day_hours if duration.unit == "business_days" else 1)
    return hours * 60


def _boundaries(clock: terms.BusinessCalendar, start: dt.date, months: int) -> Iterator[dt.datetime]:
    hours = clock.calendar.business_hours
    zone = clock.zone
    end = dt.date(start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1)
    day = start
    while day < end:
        yield dt.datetime.combine(day, dt.time(0), zone)
        if clock.is_business_day(day):
            yield dt.datetime.combine(day, hours.start, zone)
            yield dt.datetime.combine(day, hours.end, zone)
        day += dt.timedelta(days=1)
