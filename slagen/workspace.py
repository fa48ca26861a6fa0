"""The loaded workspace: finding it, reading every file into models, then the rules that span files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from slagen.errors import InputError, UsageError, collect
from slagen.files import CONFIG_NAME as CONFIG_NAME  # re-exported
from slagen.files import InputScope, shown
from slagen.files import find_workspace as find_workspace  # re-exported
from slagen.loader import YamlDocument, read_yaml
from slagen.model import Clause, Customer, Tier, WorkspaceConfig
from slagen.model_errors import pydantic_problems as pydantic_problems  # re-exported
from slagen.model_errors import validate_model
from slagen.overrides import terms_for as terms_for  # re-exported
from slagen.workspace_data import M, Sourced, Workspace, input_scope
from slagen.workspace_rules import check_customer_file, check_workspace


def packaged_defaults() -> Path:
    """The default workspace shipped with slagen: inside the wheel, or the source checkout itself."""
    package = Path(__file__).resolve().parent
    inside_wheel = package / "defaults"
    if (inside_wheel / CONFIG_NAME).is_file():
        return inside_wheel
    return package.parent


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

