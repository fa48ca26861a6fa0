"""The contract's targets as Zendesk Support API requests: a business-hours schedule (time zone, weekly intervals,
the public holidays of the term) and an SLA policy with a first-reply and a requester-wait target per priority.

The file is a list of requests, each `method`, `path` and the JSON `body` the API documents
(developer.zendesk.com: Schedules, SLA Policies); `{schedule_id}` is the id the first request returns.
Priorities: Sev-1 urgent, Sev-2 high, Sev-3 normal, Sev-4 low. The resolution target is Zendesk's requester wait
time, which stops while a ticket is pending (waiting for the customer), as the contract's clock stops do.
"""

from __future__ import annotations

from typing import Any

from slagen.errors import InputError
from slagen.export.plan import ExportPlan
from slagen.export.zendesk_zones import zendesk_zone

PRIORITIES = {"sev1": "urgent", "sev2": "high", "sev3": "normal", "sev4": "low"}
RESPONSE_METRIC = "first_reply_time"
RESOLUTION_METRIC = "requester_wait_time"
MINUTES_A_DAY = 24 * 60


def policy_tag(plan: ExportPlan) -> str:
    """The ticket tag the policy applies to (a trigger sets it on the customer's tickets): `sla_acme_premium`."""
    return f"sla_{plan.customer}_{plan.tier}".replace("-", "_")


def workweek(plan: ExportPlan) -> list[dict[str, int]]:
    """Weekly business hours as Zendesk intervals: minutes since Sunday 00:00, one interval a business day."""
    intervals = []
    for weekday in plan.weekdays:  # Monday = 0; Zendesk's week starts on Sunday
        day_start = ((weekday + 1) % 7) * MINUTES_A_DAY
        start = day_start + plan.opens_minute
        intervals.append({"start_time": start, "end_time": start + plan.day_minutes})
    return sorted(intervals, key=lambda interval: interval["start_time"])


def zendesk_requests(plan: ExportPlan, title: str, description: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The requests that set the contract up in Zendesk, and notes on what Zendesk cannot hold."""
    zone = zendesk_zone(plan.calendar.timezone)
    if zone is None:
        raise InputError(
            f"{plan.timezone_where}: calendar.timezone: Zendesk has no time zone that keeps the time of "
            f"{plan.calendar.timezone!r}; choose a schedule zone in Zendesk by hand or export --to openslo"
        )
    zone_name, stands_for = zone
    notes = []
    if stands_for != plan.calendar.timezone:
        notes.append(
            f"note: Zendesk names no zone {plan.calendar.timezone}; the schedule uses {zone_name!r} ({stands_for}), "
            f"whose clocks agree with it on every day from 2020 to 2040"
        )
    if plan.make_up_days:
        days = ", ".join(f"{day:%Y-%m-%d}" for day in plan.make_up_days)
        notes.append(
            f"note: a Zendesk schedule cannot add working days; the official make-up working days {days} are "
            "business days under the contract but not in the schedule"
        )
    notes.append(
        f"note: in Zendesk, a trigger on the customer's tickets adds the tag {policy_tag(plan)!r} (the policy applies "
        f"to it) and sets the schedule {title!r} (business hours count on it)"
    )
    metrics = []
    for target in plan.targets:
        for metric, clock in ((RESPONSE_METRIC, target.response), (RESOLUTION_METRIC, target.resolution)):
            metrics.append({
                "priority": PRIORITIES[target.severity],
                "metric": metric,
                "target": clock.minutes,
                "business_hours": clock.business_hours,
            })
    requests: list[dict[str, Any]] = [
        {
            "method": "POST",
            "path": "/api/v2/business_hours/schedules",
            "body": {"schedule": {"name": title, "time_zone": zone_name}},
        },
        {
            "method": "PUT",
            "path": "/api/v2/business_hours/schedules/{schedule_id}/workweek",
            "body": {"workweek": {"intervals": workweek(plan)}},
        },
    ]
    for holiday in plan.holidays:
        day = f"{holiday.day:%Y-%m-%d}"
        requests.append({
            "method": "POST",
            "path": "/api/v2/business_hours/schedules/{schedule_id}/holidays",
            "body": {"holiday": {"name": holiday.name, "start_date": day, "end_date": day}},
        })
    requests.append({
        "method": "POST",
        "path": "/api/v2/slas/policies",
        "body": {
            "sla_policy": {
                "title": title,
                "description": description,
                "filter": {
                    "all": [{"field": "current_tags", "operator": "includes", "value": policy_tag(plan)}],
                    "any": [],
                },
                "policy_metrics": metrics,
            }
        },
    })
    return requests, notes
