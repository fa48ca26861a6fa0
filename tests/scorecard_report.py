"""A `MeasureReport` for the scorecard tests, built without a ticket export: six months of Acme on Premium with
known counts per severity, whose credits come from the real calculator (the functions `slagen credits` uses)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from zoneinfo import ZoneInfo

from slagen.calculator import calculate
from slagen.measure.report import (
    Breakdown,
    CalendarNote,
    CreditStep,
    Escalation,
    Kpis,
    MeasureReport,
    NotInData,
    PeriodResult,
    Score,
    SeverityMonth,
    SeverityTimes,
    Spread,
    TargetRule,
    Thresholds,
    TicketVerdict,
    YearResult,
)
from slagen.overrides import terms_for
from slagen.terms import MonthInput
from slagen.units import Money
from slagen.workspace import Workspace

ZONE = ZoneInfo("America/Chicago")
# month -> per severity (incidents, response met, resolution met, both met), excluded
MONTHS: dict[str, tuple[tuple[tuple[int, int, int, int], ...], int]] = {
    "2026-01": (((2, 2, 2, 2), (4, 4, 4, 4), (6, 6, 5, 5), (3, 3, 3, 3)), 1),  # 14 of 15: 93.3%
    "2026-02": (((1, 1, 0, 0), (3, 2, 3, 2), (5, 5, 4, 4), (2, 2, 2, 2)), 0),  # 8 of 11: 72.7%
    "2026-03": (((2, 2, 1, 1), (4, 4, 3, 3), (6, 5, 5, 5), (4, 4, 4, 4)), 2),  # 13 of 16: 81.2%
    "2026-04": (((0, 0, 0, 0), (2, 2, 2, 2), (0, 0, 0, 0), (0, 0, 0, 0)), 0),  # 2 incidents: does not count
    "2026-05": (((1, 1, 1, 1), (5, 5, 5, 5), (8, 8, 8, 8), (5, 5, 5, 5)), 0),  # 19 of 19: 100%
    "2026-06": (((3, 3, 3, 3), (4, 4, 4, 4), (7, 7, 6, 6), (6, 6, 6, 6)), 1),  # 19 of 20: 95%
}


def _spread(count: int, median: int, p90: int) -> Spread:
    return Spread(count, Decimal(median), Decimal(p90))


def _breached(month: str, number: int, severity: str, response_late: bool) -> TicketVerdict:
    year, mon = (int(part) for part in month.split("-"))
    created = dt.datetime(year, mon, 10 + number, 9, 30, tzinfo=ZONE)
    due = created + dt.timedelta(hours=1 if severity == "sev1" else 8)
    return TicketVerdict(
        row=number + 2, id=f"ACME-{month.replace('-', '')}-{number:02d}", severity=severity, created=created,
        first_response=created + dt.timedelta(minutes=95 if response_late else 20),
        resolved=due + dt.timedelta(hours=3),
        paused_minutes=Decimal(0), response_due=created + dt.timedelta(hours=1), resolution_due=due,
        response_minutes=Decimal(95 if response_late else 20), resolution_minutes=Decimal(660),
        response_met=not response_late, resolution_met=False, met=False, excluded=False, period=month,
    )


def sample_report(ws: Workspace) -> MeasureReport:
    customer = ws.customer("acme")
    tier = terms_for(ws.tier("premium").model, customer)
    credits = tier.service_credits
    assert credits is not None and tier.performance_credit is not None
    inputs, severity_months = [], {}
    for month, (severities, _excluded) in MONTHS.items():
        incidents = sum(counts[0] for counts in severities)
        met = sum(counts[3] for counts in severities)
        first = dt.date.fromisoformat(f"{month}-01")
        inputs.append(MonthInput(first, Decimal(met) * 100 / incidents, incidents))
        severity_months[month] = tuple(
            SeverityMonth(f"sev{index + 1}", *counts) for index, counts in enumerate(severities)
        )
    calculated = calculate(tier, customer.model, "USD", inputs)
    periods = []
    for result, (month, (severities, excluded)) in zip(calculated.months, MONTHS.items(), strict=True):
        incidents = sum(counts[0] for counts in severities)
        met = sum(counts[3] for counts in severities)
        periods.append(PeriodResult(
            period=month, month=result.month, incidents=incidents, met=met, excluded=excluded,
            compliance_pct=result.compliance_pct, counts=result.counts, missed=result.missed,
            consecutive_missed=result.consecutive_missed, schedule_pct=result.step_pct, credit=result.credit,
            year_total=result.year_total, year_cap=result.year_cap, chronic_failure=result.chronic_failure,
            pilot=result.pilot, by_severity=severity_months[month],
        ))
    breached = tuple(
        _breached(month, number, f"sev{(number % 2) + 1}", response_late=number == 1)
        for month, (severities, _excluded) in MONTHS.items()
        for number in range(sum(counts[0] - counts[3] for counts in severities))
    )
    kpis = Kpis(
        response_by_severity=(
            SeverityTimes("sev1", _spread(9, 22, 48), _spread(9, 310, 520), Decimal(335)),
            SeverityTimes("sev2", _spread(22, 95, 210), _spread(22, 780, 1380), Decimal(820)),
            SeverityTimes("sev3", _spread(32, 240, 500), _spread(32, 900, 1500), Decimal(960)),
            SeverityTimes("sev4", _spread(20, 480, 1000), _spread(20, 2400, 4800), None),
        ),
        mean_time_to_resolution_minutes=Decimal(1050),
        first_contact_resolution_pct=Decimal("41.5"),
        escalation=Escalation(_spread(12, 130, 260), None),
        met_by_month=tuple((period.period, period.compliance_pct) for period in periods),
        recurrence_by_root_cause=NotInData(("root_cause",)),
        csat=Score(48, Decimal("4.46")),
        nps=NotInData(("nps",)),
        by_site=(Breakdown("Cedar Rapids tablet plant", 58, 52, Decimal(52) * 100 / 58),
                 Breakdown("Decatur blending plant", 25, 23, Decimal(23) * 100 / 25)),
        by_product=NotInData(("product",)),
    )
    monthly = calculated.monthly_retainer
    thresholds = Thresholds(
        credit_below_pct=credits.schedule[0].below_pct,
        schedule=tuple(CreditStep(step.below_pct, step.credit_pct) for step in credits.schedule),
        consecutive_periods=credits.consecutive_periods, min_incidents=credits.min_incidents,
        cap_per_period_pct=credits.cap_per_period_pct, cap_per_year_pct=credits.cap_per_year_pct,
        bonus_above_pct=tier.performance_credit.above_pct, bonus_credit_pct=tier.performance_credit.credit_pct,
        chronic_missed=credits.chronic_failure.missed_periods if credits.chronic_failure else None,
        chronic_window=credits.chronic_failure.window_periods if credits.chronic_failure else None,
    )
    report = MeasureReport(
        tier="premium", tier_name="Premium", customer="acme", customer_name=customer.model.legal_name,
        currency="USD", monthly_retainer=monthly, source="acme-zendesk.csv", source_format="zendesk",
        calendar=CalendarNote("America/Chicago", "Central Time", "08:00–17:00, Monday–Friday", "US (IA)", True, 0),
        targets=tuple(
            TargetRule(sev, ws.config.model.severities[sev].name, str(target.response), str(target.resolution),
                       target.coverage)
            for sev, target in tier.targets.items()
        ),
        thresholds=thresholds, tickets=90, open_tickets=2, periods=tuple(periods),
        years=(YearResult(1, sum((p.compliance_pct or Decimal(0) for p in periods if p.counts), Decimal(0)) / 5, 6,
                          False, True, None),),
        total_credit=Money(sum((p.credit.amount for p in periods), Decimal(0)), "USD"),
        chronic_failure_from=next((p.period for p in periods if p.chronic_failure), None),
        breached=breached, kpis=kpis,
        # The first quarter's own measures (the second falls back to the whole export's): first-contact resolution
        # and Sev-1 times differ from the whole export's, so a page shows which it took.
        quarter_kpis=(("2026-Q1", replace(
            kpis, first_contact_resolution_pct=Decimal(50),
            response_by_severity=(SeverityTimes("sev1", _spread(5, 15, 30), _spread(5, 200, 400), Decimal(210)),
                                  *kpis.response_by_severity[1:]),
        )),),
    )
    return report
