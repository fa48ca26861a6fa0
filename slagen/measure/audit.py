"""What `slagen measure` hands out besides the scorecard: the per-ticket audit CSV (every ticket's deadlines, times and
verdict, formatted in bulk) and the JSON object of `--json`."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import numpy as np

from slagen import terms
from slagen.measure.clock import ZoneTable
from slagen.measure.engine import Measurement
from slagen.measure.report import MeasureReport, NotInData, Spread, shown_pct
from slagen.measure.tickets import MISSING
from slagen.measure.verdicts import UNDECIDED
from slagen.units import Money

AUDIT_COLUMNS = (
    "line", "id", "severity", "created", "first_response", "resolved", "response_due", "resolution_due",
    "response_minutes", "resolution_minutes", "paused_minutes", "response_met", "resolution_met", "excluded",
    "period", "verdict",
)


def _offsets(offsets: np.ndarray) -> np.ndarray:
    names: dict[int, str] = {}
    for value in np.unique(offsets).tolist():
        sign = "+" if value >= 0 else "-"
        total = abs(value) // 60_000
        names[value] = f"{sign}{total // 60:02d}:{total % 60:02d}"
    table = np.array([names[value] for value in offsets.tolist()], dtype=object) if offsets.size else np.empty(
        0, dtype=object)
    return table


def _stamps(values: np.ndarray, zone: ZoneTable, unit: str) -> list[str]:
    """ISO 8601 in the contract's zone with its offset; empty for MISSING."""
    given = values != MISSING
    safe = np.where(given, values, 0)
    wall = zone.to_wall(safe).astype(f"datetime64[{unit}]" if unit == "ms" else "datetime64[ms]")
    text = np.datetime_as_string(wall, unit=unit).astype(object) + _offsets(zone.offset_at(safe))
    return np.where(given, text, "").tolist()


def _minutes(values: np.ndarray) -> list[str]:
    given = values != MISSING
    text = np.char.mod("%.2f", np.where(given, values, 0) / 60_000).astype(object)
    return np.where(given, text, "").tolist()


def _verdict(values: np.ndarray) -> list[str]:
    return np.where(values == 1, "met", np.where(values == UNDECIDED, "open", "missed")).tolist()


