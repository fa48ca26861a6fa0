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
from slagen.measure.tickets import MISSING, collector_paused
from slagen.measure.verdicts import UNDECIDED
from slagen.units import Money

AUDIT_COLUMNS = (
    "line", "id", "severity", "created", "first_response", "resolved", "response_due", "resolution_due",
    "response_minutes", "resolution_minutes", "paused_minutes", "response_met", "resolution_met", "excluded",
    "period", "verdict",
)


STRING = np.dtypes.StringDType()


def _offsets(offsets: np.ndarray) -> np.ndarray:
    """"+01:00"-style suffixes for offsets in ms."""
    values, inverse = np.unique(offsets, return_inverse=True)
    names = []
    for value in values.tolist():
        total = abs(value) // 60_000
        names.append(f"{'+' if value >= 0 else '-'}{total // 60:02d}:{total % 60:02d}")
    return np.array(names, dtype=str)[inverse]


def _stamps(values: np.ndarray, zone: ZoneTable, unit: str) -> list[str]:
    """ISO 8601 in the contract's zone with its offset; empty for MISSING (numpy string arithmetic)."""
    given = values != MISSING
    safe = np.where(given, values, 0)
    wall = np.datetime_as_string(zone.to_wall(safe).astype("datetime64[ms]"), unit=unit)
    return np.where(given, np.strings.add(wall, _offsets(zone.offset_at(safe))), "").tolist()


def _minutes(values: np.ndarray) -> list[str]:
    """Minutes with two decimals, rounded half up; empty for MISSING."""
    given = values != MISSING
    hundredths = (np.where(given, values, 0) + 300) // 600  # ms to hundredths of a minute
    part = hundredths % 100
    decimals = np.where(part < 10, np.strings.add("0", part.astype(str)), part.astype(str))
    text = np.strings.add(np.strings.add((hundredths // 100).astype(str), "."), decimals)
    return np.where(given, text, "").tolist()


def _words(values: np.ndarray, words: tuple[str, ...]) -> list[str]:
    return [words[index] for index in values.tolist()]


def _quoted(values: list[str]) -> list[str]:
    """Free text as CSV fields: quoted only where a comma, quote, line break or outer space needs it."""
    column = np.array(values, dtype=STRING)
    special = (np.strings.find(column, ",") >= 0) | (np.strings.find(column, '"') >= 0) | (
        np.strings.find(column, "\n") >= 0) | (np.strings.find(column, "\r") >= 0) | (
        np.strings.strip(column) != column)
    shown = list(values)
    for position in np.flatnonzero(special).tolist():
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow([values[position]])
        shown[position] = out.getvalue()
    return shown


AUDIT_CHUNK = 100_000  # rows formatted at a time, so a million tickets never sit in memory as strings at once


def audit_csv(measurement: Measurement) -> bytes:
    """One row per ticket in file order, UTF-8 with a header; times in the contract's zone. Built column by
    column from the arrays, a chunk of rows at a time."""
    tickets = measurement.tickets
    times = tickets.times
    every = np.concatenate([values[values != MISSING] for values in times.values()])
    unit = "ms" if np.any(every % 1000) else "s"
    parts = [(",".join(AUDIT_COLUMNS) + "\n").encode("utf-8")]
    with collector_paused():
        for start in range(0, len(tickets), AUDIT_CHUNK):
            columns = _audit_columns(measurement, slice(start, start + AUDIT_CHUNK), unit)
            parts.append(("\n".join(map(",".join, zip(*columns, strict=True))) + "\n").encode("utf-8"))
    return b"".join(parts)


def _audit_columns(measurement: Measurement, part: slice, unit: str) -> list[list[str]]:
    tickets, verdicts = measurement.tickets, measurement.verdicts
    zone = verdicts.spine.zone
    times = {name: values[part] for name, values in tickets.times.items()}
    month = measurement.month[part]
    period = np.where(month >= 0, np.datetime_as_string(np.maximum(month, 0).astype("datetime64[M]")), "").tolist()
    excluded = tickets.excluded[part]
    met = verdicts.met[part]
    verdict = np.where(excluded, 3, np.where(times["resolved"] == MISSING, 2, np.where(met, 0, 1)))
    outcome = ("met", "missed", "open")
    response, resolution = verdicts.response, verdicts.resolution
    judged = {name: np.where(target.verdict[part] == 1, 0, np.where(target.verdict[part] == UNDECIDED, 2, 1))
              for name, target in (("response", response), ("resolution", resolution))}
    return [
        [str(line) for line in tickets.lines[part].tolist()],
        _quoted(tickets.ids[part]),
        _words(tickets.severity[part].astype(np.int64), tickets.severities),
        _stamps(times["created"], zone, unit),
        _stamps(times["first_response"], zone, unit),
        _stamps(times["resolved"], zone, unit),
        _stamps(response.due[part], zone, unit),
        _stamps(resolution.due[part], zone, unit),
        _minutes(response.taken[part]),
        _minutes(resolution.taken[part]),
        _minutes(resolution.paused[part]),
        _words(judged["response"], outcome),
        _words(judged["resolution"], outcome),
        _words(excluded.astype(np.int64), ("false", "true")),
        period,
        _words(verdict, (*outcome[:2], "open", "excluded")),
    ]


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
