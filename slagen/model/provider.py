"""The provider of `slagen.yaml`: who signs, the support channels, the escalation matrix and branding."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from slagen.model.types import ChannelKind, Colour, LegalName, Line, Model, SeverityId
from slagen.units import Duration


class Signatory(Model):
    name: Line = Field(description="Full name of the person who signs.")
    title: Line = Field(description="Their job title, e.g. 'Managing Director'.")


class Channel(Model):
    kind: ChannelKind = Field(description="How customers reach support: email, phone, whatsapp, portal or onsite.")
    contact: Line = Field(description="Address, number or URL for this channel, e.g. 'support@example.com'.")


EscalationDuty = Literal["confirm_severity", "take_over", "root_cause_path"]


class EscalationLevel(Model):
    """One level of the escalation matrix and its internal targets (operational-level agreements)."""

    level: int = Field(
        ge=1,
        le=3,
        description="1 = Tier-1 field engineer or customer service, 2 = Tier-2 product specialist or application "
        "engineer, 3 = Tier-3 R&D or equipment maker.",
    )
    role: Line = Field(description="Who handles incidents at this level, e.g. 'Tier-2 product specialist'.")
    contact: Line = Field(description="Name, team or address to reach at this level.")
    duty: EscalationDuty = Field(
        description="What the level commits to: 'confirm_severity' (triage each incident and confirm its severity "
        "within the severity's response target), 'take_over' (take over an incident within the target, counted from "
        "the handover by the level below) or 'root_cause_path' (propose a path to the root cause within the target, "
        "counted from taking the incident over)."
    )
    targets: dict[SeverityId, Duration] = Field(
        default={},
        description="Per severity, the internal target for the duty, e.g. {sev1: 4h, sev2: 4h}; severities left out "
        "have no target at this level. A 'confirm_severity' level has none: each tier's response target is its target.",
    )

    @model_validator(mode="after")
    def _targets_match_duty(self) -> EscalationLevel:
        if self.duty == "confirm_severity" and self.targets:
            raise ValueError(
                "a 'confirm_severity' level works to each severity's response target; remove targets"
            )
        if self.duty != "confirm_severity" and not self.targets:
            raise ValueError(f"a {self.duty!r} level needs targets for at least one severity, e.g. {{sev1: 4h}}")
        return self


class Branding(Model):
    colour: Colour = Field(default="#1F4E79", description="Brand colour as #RRGGBB, used for headings and tables.")
    logo: str | None = Field(default=None, description="Logo image, a path relative to the workspace root.")

class Provider(Model):
    legal_name: LegalName = Field(description="The supplier's registered legal name, at most 200 characters.")
    short_name: Line = Field(description="The name used in running text, e.g. 'Quellmark'.")
    address: list[Line] = Field(min_length=1, description="Registered address, one line per entry.")
    registration: Line | None = Field(default=None, description="Company registration, e.g. 'HRB 12345, Munich'.")
    signatory: Signatory = Field(description="Who signs for the provider.")
    channels: list[Channel] = Field(min_length=1, description="Support channels and their contact details.")
    escalation: list[EscalationLevel] = Field(
        min_length=1, description="The escalation matrix: levels 1 to 3 in order, each with its role and targets."
    )
    branding: Branding = Field(default_factory=Branding, description="Colour and logo for documents.")

    @field_validator("escalation")
    @classmethod
    def _levels_in_order(cls, levels: list[EscalationLevel]) -> list[EscalationLevel]:
        numbers = [level.level for level in levels]
        if numbers != list(range(1, len(levels) + 1)):
            expected = ", ".join(str(number) for number in range(1, len(levels) + 1))
            raise ValueError(f"levels must be numbered {expected} in order; got {', '.join(map(str, numbers))}")
        duties = [level.duty for level in levels]
        if duties[0] != "confirm_severity" or "confirm_severity" in duties[1:]:
            raise ValueError("level 1, and only level 1, has the duty 'confirm_severity'")
        return levels

