"""The words of the quarterly scorecard (`scorecard:` in templates/strings.yaml), as a typed model.

Beside slagen/strings.py, which holds this section's place in the whole file: the scorecard has many words.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from slagen.text import clean_text

Phrase = Annotated[str, AfterValidator(clean_text)]


def _words(description: str) -> Any:
    return Field(description=description)


class ScorecardWords(BaseModel):
    """Unknown keys are errors, as in every section of strings.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ScorecardStatus(ScorecardWords):
    green: Phrase = _words("A cell on or above the green line, in words.")
    amber: Phrase = _words("A cell between the lines.")
    red: Phrase = _words("A cell below the credit line.")
    none: Phrase = _words("A cell without incidents.")
    uncounted: Phrase = _words("A cell of a month with too few incidents to count.")


class ScorecardWhose(ScorecardWords):
    customer: Phrase = _words("The customer's calendar.")
    provider: Phrase = _words("The provider's calendar.")


class Scorecard(ScorecardWords):
    """The quarterly scorecard (scorecard.html.j2); the texts with {fields} are filled in by the template."""

    title: Phrase = _words("Document title.")
    subject: Phrase = _words("Document subject: {tier}, {customer}, {first}, {last}.")
    quarter: Phrase = _words("A quarter: {number}, {year}.")
    heading: Phrase = _words("Page heading: {quarter}.")
    prepared_for: Phrase = _words("Who it is for: {tier}, {customer}.")
    months: Phrase = _words("The months of a page: {first}, {last}.")
    headline: Phrase = _words("The quarter's last figure: {value}, {month}.")
    headline_none: Phrase = _words("A quarter without incidents.")
    rag_heading: Phrase = _words("Heading of the red/amber/green table.")
    rag_note: Phrase = _words("How cells are coloured: {green}, {amber}.")
    rag_note_single: Phrase = _words("How cells are coloured without a bonus line: {green}.")
    target: Phrase = _words("Column: target.")
    compliance_row: Phrase = _words("Row: the month's Target Compliance.")
    row: Phrase = _words("Row of one target: {severity}, {target}.")
    response: Phrase = _words("The response target, in a row label.")
    resolution: Phrase = _words("The resolution target, in a row label.")
    no_incidents: Phrase = _words("A cell without incidents.")
    not_counted: Phrase = _words("A month below the minimum: {n}.")
    status: ScorecardStatus = _words("Cell states in words, for readers who do not see colour.")
    trend_heading: Phrase = _words("Heading of the trend chart.")
    credit_line: Phrase = _words("Label of the credit threshold: {value}.")
    bonus_line: Phrase = _words("Label of the bonus threshold: {value}.")
    trend_note: Phrase = _words("Note under the trend: {n}.")
    volume_heading: Phrase = _words("Heading of the volume chart.")
    excluded: Phrase = _words("Excluded incidents: {n}.")
    open: Phrase = _words("Open tickets: {n}.")
    credits_heading: Phrase = _words("Heading of the credit calculation.")
    month: Phrase = _words("Column: month.")
    pilot_month: Phrase = _words("A month of the pilot term (its own fee and cap): {month}.")
    measured: Phrase = _words("Column: compliance.")
    counts: Phrase = _words("Column: whether the month counts.")
    missed_in_row: Phrase = _words("Column: missed months in a row.")
    schedule: Phrase = _words("Column: the schedule's credit.")
    credit: Phrase = _words("Column: credit due.")
    year_total: Phrase = _words("Column: credits so far in the year.")
    year_cap: Phrase = _words("Column: the year's cap.")
    answer_yes: Phrase = _words("Yes, in a table cell.")
    answer_no: Phrase = _words("No, in a table cell.")
    credits_total: Phrase = _words("The quarter's credits: {amount}, {invoice}.")
    invoice_next: Phrase = _words("The next invoice.")
    invoice_renewal: Phrase = _words("The renewal invoice.")
    no_credits: Phrase = _words("A tier without credits.")
    chronic: Phrase = _words("The chronic-failure right: {month}.")
    bonus_heading: Phrase = _words("Heading of the performance credit.")
    bonus_year: Phrase = _words("A contract year: {year}, {value}, {months}.")
    bonus_earned: Phrase = _words("The credit earned: {amount}.")
    bonus_not_earned: Phrase = _words("The line not reached: {value}.")
    bonus_not_final: Phrase = _words("A year still running.")
    times_heading: Phrase = _words("Heading of the times by severity.")
    times_note: Phrase = _words("What the times are: {first}, {last}.")
    severity: Phrase = _words("Column: severity.")
    incidents: Phrase = _words("Column: incidents.")
    median: Phrase = _words("Column: median.")
    p90: Phrase = _words("Column: 90th percentile.")
    goal: Phrase = _words("Column: the target.")
    mean_resolution: Phrase = _words("Column: mean resolution time.")
    none: Phrase = _words("An empty cell.")
    kpis_heading: Phrase = _words("Heading of the other measures: {first}, {last}.")
    fcr: Phrase = _words("First-contact resolution.")
    escalation_tier2: Phrase = _words("Time to tier-2 escalation.")
    escalation_tier3: Phrase = _words("Time from tier 2 to tier 3.")
    csat: Phrase = _words("Customer satisfaction.")
    nps: Phrase = _words("Net Promoter Score.")
    answers: Phrase = _words("Survey answers: {n}.")
    not_in_data: Phrase = _words("A measure the export cannot answer.")
    by_site: Phrase = _words("Breakdown by site.")
    by_product: Phrase = _words("Breakdown by product family.")
    root_causes: Phrase = _words("Recurrence by root cause.")
    breakdown: Phrase = _words("One breakdown line: {key}, {incidents}, {value}.")
    breached_heading: Phrase = _words("Heading of the breached tickets.")
    breached_none: Phrase = _words("A quarter without breached tickets.")
    ticket: Phrase = _words("Column: ticket.")
    created: Phrase = _words("Column: reported.")
    resolved: Phrase = _words("Column: resolved.")
    missed: Phrase = _words("Column: targets missed.")
    by: Phrase = _words("Column: by how much.")
    still_open: Phrase = _words("A ticket still open.")
    more_breached: Phrase = _words("Tickets left off the page: {n}.")
    calendar_note: Phrase = _words("The calendar: {zone}, {timezone}, {hours}, {holidays}, {whose}.")
    whose: ScorecardWhose = _words("Whose calendar.")
    naive_note: Phrase = _words("Timestamps without an offset: {n}, {timezone}.")
    source: Phrase = _words("The export measured: {source}, {format}.")
    fine_print: Phrase = _words("The footer: {provider}, {title}, {tier}, {customer}, {page}, {pages}.")
