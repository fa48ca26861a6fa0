"""Calendars per customer: which calendar applies, deadlines in the customer's zone, and the contract stating it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from slagen import terms
from slagen.calendars import has_make_up_workdays, resolve_calendar, subdivision_problem
from slagen.units import Duration
from slagen.workspace import load_workspace
from tests.conftest import REPO, clean
from tests.test_build import docx_text, pdf_text

WS = load_workspace(REPO)
DEFAULTS = WS.config.model.defaults
CHICAGO = ZoneInfo("America/Chicago")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def calendar_of(name: str | None) -> terms.BusinessCalendar:
    return terms.BusinessCalendar(resolve_calendar(DEFAULTS, WS.customers[name].model if name else None))


def test_each_part_falls_back_to_the_provider() -> None:
    acme = resolve_calendar(DEFAULTS, WS.customers["acme"].model)
    assert (acme.timezone, acme.holidays, acme.holiday_subdivision) == ("America/Chicago", "US", "IA")
    assert f"{acme.business_hours.start:%H:%M}" == "08:00" and acme.own
    huaxin = resolve_calendar(DEFAULTS, WS.customers["huaxin"].model)
    # Naming its own country drops the provider's Bavarian subdivision.
    assert (huaxin.timezone, huaxin.holidays, huaxin.holiday_subdivision) == ("Asia/Shanghai", "CN", None)
    nordwerk = resolve_calendar(DEFAULTS, WS.customers["nordwerk"].model)
    # Only a subdivision of its own: the provider's country, zone and hours.
    assert (nordwerk.timezone, nordwerk.holidays, nordwerk.holiday_subdivision) == ("Europe/Berlin", "DE", "HH")
    assert nordwerk.business_hours == DEFAULTS.business_hours
    blank = resolve_calendar(DEFAULTS, None)
    assert (blank.timezone, blank.holidays, blank.holiday_subdivision, blank.own) == (
        DEFAULTS.timezone, DEFAULTS.holidays, DEFAULTS.holiday_subdivision, False
    )


def chicago(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=CHICAGO)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Independence Day 2026 is a Saturday, observed on Friday 3 July.
        ("2026-07-02 16:00", "2 business hours", "2026-07-06 09:00"),
        # Lincoln's Birthday (12 February) is an Iowa holiday, not a federal one.
        ("2026-02-11 12:00", "1 business day", "2026-02-13 12:00"),
        ("2026-11-25 10:00", "1 business day", "2026-11-27 10:00"),  # Thanksgiving
        # Clocks go forward at 02:00 on 8 March: eight real hours end at 07:00, not 06:00.
        ("2026-03-07 22:00", "8h", "2026-03-08 07:00"),
        # Clocks go back at 02:00 on 1 November: eight real hours end at 05:00, not 06:00.
        ("2026-10-31 22:00", "8h", "2026-11-01 05:00"),
        ("2026-03-06 16:00", "4 business hours", "2026-03-09 11:00"),  # business hours over the DST weekend
    ],
)
def test_acme_deadlines_run_on_central_time_and_us_holidays(start: str, duration: str, due: str) -> None:
    deadline = calendar_of("acme").deadline(chicago(start), Duration.parse(duration))
    assert deadline == chicago(due)
    assert deadline.tzinfo == CHICAGO


def test_a_start_given_in_another_zone_is_measured_in_the_customers() -> None:
    # 16:00 in Berlin is 09:00 in Chicago: two business hours end at 11:00 Central Time.
    start = dt.datetime(2026, 3, 4, 16, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert calendar_of("acme").deadline(start, Duration.parse("2 business hours")) == chicago("2026-03-04 11:00")
    # The provider's own calendar counts the same moment from Berlin's 16:00.
    berlin = calendar_of(None).deadline(start, Duration.parse("2 business hours"))
    assert berlin == dt.datetime(2026, 3, 4, 18, 0, tzinfo=ZoneInfo("Europe/Berlin"))


def shanghai(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "duration", "due"),
    [
        # Saturday 14 February 2026 is an official working day in place of a Spring Festival holiday.
        ("2026-02-13 16:30", "2 business hours", "2026-02-14 09:30"),
        # Spring Festival: 15-23 February are holidays or weekend days; 23 February is a day off in lieu.
        ("2026-02-14 10:00", "1 business day", "2026-02-24 10:00"),
        ("2026-02-27 17:00", "1 business hour", "2026-02-28 09:00"),  # half an hour each side of a worked Saturday
        ("2026-09-30 12:00", "2 business days", "2026-10-09 12:00"),  # National Day week
    ],
)
def test_huaxin_deadlines_follow_chinas_official_calendar(start: str, duration: str, due: str) -> None:
    assert calendar_of("huaxin").deadline(shanghai(start), Duration.parse(duration)) == shanghai(due)


def test_make_up_working_days_are_a_chinese_practice() -> None:
    assert has_make_up_workdays("CN")
    assert not has_make_up_workdays("US") and not has_make_up_workdays("DE")
    # Elsewhere a Saturday stays a weekend day.
    assert not calendar_of("acme").is_business_day(dt.date(2026, 2, 14))


def test_subdivision_problems() -> None:
    assert subdivision_problem("US", "IA") is None
    assert subdivision_problem("US", "XX") == (
        "'XX' is not a subdivision of United States (US) that the holidays library knows; "
        "use one of its 57 codes, e.g. 'AK', 'AL', 'AR'"
    )
    assert subdivision_problem("CN", "SD") == (
        "China (CN) has no subdivisions in the holidays library; remove holiday_subdivision"
    )


@pytest.fixture
def built(acme_premium_and_huaxin_basic: Path) -> Path:
    return acme_premium_and_huaxin_basic


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_acme_contract_states_central_time_and_us_holidays(built: Path, kind: str) -> None:
    path = built / "acme" / f"acme-premium-sla.{kind}"
    text = clean(docx_text(path) if kind == "docx" else pdf_text(path))
    assert '"Local Time" means the time of day in the Central Time zone (America/Chicago), including daylight ' \
        "saving time while it applies." in text
    assert '"Holiday Calendar" means the public holidays of the United States (Iowa) as officially published ' \
        "for each year." in text
    assert '"Business Hours" means 08:00–17:00 Local Time on each Business Day.' in text
    assert "in Local Time (Central Time, America/Chicago)" in text
    assert "that is 08:00–17:00 Local Time on Business Days, which exclude the public holidays of the United " \
        "States (Iowa)." in text
    assert "neither adds nor removes an hour" in text
    assert "Europe/Berlin" not in text and "weekend day" not in text


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_huaxin_contract_states_china_time_and_chinas_holidays(built: Path, kind: str) -> None:
    path = built / "huaxin" / f"huaxin-basic-sla.{kind}"
    text = clean(docx_text(path) if kind == "docx" else pdf_text(path))
    assert '"Local Time" means the time of day in the China Time zone (Asia/Shanghai).' in text
    assert '"Holiday Calendar" means the public holidays of China as officially published for each year, ' \
        "including the weekend days declared working days in their place." in text
    assert "together with any weekend day that the Holiday Calendar declares an official working day in place " \
        "of a holiday." in text
    assert '"Business Hours" means 08:30–17:30 Local Time on each Business Day.' in text
    assert "daylight saving" not in text and "Europe/Berlin" not in text


def test_summary_states_the_customers_calendar(built: Path) -> None:
    text = clean(pdf_text(built / "acme" / "acme-premium-summary.pdf"))
    assert "Central Time (America/Chicago); public holidays of the United States (Iowa)" in text
