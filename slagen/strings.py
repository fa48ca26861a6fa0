"""templates/strings.yaml: every word slagen prints that is not in a clause, as a typed model, and its loading.

The model is the one list of keys that exist: a key missing, misspelt or of the wrong type is reported
as `templates/strings.yaml:line: key: message`, every one at once, before anything is rendered.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from slagen.errors import InputError
from slagen.files import InputScope, shown
from slagen.loader import Location, YamlDocument, dotted, read_yaml
from slagen.model import Country
from slagen.model_errors import pydantic_problems
from slagen.scorecard_words import Scorecard
from slagen.text import clean_text
from slagen.wording import Wording

STRINGS_FILE = "strings.yaml"

# Text as written (it may be empty: an empty bundle label means "use the bundle's own name").
Phrase = Annotated[str, AfterValidator(clean_text)]
# A [one, many] pair, chosen by a count.
Pair = Annotated[list[Phrase], Field(min_length=2, max_length=2)]


def _words(description: str) -> Any:
    return Field(description=description)


def _optional(description: str) -> Any:
    return Field(default=None, description=description)


class Words(BaseModel):
    """Unknown keys are errors: a misspelt key would otherwise leave the default wording in silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SeverityLabels(Words):
    sev1: Phrase = _words("Short label of Sev-1, e.g. 'Sev-1'.")
    sev2: Phrase = _words("Short label of Sev-2.")
    sev3: Phrase = _words("Short label of Sev-3.")
    sev4: Phrase = _words("Short label of Sev-4.")


class DocumentKinds(Words):
    specifications: Phrase = _words("How texts name product specifications.")
    safety_data_sheets: Phrase = _words("How texts name safety data sheets.")
    certificates_of_analysis: Phrase = _words("How texts name certificates of analysis.")
    application_notes: Phrase = _words("How texts name application notes.")
    regulatory_statements: Phrase = _words("How texts name regulatory and compliance statements.")


class Units(Words):
    minutes: Pair = _words("[one, many] for minutes.")
    hours: Pair = _words("[one, many] for hours.")
    business_hours: Pair = _words("[one, many] for business hours.")
    days: Pair = _words("[one, many] for calendar days.")
    business_days: Pair = _words("[one, many] for business days.")
    months: Pair = _words("[one, many] for months.")


class DowntimePeriods(Words):
    d28: Phrase = Field(alias="28", description="A 28-day month, as the availability table names it.")
    d29: Phrase = Field(alias="29", description="A 29-day month.")
    d30: Phrase = Field(alias="30", description="A 30-day month.")
    d31: Phrase = Field(alias="31", description="A 31-day month.")
    d365: Phrase = Field(alias="365", description="A 365-day year.")


class Placeholders(Words):
    """What a blank contract shows where a customer's data would go."""

    legal_name: Phrase = _words("The customer's legal name.")
    short_name: Phrase = _words("The customer's short name.")
    address: Phrase = _words("The customer's address.")
    signatory_name: Phrase = _words("The customer's signatory.")
    signatory_title: Phrase = _words("The signatory's title.")
    products: Phrase = _words("The products covered.")
    applications: Phrase = _words("The applications covered.")
    sites: Phrase = _words("The sites covered.")
    effective_date: Phrase = _words("The effective date.")
    initial_term: Phrase = _words("The initial term.")
    renewal_term: Phrase = _words("The renewal term.")
    notice_period: Phrase = _words("The notice period.")
    offer_valid_until: Phrase = _words("The last day of the offer.")


class Schedules(Words):
    annually: Phrase = _words("Annual invoicing in advance.")
    quarterly: Phrase = _words("Quarterly invoicing in advance; {amount} where the phrase shows an instalment.")
    monthly: Phrase = _words("Monthly invoicing in advance; {amount} where the phrase shows an instalment.")


class LastInstalments(Words):
    quarterly: Phrase = _words("The 4th quarterly instalment when it differs: {amount}.")
    monthly: Phrase = _words("The 12th monthly instalment when it differs: {amount}.")


class BundleLabels(Words):
    spare_parts: Phrase = _words("Short name of a spare-parts bundle.")
    other: Phrase = _words("Short name of any other bundle; empty for the bundle's own name.")


class Measures(Words):
    incident_compliance: Phrase = _words("The measure 'incident_compliance' in running text.")
    availability: Phrase = _words("The measure 'availability' in running text.")


