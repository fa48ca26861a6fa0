"""The rules that span files, run once the whole workspace is read: clause and tier references, targets,
credits, prices, calendars, customers' tiers and overrides, the escalation fit, and the warnings."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from slagen.calendars import subdivision_problem
from slagen.checks import Finding, cap_findings, early_renewal_finding, offer_finding
from slagen.commercial_rules import check_pilot, check_rollover
from slagen.errors import InputError, collect
from slagen.escalation import escalation_problems
from slagen.images import image_problem
from slagen.language_rules import language_problems
from slagen.loader import Location, dotted
from slagen.model import Customer, Tier
from slagen.overrides import apply_overrides
from slagen.pricing import contract_currency
from slagen.pricing_rules import check_customer_invoicing, check_pricing
from slagen.workspace_data import Sourced, Workspace


def check_workspace(ws: Workspace) -> list[str]:
    """Cross-file rules; returns errors and records warnings on the workspace."""
    problems: list[str] = []
    config = ws.config.model
    business_day = config.defaults.business_hours.hours_per_day
    logo = config.provider.branding.logo
    if logo is not None and not _inside(ws.root / logo, ws.root):
        problems.append(f"{ws.config.where('provider', 'branding', 'logo')}: provider.branding.logo: "
                        f"{logo!r} is not a file inside the workspace")
    elif logo is not None:
        problems.extend(_logo_problems(ws, logo))
    for tier in ws.tiers.values():
        problems.extend(_check_tier(tier, ws, business_day))
    problems.extend(_check_calendars(ws))
    if not problems:  # the fit rule computes deadlines, so it needs calendars that work
        problems.extend(escalation_problems(ws.config, ws.tiers.values(), ws.customers.values()))
    for customer in ws.customers.values():
        problems.extend(_check_customer(customer, ws))
    problems.extend(language_problems(ws))
    ws.warnings.extend(_tier_ordering_warnings(ws, business_day))
    ws.warnings.extend(_draft_warnings(ws))
    ws.warnings.extend(_term_warnings(ws))
    return problems


def _logo_problems(ws: Workspace, logo: str) -> list[str]:
    """The logo must be an image the PDF writer can draw: the build would fail on it otherwise."""
    where = f"{ws.config.where('provider', 'branding', 'logo')}: provider.branding.logo"
    try:
        data = ws.inputs().for_assets(ws.config.model.limits.asset_bytes).read_bytes(ws.root / logo, logo)
    except InputError as error:
        return [f"{where}: {problem}" for problem in error.problems]
    problem = image_problem(data, Path(logo).suffix)
    return [f"{where}: {logo} {problem}"] if problem else []


def _draft_warnings(ws: Workspace) -> list[str]:
    warnings = []
    for tier in ws.tiers.values():
        for index, clause_id in enumerate(tier.model.clauses):
            clause = ws.clauses.get(clause_id)
            if clause is not None and clause.model.status == "draft":
                warnings.append(
                    f"{tier.where('clauses', index)}: clauses[{index}]: warning: clause {clause_id!r} is a draft "
                    f"({clause.where('status')}: status: draft); approve it before a contract is signed"
                )
    return warnings


def _term_warnings(ws: Workspace) -> list[str]:
    """Terms that are valid but mean nothing (see slagen.checks), for each tier and as each customer has it."""
    def line(source: Sourced[Any], finding: Finding, field: str | None = None, prefix: str = "") -> str:
        return f"{source.where(*finding.location)}: {field or finding.field}: warning: {prefix}{finding.message}"

    warnings = []
    for tier in ws.tiers.values():
        if tier.model.service_credits is not None:
            warnings += [line(tier, finding) for finding in cap_findings(tier.model.service_credits)]
    for customer in ws.customers.values():
        for tier_id in customer.model.tiers:
            if tier_id not in ws.tiers:
                continue
            published = ws.tiers[tier_id].model
            try:
                terms = apply_overrides(published, customer)
            except InputError:
                continue  # reported as an error already
            if terms.service_credits is not None and published.service_credits is not None:
                known = {finding.field for finding in cap_findings(published.service_credits)}  # said above
                changed = [path for path in customer.model.overrides if path.startswith("service_credits.")]
                for finding in cap_findings(terms.service_credits):
                    if finding.field in known or not changed:
                        continue
                    path = finding.field if finding.field in changed else changed[0]
                    at = Finding(("overrides", path), f"overrides.{path}", finding.message)
                    warnings.append(line(customer, at, prefix=f"for tier {tier_id!r}, "))
            if terms.early_renewal is not None:
                renewal = early_renewal_finding(tier_id, terms.early_renewal, customer.model)
                warnings += [line(customer, renewal)] if renewal else []
        offer = offer_finding(customer.model)
        warnings += [line(customer, offer)] if offer else []
    return warnings


def _inside(path: Path, root: Path) -> bool:
    resolved = path.resolve()
    return resolved.is_file() and resolved.is_relative_to(root.resolve())


def _check_tier(tier: Sourced[Tier], ws: Workspace, business_day: Decimal) -> list[str]:
    problems = []
    model = tier.model
    seen: set[str] = set()
    for index, clause_id in enumerate(model.clauses):
        where = f"{tier.where('clauses', index)}: clauses[{index}]"
        if clause_id not in ws.clauses:
            problems.append(f"{where}: unknown clause {clause_id!r}; see the ids in clauses/")
        if clause_id in seen:
            problems.append(f"{where}: clause {clause_id!r} is listed twice")
        seen.add(clause_id)
    problems.extend(check_rollover(tier))
    for sev, target in model.targets.items():
        if target.resolution.nominal_hours(business_day) < target.response.nominal_hours(business_day):
            problems.append(
                f"{tier.where('targets', sev, 'resolution')}: targets.{sev}.resolution: {target.resolution} "
                f"is shorter than the response target {target.response}"
            )
    credits = model.service_credits
    if credits is not None:
        for index, step in enumerate(credits.schedule):
            if step.credit_pct > credits.cap_per_period_pct:
                problems.append(
                    f"{tier.where('service_credits', 'schedule', index, 'credit_pct')}: "
                    f"service_credits.schedule[{index}].credit_pct: {step.credit_pct}% is above the monthly cap "
                    f"cap_per_period_pct {credits.cap_per_period_pct}%"
                )
        performance = model.performance_credit
        if performance is not None and performance.above_pct < credits.schedule[0].below_pct:
            problems.append(
                f"{tier.where('performance_credit', 'above_pct')}: performance_credit.above_pct: "
                f"{performance.above_pct}% is below the service-credit threshold {credits.schedule[0].below_pct}%; "
                "a month could earn both a service credit and a performance credit"
            )
        if credits.metric == "availability" and model.availability is None:
            problems.append(
                f"{tier.where('service_credits', 'metric')}: service_credits.metric: 'availability' needs an "
                "availability target on the tier"
            )
    if model.entitlements.documentation and "portal" not in model.coverage.channels:
        problems.append(
            f"{tier.where('entitlements', 'documentation')}: entitlements.documentation: documents are "
            "downloaded from the support portal; add 'portal' to coverage.channels or leave documentation empty"
        )
    currencies = set(model.currencies)
    reference = "annual_retainer" if model.annual_retainer else "prices.engineer_hour"
    for location, prices in _price_lists(model):
        missing = currencies - set(prices)
        if missing:
            problems.append(
                f"{tier.where(*location)}: {dotted(location)}: no price in {', '.join(sorted(missing))}, "
                f"which {reference} offers"
            )
    problems.extend(check_pricing(tier))
    for path in model.customer_bounds:
        if _numeric_at(model, path) is None:
            problems.append(
                f"{tier.where('customer_bounds', path)}: customer_bounds.{path}: not a numeric field of the tier"
            )
    return problems


def _price_lists(tier: Tier) -> Iterator[tuple[Location, dict[str, Decimal]]]:
    prices = tier.prices
    yield ("prices", "engineer_hour"), prices.engineer_hour
    yield ("prices", "onsite_day"), prices.onsite_day
    for sev, price in (prices.per_incident or {}).items():
        yield ("prices", "per_incident", sev), price
    if prices.hour_block is not None:
        yield ("prices", "hour_block", "price"), prices.hour_block.price
    if prices.day_block is not None:
        yield ("prices", "day_block", "price"), prices.day_block.price
    for index, bundle in enumerate(tier.bundles):
        yield ("bundles", index, "price"), bundle.price


def _numeric_at(model: Any, path: str) -> Decimal | int | None:
    value: Any = model
    for part in path.split("."):
        if isinstance(value, BaseModel) and part in type(value).model_fields:
            value = getattr(value, part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            return None
    return value if isinstance(value, (Decimal, int)) and not isinstance(value, bool) else None


def _check_calendars(ws: Workspace) -> list[str]:
    """Each holiday subdivision must be one of its country's: the provider's default and every customer's."""
    defaults = ws.config.model.defaults
    problems = []
    if defaults.holiday_subdivision is not None:
        problem = subdivision_problem(defaults.holidays, defaults.holiday_subdivision)
        if problem:
            where = ws.config.where("defaults", "holiday_subdivision")
            problems.append(f"{where}: defaults.holiday_subdivision: {problem}")
    for customer in ws.customers.values():
        problems.extend(_check_customer_calendar(customer, ws))
    return problems


