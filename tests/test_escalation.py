"""The escalation matrix: the fit rule for take-over targets, and the clause and summary that show it."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from slagen.calendars import resolve_calendar
from slagen.escalation import fits
from slagen.model import BusinessHours
from slagen.units import Duration
from slagen.workspace import load_workspace
from tests.conftest import REPO, clean, run_cli
from tests.test_build import docx_text, pdf_text

WS = load_workspace(REPO)
PROVIDER = resolve_calendar(WS.config.model.defaults, None)  # 09:00-18:00, Bavaria, Europe/Berlin
ACME = resolve_calendar(WS.config.model.defaults, WS.customers["acme"].model)  # 08:00-17:00, Iowa, Chicago
START = dt.date(2026, 1, 1)


def fit(handover: str, resolution: str, calendar: object = PROVIDER, months: int = 12) -> bool:
    return fits(Duration.parse(handover), Duration.parse(resolution), calendar, START, months)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("handover", "resolution", "expected"),
    [
        ("4h", "8h", True),
        ("8h", "8h", True),  # falls due at the same moment: it fits, exactly
        ("9h", "8h", False),
        ("480 minutes", "8h", True),
        ("481 minutes", "8h", False),
        # A business day takes at least a whole day of elapsed time (Monday to Tuesday).
        ("1 business day", "8h", False),
        ("1 business day", "23h", False),
        ("1 business day", "24h", True),
        # Business hours are at their shortest when the incident starts at opening time.
        ("4 business hours", "4h", True),
        ("5 business hours", "4h", False),
        # Ten business hours on a nine-hour day run over a night: 9 h, 15 h closed, then 1 h.
        ("10 business hours", "24h", False),
        ("10 business hours", "25h", True),
        # Business time against business time compares in business minutes: a day is nine business hours.
        ("1 business day", "9 business hours", True),
        ("1 business day", "8 business hours", False),
        ("9 business hours", "1 business day", True),
        ("2 business days", "3 business days", True),
        # A clock target against a business-hours resolution fits when an incident arrives at closing time.
        ("5h", "4 business hours", True),
        ("4h", "3 business days", True),
        # Calendar days end at the same time of day; the calendar decides against hours.
        ("1 day", "24h", True),
        ("1 day", "22h", False),
    ],
)
def test_fit_rule(handover: str, resolution: str, expected: bool) -> None:
    assert fit(handover, resolution) is expected


def test_fit_follows_the_customers_business_day() -> None:
    short = dataclasses.replace(
        ACME,
        business_hours=BusinessHours.model_validate({"start": "08:00", "end": "12:00", "days": ["mon", "tue", "wed",
                                                                                               "thu", "fri"]}),
    )
    # On the provider's nine-hour day, nine business hours fit inside 24 hours; on a four-hour day they
    # span two nights (4 h, 20 h, 4 h, 20 h, 1 h) and cannot.
    assert fit("9 business hours", "24h", PROVIDER)
    assert not fit("9 business hours", "24h", short)
    assert fit("9 business hours", "49h", short)
    # In business time both count the customer's day: 1 business day is four business hours there.
    assert fit("1 business day", "4 business hours", short)
    assert not fit("1 business day", "3 business hours", short)


def test_a_daylight_saving_night_shortens_a_calendar_day() -> None:
    # In Chicago the night of 7-8 March 2026 has 23 hours, so one calendar day can fit inside 23 hours.
    assert fit("1 day", "23h", ACME, months=12)
    # Not in a span without a clock change.
    assert not fit("1 day", "23h", ACME, months=2)


def test_the_shipped_matrix_fits_every_tier() -> None:
    result = run_cli("--workspace", str(REPO), "validate")
    assert result.exit_code == 0, result.stderr
    levels = WS.config.model.provider.escalation
    assert [(level.level, level.duty) for level in levels] == [
        (1, "confirm_severity"), (2, "take_over"), (3, "root_cause_path")
    ]
    assert {sev: str(target) for sev, target in levels[1].targets.items()} == {"sev1": "4 hours", "sev2": "4 hours"}
    assert {sev: str(target) for sev, target in levels[2].targets.items()} == {"sev1": "24 hours", "sev2": "24 hours"}


@pytest.fixture
def built(acme_premium_and_huaxin_basic: Path) -> Path:
    return acme_premium_and_huaxin_basic


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_the_contract_shows_each_levels_role_and_targets(built: Path, kind: str) -> None:
    path = built / "acme" / f"acme-premium-sla.{kind}"
    text = clean(docx_text(path) if kind == "docx" else pdf_text(path))
    for phrase in (
        "Tier-1 field engineer or customer service",
        "Triages each Incident and confirms its Severity within the Response Time",
        "Tier-2 product specialist or application engineer",
        "Takes over Sev-1 and Sev-2 Incidents handed over by level 1",
        "Tier-3 R&D or equipment maker",
        "Proposes a path to the root cause of Sev-1 and Sev-2 Incidents",
        "For Sev-3 and Sev-4 Incidents, level 1 confirms the Severity within the Response Time",
        "Level 2's target runs from the time level 1 hands the Incident over, and fits within the Resolution Time",
        "so this target does not extend the Resolution Time",
        "These targets run in elapsed time, nights, weekends and public holidays included.",
    ):
        assert phrase in text, phrase
    assert "business day" not in text.split("Escalation matrix")[-1].split("Escalation by the customer")[0]


def test_the_matrix_table_per_severity(built: Path) -> None:
    import docx

    document = docx.Document(str(built / "acme" / "acme-premium-sla.docx"))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]
    matrix = next(rows for rows in tables if rows[0][:2] == ["Severity", "Severity confirmed (level 1)"])
    assert matrix == [
        ["Severity", "Severity confirmed (level 1)", "Taken over (level 2)", "Root-cause path proposed (level 3)"],
        ["Sev-1", "Within 1 hour", "Within 4 hours", "Within 24 hours"],
        ["Sev-2", "Within 4 hours", "Within 4 hours", "Within 24 hours"],
    ]
    basic = docx.Document(str(built / "huaxin" / "huaxin-basic-sla.docx"))
    rows = next(
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in basic.tables
        if table.rows[0].cells[1].text == "Severity confirmed (level 1)"
    )
    # Basic answers a Sev-1 within 4 business hours: level 1's column is the tier's own response target.
    assert rows[1] == ["Sev-1", "Within 4 business hours", "Within 4 hours", "Within 24 hours"]


def test_the_summary_lists_each_levels_commitment(built: Path) -> None:
    text = clean(pdf_text(built / "acme" / "acme-premium-summary.pdf"))
    assert "confirms the severity within the response time" in text
    assert "takes over Sev-1 and Sev-2 within 4 hours" in text
    assert "proposes a root-cause path for Sev-1 and Sev-2 within 24 hours" in text