class RolloverItems(Words):
    remote_investigations: Phrase = _words("Remote investigations, as rolled over.")
    onsite_days: Phrase = _words("On-site days, as rolled over.")
    onsite_hours: Phrase = _words("On-site hours, as rolled over.")
    trainings: Phrase = _words("Trainings, as rolled over.")
    webinars: Phrase = _words("Webinars, as rolled over.")


class Duties(Words):
    confirm_severity: Phrase = _words("What level 1 does.")
    take_over: Phrase = _words("What a 'take_over' level does: {targets}.")
    root_cause_path: Phrase = _words("What a 'root_cause_path' level does: {targets}.")
    target: Phrase = _words("One target: {severities} within {duration}.")


class ChannelLabels(Words):
    email: Phrase = _words("Label of the email channel.")
    phone: Phrase = _words("Label of the phone channel.")
    whatsapp: Phrase = _words("Label of the WhatsApp channel.")
    portal: Phrase = _words("Label of the support portal.")
    onsite: Phrase = _words("Label of on-site support.")


class Reviews(Words):
    quarterly: Phrase = _words("Quarterly reviews as an entitlement line.")
    monthly: Phrase = _words("Monthly reviews as an entitlement line.")


class Entitlements(Words):
    """One line per included service on the summary; {n} is the amount."""

    unlimited_investigations: Phrase = _words("Unlimited remote investigations.")
    remote_investigations: Pair = _words("[one, many] remote investigations a year.")
    onsite_days: Pair = _words("[one, many] on-site days a year.")
    onsite_hours: Pair = _words("[one, many] on-site hours a year.")
    onsite_response: Phrase = _words("On-site response within {n}.")
    trainings: Pair = _words("[one, many] trainings a year.")
    webinars: Pair = _words("[one, many] webinars a year.")
    reviews: Reviews = _words("Review cadences as lines.")
    review_values: Reviews = _words("Review cadences as values in the comparison.")
    unlimited: Phrase = _words("The word for an unlimited amount.")
    documentation: Phrase = _words("Documents on the portal: {n}.")
    spare_parts_dispatch: Phrase = _words("Spare parts dispatched within {n}.")
    samples_dispatch: Phrase = _words("Samples dispatched within {n}.")
    named_engineer: Phrase = _words("A named application engineer.")
    technical_account_manager: Phrase = _words("A named technical account manager.")
    success_milestones: Phrase = _words("Success milestones.")
    nps_tracking: Phrase = _words("NPS tracking.")
    availability: Phrase = _words("Availability {n} of the {service}.")


