"""slagen.checks: the edges of the warnings about caps, early renewal and offers (the CLI cases are in bad_inputs/)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from slagen.checks import cap_findings, early_renewal_finding, most_in_a_year_pct, offer_finding
from slagen.model import Customer, EarlyRenewal, ServiceCredits
from slagen.workspace import load_workspace
from tests.conftest import REPO

WS = load_workspace(REPO)


def credits(**changes: object) -> ServiceCredits:
    premium = WS.tiers["premium"].model.service_credits
    assert premium is not None
    return premium.model_copy(update=changes)


def test_a_year_reaches_twelve_capped_months_whatever_the_run_length() -> None:
    # A run of Missed Months carries over a contract-year end, so from the second year on every month can earn
    # a credit: consecutive_periods lowers only the first year, never the most a year can reach.
    for run in (1, 2, 12):
        assert most_in_a_year_pct(credits(consecutive_periods=run)) == Decimal(20)
    assert most_in_a_year_pct(credits(cap_per_period_pct=Decimal(15))) == Decimal(15)


def test_caps_warn_only_above_what_can_be_reached() -> None:
    assert cap_findings(credits(cap_per_period_pct=Decimal(20), cap_per_year_pct=Decimal(20))) == []
    findings = cap_findings(credits(cap_per_period_pct=Decimal("20.5"), cap_per_year_pct=Decimal("20.01")))
    assert [finding.field for finding in findings] == [
        "service_credits.cap_per_period_pct", "service_credits.cap_per_year_pct"
    ]
    assert findings[1].message == (
        "the yearly cap 20.01% can never bind: with every month missed, a contract year's credits come to 20% of "
        "the annual retainer"
    )


def customer(**changes: object) -> Customer:
    return WS.customers["nordwerk"].model.model_copy(update=changes)


def test_early_renewal_window_against_the_notice_period() -> None:
    window = EarlyRenewal(min_days_before=60, max_days_before=90, discount_pct=Decimal(5))
    assert early_renewal_finding("standard", window, customer(notice_days=60)) is None  # day 60: notice still possible
    one_day = early_renewal_finding("standard", window, customer(notice_days=61))
    assert one_day is not None and "for confirming 60 days before the end of the term" in one_day.message
    whole = early_renewal_finding("standard", window, customer(notice_days=120))
    assert whole is not None and "confirming 60 to 90 days before" in whole.message


def test_offer_may_run_until_the_effective_date() -> None:
    effective = dt.date(2026, 3, 1)
    assert offer_finding(customer(effective_date=effective, offer_valid_until=effective)) is None
    assert offer_finding(customer(effective_date=effective, offer_valid_until=None)) is None
    late = offer_finding(customer(effective_date=effective, offer_valid_until=dt.date(2026, 3, 2)))
    assert late is not None and late.location == ("offer_valid_until",)
