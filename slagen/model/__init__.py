"""The pydantic models of a workspace, the single source of truth for its YAML files.

One module per file kind, over shared field types:

- `types`: checked text, ids, currencies, locales, calendars, prices, vocabularies and the strict `Model` base;
- `provider`: the provider in `slagen.yaml` (signatory, channels, escalation matrix, branding);
- `config`: `slagen.yaml` as a whole (defaults and calendars, severities, limits);
- `tier`, `clause`, `customer`: `tiers/*.yaml`, `clauses/*.yaml`, `customers/*.yaml`;
- `ticket_map`: a help-desk export's columns and priorities (`slagen measure --map FILE`).

Every public name is re-exported here, so `from slagen.model import Tier` is how the rest of slagen imports them.
"""

from __future__ import annotations

from slagen.model.clause import Clause
from slagen.model.config import BusinessHours, CustomerCalendar, Defaults, Limits, Severity, WorkspaceConfig
from slagen.model.customer import Customer, Pilot, Site
from slagen.model.provider import Branding, Channel, EscalationDuty, EscalationLevel, Provider, Signatory
from slagen.model.ticket_map import TicketColumns, TicketMap
from slagen.model.tier import (
    Availability,
    Bound,
    Bundle,
    BundleKind,
    ChronicFailure,
    Coverage,
    CreditStep,
    DayBlock,
    EarlyRenewal,
    Entitlements,
    HourBlock,
    PerformanceCredit,
    Prices,
    Rollover,
    RolloverEntitlement,
    ServiceCredits,
    Target,
    Tier,
)
from slagen.model.types import (
    WEEKDAYS,
    ChannelKind,
    Colour,
    Count,
    Country,
    CoverageHours,
    Currency,
    DocumentKind,
    HolidayCountry,
    InvoicingSchedule,
    LegalName,
    Line,
    LocaleId,
    Model,
    PriceList,
    SeverityId,
    Slug,
    Text,
    Timezone,
    Weekday,
    unique_entries,
)

SCHEMA_MODELS: dict[str, type[Model]] = {
    "workspace": WorkspaceConfig,
    "tier": Tier,
    "clause": Clause,
    "customer": Customer,
    "ticket-map": TicketMap,
}

__all__ = [
    "SCHEMA_MODELS",
    "WEEKDAYS",
    "Availability",
    "Bound",
    "Branding",
    "Bundle",
    "BundleKind",
    "BusinessHours",
    "Channel",
    "ChannelKind",
    "ChronicFailure",
    "Clause",
    "Colour",
    "Count",
    "Country",
    "Coverage",
    "CoverageHours",
    "CreditStep",
    "Currency",
    "Customer",
    "CustomerCalendar",
    "DayBlock",
    "Defaults",
    "DocumentKind",
    "EarlyRenewal",
    "Entitlements",
    "EscalationDuty",
    "EscalationLevel",
    "HolidayCountry",
    "HourBlock",
    "InvoicingSchedule",
    "LegalName",
    "Limits",
    "Line",
    "LocaleId",
    "Model",
    "PerformanceCredit",
    "Pilot",
    "PriceList",
    "Prices",
    "Provider",
    "Rollover",
    "RolloverEntitlement",
    "ServiceCredits",
    "Severity",
    "SeverityId",
    "Signatory",
    "Site",
    "Slug",
    "Target",
    "Text",
    "TicketColumns",
    "TicketMap",
    "Tier",
    "Timezone",
    "Weekday",
    "WorkspaceConfig",
    "unique_entries",
]
