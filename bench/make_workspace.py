"""Make a workspace of many customers: a copy of the shipped workspace plus N generated, varied customers.

Usage: .venv/bin/python bench/make_workspace.py TARGET [--customers 1000]
Also imported by tests (tests/test_validate_scale.py) and by bench/validate_bench.py.

The generated customers are deterministic (customer n always looks the same) and vary in what a
contract is rendered from: tiers (one, two or three of them, on-demand included), currency and
locale, number of sites (with and without a city), overrides within each tier's bounds, an own
calendar (time zone, business hours, holidays and subdivision), invoicing, offer dates and pilots.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PARTS = ("slagen.yaml", "tiers", "clauses", "templates", "examples", "assets")

# (currency, locale, country, city, time zone, holidays, subdivision); every currency is one the tiers price in.
PLACES = (
    ("USD", "en_US", "US", "Cedar Rapids", "America/Chicago", "US", "IA"),
    ("EUR", "de_DE", "DE", "Hamburg", "Europe/Berlin", "DE", "HH"),
    ("CNY", "zh_CN", "CN", "Jinan", "Asia/Shanghai", "CN", None),
    ("EUR", "fr_FR", "FR", "Lyon", "Europe/Paris", "FR", None),
    ("USD", "en_GB", "GB", "Leeds", "Europe/London", "GB", "ENG"),
    ("EUR", "nl_NL", "NL", "Utrecht", "Europe/Amsterdam", "NL", None),
    ("USD", "en_CA", "CA", "Toronto", "America/Toronto", "CA", "ON"),
    ("EUR", "it_IT", "IT", "Bologna", "Europe/Rome", "IT", None),
)
TIER_SETS = (
    ["premium"], ["standard"], ["basic"], ["standard"], ["on-demand", "basic"],
    ["basic", "standard"], ["premium"], ["on-demand", "basic", "standard"], ["standard", "premium"],
)
PRODUCTS = ("polydextrose", "resistant dextrin", "microcrystalline cellulose", "inulin", "oat fibre")
APPLICATIONS = ("fibre-enriched beverages", "sugar-reduced yoghurt", "direct-compression tablets",
                "high-fibre bread", "cereal bars", "reduced-sugar brioche")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def customer_yaml(n: int) -> str:
    """The YAML text of generated customer number n."""
    currency, locale, country, city, zone, holidays, subdivision = PLACES[n % len(PLACES)]
    tiers = TIER_SETS[n % len(TIER_SETS)]
    effective = dt.date(2026, 1 + n % 12, 1)
    lines = [
        f"legal_name: {_quote(f'Generated Customer {n:04d} Ltd.')}",
        f"short_name: gen-{n:04d}",
        "address:",
        f"  - {_quote(f'{n} Mill Street')}",
        f"  - {_quote(city)}",
        "signatory: {name: Sam Example, title: Director}",
        f"tiers: [{', '.join(tiers)}]",
        f"effective_date: {effective.isoformat()}",
        f"initial_term_months: {12 * (1 + n % 3)}",
        "renewal_term_months: 12",
        f"notice_days: {30 + 30 * (n % 2)}",
        f"currency: {currency}",
        f"locale: {locale}",
        "products:",
        *(f"  - {_quote(PRODUCTS[(n + k) % len(PRODUCTS)])}" for k in range(1 + n % 3)),
        "applications:",
        *(f"  - {_quote(APPLICATIONS[(n + k) % len(APPLICATIONS)])}" for k in range(1 + n % 2)),
        "sites:",
        f"  - {{name: {_quote(f'Plant {n}')}, city: {_quote(city)}, country: {country}}}",
    ]
    if n % 4 == 1:
        lines.append(f"  - {{name: {_quote(f'Warehouse {n}')}, country: {country}}}")
    if n % 5 == 0:
        offer = effective - dt.timedelta(days=14)
        lines.append(f"offer_valid_until: {offer.isoformat()}")
    overrides = []
    # An override must be one every tier of the customer allows.
    if tiers == ["premium"] and n % 3 == 0:
        overrides.append(f"  service_credits.cap_per_period_pct: {10 + n % 11}")
    if n % 7 == 0 and set(tiers) <= {"premium", "standard"}:
        overrides.append(f"  early_renewal.discount_pct: {n % 8}")
    if overrides:
        lines += ["overrides:", *overrides]
    if n % 6 == 2 and any(tier in tiers for tier in ("basic", "standard", "premium")):
        lines.append(f"invoicing: {('quarterly', 'monthly')[n % 2]}")
    if n % 3 != 2:
        lines += ["calendar:", f"  timezone: {zone}", f"  holidays: {holidays}"]
        if subdivision is not None:
            lines.append(f"  holiday_subdivision: {subdivision}")
        if n % 2:
            lines += ["  business_hours:", '    start: "08:00"', '    end: "17:00"',
                      "    days: [mon, tue, wed, thu, fri]"]
    if tiers == ["standard"] and n % 9 == 3:
        lines += [
            "pilot:",
            "  tier: standard",
            "  months: 6",
            f"  fee: {{{currency}: 5500}}",
            "  success_criteria:",
            "    - Every Sev-1 and Sev-2 incident in the pilot meets its response target",
            "  conversion_notice_days: 30",
        ]
    return "\n".join(lines) + "\n"


def copy_shipped(target: Path) -> Path:
    """A private copy of the shipped workspace (the files a user's workspace has)."""
    target.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target / part)
    return target


def make_workspace(target: Path, customers: int) -> Path:
    """The shipped workspace plus generated customers, `customers` in all (the 4 shipped ones included)."""
    copy_shipped(target)
    folder = target / "examples" / "customers"
    shipped = len(list(folder.glob("*.yaml")))
    for n in range(max(customers - shipped, 0)):
        (folder / f"gen-{n:04d}.yaml").write_text(customer_yaml(n), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", type=Path)
    parser.add_argument("--customers", type=int, default=1000)
    options = parser.parse_args()
    if options.target.exists() and any(options.target.iterdir()):
        raise SystemExit(f"{options.target}: not empty; choose a new folder")
    make_workspace(options.target, options.customers)
    print(f"{options.target}: {options.customers} customers")


if __name__ == "__main__":
    main()
