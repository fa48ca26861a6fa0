"""Models to the plain values templates need: money, percentages, durations and dates formatted for the locale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from markupsafe import Markup

from slagen import terms
from slagen.calendars import (
    Calendar,
    country_name,
    has_make_up_workdays,
    observes_dst,
    resolve_calendar,
    subdivision_name,
    timezone_name,
)
from slagen.commercial import commercial_context
from slagen.document import REF_PREFIX
from slagen.escalation import escalation_context
from slagen.languages import language_context, text_locale
from slagen.model import WEEKDAYS, Customer, Tier, WorkspaceConfig
from slagen.pricing import contract_currency, pricing_context, retainer_basis
from slagen.units import Duration, DurationRange, Money

# Territories that print on US Letter; everyone else uses A4.
LETTER_TERRITORIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "CR", "PR", "DO", "PA", "SV"})


# Babel's formatting is the slow part of a context (a workspace of 1,000 customers formats the same few hundred
# numbers again and again): each result is kept, keyed by what decides it exactly (locale, type, digits, exponent).
_FORMATTED: dict[tuple[Any, ...], str] = {}


def _exact(value: Decimal | int) -> tuple[Any, ...]:
    """A key that tells apart what formats differently: 1 and 1.0 and 1.00, True and 1."""
    return (type(value), value.as_tuple() if isinstance(value, Decimal) else value)


@dataclass(frozen=True)
class Formatter:
    """Formats values for one locale, with unit words from the workspace's strings."""

    locale: str
    strings: dict[str, Any]
    # The contract's language when it is not the provider's (then `locale` is that language with the
    # customer's territory, and names, dates and lists follow it); None for the provider's own language.
    language: str | None = None

    @property
    def names_locale(self) -> str:
        """The locale of month, weekday, country and time-zone names: English text keeps English names."""
        return "en" if self.language is None else self.locale

    def join(self, items: list[str]) -> str:
        """'a, b and c' with strings.yaml's 'and'; in another language by Babel's list rules ('a、b和c')."""
        if self.language is None or len(items) <= 1:
            return _join(items, self.strings)
        from babel.lists import format_list

        return str(format_list(items, locale=self.locale))

    def money(self, money: Money) -> str:
        rounded = terms.round_money(money)
        key = ("money", self.locale, rounded.currency, _exact(rounded.amount))
        if key not in _FORMATTED:
            _FORMATTED[key] = str(
                format_currency(rounded.amount, rounded.currency, locale=self.locale, currency_digits=True)
            )
        return _FORMATTED[key]

    def number(self, value: Decimal | int) -> str:
        key = ("number", self.locale, _exact(value))
        if key not in _FORMATTED:
            _FORMATTED[key] = str(format_decimal(value, locale=self.locale, decimal_quantization=False))
        return _FORMATTED[key]

    def percent(self, value: Decimal) -> str:
        # Babel's percent pattern per locale ("5%", "5 %"), keeping every significant digit.
        from babel.numbers import format_percent

        key = ("percent", self.locale, _exact(value))
        if key not in _FORMATTED:
            _FORMATTED[key] = str(
                format_percent(Decimal(value) / 100, locale=self.locale, decimal_quantization=False)
            )
        return _FORMATTED[key]

    def count(self, amount: Decimal | int, unit: str) -> str:
        singular, plural = self.strings["units"][unit]
        word = singular if amount == 1 else plural
        if "{n}" in word:  # a language that writes the number inside the unit word, e.g. "{n}小时"
            return str(word).replace("{n}", self.number(amount))
        return f"{self.number(amount)} {word}"

    def duration(self, duration: Duration) -> str:
        return self.count(duration.amount.normalize(), duration.unit)

    def duration_range(self, span: DurationRange) -> str:
        if span.low == span.high:
            return self.duration(span.high)
        return f"{self.number(span.low.amount.normalize())}–{self.duration(span.high)}"

    @property
    def date_locale(self) -> str:
        """Dates in English sentences: English month names, the customer's territory's order; in another
        language, that language's."""
        return self.locale if self.language is not None else _english_dates(self.locale)

    def date(self, day: dt.date) -> str:
        key = ("date", self.date_locale, type(day), day)
        if key not in _FORMATTED:
            _FORMATTED[key] = str(format_date(day, format="long", locale=self.date_locale))
        return _FORMATTED[key]

    def month(self, day: dt.date) -> str:
        key = ("month", self.date_locale, type(day), day)
        if key not in _FORMATTED:
            _FORMATTED[key] = str(format_date(day, format="MMMM yyyy", locale=self.date_locale))
        return _FORMATTED[key]

    def minutes(self, value: Decimal) -> str:
        return self.count(value.quantize(Decimal("0.01")).normalize(), "minutes")


