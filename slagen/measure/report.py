"""What `slagen measure` found: the frozen results the command table, the JSON, the audit CSV and the scorecard
PDF draw from. Plain data only (no I/O, no wording): every figure is computed once, in `slagen.measure`.

Conventions
- Times are aware datetimes in the contract's time zone (`MeasureReport.timezone`).
- Durations are Decimal minutes on the severity's own clock: real elapsed minutes for a 24/7 severity,
  business minutes for a business-hours one, with clock stops taken off.
- Percentages are exact Decimals (0-100); round them only when showing them. `shown_pct` rounds down, so a
  shown figure never appears to reach a threshold the exact one missed.
- Money is `Money` (Decimal + currency), already rounded once by `slagen.terms`.
- A KPI whose source columns are absent from the export is a `NotInData` value, never zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from slagen.units import Money


@dataclass(frozen=True)
class NotInData:
    """A KPI the export cannot answer: the columns it needs are absent (shown as "not in the data")."""

    columns: tuple[str, ...]  # canonical column names that would be needed, e.g. ("csat",)


def shown_pct(pct: Decimal, places: int = 2) -> Decimal:
    """A percentage for display: rounded down to `places`, so 89.996 shows as 89.99 (still below 90)."""
    return pct.quantize(Decimal(1).scaleb(-places), rounding=ROUND_DOWN)


# ---------------------------------------------------------------- the contract's rules, as measured


@dataclass(frozen=True)
class TargetRule:
    """One severity's targets as the contract states them (clause "Service Targets")."""

    severity: str  # the tier's severity id, e.g. "sev1"
    name: str  # the workspace's name for it, e.g. "Critical"
    response: str  # the target as written, e.g. "1 hour", "1 business day"
    resolution: str
    clock: str  # "24x7" (every hour counts) or "business_hours"


@dataclass(frozen=True)
class CreditStep:
    below_pct: Decimal  # Target Compliance below this ...
    credit_pct: Decimal  # ... gives this share of the Monthly Retainer


@dataclass(frozen=True)
class Thresholds:
    """The lines the compliance is judged against, from the tier (after the customer's negotiated terms)."""

    credit_below_pct: Decimal | None  # below this: a Missed Month (first step); None: no credits
    schedule: tuple[CreditStep, ...]
    consecutive_periods: int  # Missed Months in a row before a credit arises
    min_incidents: int  # a month with fewer Resolved Incidents does not count
    cap_per_period_pct: Decimal | None
    cap_per_year_pct: Decimal | None
    bonus_above_pct: Decimal | None  # annual compliance above this earns the performance credit
    bonus_credit_pct: Decimal | None
    chronic_missed: int | None  # chronic failure: this many Missed Months ...
    chronic_window: int | None  # ... within this many consecutive months


@dataclass(frozen=True)
class CalendarNote:
    """The calendar the measurement ran on, for the report's fine print."""

    timezone: str  # IANA zone, e.g. "Europe/Berlin"; timestamps without an offset were read in it
    timezone_name: str  # e.g. "Central European Time"
    business_hours: str  # e.g. "09:00-18:00, mon-fri"
    holidays: str  # e.g. "DE-BY"
    customer_calendar: bool  # the customer's own calendar (True) or the provider's (False)
    naive_timestamps: int  # timestamps in the export that had no offset and were read in `timezone`


# ---------------------------------------------------------------- tickets


@dataclass(frozen=True)
class TicketVerdict:
    """One ticket measured against its severity's targets (a row of the audit CSV; breached ones go on the PDF)."""

    row: int  # line number in the export (header is line 1)
    id: str
    severity: str
    created: dt.datetime
    first_response: dt.datetime | None  # None: no response recorded
    resolved: dt.datetime | None  # None: still open at the end of the export
    paused_minutes: Decimal  # clock stopped, on the severity's clock
    response_due: dt.datetime  # deadline after clock stops
    resolution_due: dt.datetime
    response_minutes: Decimal | None  # time to first response on the severity's clock, clock stops taken off
    resolution_minutes: Decimal | None
    response_met: bool | None  # None while it cannot be judged (open and not yet due)
    resolution_met: bool | None
    met: bool  # both targets met (the Target Compliance numerator)
    excluded: bool  # excluded under the contract's exclusions: not counted
    period: str | None  # "2026-03": the month (contract time zone) it was Resolved in; None while open


# ---------------------------------------------------------------- months, years


@dataclass(frozen=True)
class SeverityMonth:
    """One severity in one month: the red/amber/green cell of each target."""

    severity: str
    incidents: int  # Resolved in the month, excluded ones left out
    response_met: int
    resolution_met: int
    met: int  # both met


