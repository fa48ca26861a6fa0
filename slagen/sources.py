"""What one build is made from: the job (a tier, for a customer or blank), the date its documents carry,
and the folders the PDF fetcher may read. Build, summary, validation and redline all take these from here."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from slagen.model import Customer, Tier
from slagen.workspace import Sourced, Workspace


@dataclass
class Job:
    """One contract to build: a tier, for a customer or as the blank template."""

    tier: Sourced[Tier]
    customer: Sourced[Customer] | None

    @property
    def folder(self) -> str:
        return self.customer.model.short_name if self.customer else "templates"

    def file_name(self, kind: str) -> str:
        stem = f"{self.customer.model.short_name}-{self.tier.model.id}" if self.customer else self.tier.model.id
        return f"{stem}-{kind}"


def source_date(customer: Customer | None) -> dt.datetime:
    """Document timestamps: SOURCE_DATE_EPOCH if set, else from the inputs; never the clock."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    if customer is not None:
        return dt.datetime.combine(customer.effective_date, dt.time(0), dt.UTC)
    return dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def source_stamp(customer: Customer | None) -> str:
    """`source_date` as documents store it: 2025-03-01T00:00:00Z."""
    return source_date(customer).strftime("%Y-%m-%dT%H:%M:%SZ")


def allowed_roots(ws: Workspace, templates: Path | None) -> list[Path]:
    """The folders a PDF may load files (images, fonts, CSS) from: the workspace, the packaged defaults
    and a `--templates` folder the user named."""
    roots = [ws.root, ws.defaults_root]
    if templates is not None:
        roots.append(templates)
    return [root.resolve() for root in roots]