def audit_csv(measurement: Measurement) -> bytes:
    """One row per ticket in file order, UTF-8 with a header; times in the contract's zone."""
    tickets, verdicts = measurement.tickets, measurement.verdicts
    zone = verdicts.spine.zone
    times = tickets.times
    every = np.concatenate([values[values != MISSING] for values in times.values()])
    unit = "ms" if np.any(every % 1000) else "s"
    month = measurement.month
    periods = np.where(month >= 0, np.datetime_as_string(np.maximum(month, 0).astype("datetime64[M]")).astype(object),
                       "").tolist()
    resolved = times["resolved"] != MISSING
    verdict = np.where(
        tickets.excluded, "excluded",
        np.where(~resolved, "open", np.where(verdicts.met, "met", "missed")),
    ).tolist()
    columns = [
        tickets.lines.tolist(),
        tickets.ids,
        [tickets.severities[code] for code in tickets.severity.tolist()],
        _stamps(times["created"], zone, unit),
        _stamps(times["first_response"], zone, unit),
        _stamps(times["resolved"], zone, unit),
        _stamps(verdicts.response.due, zone, unit),
        _stamps(verdicts.resolution.due, zone, unit),
        _minutes(verdicts.response.taken),
        _minutes(verdicts.resolution.taken),
        _minutes(verdicts.resolution.paused),
        _verdict(verdicts.response.verdict),
        _verdict(verdicts.resolution.verdict),
        np.where(tickets.excluded, "true", "false").tolist(),
        periods,
        verdict,
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(AUDIT_COLUMNS)
    writer.writerows(zip(*columns, strict=True))
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- JSON


def _amount(money: Money) -> str:
    return str(terms.round_money(money).amount)


def _pct(value: Decimal | None) -> str | None:
    return None if value is None else str(shown_pct(value))


def _number(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _spread(value: Spread | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"count": value.count, "median_minutes": str(value.median_minutes), "p90_minutes": str(value.p90_minutes)}


def _missing(value: NotInData) -> dict[str, Any]:
    return {"not_in_data": True, "columns": list(value.columns)}


def kpis_json(report: MeasureReport) -> dict[str, Any]:
    kpis = report.kpis

    def breakdown(rows: Any) -> Any:
        if isinstance(rows, NotInData):
            return _missing(rows)
        return [{"key": row.key, "incidents": row.incidents, "met": row.met, "compliance_pct": _pct(row.compliance_pct)}
                for row in rows]

    def score(value: Any) -> Any:
        if isinstance(value, NotInData):
            return _missing(value)
        return {"responses": value.responses, "value": _number(value.value)}

    escalation = kpis.escalation
    return {
        "by_severity": [
            {
                "severity": row.severity,
                "response": _spread(row.response),
                "resolution": _spread(row.resolution),
                "mean_resolution_minutes": _number(row.mean_resolution_minutes),
            }
            for row in kpis.response_by_severity
        ],
        "mean_time_to_resolution_minutes": _number(kpis.mean_time_to_resolution_minutes),
        "first_contact_resolution_pct": _missing(kpis.first_contact_resolution_pct)
        if isinstance(kpis.first_contact_resolution_pct, NotInData)
        else _pct(kpis.first_contact_resolution_pct),
        "escalation": _missing(escalation) if isinstance(escalation, NotInData) else {
            "to_tier2": _spread(escalation.to_tier2), "tier2_to_tier3": _spread(escalation.to_tier3)},
        "met_by_month": [{"period": period, "compliance_pct": _pct(value)} for period, value in kpis.met_by_month],
        "recurrence_by_root_cause": breakdown(kpis.recurrence_by_root_cause),
        "csat": score(kpis.csat),
        "nps": score(kpis.nps),
        "by_site": breakdown(kpis.by_site),
        "by_product": breakdown(kpis.by_product),
    }


def report_json(report: MeasureReport) -> dict[str, Any]:
    """Machine-readable: amounts and percentages as exact decimal strings (percentages rounded down to 0.01)."""
    limits = report.thresholds
    return {
        "tier": report.tier,
        "customer": report.customer,
        "currency": report.currency,
        "source": report.source,
        "format": report.source_format,
        "timezone": report.calendar.timezone,
        "timestamps_without_offset": report.calendar.naive_timestamps,
        "business_hours": report.calendar.business_hours,
        "holidays": report.calendar.holidays,
        "tickets": report.tickets,
        "open_tickets": report.open_tickets,
        "thresholds": {
            "credit_below_pct": _number(limits.credit_below_pct),
            "bonus_above_pct": _number(limits.bonus_above_pct),
            "min_incidents": limits.min_incidents,
            "consecutive_periods": limits.consecutive_periods,
        },
        "periods": [
            {
                "period": period.period,
                "incidents": period.incidents,
                "met": period.met,
                "excluded": period.excluded,
                "compliance_pct": _pct(period.compliance_pct),
                "counts": period.counts,
                "missed": period.missed,
                "consecutive_missed": period.consecutive_missed,
                "schedule_pct": str(period.schedule_pct),
                "credit": _amount(period.credit),
                "year_total": _amount(period.year_total),
                "year_cap": _amount(period.year_cap),
                "chronic_failure": period.chronic_failure,
                "pilot": period.pilot,
                "by_severity": [
                    {"severity": cell.severity, "incidents": cell.incidents, "response_met": cell.response_met,
                     "resolution_met": cell.resolution_met, "met": cell.met}
                    for cell in period.by_severity
                ],
            }
            for period in report.periods
        ],
        "total_credit": _amount(report.total_credit),
        "years": [
            {
                "contract_year": year.contract_year,
                "annual_compliance_pct": _pct(year.compliance_pct),
                "months": year.months,
                "complete": year.complete,
                "ends_term": year.ends_term,
                "performance_credit": _amount(year.performance_credit) if year.performance_credit else None,
            }
            for year in report.years
        ],
        "chronic_failure_termination_right_from": report.chronic_failure_from,
        "breached_listed": len(report.breached),
        "kpis": kpis_json(report),
    }
