"""`clauses/*.yaml`: one clause of the library."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from slagen.model.types import Line, Model, Slug, Text


class Clause(Model):
    """`clauses/*.yaml`: one clause of the library; its body is Markdown with Jinja placeholders."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="clause")

    id: Slug = Field(description="Identifier tiers list and ref() points at, e.g. 'service-credits'.")
    title: Line = Field(description="Clause heading, e.g. 'Service Credits'.")
    version: Line = Field(description="Version of the wording, e.g. '1.0'.")
    status: Literal["draft", "approved"] = Field(description="Only approved clauses belong in a signed contract.")
    condition: Line | None = Field(
        default=None,
        description="Jinja expression; the clause appears only when true, e.g. 'tier.entitlements.named_engineer'.",
    )
    body: Text = Field(description="Markdown with Jinja placeholders; '## Title' starts a numbered sub-clause.")