class Summary(Words):
    """The one-page summary (summary.html.j2); phrases with {fields} are filled in by the template."""

    title: Phrase = _words("Document title.")
    subject: Phrase = _words("Document subject: {tier}, {customer}.")
    kind: Phrase = _words("Kind of page, e.g. 'Support offer'.")
    kind_pilot: Phrase = _words("Kind of page for an offer that opens with a pilot.")
    valid_until: Phrase = _words("Label of the offer's last day.")
    tier_suffix: Phrase = _words("Word after the tier name, e.g. 'support'.")
    parties: Phrase = _words("Who the offer is for and from: {customer}, {provider}.")
    covers: Phrase = _words("What it covers: {products}, {applications}.")
    annual_retainer: Phrase = _words("Label of the annual retainer.")
    per_year: Phrase = _words("'per year' after the retainer.")
    invoicing: Schedules = _words("How the retainer is invoiced, per schedule.")
    invoicing_last: LastInstalments = _words("The last instalment of a year when instalments do not divide evenly.")
    extra_heading: Phrase = _words("Heading of the extra prices.")
    engineer_hour: Phrase = _words("Extra engineer hour.")
    hour_block: Phrase = _words("Block of {hours} engineer hours.")
    onsite_day: Phrase = _words("Extra on-site day.")
    onsite_day_plain: Phrase = _words("On-site day, on a tier without a retainer.")
    day_block: Pair = _words("[one, many] block of {days} on-site days.")
    extra_heading_on_demand: Phrase = _words("Heading of the prices on a tier without a retainer.")
    per_incident: Phrase = _words("Fee of an extra incident.")
    per_incident_only: Phrase = _words("Fee per incident, on a tier without a retainer.")
    per_incident_label: Phrase = _words("Label in place of the retainer, on a tier without one.")
    from_: Phrase = Field(alias="from", description="'from' before the lowest fee.")
    on_demand_note: Phrase = _words("Note under the fee of a tier without a retainer.")
    nothing_included: Phrase = _words("What is included on a tier without a retainer.")
    bundle_labels: BundleLabels = _words("Short names of bundle kinds.")
    bundle: Phrase = _words("A bundle: {label}, {price}.")
    bundle_on_demand: Phrase = _words("A bundle on a tier without a retainer: {Label}, {price}.")
    term_heading: Phrase = _words("Heading of the term.")
    term: Phrase = _words("The term: {initial}, {effective}, {renewal}, {notice}.")
    pilot_term: Phrase = _words("The term after a pilot: {months}, {effective}, {initial}, {conversion}, {renewal}, "
                                "{notice}.")
    coverage_heading: Phrase = _words("Heading of the coverage.")
    coverage_24x7: Phrase = _words("Coverage around the clock.")
    coverage_business: Phrase = _words("Coverage in business hours: {hours}.")
    coverage_detail: Phrase = _words("Time zone and holidays: {timezone}, {calendar}.")
    channels_heading: Phrase = _words("Heading of the channels.")
    targets_heading: Phrase = _words("Heading of the targets table.")
    severity: Phrase = _words("Column: severity.")
    response: Phrase = _words("Column: response.")
    resolution: Phrase = _words("Column: resolution.")
    handled: Phrase = _words("Column: when handled.")
    handled_24x7: Phrase = _words("Handled around the clock.")
    handled_business: Phrase = _words("Handled in business hours.")
    included_heading: Phrase = _words("Heading of what is included.")
    terms_heading: Phrase = _words("Heading of the commercial terms.")
    credits_label: Phrase = _words("Label of service credits.")
    credits: Phrase = _words("Service credits rising by step: {measure}, {threshold}, {periods}, {low}, {low_amount}, "
                             "{high}, {high_amount}, {invoice}.")
    credits_single: Phrase = _words("Service credits after one month: {measure}, {threshold}, {low}, {low_amount}, "
                                    "{invoice}.")
    credits_one_step: Phrase = _words("Service credits of one step: {measure}, {threshold}, {periods}, {low}, "
                                      "{low_amount}, {invoice}.")
    invoice_next: Phrase = _words("The next invoice.")
    invoice_renewal: Phrase = _words("The renewal invoice.")
    measures: Measures = _words("The measures in running text.")
    performance_credit_label: Phrase = _words("Label of the performance credit.")
    performance_credit: Phrase = _words("The performance credit: {measure}, {above}, {credit}, {amount}.")
    rollover_label: Phrase = _words("Label of the rollover.")
    rollover: Phrase = _words("The rollover: {items}, {max}.")
    rollover_items: RolloverItems = _words("Entitlements as the rollover names them.")
    pilot_label: Phrase = _words("Label of the pilot.")
    pilot: Phrase = _words("The pilot: {fee}, {cap}, {tier}, {notice}.")
    pilot_cap: Phrase = _words("The pilot's credit cap: {cap}.")
    renewal_label: Phrase = _words("Label of the early renewal.")
    renewal: Phrase = _words("The early renewal: {min}, {max}, {discount}, {amount}.")
    no_credits: Phrase = _words("A tier without credits.")
    escalation_heading: Phrase = _words("Heading of the escalation path.")
    level: Phrase = _words("An escalation level: {level}.")
    duties: Duties = _words("What each escalation level does.")
    fine_print: Phrase = _words("The footer: {title}, {tier}.")
    channel_labels: ChannelLabels = _words("Labels of the support channels.")
    entitlements: Entitlements = _words("One line per included service.")


class ChannelNames(Words):
    email: Phrase = _words("Email in running text.")
    phone: Phrase = _words("Phone in running text.")
    whatsapp: Phrase = _words("WhatsApp in running text.")
    portal: Phrase = _words("The support portal in running text.")
    onsite: Phrase = _words("On-site visits in running text.")