@cache
def _english_dates(locale: str) -> str:
    territory = Locale.parse(locale).territory
    try:
        Locale.parse(f"en_{territory}")
    except (ValueError, UnknownLocaleError):
        return "en_001"
    return f"en_{territory}"


def page_size(locale: str) -> str:
    territory = Locale.parse(locale).territory
    return "Letter" if territory in LETTER_TERRITORIES else "A4"


def ref(target: str) -> Markup:
    """A cross-reference to a clause or sub-clause; the writers show its number."""
    return Markup(f"[{target}]({REF_PREFIX}{target})")


def _join(items: list[str], strings: dict[str, Any]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])}{spaced(strings['and'])}{items[-1]}"


def spaced(word: str) -> str:
    """A conjunction between list items: ' and ', but '和' without spaces in a language written without them."""
    return word if word and ord(word[0]) >= 0x2E80 else f" {word} "


def _weekday_span(days: list[str], locale: str = "en") -> str:
    from babel.dates import get_day_names

    names = get_day_names("wide", locale=locale)
    indexes = [WEEKDAYS.index(day) for day in days]  # type: ignore[arg-type]
    if indexes == list(range(indexes[0], indexes[-1] + 1)) and len(indexes) > 2:
        return f"{names[indexes[0]]}–{names[indexes[-1]]}"
    return ", ".join(names[index] for index in indexes)


def _month_start(text: str) -> dt.date:
    year, month = text.split("-")
    return dt.date(int(year), int(month), 1)


def build_context(
    config: WorkspaceConfig,
    tier: Tier,
    customer: Customer | None,
    strings: dict[str, Any],
    language: str | None = None,
) -> dict[str, Any]:
    """Everything a clause or page template may use; `customer=None` gives the blank template.

    `language` (None: the provider's) is the text's language: `strings` must be in it, and dates, money,
    names and lists are formatted in it with the customer's territory."""
    defaults = config.defaults
    locale = (customer.locale if customer else None) or defaults.locale
    currency = contract_currency(defaults, customer)
    if language == defaults.language:
        language = None
    fmt = Formatter(locale if language is None else text_locale(language, locale, defaults.language), strings, language)
    provider = config.provider

    def money(prices: dict[str, Decimal]) -> str:
        return fmt.money(Money(prices[currency], currency))

    # An on-demand tier has no retainer, and so (validated) no credits, bonus or early renewal that need one.
    annual = retainer_basis(tier, currency)
    monthly_fee = terms.monthly(annual)
    calendar = resolve_calendar(defaults, customer)
    escalation = escalation_context(
        config, tier, fmt.duration, strings["severity_labels"], fmt.join
    )

    ctx: dict[str, Any] = {
        "ref": ref,
        "provider": {
            "legal_name": provider.legal_name,
            "short_name": provider.short_name,
            "address": ", ".join(provider.address),
            "address_lines": list(provider.address),
            "registration": provider.registration,
            "signatory": provider.signatory.model_dump(),
            "channels": [
                channel.model_dump() for channel in provider.channels if channel.kind in tier.coverage.channels
            ],
            "escalation": escalation["levels"],
        },
        "escalation": escalation,
        "customer": _customer_context(customer, fmt, strings),
        "contract": _contract_context(customer, fmt, strings)
        | {
            "title": strings["contract_title"],
            "currency": currency,
            "locale": locale,
            "language": language or defaults.language,  # the language of the text, e.g. 'de'
            "source_language": defaults.language,
            **language_context(config, customer, fmt.names_locale, language or defaults.language),
            "format_locale": fmt.locale,  # the Babel locale values are formatted in, e.g. 'de_DE'
            **_calendar_context(calendar, fmt, strings),
            "rounding": strings["rounding_rule"],
        },
        "severities": [
            {"id": sev, "label": strings["severity_labels"][sev], **severity.model_dump()}
            for sev, severity in config.severities.items()
        ],
        "tier": _tier_context(tier, fmt, strings, money, annual, monthly_fee),
        "credits": _credits_context(tier, fmt, annual, monthly_fee),
        "early_renewal": {
            "min_days": fmt.number(tier.early_renewal.min_days_before),
            "max_days": fmt.number(tier.early_renewal.max_days_before),
            "discount": fmt.percent(tier.early_renewal.discount_pct),
            "example": lambda days: _renewal_example(tier, fmt, annual, days),
        }
        if tier.early_renewal
        else None,
    }
    ctx.update(pricing_context(tier, customer, fmt, currency, strings["severity_labels"]))
    ctx.update(commercial_context(tier, customer, fmt, fmt.join, annual))
    return ctx


