"""KPIs from the source material: times by severity, resolution, first contact, escalation, recurrence, surveys and
breakdowns. A KPI whose columns the export lacks is `NotInData`, never zero."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from slagen.measure.report import Breakdown, Escalation, Kpis, NotInData, PeriodResult, Score, SeverityTimes, Spread
from slagen.measure.tickets import MISSING, Tickets
from slagen.measure.verdicts import Verdicts, minutes

HUNDRED = Decimal(100)


def pct(part: int, whole: int) -> Decimal | None:
    return Decimal(part) * HUNDRED / Decimal(whole) if whole else None


def spread(ms: np.ndarray) -> Spread | None:
    """Median (the mean of the two middle values for an even count) and nearest-rank 90th percentile."""
    if not ms.size:
        return None
    ordered = np.sort(ms)
    middle = ordered.size // 2
    median = (Decimal(int(ordered[middle - 1])) + Decimal(int(ordered[middle]))) / 2 if ordered.size % 2 == 0 else (
        Decimal(int(ordered[middle])))
    rank = -(-9 * ordered.size // 10)  # ceil(0.9 n)
    return Spread(
        count=int(ordered.size),
        median_minutes=(median / 60_000).quantize(Decimal("0.01")),
        p90_minutes=minutes(ordered[rank - 1]),
    )


def _mean_minutes(ms: np.ndarray) -> Decimal | None:
    if not ms.size:
        return None
    return (Decimal(int(ms.sum())) / ms.size / 60_000).quantize(Decimal("0.01"))


def _breakdown(codes: np.ndarray, names: list[str], counted: np.ndarray, met: np.ndarray, by_count: bool
               ) -> tuple[Breakdown, ...]:
    chosen = counted & (codes >= 0)
    incidents = np.bincount(codes[chosen], minlength=len(names))
    good = np.bincount(codes[chosen & met], minlength=len(names))
    rows = [
        Breakdown(name, int(incidents[code]), int(good[code]), pct(int(good[code]), int(incidents[code])))
        for code, name in enumerate(names)
        if incidents[code]
    ]
    if by_count:
        return tuple(sorted(rows, key=lambda row: (-row.incidents, row.key)))
    return tuple(sorted(rows, key=lambda row: row.key))


def kpis(tickets: Tickets, verdicts: Verdicts, counted: np.ndarray, periods: tuple[PeriodResult, ...]) -> Kpis:
    """The KPIs over the counted tickets (Resolved in the months measured, not excluded)."""
    times = tickets.times
    by_severity = []
    for code, severity in enumerate(tickets.severities):
        chosen = counted & (tickets.severity == code)
        response = verdicts.response.taken[chosen]
        resolution = verdicts.resolution.taken[chosen]
        by_severity.append(
            SeverityTimes(
                severity=severity,
                response=spread(response[response != MISSING]),
                resolution=spread(resolution[resolution != MISSING]),
                mean_resolution_minutes=_mean_minutes(resolution[resolution != MISSING]),
            )
        )
    elapsed = times["resolved"][counted] - times["created"][counted]
    present = tickets.present

    fcr: Decimal | NotInData = NotInData(("contacts_to_resolve",))
    if "contacts_to_resolve" in present:
        contacts = tickets.numbers["contacts_to_resolve"][counted]
        answered = contacts[~np.isnan(contacts)]
        value = pct(int((answered == 1).sum()), int(answered.size))
        fcr = value if value is not None else NotInData(("contacts_to_resolve",))

    escalation: Escalation | NotInData = NotInData(("escalated_tier2", "escalated_tier3"))
    if "escalated_tier2" in present or "escalated_tier3" in present:
        created = times["created"][counted]
        tier2 = times.get("escalated_tier2")
        tier3 = times.get("escalated_tier3")
        to2 = to3 = None
        if tier2 is not None:
            reached = tier2[counted]
            to2 = spread((reached - created)[reached != MISSING])
            if tier3 is not None:
                onwards = tier3[counted]
                both = (reached != MISSING) & (onwards != MISSING)
                to3 = spread((onwards - reached)[both])
        escalation = Escalation(to2, to3)

    def labelled(name: str, by_count: bool) -> tuple[Breakdown, ...] | NotInData:
        if name not in present:
            return NotInData((name,))
        codes, names = tickets.labels[name]
        return _breakdown(codes, names, counted, verdicts.met, by_count)

    def score(name: str) -> Score | NotInData:
        if name not in present:
            return NotInData((name,))
        values = tickets.numbers[name][counted]
        answered = values[~np.isnan(values)]
        if name == "csat":
            mean = (Decimal(repr(float(answered.mean()))).quantize(Decimal("0.01")) if answered.size else None)
            return Score(int(answered.size), mean)
        promoters, detractors = int((answered >= 9).sum()), int((answered <= 6).sum())
        value = pct(promoters - detractors, int(answered.size))
        return Score(int(answered.size), value.quantize(Decimal("0.01")) if value is not None else None)

    return Kpis(
        response_by_severity=tuple(by_severity),
        mean_time_to_resolution_minutes=_mean_minutes(elapsed),
        first_contact_resolution_pct=fcr,
        escalation=escalation,
        met_by_month=tuple((period.period, period.compliance_pct) for period in periods),
        recurrence_by_root_cause=labelled("root_cause", by_count=True),
        csat=score("csat"),
        nps=score("nps"),
        by_site=labelled("site", by_count=False),
        by_product=labelled("product", by_count=False),
    )
