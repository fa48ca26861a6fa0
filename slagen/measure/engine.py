"""`slagen measure` from the export to the report: read, judge each ticket, count the months, and run the months
through the same functions as `slagen credits` (calculator.calculate: credits, caps, performance credit, chronic
failure)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import numpy as np

from slagen import calculator, terms
from slagen.calendars import Calendar, resolve_calendar, timezone_name
from slagen.commercial import timeline
from slagen.errors import InputError, UsageError
from slagen.measure import formats
from slagen.measure.kpis import kpis, pct
from slagen.measure.report import (
    CalendarNote,
    CreditStep,
    Kpis,
    MeasureReport,
    PeriodResult,
    SeverityMonth,
    TargetRule,
    Thresholds,
    TicketVerdict,
    YearResult,
)
from slagen.measure.tickets import MISSING, Tickets, header_of, read_text, read_tickets
from slagen.measure.verdicts import UNDECIDED, Verdicts, measure, minutes
from slagen.model import Customer, Tier, WorkspaceConfig
from slagen.overrides import terms_for
from slagen.pricing import annual_retainer, contract_currency
from slagen.units import Money
from slagen.workspace_data import Sourced, Workspace

BREACHED_PER_PERIOD = 100  # breached tickets listed per month in the report (the latest first); all are in the CSV
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Measurement:
    """The report with the columns behind it (for the audit CSV)."""

    report: MeasureReport
    tickets: Tickets
    verdicts: Verdicts
    month: np.ndarray  # months since 1970-01 of each ticket's resolution (contract zone); -1 while open
    counted: np.ndarray  # bool: counted in a month measured


def month_option(option: str, value: str | None) -> int | None:
    """`--from 2026-01` as months since 1970-01."""
    if value is None:
        return None
    match = _MONTH.match(value.strip())
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"{option} {value!r}: use YYYY-MM, e.g. {option} 2026-01")
    return (int(match.group(1)) - 1970) * 12 + int(match.group(2)) - 1


def month_start(index: int) -> dt.date:
    return dt.date(1970 + index // 12, index % 12 + 1, 1)


def when(ms: int, calendar: Calendar) -> dt.datetime | None:
    if ms == MISSING:
        return None
    return (_EPOCH + dt.timedelta(milliseconds=int(ms))).astimezone(calendar.zone)


def target_rules(config: WorkspaceConfig, tier: Tier) -> tuple[TargetRule, ...]:
    return tuple(
        TargetRule(severity, config.severities[severity].name, str(target.response), str(target.resolution),
                   target.coverage)
        for severity, target in tier.targets.items()
    )


def thresholds(tier: Tier) -> Thresholds:
    credits, bonus = tier.service_credits, tier.performance_credit
    chronic = credits.chronic_failure if credits else None
    return Thresholds(
        credit_below_pct=credits.schedule[0].below_pct if credits else None,
        schedule=tuple(CreditStep(step.below_pct, step.credit_pct) for step in credits.schedule) if credits else (),
        consecutive_periods=credits.consecutive_periods if credits else 1,
        min_incidents=credits.min_incidents if credits else 0,
        cap_per_period_pct=credits.cap_per_period_pct if credits else None,
        cap_per_year_pct=credits.cap_per_year_pct if credits else None,
        bonus_above_pct=bonus.above_pct if bonus else None,
        bonus_credit_pct=bonus.credit_pct if bonus else None,
        chronic_missed=chronic.missed_periods if chronic else None,
        chronic_window=chronic.window_periods if chronic else None,
    )


def calendar_note(calendar: Calendar, naive: int) -> CalendarNote:
    hours = calendar.business_hours
    days = ", ".join(hours.days)
    region = calendar.holidays
    if calendar.holiday_subdivision:
        region += f"-{calendar.holiday_subdivision}"
    return CalendarNote(
        timezone=calendar.timezone,
        timezone_name=timezone_name(calendar.timezone),
        business_hours=f"{hours.start:%H:%M}-{hours.end:%H:%M} ({days})",
        holidays=region,
        customer_calendar=calendar.own,
        naive_timestamps=naive,
    )


def load(path: Path, display: str, fmt: str | None, map_file: Path | None, tier: Tier, calendar: Calendar
         ) -> Tickets:
    text = read_text(path, display)
    mapping = formats.choose(header_of(text), display, fmt, map_file)
    return read_tickets(path, display, mapping, text, tuple(tier.targets), calendar.zone)


def measure_export(
    ws: Workspace, tier_id: str, customer: Sourced[Customer], path: Path, display: str, fmt: str | None = None,
    map_file: Path | None = None, first: int | None = None, last: int | None = None,
) -> tuple[Tier, Measurement]:
    """A ticket export measured against a workspace tier as this customer has it (its overrides, its calendar,
    its contract currency): what `slagen measure` and `slagen serve`'s scorecard preview both report."""
    config = ws.config.model
    tier = terms_for(ws.tier(tier_id).model, customer)
    tickets = load(path, display, fmt, map_file, tier, resolve_calendar(config.defaults, customer.model))
    currency = contract_currency(config.defaults, customer.model)
    return tier, run(config, tier, customer.model, currency, tickets, first, last)


