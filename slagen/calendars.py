"""Which business calendar applies to a customer: time zone, support day and public holidays.

Support hours follow where the customer is, so a customer may set any part of the calendar; what it
leaves out falls back to the provider's defaults in slagen.yaml. `resolve_calendar` is the one place
that decides this; the context, the deadlines (terms.BusinessCalendar) and validate all go through it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from slagen.model import BusinessHours, Customer, Defaults

# Years searched when deciding whether a country moves weekend days into working days (China's
# adjusted working days): a fixed span, so the answer never depends on today's date.
PRACTICE_YEARS = range(2000, 2041)


@dataclass(frozen=True)
class Calendar:
    """The calendar one contract runs on, resolved from the customer's settings and the provider's defaults."""

    timezone: str
    business_hours: BusinessHours
    holidays: str
    holiday_subdivision: str | None
    own: bool  # the customer set at least one part of it

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def resolve_calendar(defaults: Defaults, customer: Customer | None) -> Calendar:
    """The customer's calendar, each part falling back to the provider's default.

    A customer that names its own holiday country gets that country's national holidays unless it also
    names a subdivision: the provider's subdivision (e.g. Bavaria) belongs to the provider's country.
    """
    own = customer.calendar if customer else None
    if own is None:
        return Calendar(
            defaults.timezone, defaults.business_hours, defaults.holidays, defaults.holiday_subdivision, own=False
        )
    if own.holidays is not None:
        country, subdivision = own.holidays, own.holiday_subdivision
    else:
        country, subdivision = defaults.holidays, own.holiday_subdivision or defaults.holiday_subdivision
    return Calendar(
        timezone=own.timezone or defaults.timezone,
        business_hours=own.business_hours or defaults.business_hours,
        holidays=country,
        holiday_subdivision=subdivision,
        own=True,
    )


@cache
def holiday_table(country: str, subdivision: str | None) -> Any:
    """The holidays library's calendar; it fills each year on first use, make-up working days included.
    One per country and subdivision (cached): a thousand customers share a few calendars."""
    import holidays

    return holidays.country_holidays(country, subdiv=subdivision)


def country_name(code: str, locale: str = "en") -> str:
    from babel.core import Locale

    return str(Locale.parse(locale).territories.get(code, code))


def subdivision_name(country: str, subdivision: str) -> str:
    aliases = holiday_table(country, subdivision).get_subdivision_aliases().get(subdivision) or [subdivision]
    return str(aliases[0])


def subdivision_problem(country: str, subdivision: str) -> str | None:
    """Why `subdivision` is not one of `country`'s in the holidays library, or None when it is."""
    import holidays

    known = tuple(holidays.country_holidays(country).subdivisions)
    if subdivision in known:
        return None
    name = f"{country_name(country)} ({country})"
    if not known:
        return f"{name} has no subdivisions in the holidays library; remove holiday_subdivision"
    examples = ", ".join(repr(code) for code in known[:3])
    return (
        f"{subdivision!r} is not a subdivision of {name} that the holidays library knows; "
        f"use one of its {len(known)} codes, e.g. {examples}"
    )


@cache
def has_make_up_workdays(country: str) -> bool:
    """Whether the country's official calendar turns some weekend days into working days (e.g. China)."""
    import holidays

    table = holidays.country_holidays(country, years=PRACTICE_YEARS)
    return bool(getattr(table, "weekend_workdays", ()))


def observes_dst(timezone: str) -> bool:
    """Whether the zone moves its clocks in any year of the fixed span (e.g. America/Chicago, not Asia/Shanghai)."""
    zone = ZoneInfo(timezone)
    for year in PRACTICE_YEARS:
        january = dt.datetime(year, 1, 15, 12, tzinfo=zone).utcoffset()
        july = dt.datetime(year, 7, 15, 12, tzinfo=zone).utcoffset()
        if january != july:
            return True
    return False


def timezone_name(timezone: str, locale: str = "en") -> str:
    """The zone's generic name, e.g. 'Central Time' for America/Chicago (in English unless `locale` says)."""
    from babel.dates import get_timezone, get_timezone_name

    return str(get_timezone_name(get_timezone(timezone), width="long", locale=locale, zone_variant="generic"))
