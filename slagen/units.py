"""Typed values the YAML speaks in: durations, duration ranges, money and price lists."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from slagen.bounds import show_number

DurationUnit = Literal["minutes", "hours", "business_hours", "days", "business_days"]

_UNIT_WORDS: dict[str, DurationUnit] = {
    "m": "minutes", "min": "minutes", "minute": "minutes", "minutes": "minutes",
    "h": "hours", "hour": "hours", "hours": "hours",
    "bh": "business_hours", "business hour": "business_hours", "business hours": "business_hours",
    "d": "days", "day": "days", "days": "days", "calendar day": "days", "calendar days": "days",
    "bd": "business_days", "business day": "business_days", "business days": "business_days",
}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z ]+?)\s*$")
_RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-|–|to)\s*(\d+(?:\.\d+)?)\s*([a-z ]+?)\s*$")
DURATION_HINT = "use e.g. '4h', '30 minutes', '4 business hours', '2 business days'"


# The longest duration any target or lead time may state: a year in its own unit (a business hour or day
# counted like a clock one, which is generous), so deadlines stay within the calendar's years.
_MAX_AMOUNT: dict[str, int] = {
    "minutes": 366 * 24 * 60, "hours": 366 * 24, "business_hours": 366 * 24, "days": 366, "business_days": 366,
}
_MAX_PLACES = 2


def _check_amount(text: str, amount: Decimal, unit: DurationUnit) -> None:
    words = unit.replace("_", " ")
    if amount > _MAX_AMOUNT[unit]:
        raise ValueError(f"{_shown(text)} is longer than a year; use at most {_MAX_AMOUNT[unit]:,} {words}")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -_MAX_PLACES:
        raise ValueError(f"{_shown(text)} has more than {_MAX_PLACES} decimal places; round it, e.g. '1.25 {words}'")


def _not_text(value: object) -> str:
    """Why a value that is not text is no duration, without Python's names (`None`, `Decimal('4.5')`)."""
    if value is None:
        return "no duration given"
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return f"{show_number(value)} has no unit"
    return f"{str(value).lower() if isinstance(value, bool) else 'a list or mapping'} is not a duration"


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(f"{text[:57]}...")


@dataclass(frozen=True, order=False)
class Duration:
    """An amount of time on a clock (`hours`, `days`) or on the provider's business calendar."""

    amount: Decimal
    unit: DurationUnit

    @classmethod
    def parse(cls, value: object) -> Duration:
        if isinstance(value, Duration):
            return value
        if not isinstance(value, str):
            raise ValueError(f"{_not_text(value)}; {DURATION_HINT}")
        match = _DURATION.match(value.lower())
        unit = _UNIT_WORDS.get(match.group(2)) if match else None
        if match is None or unit is None:
            raise ValueError(f"{value!r} is not a duration; {DURATION_HINT}")
        amount = Decimal(match.group(1))
        if amount <= 0:
            raise ValueError(f"{value!r} must be longer than zero")
        _check_amount(value, amount, unit)
        return cls(amount, unit)

    def nominal_hours(self, business_day_hours: Decimal) -> Decimal:
        """Typical elapsed clock hours, to compare targets across units; deadlines use the real calendar.

        A business day stands for 7/5 of a calendar day (weekends), a business hour for its share of one.
        """
        business_day = Decimal(24) * 7 / 5
        factor = {
            "minutes": Decimal(1) / 60,
            "hours": Decimal(1),
            "business_hours": business_day / business_day_hours,
            "days": Decimal(24),
            "business_days": business_day,
        }[self.unit]
        return self.amount * factor

    def __str__(self) -> str:
        words = self.unit.replace("_", " ")
        return f"{self.amount.normalize():f} {words[:-1] if self.amount == 1 else words}"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "pattern": r"^\d+(\.\d+)?\s*[a-z ]+$", "examples": ["4h", "2 business days"]}


@dataclass(frozen=True)
class DurationRange:
    """`48-72 hours`: a promise stated as a window; the upper bound is the commitment."""

    low: Duration
    high: Duration

    @classmethod
    def parse(cls, value: object) -> DurationRange:
        if isinstance(value, DurationRange):
            return value
        if isinstance(value, str):
            match = _RANGE.match(value.lower())
            if match:
                unit = _UNIT_WORDS.get(match.group(3))
                if unit is not None:
                    low, high = Decimal(match.group(1)), Decimal(match.group(2))
                    _check_amount(value, high, unit)
                    _check_amount(value, low, unit)
                    if not 0 < low <= high:
                        raise ValueError(f"{value!r}: the first number must be positive and not above the second")
                    return cls(Duration(low, unit), Duration(high, unit))
            single = Duration.parse(value)
            return cls(single, single)
        raise ValueError(f"{_not_text(value)}; use e.g. '48-72 hours', '7-10 days'")

    def __str__(self) -> str:
        if self.low == self.high:
            return str(self.high)
        return f"{self.low.amount.normalize():f}-{self.high}"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse, serialization=core_schema.plain_serializer_function_ser_schema(str)
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "examples": ["48-72 hours", "7-10 days", "5 business days"]}


@dataclass(frozen=True)
class Money:
    """An exact amount in one ISO 4217 currency."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError("Money amounts are Decimal, never float")
