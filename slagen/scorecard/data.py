"""What scorecard.html.j2 shows, page by page: for each quarter the red/amber/green table of every target by month,
the compliance trend against the credit and bonus lines, ticket volume, the credit calculation, times by severity,
the other measures and the breached tickets. Every figure comes from the `MeasureReport`; this module only picks,
colours and formats (Babel, for the customer's locale) and words nothing itself (strings.yaml `scorecard:`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from babel.dates import format_date

from slagen.context import Formatter
from slagen.measure.report import (
    Breakdown,
    Kpis,
    MeasureReport,
    NotInData,
    PeriodResult,
    Score,
    SeverityMonth,
    Spread,
    Thresholds,
    TicketVerdict,
    shown_pct,
)
from slagen.scorecard.charts import (
    AMBER,
    GREEN,
    RED,
    SEVERITY_COLOURS,
    Threshold,
    TrendPoint,
    VolumeBar,
    trend_chart,
    volume_chart,
)
from slagen.units import Money

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
TREND_MONTHS = 12  # the trend shows up to a year, ending with the page's quarter
BREACHED_ON_PAGE = 25  # the rest are in the audit CSV


@dataclass(frozen=True)
class Lines:
    """Where a percentage turns red, amber and green."""

    red_below: Decimal | None  # the credit line: a month below it is missed
    green_from: Decimal | None  # the bonus line, or the credit line when there is no bonus

    @classmethod
    def of(cls, thresholds: Thresholds) -> Lines:
        credit = thresholds.credit_below_pct
        bonus = thresholds.bonus_above_pct
        return cls(credit, bonus if bonus is not None else credit)

    def state(self, pct: Decimal | None) -> str:
        if pct is None:
            return "none"
        if self.red_below is not None and pct < self.red_below:
            return "red"
        if self.green_from is not None and pct < self.green_from:
            return "amber"
        return "green" if self.green_from is not None else "plain"


def _pct(met: int, incidents: int) -> Decimal | None:
    return Decimal(met) * 100 / incidents if incidents else None


class Pages:
    """Formats one report for one locale with the scorecard's words."""

    def __init__(self, report: MeasureReport, fmt: Formatter, strings: dict[str, Any], brand: str) -> None:
        self.report, self.fmt, self.strings, self.brand = report, fmt, strings, brand
        self.words = strings["scorecard"]
        self.lines = Lines.of(report.thresholds)

    # ------------------------------------------------------------ small formats

    def percent(self, pct: Decimal | None) -> str:
        return self.words["none"] if pct is None else self.fmt.percent(shown_pct(pct, 1).normalize())

    def short_month(self, day: dt.date) -> str:
        return str(format_date(day, format="MMM", locale=self.fmt.date_locale))

    def quarter_name(self, key: str) -> str:
        year, number = key.split("-Q")
        return self.words["quarter"].format(number=number, year=year)

    def span(self, minutes: Decimal | None, business: bool) -> str:
        """Minutes as a person reads them: under an hour in minutes, else hours to one decimal."""
        if minutes is None:
            return self.words["none"]
        if minutes < 60:
            return self.fmt.count(minutes.quantize(Decimal(1)), "minutes")
        hours = (minutes / 60).quantize(Decimal("0.1")).normalize()
        return self.fmt.count(hours, "business_hours" if business else "hours")

    def moment(self, when: dt.datetime | None) -> str:
        if when is None:
            return self.words["still_open"]
        return f"{format_date(when.date(), format='medium', locale=self.fmt.date_locale)} {when:%H:%M}"

    # ------------------------------------------------------------ the table of targets

    def _cell(self, met: int, incidents: int, counts: bool) -> dict[str, str]:
        """A month that does not count (too few incidents) is grey whatever its share: it cannot be missed."""
        pct = _pct(met, incidents)
        state = self.lines.state(pct) if counts or pct is None else "uncounted"
        return {
            "text": self.percent(pct),
            "detail": f"{met}/{incidents}" if incidents else "",
            "state": state,
            "status": self.words["status"].get(state, ""),
        }

    def rag_table(self, periods: tuple[PeriodResult, ...]) -> dict[str, Any]:
        labels = self.strings["severity_labels"]
        rows = []
        for severity in SEVERITIES:
            for target in ("response", "resolution"):
                cells = []
                for period in periods:
                    month = _severity_month(period, severity)
                    met = getattr(month, f"{target}_met") if month else 0
                    cells.append(self._cell(met, month.incidents if month else 0, period.counts))
                rows.append({
                    "label": self.words["row"].format(severity=labels[severity], target=self.words[target]),
                    "cells": cells,
                })
        compliance = [self._cell(period.met, period.incidents, period.counts) for period in periods]
        return {"months": [self.short_month(period.month) for period in periods], "rows": rows,
                "compliance": compliance}

    def rag_note(self) -> str:
        green, red = self.lines.green_from, self.lines.red_below
        if green is None or red is None:
            return ""
        if green == red:
            return self.words["rag_note_single"].format(green=self.fmt.percent(green))
        return self.words["rag_note"].format(green=self.fmt.percent(green), amber=self.fmt.percent(red))

    # ------------------------------------------------------------ charts

    def thresholds(self) -> list[Threshold]:
        """The credit line (red) and the bonus line (green) the trend is drawn against."""
        found = []
        credit, bonus = self.report.thresholds.credit_below_pct, self.report.thresholds.bonus_above_pct
        if credit is not None:
            found.append(Threshold(credit, self.words["credit_line"].format(value=self.fmt.percent(credit)), RED))
        if bonus is not None:
            found.append(Threshold(bonus, self.words["bonus_line"].format(value=self.fmt.percent(bonus)), GREEN))
        return found

    def trend(self, periods: tuple[PeriodResult, ...]) -> str:
        last = periods[-1].month
        shown = [period for period in self.report.periods if period.month <= last][-TREND_MONTHS:]
        quarter = {period.period for period in periods}
        points = [
            TrendPoint(self.short_month(p.month), p.compliance_pct, p.counts, p.period in quarter) for p in shown
        ]
        return trend_chart(points, self.thresholds(), self.brand)

    def volume(self, periods: tuple[PeriodResult, ...]) -> str:
        bars = []
        for period in periods:
            counts = []
            for severity in SEVERITIES:
                month = _severity_month(period, severity)
                counts.append(month.incidents if month else 0)
            bars.append(VolumeBar(self.short_month(period.month), tuple(counts), period.excluded))
        return volume_chart(bars)

    def volume_legend(self) -> list[dict[str, str]]:
        labels = self.strings["severity_labels"]
        return [{"label": labels[severity], "colour": colour} for severity, colour in zip(SEVERITIES, SEVERITY_COLOURS,
                                                                                          strict=True)]

    # ------------------------------------------------------------ credits

    def credits(self, periods: tuple[PeriodResult, ...], invoice: str | None) -> dict[str, Any] | None:
        if self.report.thresholds.credit_below_pct is None:
            return None
        words = self.words
        rows = [{
            "month": words["pilot_month"].format(month=self.fmt.month(p.month)) if p.pilot else self.fmt.month(p.month),
            "measured": self.percent(p.compliance_pct),
            "state": self.lines.state(p.compliance_pct) if p.counts else "none",
            "counts": words["answer_yes"] if p.counts else words["answer_no"],
            "in_row": str(p.consecutive_missed),
            "schedule": self.fmt.percent(p.schedule_pct),
            "credit": self.fmt.money(p.credit),
            "year_total": self.fmt.money(p.year_total),
            "year_cap": self.fmt.money(p.year_cap),
            "chronic": p.chronic_failure,
        } for p in periods]
        total = Money(sum((period.credit.amount for period in periods), Decimal(0)), self.report.currency)
        chronic = self.report.chronic_failure_from
        chronic_text = None
        if chronic and chronic <= periods[-1].period:
            year, month = chronic.split("-")
            chronic_text = words["chronic"].format(month=self.fmt.month(dt.date(int(year), int(month), 1)))
        invoice_words = words["invoice_renewal"] if invoice == "renewal" else words["invoice_next"]
        return {
            "rows": rows,
            "total": words["credits_total"].format(amount=self.fmt.money(total), invoice=invoice_words),
            "chronic": chronic_text,
        }

    def bonus(self, periods: tuple[PeriodResult, ...]) -> list[str]:
        """The performance credit of each contract year the page's months fall in."""
        if self.report.thresholds.bonus_above_pct is None:
            return []
        lines = []
        line = self.fmt.percent(self.report.thresholds.bonus_above_pct)
        for year in self.report.years:
            text = self.words["bonus_year"].format(
                year=year.contract_year, value=self.percent(year.compliance_pct), months=year.months
            )
            if not year.complete:
                outcome = self.words["bonus_not_final"]
            elif year.performance_credit is not None and year.performance_credit.amount > 0:
                outcome = self.words["bonus_earned"].format(amount=self.fmt.money(year.performance_credit))
            else:
                outcome = self.words["bonus_not_earned"].format(value=line)
            lines.append(f"{text}; {outcome}")
        return lines if periods else []

    # ------------------------------------------------------------ times and other measures

    def times(self, kpis: Kpis) -> list[dict[str, str]]:
        labels = self.strings["severity_labels"]
        rules = {rule.severity: rule for rule in self.report.targets}
        rows = []
        for times in kpis.response_by_severity:
            rule = rules.get(times.severity)
            business = rule is not None and rule.clock == "business_hours"
            rows.append({
                "severity": f"{labels[times.severity]} {rule.name if rule else ''}".strip(),
                "incidents": str(_count(times.response) or _count(times.resolution)),
                "response_median": self.span(_median(times.response), business),
                "response_p90": self.span(_p90(times.response), business),
                "response_goal": rule.response if rule else self.words["none"],
                "resolution_median": self.span(_median(times.resolution), business),
                "resolution_p90": self.span(_p90(times.resolution), business),
                "resolution_goal": rule.resolution if rule else self.words["none"],
                "mean_resolution": self.span(times.mean_resolution_minutes, business),
            })
        return rows

    def measures(self, kpis: Kpis) -> list[dict[str, str]]:
        words = self.words
        rows = [{"label": words["fcr"], "value": self._or_absent(kpis.first_contact_resolution_pct, self.percent)}]
        escalation = kpis.escalation
        if isinstance(escalation, NotInData):
            rows.append({"label": words["escalation_tier2"], "value": words["not_in_data"], "absent": "absent"})
        else:
            rows.append({"label": words["escalation_tier2"], "value": self.span(_median(escalation.to_tier2), False)})
            rows.append({"label": words["escalation_tier3"], "value": self.span(_median(escalation.to_tier3), False)})
        for key, score in (("csat", kpis.csat), ("nps", kpis.nps)):
            rows.append({"label": words[key], "value": self._or_absent(score, self._score)})
        for key, breakdown in (("by_site", kpis.by_site), ("by_product", kpis.by_product),
                               ("root_causes", kpis.recurrence_by_root_cause)):
            rows.append({"label": words[key], "value": self._or_absent(breakdown, self._breakdown)})
        for row in rows:
            row.setdefault("absent", "absent" if row["value"] == words["not_in_data"] else "")
        return rows

    def _or_absent(self, value: Any, show: Any) -> str:
        return self.words["not_in_data"] if isinstance(value, NotInData) else str(show(value))

    def _score(self, score: Score) -> str:
        if score.value is None:
            return self.words["none"]
        value = self.fmt.number(score.value.quantize(Decimal("0.1")).normalize())
        return f"{value} ({self.words['answers'].format(n=score.responses)})"

    def _breakdown(self, items: tuple[Breakdown, ...]) -> str:
        phrase = self.words["breakdown"]
        return "; ".join(
            phrase.format(key=item.key, incidents=item.incidents, value=self.percent(item.compliance_pct))
            for item in items[:6]
        )

    # ------------------------------------------------------------ breached tickets

    def breached(self, periods: tuple[PeriodResult, ...]) -> dict[str, Any]:
        labels = self.strings["severity_labels"]
        months = {period.period for period in periods}
        tickets = [ticket for ticket in self.report.breached if ticket.period in months]
        rows = []
        for ticket in tickets[:BREACHED_ON_PAGE]:
            missed = [self.words[target] for target in ("response", "resolution")
                      if getattr(ticket, f"{target}_met") is False]
            rows.append({
                "id": ticket.id,
                "severity": labels.get(ticket.severity, ticket.severity),
                "created": self.moment(ticket.created),
                "resolved": self.moment(ticket.resolved),
                "missed": ", ".join(missed),
                "by": self.span(_late_minutes(ticket), False),
            })
        # The report keeps the most overdue tickets of a month; a month's full count is its incidents less those met.
        missed = sum(period.incidents - period.met for period in periods)
        more = max(missed, len(tickets)) - len(rows)
        return {"rows": rows, "more": self.words["more_breached"].format(n=more) if more else None}


def _severity_month(period: PeriodResult, severity: str) -> SeverityMonth | None:
    return next((month for month in period.by_severity if month.severity == severity), None)


def _count(spread: Spread | None) -> int:
    return spread.count if spread else 0


def _median(spread: Spread | None) -> Decimal | None:
    return spread.median_minutes if spread else None


def _p90(spread: Spread | None) -> Decimal | None:
    return spread.p90_minutes if spread else None


def _late_minutes(ticket: TicketVerdict) -> Decimal | None:
    """How late the later of the missed targets was met, in elapsed minutes (None while still open)."""
    late = []
    if ticket.response_met is False and ticket.first_response is not None:
        late.append(ticket.first_response - ticket.response_due)
    if ticket.resolution_met is False and ticket.resolved is not None:
        late.append(ticket.resolved - ticket.resolution_due)
    if not late:
        return None
    return Decimal(int(max(late).total_seconds())) / 60


def page_colours() -> dict[str, str]:
    return {"red": RED, "amber": AMBER, "green": GREEN}
