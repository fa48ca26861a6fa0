"""The contract's promises as OpenSLO v1 documents (github.com/OpenSLO/OpenSLO, `apiVersion: openslo/v1`):
a Service for the customer's support, an SLO on Target Compliance per calendar month with the service-credit
threshold as its objective, and an availability SLO where the tier promises one.

The indicators count incidents (Occurrences); their metric source is of type `slagen` and its spec says, as data,
what counts as good and what as total, with each severity's targets in minutes on its clock.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from slagen.export.plan import ExportPlan

API_VERSION = "openslo/v1"
NAME_LIMIT = 63  # RFC 1123 labels, which every OpenSLO implementation must accept


def dns_label(*parts: str) -> str:
    """Lower-case letters, digits and '-', at most 63 characters (a long name keeps a hash of the whole)."""
    name = "-".join(parts)
    if len(name) <= NAME_LIMIT:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: NAME_LIMIT - 9].rstrip('-')}-{digest}"


def number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def _clock(business_hours: bool) -> str:
    return "business_hours" if business_hours else "elapsed"


def _window(plan: ExportPlan) -> list[dict[str, Any]]:
    first = plan.start.replace(day=1)
    return [{
        "duration": "1M",
        "isRolling": False,
        "calendar": {"startTime": f"{first:%Y-%m-%d} 00:00:00", "timeZone": plan.calendar.timezone},
    }]


def _source(spec: dict[str, Any]) -> dict[str, Any]:
    return {"metricSource": {"type": "slagen", "spec": spec}}


def _slo(
    plan: ExportPlan, service: str, labels: dict[str, str], kind: str, indicator: str,
    counts: tuple[dict[str, Any], dict[str, Any]], texts: tuple[str, str], objective: dict[str, Any],
) -> dict[str, Any]:
    """One SLO on a ratio of good to total occurrences per calendar month of the contract's time zone."""
    good, total = counts
    display, description = texts
    return {
        "apiVersion": API_VERSION,
        "kind": "SLO",
        "metadata": {"name": dns_label(plan.customer, plan.tier, kind), "displayName": display, "labels": labels},
        "spec": {
            "description": description[:1050],
            "service": service,
            "indicator": {
                "metadata": {"name": dns_label(plan.customer, plan.tier, indicator)},
                "spec": {"ratioMetric": {"counter": False, "good": _source(good), "total": _source(total)}},
            },
            "budgetingMethod": "Occurrences",
            "timeWindow": _window(plan),
            "objectives": [objective],
        },
    }


def openslo_documents(plan: ExportPlan, title: str, description: str, measures: dict[str, str]) -> list[dict[str, Any]]:
    """The documents in order: Service, then its SLOs."""
    service = dns_label(plan.customer, plan.tier, "support")
    labels = {"customer": plan.customer, "tier": plan.tier}
    documents: list[dict[str, Any]] = [{
        "apiVersion": API_VERSION,
        "kind": "Service",
        "metadata": {"name": service, "displayName": title, "labels": labels},
        "spec": {"description": description[:1050]},
    }]
    counted = {"unit": "incident", "resolved_in": "window", "excluded": False, "min_incidents": plan.min_incidents}
    targets = [
        {
            "severity": target.severity,
            "name": target.name,
            "response_minutes": target.response.minutes,
            "response_clock": _clock(target.response.business_hours),
            "resolution_minutes": target.resolution.minutes,
            "resolution_clock": _clock(target.resolution.business_hours),
        }
        for target in plan.targets
    ]
    if plan.credit_below_pct is not None:
        good = {**counted, "met": ["response", "resolution"], "targets": targets}
        documents.append(_slo(
            plan, service, labels, "target-compliance", "incidents-met", (good, counted),
            (f"{title}: {measures['incident_compliance']}", description),
            {"displayName": measures["incident_compliance"], "targetPercent": number(plan.credit_below_pct)},
        ))
    if plan.availability_pct is not None and plan.availability_pct < 100:
        minutes = {"unit": "minute", "service": plan.availability_service}
        documents.append(_slo(
            plan, service, labels, "availability", "minutes-available", ({**minutes, "available": True}, minutes),
            (f"{title}: {measures['availability']}", f"{measures['availability']}: {plan.availability_service}"),
            {"displayName": measures["availability"], "targetPercent": number(plan.availability_pct)},
        ))
    return documents
