"""The shared field types of every model: checked text, ids, currencies, locales, calendars, prices,
the literal vocabularies and the strict `Model` base that makes an unknown field an error."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from slagen.bounds import Amount, check_length
from slagen.text import clean_text


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


def unique_entries(values: list[str]) -> list[str]:
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