def _check_customer_calendar(customer: Sourced[Customer], ws: Workspace) -> list[str]:
    own = customer.model.calendar
    if own is None or own.holiday_subdivision is None:
        return []
    problem = subdivision_problem(own.holidays or ws.config.model.defaults.holidays, own.holiday_subdivision)
    if problem:
        return [f"{customer.where('calendar', 'holiday_subdivision')}: calendar.holiday_subdivision: {problem}"]
    return []


def check_customer_file(customer: Sourced[Customer], ws: Workspace) -> None:
    """The rules `load_workspace` applies to each workspace customer, for a file named on the command line."""
    collect(_check_customer_calendar(customer, ws) + _check_customer(customer, ws))


def _check_customer(customer: Sourced[Customer], ws: Workspace) -> list[str]:
    problems = []
    model = customer.model
    currency = contract_currency(ws.config.model.defaults, model)
    for index, tier_id in enumerate(model.tiers):
        if tier_id not in ws.tiers:
            known = ", ".join(sorted(ws.tiers))
            where = f"{customer.where('tiers', index)}: tiers[{index}]"
            problems.append(f"{where}: unknown tier {tier_id!r}; known: {known}")
            continue
        tier = ws.tiers[tier_id].model
        if currency not in tier.currencies:
            offered = ", ".join(tier.currencies)
            problems.append(
                f"{customer.where('currency')}: currency: tier {tier_id!r} has no prices in {currency}; "
                f"it offers {offered}"
            )
        try:
            apply_overrides(tier, customer)
        except InputError as error:
            problems.extend(error.problems)
    problems.extend(check_customer_invoicing(customer, ws.tiers))
    problems.extend(check_pilot(customer, currency, ws.tiers))
    return problems

def _tier_ordering_warnings(ws: Workspace, business_day: Decimal) -> list[str]:
    warnings = []
    ordered = sorted(ws.tiers.values(), key=lambda tier: tier.model.level)
    for cheaper, dearer in pairwise(ordered):
        for sev, target in dearer.model.targets.items():
            base = cheaper.model.targets[sev]
            for kind in ("response", "resolution"):
                mine, theirs = getattr(target, kind), getattr(base, kind)
                if mine.nominal_hours(business_day) > theirs.nominal_hours(business_day):
                    warnings.append(
                        f"{dearer.where('targets', sev, kind)}: targets.{sev}.{kind}: warning: {mine} is slower "
                        f"than {theirs} in the cheaper tier {cheaper.model.id!r}"
                    )
    return warnings
