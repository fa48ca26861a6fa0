"""The pydantic models of a workspace: provider, severities, tiers, clauses and customers."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from functools import cache
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from slagen.bounds import Amount, ContractDate, Number, Percent, PositivePercent, check_length, decimal_range
from slagen.text import clean_text
from slagen.units import Duration, DurationRange

# ---------------------------------------------------------------- scalar types


def _single_line(value: str) -> str:
    if "\n" in value.strip():
        raise ValueError("must be a single line")
    return value.strip()


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


Text = Annotated[str, AfterValidator(clean_text), AfterValidator(_not_blank)]
Line = Annotated[Text, AfterValidator(_single_line)]
LegalName = Annotated[Line, check_length(200), Field(json_schema_extra={"maxLength": 200})]


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        key = " ".join(value.casefold().split())
        if key in seen:
            raise ValueError(f"{value!r} is listed twice; name each entry once")
        seen.add(key)
    return values


_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise ValueError(f"{value!r} is not a valid id; use lower-case letters, digits and '-', e.g. 'acme-gmbh'")
    return value


Slug = Annotated[str, AfterValidator(_slug)]


@cache
def _known_currencies() -> frozenset[str]:
    from babel.core import Locale

    return frozenset(Locale.parse("en").currencies)


def _currency(value: str) -> str:
    if value not in _known_currencies():
        raise ValueError(f"{value!r} is not an ISO 4217 currency code; use e.g. 'USD', 'EUR', 'CNY'")
    return value


Currency = Annotated[str, AfterValidator(_currency)]


def _locale(value: str) -> str:
    from babel.core import Locale, UnknownLocaleError

    try:
        Locale.parse(value)
    except (UnknownLocaleError, ValueError) as error:
        raise ValueError(f"{value!r} is not a known locale; use e.g. 'en_US', 'de_DE', 'zh_CN'") from error
    if "_" not in value:
        raise ValueError(f"{value!r} names no territory; use e.g. 'en_US', 'de_DE', 'zh_CN'")
    return value


LocaleId = Annotated[str, AfterValidator(_locale)]


def _timezone(value: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"{value!r} is not an IANA time zone; use e.g. 'Europe/Berlin', 'America/New_York'") from error
    return value


Timezone = Annotated[str, AfterValidator(_timezone)]


def _holiday_country(value: str) -> str:
    import holidays

    if value not in holidays.list_supported_countries():
        raise ValueError(f"{value!r} is not a holiday calendar the holidays library knows; use e.g. 'US', 'DE', 'CN'")
    if len(value) != 2:
        code = holidays.country_holidays(value).country
        raise ValueError(f"{value!r} is a three-letter code; use the two-letter ISO 3166 code {code!r}")
    return value


HolidayCountry = Annotated[str, AfterValidator(_holiday_country)]


def _country(value: str) -> str:
    from babel.core import Locale

    if value not in Locale.parse("en").territories or not re.fullmatch(r"[A-Z]{2}", value):
        raise ValueError(f"{value!r} is not an ISO 3166 country code; use e.g. 'US', 'DE', 'CN'")
    return value


Country = Annotated[str, AfterValidator(_country)]

Count = Annotated[int, Field(ge=0, le=100_000)]
Colour = Annotated[str, Field(pattern=r"^#[0-9A-Fa-f]{6}$")]
SeverityId = Literal["sev1", "sev2", "sev3", "sev4"]
ChannelKind = Literal["email", "phone", "whatsapp", "portal", "onsite"]
CoverageHours = Literal["business_hours", "24x7"]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
InvoicingSchedule = Literal["annually", "quarterly", "monthly"]
DocumentKind = Literal[
    "specifications", "safety_data_sheets", "certificates_of_analysis", "application_notes", "regulatory_statements"
]

WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Model(BaseModel):
    """Unknown fields are errors, so a typo is never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def _check_price_precision(prices: dict[str, Decimal]) -> dict[str, Decimal]:
    from babel.numbers import get_currency_precision

    for currency, amount in prices.items():
        digits = get_currency_precision(currency)
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and -exponent > digits:
            raise ValueError(f"{currency} {amount} has more than {digits} decimal places")
    return prices


PriceList = Annotated[
    dict[Currency, Amount],
    Field(min_length=1),
    AfterValidator(_check_price_precision),
]

# ---------------------------------------------------------------- provider


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


