"""Zendesk's names for time zones: a schedule's `time_zone` takes the Rails (ActiveSupport) zone names, e.g.
"Central Time (US & Canada)" for America/Chicago. Data only; `zendesk_zone` picks one for an IANA zone."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo

# IANA zone -> the Rails name Zendesk shows. Where several Rails names share a zone the city people
# recognise is kept (London, not Edinburgh).
RAILS_NAMES: dict[str, str] = {
    "Etc/GMT+12": "International Date Line West",
    "Pacific/Midway": "Midway Island",
    "Pacific/Pago_Pago": "American Samoa",
    "Pacific/Honolulu": "Hawaii",
    "America/Juneau": "Alaska",
    "America/Los_Angeles": "Pacific Time (US & Canada)",
    "America/Tijuana": "Tijuana",
    "America/Denver": "Mountain Time (US & Canada)",
    "America/Phoenix": "Arizona",
    "America/Chihuahua": "Chihuahua",
    "America/Mazatlan": "Mazatlan",
    "America/Chicago": "Central Time (US & Canada)",
    "America/Regina": "Saskatchewan",
    "America/Mexico_City": "Mexico City",
    "America/Monterrey": "Monterrey",
    "America/Guatemala": "Central America",
    "America/New_York": "Eastern Time (US & Canada)",
    "America/Indiana/Indianapolis": "Indiana (East)",
    "America/Bogota": "Bogota",
    "America/Lima": "Lima",
    "America/Halifax": "Atlantic Time (Canada)",
    "America/Caracas": "Caracas",
    "America/La_Paz": "La Paz",
    "America/Santiago": "Santiago",
    "America/St_Johns": "Newfoundland",
    "America/Sao_Paulo": "Brasilia",
    "America/Argentina/Buenos_Aires": "Buenos Aires",
    "America/Montevideo": "Montevideo",
    "America/Guyana": "Georgetown",
    "America/Puerto_Rico": "Puerto Rico",
    "America/Nuuk": "Greenland",
    "Atlantic/South_Georgia": "Mid-Atlantic",
    "Atlantic/Azores": "Azores",
    "Atlantic/Cape_Verde": "Cape Verde Is.",
    "Europe/Dublin": "Dublin",
    "Europe/London": "London",
    "Europe/Lisbon": "Lisbon",
    "Africa/Casablanca": "Casablanca",
    "Africa/Monrovia": "Monrovia",
    "Etc/UTC": "UTC",
    "Europe/Belgrade": "Belgrade",
    "Europe/Bratislava": "Bratislava",
    "Europe/Budapest": "Budapest",
    "Europe/Ljubljana": "Ljubljana",
    "Europe/Prague": "Prague",
    "Europe/Sarajevo": "Sarajevo",
    "Europe/Skopje": "Skopje",
    "Europe/Warsaw": "Warsaw",
    "Europe/Zagreb": "Zagreb",
    "Europe/Brussels": "Brussels",
    "Europe/Copenhagen": "Copenhagen",
    "Europe/Madrid": "Madrid",
    "Europe/Paris": "Paris",
    "Europe/Amsterdam": "Amsterdam",
    "Europe/Berlin": "Berlin",
    "Europe/Zurich": "Zurich",
    "Europe/Rome": "Rome",
    "Europe/Stockholm": "Stockholm",
    "Europe/Vienna": "Vienna",
    "Africa/Algiers": "West Central Africa",
    "Europe/Bucharest": "Bucharest",
    "Africa/Cairo": "Cairo",
    "Europe/Helsinki": "Helsinki",
    "Europe/Kiev": "Kyiv",
    "Europe/Kyiv": "Kyiv",
    "Europe/Riga": "Riga",
    "Europe/Sofia": "Sofia",
    "Europe/Tallinn": "Tallinn",
    "Europe/Vilnius": "Vilnius",
    "Europe/Athens": "Athens",
    "Europe/Istanbul": "Istanbul",
    "Europe/Minsk": "Minsk",
    "Asia/Jerusalem": "Jerusalem",
    "Africa/Harare": "Harare",
    "Africa/Johannesburg": "Pretoria",
    "Europe/Kaliningrad": "Kaliningrad",
    "Europe/Moscow": "Moscow",
    "Europe/Volgograd": "Volgograd",
    "Europe/Samara": "Samara",
    "Asia/Kuwait": "Kuwait",
    "Asia/Riyadh": "Riyadh",
    "Africa/Nairobi": "Nairobi",
    "Asia/Baghdad": "Baghdad",
    "Asia/Tehran": "Tehran",
    "Asia/Muscat": "Abu Dhabi",
    "Asia/Baku": "Baku",
    "Asia/Tbilisi": "Tbilisi",
    "Asia/Yerevan": "Yerevan",
    "Asia/Kabul": "Kabul",
    "Asia/Yekaterinburg": "Ekaterinburg",
    "Asia/Karachi": "Karachi",
    "Asia/Tashkent": "Tashkent",
    "Asia/Kolkata": "New Delhi",
    "Asia/Kathmandu": "Kathmandu",
    "Asia/Dhaka": "Dhaka",
    "Asia/Colombo": "Sri Jayawardenepura",
    "Asia/Almaty": "Almaty",
    "Asia/Novosibirsk": "Novosibirsk",
    "Asia/Rangoon": "Rangoon",
    "Asia/Bangkok": "Bangkok",
    "Asia/Jakarta": "Jakarta",
    "Asia/Krasnoyarsk": "Krasnoyarsk",
    "Asia/Shanghai": "Beijing",
    "Asia/Chongqing": "Chongqing",
    "Asia/Hong_Kong": "Hong Kong",
    "Asia/Urumqi": "Urumqi",
    "Asia/Kuala_Lumpur": "Kuala Lumpur",
    "Asia/Singapore": "Singapore",
    "Asia/Taipei": "Taipei",
    "Australia/Perth": "Perth",
    "Asia/Irkutsk": "Irkutsk",
    "Asia/Ulaanbaatar": "Ulaanbaatar",
    "Asia/Seoul": "Seoul",
    "Asia/Tokyo": "Tokyo",
    "Asia/Yakutsk": "Yakutsk",
    "Australia/Darwin": "Darwin",
    "Australia/Adelaide": "Adelaide",
    "Australia/Melbourne": "Melbourne",
    "Australia/Sydney": "Sydney",
    "Australia/Brisbane": "Brisbane",
    "Australia/Hobart": "Hobart",
    "Asia/Vladivostok": "Vladivostok",
    "Pacific/Guam": "Guam",
    "Pacific/Port_Moresby": "Port Moresby",
    "Asia/Magadan": "Magadan",
    "Asia/Srednekolymsk": "Srednekolymsk",
    "Pacific/Guadalcanal": "Solomon Is.",
    "Pacific/Noumea": "New Caledonia",
    "Pacific/Fiji": "Fiji",
    "Asia/Kamchatka": "Kamchatka",
    "Pacific/Majuro": "Marshall Is.",
    "Pacific/Auckland": "Auckland",
    "Pacific/Tongatapu": "Nuku'alofa",
    "Pacific/Fakaofo": "Tokelau Is.",
    "Pacific/Chatham": "Chatham Is.",
    "Pacific/Apia": "Samoa",
}

# A zone Zendesk does not name is matched to one it does whose clocks agree on every day of these years
# (e.g. Europe/Oslo runs as Europe/Berlin): the years a contract written now can run in.
MATCH_YEARS = range(2020, 2041)


def _noon_offsets(zone: str, step_days: int = 1) -> tuple[dt.timedelta | None, ...]:
    info = ZoneInfo(zone)
    first = dt.datetime(MATCH_YEARS.start, 1, 1, 12, tzinfo=dt.UTC)
    days = (dt.date(MATCH_YEARS.stop, 1, 1) - first.date()).days
    return tuple((first + dt.timedelta(days=day)).astimezone(info).utcoffset() for day in range(0, days, step_days))


@cache
def zendesk_zone(zone: str) -> tuple[str, str] | None:
    """Zendesk's name for `zone` and the IANA zone it stands for (the same one, or one whose clocks agree
    every day of MATCH_YEARS), or None when no Zendesk zone keeps the same time."""
    if zone in RAILS_NAMES:
        return RAILS_NAMES[zone], zone
    rough, wanted = _noon_offsets(zone, 61), _noon_offsets(zone)
    for candidate, name in RAILS_NAMES.items():
        if _noon_offsets(candidate, 61) == rough and _noon_offsets(candidate) == wanted:
            return name, candidate
    return None