@dataclass(frozen=True)
class PeriodResult:
    """One calendar month: Target Compliance and what `slagen credits` makes of it (same functions)."""

    period: str  # "2026-03"
    month: dt.date  # its first day
    incidents: int  # Resolved in the month, excluded ones left out
    met: int
    excluded: int  # Resolved in the month but excluded
    compliance_pct: Decimal | None  # met / incidents * 100, exact; None when no incident was Resolved
    counts: bool  # enough incidents for the month to count (min_incidents)
    missed: bool  # a Missed Month
    consecutive_missed: int
    schedule_pct: Decimal  # the schedule's credit for this compliance, before caps
    credit: Money  # due for this month, after caps, rounded once
    year_total: Money  # credits so far in its contract year (or pilot)
    year_cap: Money
    chronic_failure: bool  # the termination right arises this month
    pilot: bool  # the month is in a pilot term
    by_severity: tuple[SeverityMonth, ...]


@dataclass(frozen=True)
class YearResult:
    """A contract year touched by the data: annual compliance and the performance credit (the bonus)."""

    contract_year: int  # 1-based
    compliance_pct: Decimal  # mean of its months measured, exact
    months: int  # months measured in it
    complete: bool  # all twelve months measured
    ends_term: bool  # a term ends in it (only such a year earns a performance credit)
    performance_credit: Money | None  # None: the tier has none, or the year ends no term


# ---------------------------------------------------------------- KPIs


@dataclass(frozen=True)
class Spread:
    """Median and 90th percentile (nearest-rank) of durations in minutes."""

    count: int
    median_minutes: Decimal
    p90_minutes: Decimal


@dataclass(frozen=True)
class SeverityTimes:
    severity: str
    response: Spread | None  # None: no ticket of this severity with a response
    resolution: Spread | None
    mean_resolution_minutes: Decimal | None


@dataclass(frozen=True)
class Escalation:
    """Time between tiers of the escalation path, in real elapsed minutes."""

    to_tier2: Spread | None  # created -> escalated_tier2; None: no ticket was escalated
    to_tier3: Spread | None  # escalated_tier2 -> escalated_tier3


@dataclass(frozen=True)
class Breakdown:
    """Incidents and compliance for one site, product family or root cause."""

    key: str
    incidents: int
    met: int
    compliance_pct: Decimal | None


@dataclass(frozen=True)
class Score:
    """A survey figure: mean CSAT on the export's own scale, or NPS (% promoters 9-10 less % detractors 0-6)."""

    responses: int  # tickets with an answer
    value: Decimal | None  # None when no ticket has an answer


@dataclass(frozen=True)
class Kpis:
    response_by_severity: tuple[SeverityTimes, ...]
    mean_time_to_resolution_minutes: Decimal | None  # all severities: real elapsed minutes, created to resolved
    first_contact_resolution_pct: Decimal | NotInData  # share resolved with one contact
    escalation: Escalation | NotInData
    met_by_month: tuple[tuple[str, Decimal | None], ...]  # ("2026-03", compliance)
    recurrence_by_root_cause: tuple[Breakdown, ...] | NotInData  # most frequent first
    csat: Score | NotInData
    nps: Score | NotInData
    by_site: tuple[Breakdown, ...] | NotInData
    by_product: tuple[Breakdown, ...] | NotInData


# ---------------------------------------------------------------- the whole report


@dataclass(frozen=True)
class MeasureReport:
    tier: str  # tier id
    tier_name: str
    customer: str  # short name
    customer_name: str  # legal name
    currency: str
    monthly_retainer: Money
    source: str  # the export's file name
    source_format: str  # "canonical", "zendesk", "jsm", "freshdesk" or "map"
    calendar: CalendarNote
    targets: tuple[TargetRule, ...]
    thresholds: Thresholds
    tickets: int  # rows read
    open_tickets: int  # not yet resolved at the end of the export (in no month)
    periods: tuple[PeriodResult, ...]  # calendar months in order, gaps filled with empty months
    years: tuple[YearResult, ...]
    total_credit: Money
    chronic_failure_from: str | None  # "2026-05": first month the termination right arises
    # counted tickets that missed a target: per month (in order) the most overdue first, at most
    # engine.BREACHED_PER_PERIOD (100) a month; PeriodResult.incidents - met is the full count, the audit CSV has all
    breached: tuple[TicketVerdict, ...]
    kpis: Kpis
    # the same KPIs over the tickets resolved in each calendar quarter measured: (("2026-Q1", Kpis), ...)
    quarter_kpis: tuple[tuple[str, Kpis], ...] = ()

    def quarters(self) -> dict[str, tuple[PeriodResult, ...]]:
        """Periods by calendar quarter, e.g. {"2026-Q1": (...)}: the scorecard's pages."""
        grouped: dict[str, list[PeriodResult]] = {}
        for period in self.periods:
            grouped.setdefault(f"{period.month.year}-Q{(period.month.month - 1) // 3 + 1}", []).append(period)
        return {key: tuple(value) for key, value in grouped.items()}