def run(config: WorkspaceConfig, tier: Tier, customer: Customer, currency: str, tickets: Tickets,
        first: int | None = None, last: int | None = None) -> Measurement:
    """Measure the tickets against the tier as this customer has it (`tier` after the customer's overrides)."""
    calendar = resolve_calendar(config.defaults, customer)
    verdicts = measure(tickets, tier, calendar)
    resolved = tickets.times["resolved"]
    done = resolved != MISSING
    month = np.full(len(tickets), -1, dtype=np.int64)
    if done.any():
        days = verdicts.spine.zone.to_wall(resolved[done]) // 86_400_000
        month[done] = days.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    in_data = month[done & ~tickets.excluded]
    low = first if first is not None else (int(in_data.min()) if in_data.size else None)
    high = last if last is not None else (int(in_data.max()) if in_data.size else None)
    if low is None or high is None:
        raise InputError(f"{tickets.source}: no ticket is resolved and counted; nothing to measure (give --from and "
                         "--to to report empty months)")
    if high < low:
        raise UsageError(f"--from {month_start(low):%Y-%m} is after --to {month_start(high):%Y-%m}")
    span = high - low + 1
    inside = done & (month >= low) & (month <= high)
    counted = inside & ~tickets.excluded
    relative = (month - low).clip(0, span - 1)
    incidents = np.bincount(relative[counted], minlength=span)
    met = np.bincount(relative[counted & verdicts.met], minlength=span)
    excluded = np.bincount(relative[inside & tickets.excluded], minlength=span)
    severities = len(tickets.severities)
    cells = relative * severities + tickets.severity
    by_count = {
        "incidents": np.bincount(cells[counted], minlength=span * severities),
        "response": np.bincount(cells[counted & (verdicts.response.verdict == 1)], minlength=span * severities),
        "resolution": np.bincount(cells[counted & (verdicts.resolution.verdict == 1)], minlength=span * severities),
        "met": np.bincount(cells[counted & verdicts.met], minlength=span * severities),
    }
    month_inputs = []
    for index in range(span):
        compliance = pct(int(met[index]), int(incidents[index]))
        month_inputs.append(terms.MonthInput(month_start(low + index), compliance if compliance is not None
                                             else Decimal(100), int(incidents[index])))
    credited = _credits(tier, customer, currency, month_inputs)
    periods = []
    for index, entry in enumerate(month_inputs):
        result = credited.months[index] if credited else None
        zero = Money(Decimal(0), currency)
        periods.append(PeriodResult(
            period=f"{entry.month:%Y-%m}",
            month=entry.month,
            incidents=int(incidents[index]),
            met=int(met[index]),
            excluded=int(excluded[index]),
            compliance_pct=entry.compliance_pct if incidents[index] else None,
            counts=result.counts if result else True,
            missed=result.missed if result else False,
            consecutive_missed=result.consecutive_missed if result else 0,
            schedule_pct=result.step_pct if result else Decimal(0),
            credit=result.credit if result else zero,
            year_total=result.year_total if result else zero,
            year_cap=result.year_cap if result else zero,
            chronic_failure=result.chronic_failure if result else False,
            pilot=result.pilot if result else False,
            by_severity=tuple(
                SeverityMonth(severity, *(int(by_count[key][index * severities + code])
                                          for key in ("incidents", "response", "resolution", "met")))
                for code, severity in enumerate(tickets.severities)
            ),
        ))
    period_tuple = tuple(periods)
    retainer = annual_retainer(tier, currency)
    report = MeasureReport(
        tier=tier.id,
        tier_name=tier.name,
        customer=customer.short_name,
        customer_name=customer.legal_name,
        currency=currency,
        monthly_retainer=terms.round_money(terms.monthly(retainer)) if retainer else Money(Decimal(0), currency),
        source=tickets.source,
        source_format=tickets.format,
        calendar=calendar_note(calendar, tickets.naive),
        targets=target_rules(config, tier),
        thresholds=thresholds(tier),
        tickets=len(tickets),
        open_tickets=int((~done).sum()),
        periods=period_tuple,
        years=_years(credited, month_inputs, tier, customer),
        total_credit=Money(sum((period.credit.amount for period in periods), Decimal(0)), currency),
        chronic_failure_from=f"{credited.chronic_failure_from:%Y-%m}" if credited and
        credited.chronic_failure_from else None,
        breached=_breached(tickets, verdicts, counted, month, calendar),
        kpis=kpis(tickets, verdicts, counted, period_tuple),
        quarter_kpis=_quarter_kpis(tickets, verdicts, counted, month, period_tuple),
    )
    return Measurement(report, tickets, verdicts, month, counted)


