"""`customers/*.yaml`: a customer, their sites, the tiers they take, what they negotiated and a pilot."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, ValidationInfo, field_validator

from slagen.bounds import ContractDate, Number
from slagen.model.config import CustomerCalendar
from slagen.model.language import LanguageCode, Localized, text_or_map
from slagen.model.provider import Signatory
from slagen.model.types import (
    Country,
    Currency,
    InvoicingSchedule,
    LegalName,
    Line,
    LocaleId,
    Model,
    PriceList,
    Slug,
    unique_entries,
)


class Site(Model):
    name: Line = Field(description="Plant or site name.")
    city: Line | None = Field(default=None, description="City.")
    country: Country = Field(description="ISO 3166 country code, e.g. 'DE'.")


class Pilot(Model):
    """A pilot of one tier that opens the agreement; it converts into the full tier unless either party gives notice."""

    tier: Slug = Field(description="The tier piloted, one of the customer's tiers, e.g. 'standard'.")
    months: int = Field(ge=1, le=11, description="Length of the pilot in months, shorter than a year, e.g. 6.")
    fee: PriceList | None = Field(
        description="Fee for the whole pilot per currency, e.g. {EUR: 5500}; null for the annual retainer pro rata."
    )
    success_criteria: list[Line] = Field(
        min_length=1, description="What the pilot must show, one line each; reviewed at its end."
    )
    conversion_notice_days: int = Field(
        ge=1, le=180, description="Written notice before the pilot ends that stops its conversion, in days, e.g. 30."
    )


class Customer(Model):
    """`customers/*.yaml`: one customer, the tiers they buy and what they negotiated."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="customer")

    legal_name: LegalName = Field(description="The customer's registered legal name, at most 200 characters.")
    short_name: Slug = Field(description="Used in file names, e.g. 'acme'.")
    address: list[Line] = Field(min_length=1, description="Registered address, one line per entry.")
    signatory: Signatory = Field(description="Who signs for the customer.")
    tiers: list[Slug] = Field(min_length=1, description="Tiers this customer subscribes to or is quoted.")
    effective_date: ContractDate = Field(description="Date the agreement takes effect, e.g. 2026-01-01.")
    initial_term_months: int = Field(ge=1, le=120, description="Initial term in months.")
    renewal_term_months: int = Field(ge=1, le=120, description="Length of each automatic renewal in months.")
    notice_days: int = Field(ge=1, le=365, description="Written notice to end the agreement, in days.")
    offer_valid_until: ContractDate | None = Field(default=None, description="Last day the quoted offer stands.")
    currency: Currency | None = Field(default=None, description="Overrides the provider's currency.")
    invoicing: InvoicingSchedule | None = Field(
        default=None,
        description="Overrides the tier's invoicing schedule of the annual retainer: 'annually', 'quarterly' or "
        "'monthly', always in advance.",
    )
    locale: LocaleId | None = Field(default=None, description="Overrides the provider's locale.")
    language: text_or_map(LanguageCode, list[LanguageCode]) | None = Field(  # type: ignore[valid-type]
        default=None,
        description="Language of the contract, a BCP 47 code such as 'de' or 'zh', or two codes for a bilingual "
        "contract side by side, e.g. [en, zh]; the provider's language when left out. Dates and money follow the "
        "language and the territory of `locale`.",
    )
    prevailing_language: LanguageCode | Literal["equal"] | None = Field(
        default=None,
        validate_default=True,
        description="For a bilingual contract: the language whose text prevails where the two differ, e.g. 'en', "
        "or 'equal' when both texts are equally authentic.",
    )
    localized: Localized = Field(default={})
    products: Annotated[list[Line], AfterValidator(unique_entries)] = Field(
        min_length=1, description="The provider's products the customer uses, e.g. 'polydextrose'."
    )
    applications: Annotated[list[Line], AfterValidator(unique_entries)] = Field(
        min_length=1,
        description="The customer's applications and processes the support covers, e.g. 'direct-compression tablets'.",
    )
    sites: list[Site] = Field(min_length=1, description="Plants and sites covered.")
    overrides: dict[str, Number] = Field(
        default={}, description="Negotiated values for fields the tier lists in customer_bounds."
    )
    calendar: CustomerCalendar | None = Field(
        default=None,
        description="Business hours, time zone and public holidays where the customer's differ from the provider's.",
    )
    pilot: Pilot | None = Field(
        default=None,
        description="A pilot that opens the agreement; the initial term starts when it ends (the conversion date).",
    )

    @field_validator("effective_date", "offer_valid_until", mode="before")
    @classmethod
    def _date_text(cls, value: object) -> object:
        if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{value!r} is not a date; use YYYY-MM-DD, e.g. 2026-01-01")
        return value


    @field_validator("prevailing_language")
    @classmethod
    def _prevailing(cls, value: str | None, info: ValidationInfo) -> str | None:
        if "language" not in info.data:
            return value  # the language itself is wrong: that is the one message
        language = info.data["language"]
        if isinstance(language, list):
            if value is None:
                raise ValueError(
                    f"missing; say which text prevails ({language[0]!r} or {language[1]!r}) or 'equal' when both "
                    "are equally authentic"
                )
            if value not in (*language, "equal"):
                raise ValueError(f"{value!r} is not one of the contract's languages {language[0]!r}, "
                                 f"{language[1]!r} or 'equal'")
        elif value is not None:
            raise ValueError("only a bilingual contract (language: [en, zh]) has one")
        return value

    @field_validator("language")
    @classmethod
    def _pair(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and (len(value) != 2 or value[0] == value[1]):
            raise ValueError("a bilingual contract names two different languages, e.g. [en, zh]")
        return value