class Adds(Words):
    """What a tier adds over the one below it, worked out from the tiers' data."""

    coverage_24x7: Phrase = _words("Around-the-clock coverage.")
    round_the_clock: Phrase = _words("Around-the-clock handling of {severities}.")
    faster: Phrase = _words("Faster targets for {severities}.")
    channels: Phrase = _words("Support by {channels}.")
    channel_names: ChannelNames = _words("Channels in running text.")
    improved: Phrase = _words("A better value: {text}, {old}.")
    credits: Phrase = _words("Service credits up to {high}.")
    credits_better: Phrase = _words("Higher service credits: {high}, {old}.")
    performance_credit: Phrase = _words("A performance credit above {above}.")
    rollover: Phrase = _words("A rollover up to {max}.")
    renewal: Phrase = _words("An early-renewal discount of {discount}.")
    renewal_better: Phrase = _words("A higher early-renewal discount: {discount}, {old}.")


class Compare(Words):
    """The one-page tier comparison (compare.html.j2)."""

    title: Phrase = _words("Document title.")
    subject: Phrase = _words("Document subject for a customer: {customer}.")
    subtitle: Phrase = _words("Subtitle: {provider}.")
    prepared_for: Phrase = _words("Label before the customer's name.")
    prices_in: Phrase = _words("The currency: {currency}.")
    retainer_invoicing: Schedules = _words("How retainers are invoiced, per schedule.")
    valid_until: Phrase = _words("Label of the offer's last day.")
    annual_retainer: Phrase = _words("Row: annual retainer.")
    per_year: Phrase = _words("'per year' after a retainer.")
    invoicing: Schedules = _words("A column's invoicing, per schedule.")
    included: Phrase = _words("Row: what is included.")
    base: Phrase = _words("Before the first tier's entitlements.")
    plus: Phrase = _words("Before what a tier adds: {tier}.")
    coverage: Phrase = _words("Row: coverage.")
    coverage_24x7: Phrase = _words("Coverage around the clock.")
    coverage_business: Phrase = _words("Coverage in business hours.")
    targets: Phrase = _words("Row: response and resolution.")
    credits: Phrase = _words("Row: service credits.")
    credits_value: Phrase = _words("Service credits: {high}, {threshold}.")
    performance_credit: Phrase = _words("Row: performance credit.")
    performance_credit_value: Phrase = _words("The performance credit: {credit}, {above}.")
    renewal: Phrase = _words("Row: early renewal.")
    renewal_value: Phrase = _words("The early renewal: {discount}, {min}, {max}.")
    extras: Phrase = _words("Row: extra hour and day.")
    lead_times: Phrase = _words("Row: dispatch lead times.")
    lead_times_value: Phrase = _words("Lead times: {spare_parts}, {samples}.")
    extras_value: Phrase = _words("Extra prices: {hour}, {day}.")
    no_retainer: Phrase = _words("In place of a retainer.")
    on_demand: Phrase = _words("A tier without a retainer: {amount}.")
    nothing_prepaid: Phrase = _words("What is included without a retainer.")
    blocks: Phrase = _words("Prepaid blocks: {blocks}.")
    hour_block: Phrase = _words("An hour block: {hours}, {price}.")
    day_block: Pair = _words("[one, many] day block: {days}, {price}.")
    bundle: Phrase = _words("A bundle: {label}, {price}.")
    bundle_on_demand: Phrase = _words("A bundle on a tier without a retainer: {label}, {price}.")
    on_demand_heading: Phrase = _words("Heading of the fees per incident.")
    on_demand_per_incident: Phrase = _words("Separator after each fee per incident.")
    on_demand_targets: Phrase = _words("Targets: {first}, {first_label}, {last}, {last_label}.")
    on_demand_extras: Phrase = _words("Extra prices: {hour}, {day}.")
    on_demand_terms: Phrase = _words("Terms of a tier without a retainer.")
    none: Phrase = _words("An empty cell.")
    adds: Adds = _words("What a tier adds over the one below.")
    separator: Phrase = _words("Between the items of a list (the last pair takes 'and').")


