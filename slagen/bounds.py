"""Sensible ranges for the numbers and dates the YAML and the command line speak in: one definition each.

Exact decimal maths needs exact inputs within reach: 1e309 or 10^30 as money, 1e-999999 as a
percent or 10^32 business days as a duration pass a bare type check and then fail deep in rounding or
date arithmetic. Each type here refuses them where they are read, with the field and the range.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, Field

MAX_AMOUNT = Decimal(10) ** 12  # a trillion in any currency, enough for a retainer in VND or IDR
MONEY_PLACES = 4
PERCENT_PLACES = 4  # 99.9999 ("six nines") is the finest availability anyone states
NUMBER_PLACES = 6
FIRST_DATE = dt.date(2000, 1, 1)
LAST_DATE = dt.date(2099, 12, 31)


def show_number(value: Decimal | int) -> str:
    """A number as a user wrote it, never `Decimal('1.5')`; huge or tiny ones in scientific notation."""
    if isinstance(value, Decimal) and value.is_finite():
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -30 and value.adjusted() < 30:
            return format(value, "f")
    return str(value)


def _places(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def check_decimal(value: Decimal, low: Decimal, high: Decimal, places: int, *, low_open: bool = False) -> Decimal:
    """`value` within `low`..`high` (above `low` when `low_open`) with at most `places` decimals, else ValueError."""
    if not value.is_finite():
        raise ValueError(f"{show_number(value)} is not a number; {_range(low, high, places, low_open)}")
    if value < low or (low_open and value == low) or value > high:
        raise ValueError(f"{show_number(value)} is out of range; {_range(low, high, places, low_open)}")
    if _places(value) > places:
        raise ValueError(
            f"{show_number(value)} has more than {places} decimal places; {_range(low, high, places, low_open)}"
        )
    return value


def _range(low: Decimal, high: Decimal, places: int, low_open: bool) -> str:
    span = f"above {low:,} and up to {high:,}" if low_open else f"from {low:,} to {high:,}"
    return f"use a number {span} with at most {places} decimal places"


def decimal_range(low: int | Decimal, high: int | Decimal, places: int, *, low_open: bool = False) -> Any:
    """An Annotated Decimal type bounded to `low`..`high` with at most `places` decimals (the schema says so too)."""
    low, high = Decimal(low), Decimal(high)
    schema: dict[str, Any] = {"maximum": float(high)}
    schema["exclusiveMinimum" if low_open else "minimum"] = float(low)
    return Annotated[
        Decimal,
        AfterValidator(lambda value: check_decimal(value, low, high, places, low_open=low_open)),
        Field(json_schema_extra=schema),
    ]


Percent = decimal_range(0, 100, PERCENT_PLACES)
PositivePercent = decimal_range(0, 100, PERCENT_PLACES, low_open=True)
Amount = decimal_range(0, MAX_AMOUNT, MONEY_PLACES)
Number = decimal_range(-MAX_AMOUNT, MAX_AMOUNT, NUMBER_PLACES)


def check_date(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"{value.isoformat()} is out of range; use a date from {FIRST_DATE} to {LAST_DATE}")
    return value


ContractDate = Annotated[
    dt.date,
    AfterValidator(check_date),
    Field(json_schema_extra={"formatMinimum": FIRST_DATE.isoformat(), "formatMaximum": LAST_DATE.isoformat()}),
]


def check_length(limit: int) -> Any:
    """An AfterValidator: text of at most `limit` characters (the message never repeats the text)."""

    def check(value: str) -> str:
        if len(value) > limit:
            raise ValueError(f"is {len(value):,} characters long; use at most {limit}")
        return value

    return AfterValidator(check)