def _calendar_context(calendar: Calendar, fmt: Formatter, strings: dict[str, Any]) -> dict[str, Any]:
    """The calendar the contract runs on, as the definitions and service-targets clauses state it."""
    hours = calendar.business_hours
    country = country_name(calendar.holidays, fmt.names_locale)
    subdivision = calendar.holiday_subdivision
    zone_name = timezone_name(calendar.timezone, fmt.names_locale)
    if fmt.language is None and calendar.holidays in strings["countries_with_the"]:
        country = f"the {country}"
    return {
        "timezone": calendar.timezone,
        "timezone_name": zone_name,
        "local_time": strings["local_time"].format(name=zone_name, zone=calendar.timezone),
        "observes_dst": observes_dst(calendar.timezone),
        "business_hours": f"{hours.start:%H:%M}–{hours.end:%H:%M}, "
        f"{_weekday_span(list(hours.days), fmt.names_locale)}",
        "business_days": _weekday_span(list(hours.days), fmt.names_locale),
        "hours_of_day": f"{hours.start:%H:%M}–{hours.end:%H:%M}",
        "business_day_hours": fmt.number(hours.hours_per_day.normalize()),
        "holiday_country": country,
        "holiday_calendar": strings["holiday_calendar"].format(
            country=country, subdivision=subdivision_name(calendar.holidays, subdivision) if subdivision else ""
        ).replace(" ()", "").replace("（）", ""),
        "make_up_workdays": has_make_up_workdays(calendar.holidays),
        "own_calendar": calendar.own,
    }


def _customer_context(customer: Customer | None, fmt: Formatter, strings: dict[str, Any]) -> dict[str, Any]:
    if customer is None:
        blank = strings["placeholders"]
        return {
            "legal_name": blank["legal_name"],
            "short_name": blank["short_name"],
            "address": blank["address"],
            "address_lines": [blank["address"]],
            "signatory": {"name": blank["signatory_name"], "title": blank["signatory_title"]},
            "products": [blank["products"]],
            "products_text": blank["products"],
            "applications": [blank["applications"]],
            "applications_text": blank["applications"],
            "sites": [{"name": blank["sites"], "city": None, "country": ""}],
            "sites_text": blank["sites"],
            "is_blank": True,
        }
    territories = Locale.parse(fmt.names_locale).territories
    sites = [
        {"name": site.name, "city": site.city, "country": territories.get(site.country, site.country)}
        for site in customer.sites
    ]
    return {
        "legal_name": customer.legal_name,
        "short_name": customer.short_name,
        "address": ", ".join(customer.address),
        "address_lines": list(customer.address),
        "signatory": customer.signatory.model_dump(),
        "products": list(customer.products),
        "products_text": fmt.join(list(customer.products)),
        "applications": list(customer.applications),
        "applications_text": fmt.join(list(customer.applications)),
        "sites": sites,
        "sites_text": fmt.join(
            [f"{site['name']} ({site['city'] + ', ' if site['city'] else ''}{site['country']})" for site in sites]
        ),
        "is_blank": False,
    }


def _contract_context(customer: Customer | None, fmt: Formatter, strings: dict[str, Any]) -> dict[str, Any]:
    if customer is None:
        blank = strings["placeholders"]
        return {
            "effective_date": blank["effective_date"],
            "initial_term": blank["initial_term"],
            "renewal_term": blank["renewal_term"],
            "notice_period": blank["notice_period"],
            "offer_valid_until": blank["offer_valid_until"],
        }
    return {
        "effective_date": fmt.date(customer.effective_date),
        "initial_term": fmt.count(customer.initial_term_months, "months"),
        "renewal_term": fmt.count(customer.renewal_term_months, "months"),
        "notice_period": fmt.count(customer.notice_days, "days"),
        "offer_valid_until": fmt.date(customer.offer_valid_until) if customer.offer_valid_until else None,
    }