class BusinessHours(Model):
    start: dt.time = Field(description="Start of the support day, e.g. '09:00'.")
    end: dt.time = Field(description="End of the support day, e.g. '18:00'.")
    days: Annotated[list[Weekday], AfterValidator(_unique)] = Field(
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

    @field_validator("severities")
    @classmethod
    def _all_severities(cls, value: dict[str, Severity]) -> dict[str, Severity]:
        missing = [sev for sev in ("sev1", "sev2", "sev3", "sev4") if sev not in value]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}; the matrix needs sev1 to sev4")
        return value


# ---------------------------------------------------------------- tiers


class Target(Model):
    response: Duration = Field(description="Time to a qualified first response, e.g. '1h', '1 business day'.")
    resolution: Duration = Field(description="Time to a fix or accepted work-around, e.g. '8h', '3 business days'.")
    coverage: CoverageHours = Field(
        description="When the clock runs for this severity: 'business_hours' or '24x7'."
    )


class Coverage(Model):
    hours: CoverageHours = Field(description="Support hours in general: 'business_hours' or '24x7'.")
    channels: list[ChannelKind] = Field(min_length=1, description="Channels the tier includes.")


class Entitlements(Model):
    remote_investigations_per_year: Count | Literal["unlimited"] = Field(
        description="Remote incident investigations included a year, or 'unlimited'."
    )
    onsite_hours_per_year: Count = Field(default=0, description="On-site engineer hours included a year.")
    onsite_days_per_year: Count = Field(default=0, description="On-site engineer days included a year.")
    onsite_response: Duration | None = Field(
        default=None, description="On-site presence for Sev-1/Sev-2 within this time, e.g. '2 business days'."
    )
    trainings_per_year: Count = Field(default=0, description="Training or audit-readiness sessions a year.")
    webinars_per_year: Count = Field(default=0, description="Knowledge-transfer webinars a year.")
    reviews: Literal["none", "quarterly", "monthly"] = Field(
        default="none", description="Review cadence: quarterly business review or monthly performance review."
    )
    spare_parts_dispatch: DurationRange = Field(
        description="Lead time for dispatching spare parts in stock for supplied dosing or feeding equipment, "
        "from the customer's order, e.g. '7-10 days' or '48-72 hours'."
    )
    samples_dispatch: DurationRange = Field(
        description="Lead time for dispatching product samples for the customer's trials, from the request, "
        "e.g. '5 business days' or '48-72 hours'."
    )
    documentation: Annotated[list[DocumentKind], AfterValidator(_unique)] = Field(
        default=[],
        description="Technical documents on the products the customer can download from the support portal: "
        "specifications, safety_data_sheets, certificates_of_analysis, application_notes, regulatory_statements.",
    )
    named_engineer: bool = Field(
        default=False, description="A named application engineer knows the customer's applications and sites."
    )
    technical_account_manager: bool = Field(default=False, description="A named technical account manager.")
    success_milestones: bool = Field(default=False, description="Co-developed success milestones.")
    nps_tracking: bool = Field(default=False, description="Net Promoter Score tracked and reported.")


class Availability(Model):
    service: Line = Field(description="The hosted service the target applies to, e.g. 'remote monitoring portal'.")
    target_pct: Percent = Field(description="Monthly availability target in percent, e.g. 99.9.")


class CreditStep(Model):
    below_pct: Percent = Field(description="The step applies when the monthly measure is below this percent.")
    credit_pct: Percent = Field(description="Credit as a percent of the monthly retainer, e.g. 5 for 5%.")


class ChronicFailure(Model):
    missed_periods: int = Field(ge=1, le=12, description="Months with a missed target that give the right, e.g. 2.")
    window_periods: int = Field(ge=1, le=24, description="...within any run of this many consecutive months, e.g. 3.")

    @model_validator(mode="after")
    def _window(self) -> ChronicFailure:
        if self.missed_periods > self.window_periods:
            raise ValueError(f"missed_periods {self.missed_periods} cannot exceed window_periods {self.window_periods}")
        return self


