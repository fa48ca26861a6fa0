"""A help-desk export's mapping onto slagen's canonical ticket columns (`slagen measure --map FILE`, and the
Zendesk, Jira Service Management and Freshdesk mappings shipped in `slagen/measure/formats/`)."""

from __future__ import annotations

from pydantic import Field, model_validator

from slagen.model.types import Line, Model, SeverityId, Slug

CANONICAL_COLUMNS = (
    "id", "severity", "created", "first_response", "resolved", "paused", "excluded", "site", "product",
    "root_cause", "escalated_tier2", "escalated_tier3", "contacts_to_resolve", "csat", "nps",
)
REQUIRED_COLUMNS = ("id", "severity", "created", "first_response", "resolved")


class TicketColumns(Model):
    """Which column of the export holds each canonical value (the export's header names)."""

    id: Line = Field(description="The ticket's id, unique in the export, e.g. 'Id'.")
    severity: Line = Field(description="The severity id or the help desk's priority, e.g. 'Priority'.")
    created: Line = Field(description="When the incident was reported (a timestamp), e.g. 'Created at'.")
    first_response: Line | None = Field(
        default=None, description="When the first response was given (a timestamp); or use first_response_minutes."
    )
    first_response_minutes: Line | None = Field(
        default=None,
        description="A column with the elapsed minutes from creation to the first response (e.g. Zendesk's "
        "'First reply time in minutes'), when the export has no first-response timestamp.",
    )
    resolved: Line = Field(description="When the incident was Resolved (a timestamp; empty while open).")
    paused: Line | None = Field(
        default=None, description="Clock stops: semicolon-separated ISO 8601 intervals 'start/end'."
    )
    excluded: Line | None = Field(
        default=None, description="True when the incident is excluded under the contract's exclusions."
    )
    site: Line | None = Field(default=None, description="The customer's site, for the per-site breakdown.")
    product: Line | None = Field(default=None, description="The product family, for the per-product breakdown.")
    root_cause: Line | None = Field(default=None, description="The root cause, for recurrence by root cause.")
    escalated_tier2: Line | None = Field(default=None, description="When the ticket was escalated to tier 2.")
    escalated_tier3: Line | None = Field(default=None, description="When the ticket was escalated to tier 3.")
    contacts_to_resolve: Line | None = Field(
        default=None, description="Contacts it took to resolve the ticket (1 is a first-contact resolution)."
    )
    csat: Line | None = Field(default=None, description="The customer's satisfaction score for the ticket.")
    nps: Line | None = Field(default=None, description="The customer's 0-10 likelihood to recommend.")

    @model_validator(mode="after")
    def _one_first_response(self) -> TicketColumns:
        if (self.first_response is None) == (self.first_response_minutes is None):
            raise ValueError("name exactly one of first_response (a timestamp) and first_response_minutes")
        return self


class TicketMap(Model):
    """How to read one help desk's ticket export."""

    format: Slug = Field(description="A short name for the export format, e.g. 'zendesk'.")
    title: Line = Field(description="What the export is, e.g. 'Zendesk Support ticket export (CSV)'.")
    detect: list[Line] = Field(
        default=[],
        description="Header columns that identify this export when --format is not given; all must be present.",
    )
    timestamp_format: Line | None = Field(
        default=None,
        description="A strptime format for timestamps that are not ISO 8601, e.g. '%d/%b/%y %I:%M %p'; "
        "ISO 8601 is always accepted.",
    )
    columns: TicketColumns = Field(description="Which export column holds each canonical value.")
    severity: dict[Line, SeverityId] = Field(
        default={},
        description="The help desk's priorities and the tier's severity each one means, e.g. {Urgent: sev1}; "
        "matched ignoring case. A severity id (sev1 ... sev4) is always accepted as itself.",
    )
    true_values: list[Line] = Field(
        default=["true", "yes", "1"],
        description="Values of the excluded column that mean true (ignoring case); empty and these: "
        "false, no, 0 mean false.",
    )
