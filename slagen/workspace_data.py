"""A loaded workspace as data: each model with the YAML it came from, and where its input may be read.

Below the loading (slagen.workspace) and the rules that span files (slagen.workspace_rules), so the rules
and the escalation fit check can name `path:line` without importing the loader that runs them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

from pydantic import BaseModel

from slagen.errors import UsageError
from slagen.files import DEFAULT_INPUT_BYTES, InputScope, template_folder
from slagen.loader import YamlDocument, dotted
from slagen.model import Clause, Customer, Tier, WorkspaceConfig

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T", covariant=True)


class Located(Protocol[T]):
    """A model with the place it came from: what the rules need of a `Sourced` (tests may pass their own)."""

    @property
    def model(self) -> T: ...

    def where(self, *location: str | int) -> str: ...


@dataclass
class Sourced(Generic[M]):
    """A model together with the YAML it came from, so any later rule can name `path:line`."""

    model: M
    doc: YamlDocument
    file: Path  # the real file, for hashing inputs; doc.path is how messages name it
    # What is derived from this model and asked for again (a customer's negotiated terms per tier): it lives and
    # dies with the model, so a reloaded workspace never sees an old answer.
    derived: dict[object, object] = field(default_factory=dict, compare=False, repr=False)

    def where(self, *location: str | int) -> str:
        return self.doc.where(location)

    def field_holding(self, text: str) -> str | None:
        """`path:line: field` of the first string value that contains `text`, if any."""
        found = _location_of(self.doc.data, text, ())
        return f"{self.doc.where(found)}: {dotted(found)}" if found is not None else None


def _location_of(data: object, text: str, location: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    if isinstance(data, str):
        return location if text in data else None
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        found = _location_of(value, text, (*location, key))
        if found is not None:
            return found
    return None


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

    def field_holding(self, text: str, *more: Sourced[BaseModel]) -> str | None:
        """`path:line: field` of the first input (tiers, clauses, customers, slagen.yaml, then `more`) whose
        text contains `text`: where a word the layout cannot place most likely came from."""
        sources = [*self.tiers.values(), *self.clauses.values(), *self.customers.values(), self.config, *more]
        return next((where for source in sources if (where := source.field_holding(text)) is not None), None)

    def customer(self, name: str) -> Sourced[Customer]:
        if name not in self.customers:
            known = ", ".join(sorted(self.customers)) or "none"
            raise UsageError(f"unknown customer {name!r}; the workspace has: {known}")
        return self.customers[name]


def input_scope(root: Path, defaults_root: Path, limit: int = DEFAULT_INPUT_BYTES) -> InputScope:
    """The workspace and the packaged clauses and templates (not the rest of a source checkout)."""
    return InputScope.within(root, defaults_root / "clauses", defaults_root / "templates", limit=limit)