def _tier_context(
    tier: Tier,
    fmt: Formatter,
    strings: dict[str, Any],
    money: Callable[[dict[str, Decimal]], str],
    annual: Money,
    monthly_fee: Money,
) -> dict[str, Any]:
    ent = tier.entitlements
    investigations = ent.remote_investigations_per_year
    availability = None
    if tier.availability:
        target = tier.availability.target_pct
        availability = {
            "service": tier.availability.service,
            "target": fmt.percent(target),
            "downtime": [
                {"period": strings["downtime_periods"][str(days)], "allowed": fmt.minutes(
                    terms.allowed_downtime_minutes(target, days))}
                for days in (28, 29, 30, 31, 365)
            ],
        }
    return {
        "id": tier.id,
        "name": tier.name,
        "tagline": tier.tagline,
        "level": tier.level,
        "annual_retainer": fmt.money(annual) if tier.annual_retainer else None,
        "monthly_retainer": fmt.money(monthly_fee) if tier.annual_retainer else None,
        "coverage_24x7": tier.coverage.hours == "24x7",
        "channels": list(tier.coverage.channels),
        "targets": [
            {
                "id": sev,
                "label": strings["severity_labels"][sev],
                "response": fmt.duration(target.response),
                "resolution": fmt.duration(target.resolution),
                "coverage_24x7": target.coverage == "24x7",
                "in_clock_hours": target.response.unit in ("minutes", "hours")
                or target.resolution.unit in ("minutes", "hours"),
            }
            for sev, target in tier.targets.items()
        ],
        "entitlements": {
            "unlimited_investigations": investigations == "unlimited",
            "remote_investigations": fmt.number(investigations) if investigations != "unlimited" else None,
            "onsite_hours": fmt.number(ent.onsite_hours_per_year),
            "onsite_days": fmt.number(ent.onsite_days_per_year),
            "has_onsite": bool(ent.onsite_hours_per_year or ent.onsite_days_per_year),
            "onsite_response": fmt.duration(ent.onsite_response) if ent.onsite_response else None,
            "trainings": fmt.number(ent.trainings_per_year),
            "webinars": fmt.number(ent.webinars_per_year),
            "reviews": ent.reviews,
            "spare_parts_dispatch": fmt.duration_range(ent.spare_parts_dispatch),
            "samples_dispatch": fmt.duration_range(ent.samples_dispatch),
            "documentation": [strings["document_kinds"][kind] for kind in ent.documentation],
            "documentation_text": fmt.join([strings["document_kinds"][kind] for kind in ent.documentation]),
            "documentation_kinds": list(ent.documentation),
            "named_engineer": ent.named_engineer,
            "technical_account_manager": ent.technical_account_manager,
            "success_milestones": ent.success_milestones,
            "nps_tracking": ent.nps_tracking,
        },
        "availability": availability,
    }


def _credits_context(tier: Tier, fmt: Formatter, annual: Money, monthly_fee: Money) -> dict[str, Any] | None:
    credits = tier.service_credits
    if credits is None:
        return None
    def example(start: str, compliance: list[int | str]) -> dict[str, Any]:
        first = _month_start(start)
        months = []
        for offset, value in enumerate(compliance):
            index = first.month - 1 + offset
            months.append(terms.MonthInput(dt.date(first.year + index // 12, index % 12 + 1, 1), Decimal(str(value))))
        results = terms.assess_credits(credits, annual, first, months)
        last = results[-1]
        return {
            "months": [
                {
                    "month": fmt.month(result.month),
                    "compliance": fmt.percent(result.compliance_pct),
                    "missed": result.missed,
                    "credit": fmt.money(result.credit),
                    "step": fmt.percent(result.step_pct),
                }
                for result in results
            ],
            "last": {
                "month": fmt.month(last.month),
                "credit": fmt.money(last.credit),
                "step": fmt.percent(min(last.step_pct, credits.cap_per_period_pct)),
            },
        }

    return {
        "metric": credits.metric,
        "schedule": [
            {
                "below": fmt.percent(step.below_pct),
                "credit": fmt.percent(step.credit_pct),
                "amount": fmt.money(terms.percent_of(monthly_fee, step.credit_pct)),
            }
            for step in credits.schedule
        ],
        "threshold": fmt.percent(credits.schedule[0].below_pct),
        "consecutive_periods": credits.consecutive_periods,
        "consecutive_periods_text": fmt.count(credits.consecutive_periods, "months"),
        "min_incidents": fmt.number(credits.min_incidents),
        "cap_per_period": fmt.percent(credits.cap_per_period_pct),
        "cap_per_period_amount": fmt.money(terms.percent_of(monthly_fee, credits.cap_per_period_pct)),
        "cap_per_year": fmt.percent(credits.cap_per_year_pct),
        "cap_per_year_amount": fmt.money(terms.percent_of(annual, credits.cap_per_year_pct)),
        "applied_to_next_invoice": credits.applied_to == "next_invoice",
        "expiry": fmt.count(credits.expiry_months, "months"),
        "claim_window": fmt.count(credits.claim_window_days, "days"),
        "chronic_failure": {
            "missed": fmt.number(credits.chronic_failure.missed_periods),
            "window": fmt.number(credits.chronic_failure.window_periods),
        }
        if credits.chronic_failure
        else None,
        "sole_remedy": credits.sole_remedy,
        "example": example,
    }


def _renewal_example(tier: Tier, fmt: Formatter, annual: Money, days: int) -> dict[str, str]:
    assert tier.early_renewal is not None
    return {
        "days": fmt.number(days),
        "renewal_fee": fmt.money(annual),
        "discount": fmt.money(terms.early_renewal_discount(tier.early_renewal, annual, int(days))),
    }
