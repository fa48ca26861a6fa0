"""`slagen export`: one customer's contract targets in a help desk's own format (Zendesk, Freshdesk) or as OpenSLO v1,
so the help desk measures what the contract promises. Builds the bytes; `slagen.output` writes them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from slagen.errors import UsageError
from slagen.export.freshdesk import freshdesk_requests
from slagen.export.openslo import openslo_documents
from slagen.export.plan import ExportPlan, export_plan
from slagen.export.zendesk import zendesk_requests
from slagen.overrides import terms_for
from slagen.workspace import resolve_customer
from slagen.workspace_data import Workspace

TARGETS = ("zendesk", "freshdesk", "openslo")
SUFFIX = {"zendesk": "zendesk.json", "freshdesk": "freshdesk.json", "openslo": "openslo.yaml"}


@dataclass(frozen=True)
class Exported:
    folder: str  # the customer's folder under dist/, e.g. "acme"
    name: str  # the default file name, e.g. "acme-premium-zendesk.json"
    data: bytes
    notes: list[str]  # what the help desk cannot hold or must be set by hand, one line each


def _json(requests: list[dict[str, Any]], plan: ExportPlan, to: str) -> bytes:
    document = {"format": f"slagen export --to {to}", "customer": plan.customer, "tier": plan.tier,
                "requests": requests}
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def export(
    ws: Workspace, tier_id: str, customer: str, to: str, strings: dict[str, Any], company_id: int | None = None
) -> Exported:
    """The export of TIER's targets for one customer in the format `to`."""
    if to not in TARGETS:
        raise UsageError(f"unknown export format {to!r}; choose from {', '.join(TARGETS)}")
    if to == "freshdesk" and company_id is None:
        raise UsageError(
            "--to freshdesk needs --company-id ID: the customer's company id in Freshdesk (a policy applies to "
            "companies by id)"
        )
    tier = ws.tier(tier_id)
    client = resolve_customer(ws, customer)
    if tier_id not in client.model.tiers:
        ws.warnings.append(
            f"{client.where('tiers')}: tiers: warning: {client.model.short_name!r} does not list tier {tier_id!r}; "
            "exporting its published targets"
        )
    terms = terms_for(tier.model, client)
    labels = {key: str(value) for key, value in strings["severity_labels"].items()}
    plan = export_plan(ws.config, tier, terms, client, labels)
    title = f"{plan.customer_name} · {plan.tier_name}"
    description = f"{strings['contract_title']}: " + strings["contract_subtitle"].format(
        tier=plan.tier_name, provider=plan.provider, customer=plan.customer_name
    )
    name = f"{plan.customer}-{plan.tier}-{SUFFIX[to]}"
    if to == "openslo":
        measures = {key: str(value) for key, value in strings["summary"]["measures"].items()}
        documents = openslo_documents(plan, title, description, measures)
        text = yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True, width=120)
        return Exported(plan.customer, name, text.encode(), [])
    if to == "zendesk":
        requests, notes = zendesk_requests(plan, title, description)
    else:
        assert company_id is not None
        requests, notes = freshdesk_requests(plan, title, description, company_id)
    return Exported(plan.customer, name, _json(requests, plan, to), notes)
