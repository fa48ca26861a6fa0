"""The loaded workspace: finding it, reading every file into models, and the rules that span files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from slagen.calendars import subdivision_problem
from slagen.checks import Finding, cap_findings, early_renewal_finding, offer_finding
from slagen.commercial_rules import check_pilot, check_rollover
from slagen.errors import InputError, UsageError, collect
from slagen.escalation import escalation_problems
from slagen.files import DEFAULT_INPUT_BYTES, InputScope, shown, template_folder
from slagen.images import image_problem
from slagen.loader import Location, YamlDocument, dotted, read_yaml
from slagen.model import Clause, Customer, Tier, WorkspaceConfig
from slagen.model_errors import pydantic_problems as pydantic_problems  # re-exported
from slagen.model_errors import validate_model
from slagen.pricing import contract_currency
from slagen.pricing_rules import check_customer_invoicing, check_pricing

CONFIG_NAME = "slagen.yaml"
M = TypeVar("M", bound=BaseModel)


@dataclass
class Sourced(Generic[M]):
    """A model together with the YAML it came from, so any later rule can name `path:line`."""

    model: M
    doc: YamlDocument
    file: Path  # the real file, for hashing inputs; doc.path is how messages name it

    def where(self, *location: str | int) -> str:
        return self.doc.where(location)


@dataclass
class Workspace:
    root: Path
    defaults_root: Path
    config: Sourced[WorkspaceConfig]
    tiers: dict[str, Sourced[Tier]]
    clauses: dict[str, Sourced[Clause]]
    customers: dict[str, Sourced[Customer]]
    warnings: list[str] = field(default_factory=list)

    def template_dirs(self, extra: Path | None = None) -> list[Path]:
        """Where page templates are looked up, first match wins; `extra` (`--templates DIR`) must be a folder."""
        dirs = [extra] if template_folder(extra) else []
        return [*dirs, self.root / "templates", self.defaults_root / "templates"]

    def inputs(self, templates: Path | None = None) -> InputScope:
        """Where this workspace's input may come from: itself, the packaged clauses and templates, and the
        `--templates` folder the user named; with the size limit from `limits:`."""
        return input_scope(self.root, self.defaults_root, self.config.model.limits.input_bytes).widened(
            *([template_folder(templates)] if templates else [])
        )

    def tier(self, tier_id: str) -> Sourced[Tier]:
        if tier_id not in self.tiers:
            known = ", ".join(sorted(self.tiers)) or "none"
            raise UsageError(f"unknown tier {tier_id!r}; the workspace has: {known}")
        return self.tiers[tier_id]

    def customer(self, name: str) -> Sourced[Customer]:
        if name not in self.customers:
            known = ", ".join(sorted(self.customers)) or "none"
            raise UsageError(f"unknown customer {name!r}; the workspace has: {known}")
        return self.customers[name]


def packaged_defaults() -> Path:
    """The default workspace shipped with slagen: inside the wheel, or the source checkout itself."""
    package = Path(__file__).resolve().parent
    inside_wheel = package / "defaults"
    if (inside_wheel / CONFIG_NAME).is_file():
        return inside_wheel
    return package.parent


def find_workspace(start: Path | None = None, explicit: Path | None = None) -> Path:
    """`--workspace DIR`, else the nearest folder holding slagen.yaml from `start` upward (like git)."""
    if explicit is not None:
        if not (explicit / CONFIG_NAME).is_file():
            raise UsageError(f"{explicit}: no {CONFIG_NAME} here; create one with 'slagen init {explicit}'")
        return explicit
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise UsageError(f"no {CONFIG_NAME} in {here} or any parent folder; run 'slagen init DIR' or pass --workspace")


def input_scope(root: Path, defaults_root: Path, limit: int = DEFAULT_INPUT_BYTES) -> InputScope:
    """The workspace and the packaged clauses and templates (not the rest of a source checkout)."""
    return InputScope.within(root, defaults_root / "clauses", defaults_root / "templates", limit=limit)


def _yaml_files(folder: Path) -> list[Path]:
    """Every *.yaml entry but folders: a FIFO or a broken link named like a YAML file is reported, not skipped."""
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.iterdir() if path.suffix in (".yaml", ".yml") and not path.is_dir())


def _read_all(
    files: list[Path], model: type[M], problems: list[str], scope: InputScope, display: str | None = None
) -> Iterator[Sourced[M]]:
    for file in files:
        try:
            doc = read_yaml(file, display or shown(file), scope)
        except InputError as error:
            problems.extend(error.problems)
            continue
        parsed = validate_model(model, doc, problems)
        if parsed is not None:
            yield Sourced(parsed, doc, file)


def _clause_files(root: Path, defaults_root: Path) -> list[Path]:
    # Workspace clauses override the packaged ones file by file.
    by_name = {path.name: path for path in _yaml_files(defaults_root / "clauses")}
    by_name.update({path.name: path for path in _yaml_files(root / "clauses")})
    return [by_name[name] for name in sorted(by_name)]


def resolve_customer(ws: Workspace, name: str) -> Sourced[Customer]:
    """`--customer`: a workspace customer's short name, or a customer YAML file the user names, which may lie
    outside the workspace but must be a regular file, and may not take a workspace customer's short name
    (its documents would overwrite that customer's in the same folder)."""
    if not name.strip():
        raise UsageError("--customer is empty; give a customer's short name (e.g. 'acme') or a customer YAML file")
    if name in ws.customers:
        return ws.customers[name]
    path = Path(name)
    if path.suffix not in (".yaml", ".yml"):
        return ws.customer(name)
    if not os.path.lexists(path):
        raise UsageError(f"--customer {name}: no such file")
    problems: list[str] = []
    customer = next(iter(_read_all([path], Customer, problems, ws.inputs().explicit(), display=name)), None)
    collect(problems)
    assert customer is not None
    short_name = customer.model.short_name
    same = ws.customers.get(short_name)
    if same is None:
        check_customer_file(customer, ws)
        return customer
    if os.path.realpath(same.file) == os.path.realpath(path):
        return same
    raise UsageError(
        f"{customer.where('short_name')}: short_name: {short_name!r} is the workspace customer {same.doc.path}; "
        f"its documents would overwrite that customer's in {short_name}/. Give this file another short_name, "
        f"or build the workspace customer with --customer {short_name}"
    )


def _customer_folder_problem(root: Path, folder: str) -> str | None:
    """A `customers:` entry must name a folder inside the workspace, as written and once links are followed."""
    if Path(folder).is_absolute():
        return f"{folder!r} is an absolute path; customer folders are relative to the workspace, e.g. 'customers'"
    if not InputScope.within(root).contains(root / folder):
        return f"{folder!r} leads outside the workspace; customer folders must be inside it"
    return None


def load_workspace(root: Path) -> Workspace:
    """Read and check every file of the workspace; raise one `InputError` listing every problem."""
    defaults_root = packaged_defaults()
    problems: list[str] = []
    config_doc: YamlDocument | None = None
    config: WorkspaceConfig | None = None
    # slagen.yaml sets the limit for the rest, so it is itself read with the default one.
    scope = replace(input_scope(root, defaults_root), hint="slagen.yaml itself is read with the default limit")
    try:
        config_doc = read_yaml(root / CONFIG_NAME, shown(root / CONFIG_NAME), scope)
        config = validate_model(WorkspaceConfig, config_doc, problems)
    except InputError as error:
        problems.extend(error.problems)
    if config is not None:
        scope = input_scope(root, defaults_root, config.limits.input_bytes)

    tiers: dict[str, Sourced[Tier]] = {}
    for tier in _read_all(_yaml_files(root / "tiers"), Tier, problems, scope):
        if tier.model.id in tiers:
            other = tiers[tier.model.id].doc.path
            problems.append(f"{tier.where('id')}: id: tier {tier.model.id!r} is also defined in {other}")
        tiers[tier.model.id] = tier

    clauses: dict[str, Sourced[Clause]] = {}
    for clause in _read_all(_clause_files(root, defaults_root), Clause, problems, scope):
        if clause.model.id in clauses:
            other = clauses[clause.model.id].doc.path
            problems.append(f"{clause.where('id')}: id: clause {clause.model.id!r} is also defined in {other}")
        clauses[clause.model.id] = clause

    customer_files: list[Path] = []
    for index, folder in enumerate(config.customers if config else []):
        problem = _customer_folder_problem(root, folder)
        if problem is not None and config_doc is not None:
            problems.append(f"{config_doc.where(('customers', index))}: customers[{index}]: {problem}")
            continue
        customer_files.extend(_yaml_files(root / folder))
    customers: dict[str, Sourced[Customer]] = {}
    for customer in _read_all(customer_files, Customer, problems, scope):
        name = customer.model.short_name
        if name in customers and customers[name].doc.path != customer.doc.path:
            problems.append(
                f"{customer.where('short_name')}: short_name: {name!r} is also used by {customers[name].doc.path}"
            )
        customers[name] = customer

    collect(problems)
    assert config is not None and config_doc is not None
    config_source = Sourced(config, config_doc, root / CONFIG_NAME)
    workspace = Workspace(root, defaults_root, config_source, tiers, clauses, customers)
    collect(check_workspace(workspace))
    return workspace


# ---------------------------------------------------------------- rules that span files


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
        problems.extend(escalation_problems(ws))
    for customer in ws.customers.values():
        problems.extend(_check_customer(customer, ws))
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


def terms_for(tier: Tier, customer: Sourced[Customer] | None) -> Tier:
    """The tier's terms for this customer: negotiated for a tier they subscribe to, published otherwise
    (a what-if quote for another tier uses the price list; their overrides were agreed for their tiers)."""
    if customer is None or tier.id not in customer.model.tiers:
        return tier
    return apply_overrides(tier, customer)


def apply_overrides(tier: Tier, customer: Sourced[Customer]) -> Tier:
    """The tier as this customer negotiated it; each override must sit within the tier's bounds."""
    problems: list[str] = []
    data = tier.model_dump(mode="python")
    for path, value in customer.model.overrides.items():
        where = f"{customer.where('overrides', path)}: overrides.{path}"
        bound = tier.customer_bounds.get(path)
        if bound is None:
            allowed = ", ".join(sorted(tier.customer_bounds)) or "nothing"
            problems.append(f"{where}: tier {tier.id!r} does not let customers change this; it allows {allowed}")
            continue
        if (bound.min is not None and value < bound.min) or (bound.max is not None and value > bound.max):
            problems.append(
                f"{where}: {value} is outside the tier's bounds {bound.min if bound.min is not None else '-'}"
                f"..{bound.max if bound.max is not None else '-'}"
            )
            continue
        _set_path(data, path, value)
    collect(problems)
    if not customer.model.overrides:
        return tier
    try:
        return Tier.model_validate(data)
    except ValidationError as error:
        messages = [str(item["msg"]).removeprefix("Value error, ") for item in error.errors(include_url=False)]
        raise InputError(
            f"{customer.where('overrides')}: overrides: make tier {tier.id!r} inconsistent: {'; '.join(messages)}"
        ) from error


def _set_path(data: Any, path: str, value: Decimal) -> None:
    parts = path.split(".")
    target = data
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target[part]
    last = parts[-1]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = int(value) if isinstance(target[last], int) else value


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