class ServiceCredits(Model):
    metric: Literal["incident_compliance", "availability"] = Field(
        description="What is measured each month: the share of incidents that met their targets, or availability."
    )
    period: Literal["calendar_month"] = Field(default="calendar_month", description="The measurement period.")
    schedule: list[CreditStep] = Field(
        min_length=1, description="Thresholds, highest first: the lowest step the measure falls below applies."
    )
    consecutive_periods: int = Field(
        default=1, ge=1, le=12, description="Months in a row the measure must fall below the first threshold."
    )
    min_incidents: Count = Field(default=0, description="Months with fewer incidents than this do not count.")
    cap_per_period_pct: Percent = Field(description="Most credit in one month, in percent of the monthly retainer.")
    cap_per_year_pct: Percent = Field(description="Most credit in a contract year, in percent of the annual retainer.")
    applied_to: Literal["next_invoice", "renewal"] = Field(
        description="Which invoice credits are deducted from; a credit not deducted when the agreement ends (without "
        "renewal) is paid out to the customer."
    )
    expiry_months: int = Field(
        ge=1, le=60,
        description="Months after the month a credit arises within which it must be deducted; a credit not deducted "
        "by then is paid out to the customer (credits never lapse).",
    )
    claim_window_days: int = Field(ge=1, le=365, description="Days after the month's report to claim a credit.")
    chronic_failure: ChronicFailure | None = Field(default=None, description="Termination right for repeated misses.")
    sole_remedy: bool = Field(
        default=True, description="Whether credits are the customer's sole remedy for missed service targets."
    )

    @field_validator("schedule")
    @classmethod
    def _ordered(cls, schedule: list[CreditStep]) -> list[CreditStep]:
        for higher, lower in pairwise(schedule):
            if lower.below_pct >= higher.below_pct:
                raise ValueError(
                    f"thresholds must fall step by step: {lower.below_pct}% follows {higher.below_pct}%"
                )
            if lower.credit_pct <= higher.credit_pct:
                raise ValueError(
                    f"credits must rise as thresholds fall: {lower.credit_pct}% at below {lower.below_pct}% "
                    f"is not more than {higher.credit_pct}%"
                )
        return schedule


class PerformanceCredit(Model):
    """A discount the customer earns on the next renewal fee when the provider's annual compliance stays high."""

    above_pct: Percent = Field(
        description="Annual compliance above this percent earns the customer the credit, e.g. 95."
    )
    credit_pct: Percent = Field(
        description="Credit for the customer against the next renewal fee, in percent of that fee, e.g. 5."
    )


RolloverEntitlement = Literal["remote_investigations", "onsite_days", "onsite_hours", "trainings", "webinars"]


class Rollover(Model):
    """Unused countable entitlements roll into the next Contract Year, capped, used first there, lapsing at its end."""

    max_pct: PositivePercent = Field(
        description="Most of one Contract Year's entitlement that may roll into the next, in percent, e.g. 50; "
        "rounded down to whole units."
    )
    entitlements: list[RolloverEntitlement] = Field(
        min_length=1,
        description="Countable entitlements that roll over, each one the tier includes: remote_investigations, "
        "onsite_days, onsite_hours, trainings or webinars.",
    )


class EarlyRenewal(Model):
    min_days_before: int = Field(ge=0, le=365, description="Earliest days before expiry that qualify, e.g. 60.")
    max_days_before: int = Field(ge=1, le=365, description="Latest days before expiry that qualify, e.g. 90.")
    discount_pct: Percent = Field(description="Discount on the renewal fee in percent.")

    @model_validator(mode="after")
    def _window(self) -> EarlyRenewal:
        if self.min_days_before >= self.max_days_before:
            raise ValueError(
                f"min_days_before {self.min_days_before} must be below max_days_before {self.max_days_before}"
            )
        return self


class HourBlock(Model):
    hours: int = Field(ge=1, le=1000, description="Engineer hours in one block, e.g. 10.")
    price: PriceList = Field(description="Price of one block per currency, e.g. {USD: 1800}.")


class DayBlock(Model):
    days: int = Field(ge=1, le=365, description="On-site engineer days in one block, e.g. 5.")
    price: PriceList = Field(description="Price of one block per currency, e.g. {USD: 6000}; travel charged at cost.")


BundleKind = Literal["spare_parts", "other"]


class Bundle(Model):
    kind: BundleKind = Field(
        default="other",
        description="'spare_parts' for a package of critical spare parts (shown as such on the summary and the "
        "comparison), 'other' for any other package.",
    )
    name: Line = Field(description="What is bundled with the support tier, e.g. 'Critical spare-parts package'.")
    description: Text = Field(description="What the bundle contains.")
    price: PriceList = Field(
        description="Annual price per currency: of tier plus package (instead of the annual retainer) on a tier "
        "with a retainer; of the package alone on a tier without one."
    )


