"""`slagen.yaml` as a whole: the provider's defaults and business calendar, a customer's own calendar,
the severity matrix and the limits on input and rendering."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from slagen.bounds import decimal_range
from slagen.model.language import LanguageCode, Localized
from slagen.model.provider import Provider
from slagen.model.types import (
    Currency,
    HolidayCountry,
    Line,
    LocaleId,
    Model,
    SeverityId,
    Text,
    Timezone,
    Weekday,
    unique_entries,
)


class BusinessHours(Model):
    start: dt.time = Field(description="Start of the support day, e.g. '09:00'.")
    end: dt.time = Field(description="End of the support day, e.g. '18:00'.")
    days: Annotated[list[Weekday], AfterValidator(unique_entries)] = Field(
        min_length=1, description="Working days, e.g. [mon, tue, wed, thu, fri]; each once."
    )

    @field_validator("start", "end", mode="before")
    @classmethod
    def _time_text(cls, value: object) -> object:
        if isinstance(value, str) and not re.fullmatch(r"\d{2}:\d{2}", value):
            raise ValueError(f"{value!r} is not a time; use 24-hour 'HH:MM', e.g. '09:00'")
        return value

    @model_validator(mode="after")
    def _order(self) -> BusinessHours:
        if self.end <= self.start:
            raise ValueError(f"end {self.end:%H:%M} must be after start {self.start:%H:%M}")
        return self

    @property
    def hours_per_day(self) -> Decimal:
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        return Decimal(end - start) / 60


class Defaults(Model):
    currency: Currency = Field(description="ISO 4217 currency for customers that name none, e.g. 'USD'.")
    locale: LocaleId = Field(description="Locale for numbers and dates, e.g. 'en_US'.")
    language: LanguageCode = Field(
        default="en",
        description="Language the clause library, strings.yaml and these files are written in (BCP 47, e.g. 'en'); "
        "customers without a `language` get contracts in it.",
    )
    timezone: Timezone = Field(description="IANA time zone of the support team, e.g. 'Europe/Berlin'.")
    business_hours: BusinessHours = Field(description="The support day that business hours and days count in.")
    holidays: HolidayCountry = Field(description="Country whose public holidays are not business days, e.g. 'DE'.")
    holiday_subdivision: str | None = Field(default=None, description="State or province of that country, e.g. 'BY'.")


class CustomerCalendar(Model):
    """A customer's own support calendar; each part left out falls back to the provider's defaults."""

    timezone: Timezone | None = Field(
        default=None, description="IANA time zone the customer's support hours run in, e.g. 'America/Chicago'."
    )
    business_hours: BusinessHours | None = Field(
        default=None, description="The customer's support day; the provider's default business hours when left out."
    )
    holidays: HolidayCountry | None = Field(
        default=None,
        description="Country whose public holidays are not business days for this customer, e.g. 'US'; naming one "
        "drops the provider's holiday_subdivision.",
    )
    holiday_subdivision: str | None = Field(
        default=None,
        description="State or province whose holidays also apply, e.g. 'IA'; only national holidays when left out "
        "of a calendar that names its own country.",
    )


class Severity(Model):
    name: Line = Field(description="Short name, e.g. 'Critical'.")
    definition: Text = Field(description="What makes an incident this severe.")
    classified_by: Text = Field(description="Who assigns the severity and how disagreements are settled.")
    examples: list[Line] = Field(min_length=1, description="Example scenarios at this severity.")


class Limits(Model):
    render_seconds: decimal_range(0, 600, 3, low_open=True) = Field(  # type: ignore[valid-type]
        default=Decimal(20), description="Time limit for rendering one clause or page template."
    )
    output_bytes: int = Field(
        default=5_000_000, gt=0, description="Largest text a clause or page template may render, in characters."
    )
    input_bytes: int = Field(
        default=2_000_000, gt=0, le=1_000_000_000,
        description="Largest YAML file, page template or stylesheet slagen reads, in bytes (slagen.yaml itself is "
        "always read with the default).",
    )
    asset_bytes: int = Field(
        default=32 * 1024 * 1024, gt=0, le=10_000_000_000,
        description="Largest other file under templates/ or assets/ (logo, images, fonts) that build --all "
        "fingerprints, in bytes.",
    )


class WorkspaceConfig(Model):
    """`slagen.yaml`: who the provider is, their defaults, the severity matrix and where customers live."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="slagen.yaml")

    provider: Provider = Field(description="The supplier that gives the support promises.")
    defaults: Defaults = Field(description="Currency, locale, time zone and business calendar.")
    severities: dict[SeverityId, Severity] = Field(description="The severity matrix, sev1 (worst) to sev4.")
    customers: list[str] = Field(
        default=["customers"], description="Folders, relative to the workspace, that hold customer files."
    )
    limits: Limits = Field(
        default_factory=Limits, description="Limits that stop runaway templates and oversized input."
    )
    localized: Localized = Field(default={})

    @field_validator("severities")
    @classmethod
    def _all_severities(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        missing = [sev for sev in ("sev1", "sev2", "sev3", "sev4") if sev not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}; the matrix needs sev1 to sev4")
        return value

