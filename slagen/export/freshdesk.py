"""The contract's targets as a Freshdesk SLA policy (API v2, `POST /api/v2/sla_policies`): per priority a
respond-within and a resolve-within time in seconds on one clock, business hours or calendar time.

Priorities: Sev-1 urgent (4), Sev-2 high (3), Sev-3 medium (2), Sev-4 low (1). Freshdesk's API cannot create
business hours: the group that handles the customer's tickets needs the contract's hours and holidays set by hand,
and the notes say which.
"""

from __future__ import annotations

from typing import Any

from slagen.errors import InputError, collect
from slagen.export.plan import ExportPlan

PRIORITIES = {"sev1": 4, "sev2": 3, "sev3": 2, "sev4": 1}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def freshdesk_requests(
    plan: ExportPlan, title: str, description: str, company_id: int
) -> tuple[list[dict[str, Any]], list[str]]:
    """The request that creates the policy for the customer's company, and notes on what to set by hand."""
    problems = []
    targets: dict[str, dict[str, Any]] = {}
    for target in plan.targets:
        if target.response.business_hours != target.resolution.business_hours:
            problems.append(
                f"{target.where}: targets.{target.severity}: Freshdesk runs one clock per priority, but the response "
                f"'{target.response.text}' and the resolution '{target.resolution.text}' run on different clocks "
                "(elapsed time and business hours); state both in business or both in clock units"
            )
            continue
        targets[f"priority_{PRIORITIES[target.severity]}"] = {
            "respond_within": target.response.minutes * 60,
            "resolve_within": target.resolution.minutes * 60,
            "business_hours": target.response.business_hours,
            "escalation_enabled": False,
        }
    collect(problems, InputError)
    notes = []
    if any(target.response.business_hours for target in plan.targets):
        hours = plan.calendar.business_hours
        days = ", ".join(WEEKDAYS[day] for day in plan.weekdays)
        notes.append(
            f"note: Freshdesk's API cannot create business hours; give the group that handles company {company_id} "
            f"business hours of {hours.start:%H:%M}-{hours.end:%H:%M} ({days}, {plan.calendar.timezone}) and the "
            f"{len(plan.holidays)} public holidays of {plan.calendar.holidays}"
            f"{'-' + plan.calendar.holiday_subdivision if plan.calendar.holiday_subdivision else ''} from "
            f"{plan.start:%Y-%m-%d} to {plan.end:%Y-%m-%d} (Admin > Business Hours)"
        )
    body = {
        "name": title,
        "description": description,
        "active": True,
        "sla_target": dict(sorted(targets.items(), reverse=True)),
        "applicable_to": {"company_ids": [company_id]},
    }
    return [{"method": "POST", "path": "/api/v2/sla_policies", "body": body}], notes