class Strings(Words):
    """`templates/strings.yaml`: titles, labels, units and placeholders outside the clauses."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, title="strings.yaml")

    contract_title: Phrase = _words("Title of every contract, e.g. 'Service Level Agreement'.")
    contract_subtitle: Phrase = _words("Subtitle: {tier}, {provider}, {customer}.")
    header: Phrase = _words("Running header: {title}, {customer}.")
    contents: Phrase = _words("Heading of the table of contents.")
    contents_levels: int = Field(ge=1, le=3, description="Heading levels the table of contents lists (1-3).")
    page_x_of_y: Phrase = _words("Page numbers: {page}, {pages}.")
    draft_marking: Phrase = _words("The line a contract with draft clauses carries.")
    draft_watermark: Phrase = _words("The watermark of such a contract.")
    and_: Phrase = Field(alias="and", description="'and' before the last item of a list.")
    rounding_rule: Phrase = _words("How percentages of money are rounded, as the contract states it.")
    holiday_calendar: Phrase = _words("A holiday calendar: {country}, {subdivision}.")
    local_time: Phrase = _words("A time zone: {name}, {zone}.")
    countries_with_the: list[Country] = _words("Countries whose English name takes 'the', e.g. [US, GB].")
    severity_labels: SeverityLabels = _words("Short labels of the severities.")
    document_kinds: DocumentKinds = _words("Technical documents as texts name them.")
    units: Units = _words("[one, many] words of each unit of time.")
    downtime_periods: DowntimePeriods = _words("The periods of the availability table, by days.")
    placeholders: Placeholders = _words("What a blank contract shows in place of customer data.")
    summary: Summary = _words("The one-page summary.")
    compare: Compare = _words("The one-page tier comparison.")
    scorecard: Scorecard = _words("The quarterly scorecard of `slagen measure`.")
    redline_notice: Phrase | None = _optional("A redline's notice: {old}, {date}; a built-in English text if left out.")
    redline_added: Phrase | None = _optional("A clause added, in a redline's list of changes.")
    redline_removed: Phrase | None = _optional("A clause removed.")
    redline_moved: Phrase | None = _optional("A clause moved.")
    redline_changed: Phrase | None = _optional("A clause changed.")
    redline_moved_changed: Phrase | None = _optional("A clause moved and changed.")
    redline_inserted: Phrase | None = _optional("'inserted', after a count of insertions.")
    redline_deleted: Phrase | None = _optional("'deleted', after a count of deletions.")
    redline_no_changes: Phrase | None = _optional("A redline without changes.")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in over.items():
        both = isinstance(value, dict) and isinstance(merged.get(key), dict)
        merged[key] = _merge(merged[key], value) if both else value
    return merged


def find_strings(folders: list[Path]) -> Path | None:
    """The first strings.yaml along the template search path (a FIFO or a broken link is reported on reading)."""
    return next((folder / STRINGS_FILE for folder in folders if os.path.lexists(folder / STRINGS_FILE)), None)


def read_strings(
    path: Path, scope: InputScope, defaults: Path | None = None
) -> tuple[dict[str, Any], YamlDocument]:
    """strings.yaml checked against the model: its data (YAML keys) and document, or one error with every problem.

    The `summary`, `compare` and `scorecard` sections fall back key by key to the packaged `defaults`: a workspace
    scaffolded before those pages existed has no such keys, and its own wording still wins.
    """
    doc = read_yaml(path, shown(path), scope)
    data = doc.data
    if defaults is not None and defaults.is_file() and defaults.resolve() != path.resolve():
        packaged = read_yaml(defaults, shown(defaults), scope).data
        data = dict(data)
        for key in ("summary", "compare", "scorecard"):
            if isinstance(data.get(key, {}), dict) and isinstance(packaged.get(key), dict):
                data[key] = _merge(packaged[key], data.get(key, {}))
    try:
        model = Strings.model_validate(data)
    except ValidationError as error:
        problems = pydantic_problems(error, doc)
        raise InputError(problems[0], problems=problems) from None
    return model.model_dump(by_alias=True, exclude_none=True), doc


def load_strings(folders: list[Path], scope: InputScope, defaults: Path) -> dict[str, Any]:
    """Every word that is not in a clause, each text a `Wording` that knows its `path:line: key`."""
    path = find_strings(folders)
    if path is None:
        raise InputError(f"{STRINGS_FILE}: not found in any templates folder")
    data, doc = read_strings(path, scope, defaults)
    return _worded(data, doc, ())  # type: ignore[no-any-return]


def _worded(data: Any, doc: YamlDocument, location: Location) -> Any:
    if isinstance(data, dict):
        return {key: _worded(value, doc, (*location, key)) for key, value in data.items()}
    if isinstance(data, list):
        return [_worded(value, doc, (*location, index)) for index, value in enumerate(data)]
    if isinstance(data, str):
        text = Wording(data)
        text.where = f"{doc.where(location)}: {dotted(location)}"
        return text
    return data
