"""`slagen credits` and the properties of the credit maths; rendered worked examples equal the calculator."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from slagen import terms
from slagen.build import Job, build_document, load_strings
from slagen.context import Formatter, build_context
from slagen.document import Paragraph, plain_text
from slagen.model import ServiceCredits, Tier
from slagen.templating import clause_environment
from slagen.units import Money
from slagen.workspace import load_workspace
from tests.conftest import REPO, month_args, run_cli

WORKSPACE = load_workspace(REPO)
STRINGS = load_strings(WORKSPACE, None)


def test_seed_example_through_the_cli() -> None:
    result = run_cli("--workspace", str(REPO), "credits", "premium", "--customer", "acme",
                     "--compliance", "2026-03=88", "--compliance", "2026-04=86", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [month["credit"] for month in report["months"]] == ["0.00", "208.33"]
    assert [month["consecutive_missed"] for month in report["months"]] == [1, 2]
    assert report["monthly_retainer"] == "4166.67"
    assert report["chronic_failure_termination_right_from"] == "2026-04"  # 2 of any 3 months
    assert report["total_credit"] == "208.33"


def test_table_output_names_credit_performance_credit_and_chronic_failure() -> None:
    args = ["--workspace", str(REPO), "credits", "premium", "--customer", "acme"]
    for month, value in zip(range(1, 13), [96, 97, 98, 99, 96, 97, 98, 99, 96, 97, 98, 99], strict=True):
        args += ["--compliance", f"2026-{month:02d}={value}"]
    result = run_cli(*args)
    assert result.exit_code == 0
    assert (
        "Contract year 1: annual compliance 97.5%, performance credit to the customer $2,500.00 off the renewal fee"
        in " ".join(result.stdout.split())
    )
    assert "bonus" not in result.stdout.lower()
    assert "Chronic failure" not in result.stdout


def test_incidents_below_the_minimum_do_not_count() -> None:
    result = run_cli("--workspace", str(REPO), "credits", "standard", "--customer", "nordwerk",
                     "--compliance", "2026-03=88", "--compliance", "2026-04=86", "--incidents", "2026-04=2", "--json")
    months = json.loads(result.stdout)["months"]
    assert [(month["counts"], month["credit"]) for month in months] == [(True, "0.00"), (False, "0.00")]


def test_bad_calculator_input_is_a_usage_error() -> None:
    result = run_cli("--workspace", str(REPO), "credits", "premium", "--customer", "acme", "--compliance", "2026-3=x")
    assert result.exit_code == 2
    assert result.lines == ["--compliance '2026-3=x': use YYYY-MM=VALUE, e.g. --compliance 2026-03=88"]
    over = run_cli("--workspace", str(REPO), "credits", "premium", "--customer", "acme", "--compliance", "2026-03=120")
    assert (over.exit_code, over.lines) == (2, [
        "--compliance 2026-03=120: must be a percent from 0 to 100 with at most 4 decimal places"
    ])
    none = run_cli("--workspace", str(REPO), "credits", "basic", "--customer", "huaxin", "--compliance", "2026-03=80")
    assert (none.exit_code, none.lines) == (1, ["tier 'basic' has no service credits; nothing to calculate"])


# ---------------------------------------------------------------- properties

percent = st.decimals(min_value=0, max_value=100, places=1)


@st.composite
def credit_terms(draw: st.DrawFn) -> ServiceCredits:
    steps = draw(st.integers(min_value=1, max_value=3))
    thresholds = sorted(draw(st.lists(st.integers(50, 99), min_size=steps, max_size=steps, unique=True)), reverse=True)
    credits = sorted(draw(st.lists(st.integers(1, 30), min_size=steps, max_size=steps, unique=True)))
    return ServiceCredits.model_validate(
        {
            "metric": "incident_compliance",
            "schedule": [{"below_pct": t, "credit_pct": c} for t, c in zip(thresholds, credits, strict=True)],
            "consecutive_periods": draw(st.integers(1, 3)),
            "cap_per_period_pct": draw(st.integers(max(credits), 100)),
            "cap_per_year_pct": draw(st.integers(1, 100)),
            "applied_to": "next_invoice",
            "expiry_months": 12,
            "claim_window_days": 30,
        }
    )


retainers = st.decimals(min_value=1, max_value=10_000_000, places=2).map(lambda amount: Money(amount, "USD"))


def asmonth_args(values: list[Decimal]) -> list[terms.MonthInput]:
    return [
        terms.MonthInput(dt.date(2026 + index // 12, index % 12 + 1, 1), value) for index, value in enumerate(values)
    ]


@settings(max_examples=200, deadline=None)
@given(credit_terms(), retainers, st.lists(percent, min_size=1, max_size=24))
def test_credits_never_exceed_any_cap(credits: ServiceCredits, retainer: Money, values: list[Decimal]) -> None:
    results = terms.assess_credits(credits, retainer, dt.date(2026, 1, 1), asmonth_args(values))
    month_cap = terms.round_money(terms.percent_of(terms.monthly(retainer), credits.cap_per_period_pct)).amount
    for result in results:
        assert 0 <= result.credit.amount <= month_cap
        assert result.year_total.amount <= result.year_cap.amount


@settings(max_examples=200, deadline=None)
@given(credit_terms(), retainers, st.lists(percent, min_size=1, max_size=12), st.data())
def test_credits_never_decrease_when_compliance_falls(
    credits: ServiceCredits, retainer: Money, values: list[Decimal], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(values) - 1))
    worse = list(values)
    worse[index] = data.draw(st.decimals(min_value=0, max_value=values[index], places=1))
    before = terms.assess_credits(credits, retainer, dt.date(2026, 1, 1), asmonth_args(values))
    after = terms.assess_credits(credits, retainer, dt.date(2026, 1, 1), asmonth_args(worse))
    assert sum(r.credit.amount for r in after) >= sum(r.credit.amount for r in before)


@settings(max_examples=100, deadline=None)
@given(credit_terms(), retainers, st.data())
def test_no_credit_when_every_month_meets_the_threshold(
    credits: ServiceCredits, retainer: Money, data: st.DataObject
) -> None:
    good = st.decimals(min_value=credits.schedule[0].below_pct, max_value=100, places=1)
    values = data.draw(st.lists(good, min_size=1, max_size=24))
    results = terms.assess_credits(credits, retainer, dt.date(2026, 1, 1), asmonth_args(values))
    assert all(result.credit.amount == 0 and not result.missed for result in results)


@settings(max_examples=40, deadline=None)
@given(credit_terms(), st.decimals(min_value=1000, max_value=1_000_000, places=0))
def test_rendered_worked_example_equals_the_calculator(credits: ServiceCredits, annual: Decimal) -> None:
    base = WORKSPACE.tiers["premium"].model
    tier = Tier.model_validate(
        base.model_dump() | {"service_credits": credits.model_dump(), "annual_retainer": {"USD": annual},
                             "performance_credit": None}
    )
    context = build_context(WORKSPACE.config.model, tier, WORKSPACE.customers["acme"].model, STRINGS)
    clause = WORKSPACE.clauses["service-credits"].model
    text = " ".join(clause_environment().from_string(clause.body).render(context).replace("\\", "").split())
    n = credits.consecutive_periods
    months = asmonth_args([Decimal(88)] * (n - 1) + [Decimal(86)])
    months = [terms.MonthInput(dt.date(2026, 3 + i, 1), m.compliance_pct) for i, m in enumerate(months)]
    expected = terms.assess_credits(credits, Money(annual, "USD"), dt.date(2026, 3, 1), months)[-1].credit
    fmt = Formatter("en_US", STRINGS)
    assert f"is {fmt.money(expected)}" in text


def test_worked_example_in_the_built_contract(tmp_path: Path) -> None:
    document, _ = build_document(WORKSPACE, Job(WORKSPACE.tiers["premium"], WORKSPACE.customers["acme"]), STRINGS)
    paragraphs = [" ".join(plain_text(block.inlines).split()) for block in document.blocks
                  if isinstance(block, Paragraph)]
    example = next(text for text in paragraphs if "88% in March 2026" in text)
    assert "The credit for April 2026 is $208.33, that is 5% of the Monthly Retainer of $4,166.67." in example


# ---------------------------------------------------------------- performance credit: which year earns it


def test_first_year_of_a_24_month_term_earns_no_performance_credit() -> None:
    # nordwerk: 24-month initial term from March 2026; the clause grants the credit for the term's last year only
    args = ["--workspace", str(REPO), "credits", "standard", "--customer", "nordwerk"]
    result = run_cli(*args, *month_args(dt.date(2026, 3, 1), [97] * 12 + [96] * 12), "--json")
    assert result.exit_code == 0, result.stderr
    years = json.loads(result.stdout)["years"]
    assert [(year["contract_year"], year["ends_term"], year["performance_credit"]) for year in years] == [
        (1, False, None),
        (2, True, "414.00"),  # 3% of EUR 13,800
    ]
    assert "bonus" not in result.stdout
    text = run_cli(*args, *month_args(dt.date(2026, 3, 1), [97] * 12))
    assert text.exit_code == 0
    assert (
        "Contract year 1: annual compliance 97 %, no performance credit (only the last contract year of a term "
        "earns one)" in " ".join(text.stdout.split())
    )


def test_performance_credit_worked_example_equals_the_calculator() -> None:
    """The built contracts name a year and an amount; `slagen credits --json` credits that same amount for that year.
    (fournil: English text with French money; nordwerk's contract is German, in tests/test_languages.py.)"""
    cases = (("premium", "acme", dt.date(2026, 1, 1)), ("standard", "fournil", dt.date(2026, 2, 1)))
    for tier, customer, start in cases:
        document, _ = build_document(WORKSPACE, Job(WORKSPACE.tiers[tier], WORKSPACE.customers[customer]), STRINGS)
        paragraphs = [" ".join(plain_text(block.inlines).split()) for block in document.blocks
                      if isinstance(block, Paragraph)]
        example = next(text for text in paragraphs if text.startswith("If the Annual Compliance for Contract Year"))
        year = int(example.split("Contract Year ")[1].split()[0])
        months = month_args(start, [90] * 12 * (year - 1) + [96] * 12)
        result = run_cli("--workspace", str(REPO), "credits", tier, "--customer", customer, *months, "--json")
        report = json.loads(result.stdout)
        credited = next(item for item in report["years"] if item["contract_year"] == year)["performance_credit"]
        assert credited is not None and Decimal(credited) > 0
        fmt = Formatter(WORKSPACE.customers[customer].model.locale or "en_US", STRINGS)
        amount = " ".join(fmt.money(Money(Decimal(credited), report["currency"])).split())
        assert f"the Performance Credit is {amount}" in example
        earlier = [item["performance_credit"] for item in report["years"] if item["contract_year"] < year]
        assert earlier == [None] * (year - 1)


# ---------------------------------------------------------------- pilot and rollover through the CLI


def credits(*args: str) -> Any:
    return run_cli("--workspace", str(REPO), "credits", *args)


def test_pilot_months_take_the_pilot_fee_and_cap() -> None:
    # fournil: a six-month pilot of Standard from February 2026 at a pilot fee of EUR 5,500
    result = credits("standard", "--customer", "fournil", "--compliance", "2026-02=88", "--compliance", "2026-03=86",
                     "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(m["pilot"], m["credit"], m["year_cap"]) for m in report["months"]] == [
        (True, "0.00", "275.00"),
        (True, "45.83", "275.00"),  # 5% of 5,500 / 6; the pilot's cap is 5% of its fee
    ]
    assert report["pilot"] == {
        "months": 6,
        "fee": "5500.00",
        "monthly_retainer": "916.67",
        "credit_cap": "275.00",
        "conversion_date": "2026-08-01",
        "entitlements": {"remote_investigations": 12, "onsite_hours": 8, "trainings": 0, "webinars": 2},
        "compliance_pct": "87.00",
        "performance_credit": None,
    }
    assert report["years"] == []  # the pilot is not a Contract Year


def test_a_pilot_earns_no_performance_credit_and_years_count_from_conversion() -> None:
    args = ["standard", "--customer", "fournil", *month_args(dt.date(2026, 2, 1), [99] * 18)]
    report = json.loads(credits(*args, "--json").stdout)
    assert report["pilot"]["performance_credit"] is None and report["pilot"]["compliance_pct"] == "99.00"
    assert [(y["contract_year"], y["complete"], y["performance_credit"]) for y in report["years"]] == [
        (1, True, "414.00")  # August 2026 to July 2027
    ]
    text = " ".join(credits(*args).stdout.split())
    assert "Pilot of 6 months: fee 5 500,00 €, monthly retainer 916,67 €, credits capped at 275,00 € for the whole " \
        "pilot; no performance credit; converts on 2026-08-01" in text.replace("\u202f", " ").replace("\xa0", " ")


def test_rollover_through_the_cli() -> None:
    result = credits("premium", "--customer", "acme", "--used", "onsite_days=6", "--used", "trainings=1", "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["months"] == [] and report["rollover"] == {
        "max_pct": "50",
        "entitlements": [
            {"entitlement": "onsite_days", "entitled": 10, "used": "6", "unused": "4", "cap": 5,
             "carried_into_next_year": 4, "lapsed": "0"},
            {"entitlement": "trainings", "entitled": 2, "used": "1", "unused": "1", "cap": 1,
             "carried_into_next_year": 1, "lapsed": "0"},
        ],
    }
    text = credits("premium", "--customer", "acme", "--used", "onsite_days=2")
    assert text.exit_code == 0
    assert "Rollover of on-site days: 2 of 10 used, 5 carried into the next contract year (at most 5), 3 lapse" in \
        " ".join(text.stdout.split())


def test_bad_rollover_and_empty_input() -> None:
    acme = ("premium", "--customer", "acme")
    cases = [
        ((*acme, "--used", "onsite days"), 2, "--used 'onsite days': use ENTITLEMENT=UNITS, e.g. --used onsite_days=6"),
        ((*acme, "--used", "onsite_hours=3"), 2,
         "--used 'onsite_hours=3': 'onsite_hours' does not roll over in tier 'premium'; use onsite_days, trainings "
         "or webinars"),
        ((*acme, "--used", "trainings=1", "--used", "trainings=2"), 2,
         "--used 'trainings=2': trainings is given twice"),
        ((*acme, "--used", "webinars=-1"), 2, "--used 'webinars=-1': must be a number of units from 0 to "
         "100,000 with at most 2 decimal places, e.g. webinars=6"),
        ((*acme, "--used", "webinars=x"), 2, "--used 'webinars=x': must be a number of units from 0 to "
         "100,000 with at most 2 decimal places, e.g. webinars=6"),
        (("standard", "--customer", "nordwerk", "--used", "trainings=1"), 1,
         "tier 'standard' has no rollover of unused entitlements; --used does not apply to it"),
        (acme, 2, "give at least one --compliance YYYY-MM=PERCENT or --used ENTITLEMENT=UNITS"),
    ]
    for args, code, message in cases:
        result = credits(*args)
        assert (result.exit_code, result.lines) == (code, [message]), args