def _quarter_kpis(tickets: Tickets, verdicts: Verdicts, counted: np.ndarray, month: np.ndarray,
                  periods: tuple[PeriodResult, ...]) -> tuple[tuple[str, Kpis], ...]:
    quarters: dict[str, list[PeriodResult]] = {}
    for period in periods:
        quarters.setdefault(f"{period.month.year}-Q{(period.month.month - 1) // 3 + 1}", []).append(period)
    result = []
    for key, members in quarters.items():
        indexes = [(period.month.year - 1970) * 12 + period.month.month - 1 for period in members]
        result.append((key, kpis(tickets, verdicts, counted & np.isin(month, indexes), tuple(members))))
    return tuple(result)


def _credits(tier: Tier, customer: Customer, currency: str, months: list[terms.MonthInput]
             ) -> calculator.CreditReport | None:
    """The months through `slagen credits`' own calculation; None when the tier has no credits or no retainer."""
    if tier.service_credits is None or annual_retainer(tier, currency) is None:
        return None
    return calculator.calculate(tier, customer, currency, months)


def _years(credited: calculator.CreditReport | None, months: list[terms.MonthInput], tier: Tier,
           customer: Customer) -> tuple[YearResult, ...]:
    if credited is None:
        return ()
    line = timeline(customer, tier)
    counted: dict[int, int] = {}
    for entry in months:
        if entry.incidents:
            year = line.year_of(entry.month)
            counted[year] = counted.get(year, 0) + 1
    return tuple(
        YearResult(
            contract_year=year + 1,
            compliance_pct=pct_value,
            months=counted.get(year, 0),
            complete=year in credited.full_years,
            ends_term=credited.ends_term[year],
            performance_credit=credited.performance_credit.get(year),
        )
        for year, pct_value in sorted(credited.annual_compliance.items())
    )


def _breached(tickets: Tickets, verdicts: Verdicts, counted: np.ndarray, month: np.ndarray, calendar: Calendar
              ) -> tuple[TicketVerdict, ...]:
    late = counted & ~verdicts.met
    lateness = np.maximum(
        np.where(verdicts.response.verdict == 1, MISSING, tickets.times["first_response"] - verdicts.response.due),
        np.where(verdicts.resolution.verdict == 1, MISSING, tickets.times["resolved"] - verdicts.resolution.due),
    )
    chosen: list[int] = []
    for value in np.unique(month[late]):
        members = np.flatnonzero(late & (month == value))
        order = np.lexsort((tickets.lines[members], -lateness[members]))
        chosen.extend(int(index) for index in members[order][:BREACHED_PER_PERIOD])
    return tuple(verdict_of(tickets, verdicts, index, month, calendar) for index in chosen)


def verdict_of(tickets: Tickets, verdicts: Verdicts, index: int, month: np.ndarray, calendar: Calendar
               ) -> TicketVerdict:
    times = tickets.times
    response, resolution = verdicts.response, verdicts.resolution

    def judged(value: int) -> bool | None:
        return None if value == UNDECIDED else bool(value)

    def taken(value: int) -> Decimal | None:
        return None if value == MISSING else minutes(value)

    created = when(int(times["created"][index]), calendar)
    assert created is not None
    return TicketVerdict(
        row=int(tickets.lines[index]),
        id=tickets.ids[index],
        severity=tickets.severities[int(tickets.severity[index])],
        created=created,
        first_response=when(int(times["first_response"][index]), calendar),
        resolved=when(int(times["resolved"][index]), calendar),
        paused_minutes=minutes(resolution.paused[index]),
        response_due=when(int(response.due[index]), calendar) or created,
        resolution_due=when(int(resolution.due[index]), calendar) or created,
        response_minutes=taken(int(response.taken[index])),
        resolution_minutes=taken(int(resolution.taken[index])),
        response_met=judged(int(response.verdict[index])),
        resolution_met=judged(int(resolution.verdict[index])),
        met=bool(verdicts.met[index]),
        excluded=bool(tickets.excluded[index]),
        period=f"{month_start(int(month[index])):%Y-%m}" if month[index] >= 0 else None,
    )
