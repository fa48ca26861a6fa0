"""`tiers/*.yaml`: a support tier with its targets, entitlements, credits, renewal terms, prices and bundles."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, Field, field_validator, model_validator

from slagen.bounds import Number, Percent, PositivePercent
from slagen.model.language import Localized
from slagen.model.types import (
    ChannelKind,
    Count,
    CoverageHours,
    DocumentKind,
    InvoicingSchedule,
    Line,
    Model,
    PriceList,
    SeverityId,
    Slug,
    Text,
    unique_entries,
)
from slagen.units import Duration, DurationRange


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
    documentation: Annotated[list[DocumentKind], AfterValidator(unique_entries)] = Field(
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
    localized: Localized = Field(default={})

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