class Prices(Model):
    engineer_hour: PriceList = Field(description="Extra remote engineer hour beyond the entitlement.")
    hour_block: HourBlock | None = Field(default=None, description="A prepaid block of extra engineer hours.")
    onsite_day: PriceList = Field(description="Extra on-site engineer day, travel charged at cost.")
    day_block: DayBlock | None = Field(default=None, description="A prepaid block of extra on-site engineer days.")
    per_incident: dict[SeverityId, PriceList] | None = Field(
        default=None,
        description="Fee per incident by severity, sev1 to sev4: for every incident on a tier without an annual "
        "retainer, or for incidents beyond the included remote investigations; e.g. {sev1: {USD: 2400}, ...}.",
    )

    @field_validator("per_incident")
    @classmethod
    def _every_severity(cls, value: dict[str, dict[str, Decimal]] | None) -> dict[str, dict[str, Decimal]] | None:
        missing = [sev for sev in ("sev1", "sev2", "sev3", "sev4") if value is not None and sev not in value]
        if missing:
            raise ValueError(f"missing a price for {', '.join(missing)}; price every severity, sev1 to sev4")
        return value


class Bound(Model):
    min: Number | None = Field(default=None, description="Lowest value a customer may negotiate.")
    max: Number | None = Field(default=None, description="Highest value a customer may negotiate.")


class Tier(Model):
    """`tiers/*.yaml`: one support tier, its targets, entitlements, commercial terms and clauses."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="tier")

    id: Slug = Field(description="Identifier used on the command line, e.g. 'premium'.")
    name: Line = Field(description="Display name, e.g. 'Premium'.")
    tagline: Line = Field(description="One line for the summary, e.g. 'A named application engineer for your lines'.")
    level: int = Field(
        ge=0, le=20, description="Order from cheapest (1) upward, for comparisons; 0 for an offer without a retainer."
    )
    annual_retainer: PriceList | None = Field(
        default=None,
        description="Annual retainer per currency, e.g. {USD: 50000, EUR: 46000}; leave it out for an on-demand "
        "offer priced per incident (prices.per_incident), which then has no service credits, performance credit "
        "or early renewal.",
    )
    coverage: Coverage = Field(description="Support hours and channels.")
    targets: dict[SeverityId, Target] = Field(description="Response and resolution target per severity.")
    entitlements: Entitlements = Field(description="What the retainer includes.")
    availability: Availability | None = Field(default=None, description="Availability target, where one is promised.")
    service_credits: ServiceCredits | None = Field(default=None, description="Credits when targets are missed.")
    performance_credit: PerformanceCredit | None = Field(
        default=None,
        description="Credit for the customer against the renewal fee when annual compliance is high; earned only "
        "for the last Contract Year of a term.",
    )
    early_renewal: EarlyRenewal | None = Field(default=None, description="Discount for renewing early.")
    rollover: Rollover | None = Field(
        default=None, description="Unused entitlements that roll into the next Contract Year; without it they lapse."
    )
    prices: Prices = Field(description="Prices of extras.")
    invoicing: InvoicingSchedule = Field(
        default="annually",
        description="How the annual retainer is invoiced, always in advance: 'annually', 'quarterly' or 'monthly'; "
        "a customer may choose another.",
    )
    bundles: list[Bundle] = Field(default=[], description="Bundles of this tier with other packages.")
    customer_bounds: dict[str, Bound] = Field(
        default={}, description="Numeric fields a customer may override, by dotted path, with their bounds."
    )
    clauses: list[Slug] = Field(min_length=1, description="Clause ids, in the order the contract shows them.")

    @field_validator("targets")
    @classmethod
    def _all_targets(cls, value: dict[str, Target]) -> dict[str, Target]:
        missing = [sev for sev in ("sev1", "sev2", "sev3", "sev4") if sev not in value]
        if missing:
            raise ValueError(f"missing targets for {', '.join(missing)}")
        return value

    @property
    def currencies(self) -> list[str]:
        """The currencies the tier is offered in: its retainer's, or its extras' when it has no retainer."""
        return sorted(self.annual_retainer or self.prices.engineer_hour)


# ---------------------------------------------------------------- clauses and customers


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
    products: Annotated[list[Line], AfterValidator(_unique)] = Field(
        min_length=1, description="The provider's products the customer uses, e.g. 'polydextrose'."
    )
    applications: Annotated[list[Line], AfterValidator(_unique)] = Field(
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


SCHEMA_MODELS: dict[str, type[Model]] = {
    "workspace": WorkspaceConfig,
    "tier": Tier,
    "clause": Clause,
    "customer": Customer,
}
