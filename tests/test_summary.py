"""One-page summaries and the tier comparison: real WeasyPrint PDFs read back with pypdf."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from slagen.build import load_strings
from slagen.comparison import TierView, additions
from slagen.context import build_context
from slagen.languages import contract_languages, models_in
from slagen.page_data import entitlements
from slagen.workspace import load_workspace, terms_for
from tests.conftest import REPO, run_cli

# Every tier for every example customer (a tier they do not subscribe to is quoted at published
# terms, see test_a_quote_for_another_tier_uses_published_terms), and every tier blank.
JOBS = [
    ("basic", None), ("standard", None), ("premium", None),
    ("basic", "acme"), ("standard", "acme"), ("premium", "acme"),
    ("basic", "nordwerk"), ("standard", "nordwerk"), ("premium", "nordwerk"),
    ("basic", "huaxin"), ("standard", "huaxin"), ("premium", "huaxin"),
    ("on-demand", None), ("on-demand", "huaxin"),
]
LETTER, A4 = (612, 792), (595, 842)


def _job_id(job: tuple[str, str | None]) -> str:
    return f"{job[1] or 'blank'}-{job[0]}"


@pytest.fixture(scope="module")
def summaries(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str | None], Path]:
    """Each summary built once, through the CLI, into a private dist folder."""
    out = tmp_path_factory.mktemp("dist")
    built = {}
    for tier, customer in JOBS:
        args = ["--customer", customer] if customer else []
        result = run_cli("--workspace", str(REPO), "build", tier, *args, "--format", "summary", "--out", str(out))
        assert result.exit_code == 0, result.stderr
        folder = out / (customer or "templates")
        path = folder / (f"{customer}-{tier}-summary.pdf" if customer else f"{tier}-summary.pdf")
        assert result.stdout.split() == [str(path)]
        assert sorted(item.name for item in folder.iterdir() if tier in item.name) == [path.name]  # nothing else
        built[(tier, customer)] = path
    return built


@pytest.fixture(scope="module")
def workspace_context() -> Any:
    ws = load_workspace(REPO)
    strings = load_strings(ws, None)

    def context(tier: str, customer: str | None) -> dict[str, Any]:
        """The context a summary is written from: in the customer's own language (nordwerk's German, huaxin's
        Chinese), as the summary itself is."""
        sourced = ws.customers[customer] if customer else None
        language = contract_languages(ws.config.model, sourced.model if sourced else None).own
        model = terms_for(ws.tiers[tier].model, sourced)
        config, model, client = models_in(ws, ws.tiers[tier], model, sourced, language)
        return build_context(config, model, client, load_strings(ws, None, language), language)

    return ws, strings, context


def flat(text: str) -> str:
    """Text with every run of white space (including no-break spaces) as one space."""
    return " ".join(text.split())


@pytest.mark.parametrize("job", JOBS, ids=_job_id)
def test_one_page_with_the_quote(
    job: tuple[str, str | None], summaries: dict[Any, Path], workspace_context: Any
) -> None:
    tier, customer = job
    _ws, _strings, context = workspace_context
    ctx = context(tier, customer)
    reader = PdfReader(summaries[job])
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    size = LETTER if ctx["contract"]["locale"] == "en_US" else A4
    assert (round(float(box.width)), round(float(box.height))) == size
    raw = reader.pages[0].extract_text()
    text = flat(raw)
    assert flat(ctx["customer"]["legal_name"]) in text
    if ctx["tier"]["annual_retainer"]:
        assert flat(ctx["tier"]["annual_retainer"]) in text
    else:
        assert flat(ctx["prices"]["per_incident_from"]) in text
    assert flat(ctx["prices"]["engineer_hour"]) in text and flat(ctx["prices"]["onsite_day"]) in text
    lines = [flat(line) for line in raw.splitlines()]
    names = {severity["id"]: severity["name"] for severity in ctx["severities"]}
    for target in ctx["tier"]["targets"]:
        row = [line for line in lines if line.startswith(f"{target['label']} {names[target['id']]} ")]
        assert len(row) == 1, (target["label"], lines)
        assert f" {target['response']} {target['resolution']} " in f"{row[0]} ", row[0]
    if ctx["contract"]["offer_valid_until"]:
        assert flat(ctx["contract"]["offer_valid_until"]) in text


def test_acme_premium_numbers(summaries: dict[Any, Path]) -> None:
    text = flat(PdfReader(summaries[("premium", "acme")]).pages[0].extract_text())
    assert "Acme Nutraceuticals, Inc." in text
    assert "$50,000.00" in text and "Invoiced quarterly in advance: $12,500.00" in text
    assert "December 15, 2025" in text  # the offer's validity, before the effective date
    # service and performance credits in one sentence each, with acme's negotiated 15 % cap capping the 20 % top step
    assert "you get 5% of the monthly retainer back ($208.33), rising to 15% ($625.00)" in text
    assert "is above 95% and you renew, you get 5% off the renewal fee ($2,500.00)" in text
    assert "bonus" not in text.lower()
    assert "A named application engineer who knows your lines" in text
    assert "Tier-3 R&D or equipment maker" in text and "takes over Sev-1 and Sev-2 within 4 hours" in text
    assert "Covers microcrystalline cellulose and polydextrose in direct-compression tablets for dietary" in text
    assert "Spare parts dispatched within 48–72 hours" in text
    assert "Product samples dispatched within 48–72 hours" in text


def test_nordwerk_in_euro_and_german_number_format(summaries: dict[Any, Path]) -> None:
    text = flat(PdfReader(summaries[("standard", "nordwerk")]).pages[0].extract_text())
    assert "13.800,00 €" in text and "Nordwerk Backwaren GmbH" in text
    assert "sparen Sie 7,5 % im Folgejahr (1.035,00 €)" in text  # nordwerk's negotiated discount, in German


def test_blank_summary_shows_placeholders(summaries: dict[Any, Path]) -> None:
    text = flat(PdfReader(summaries[("standard", None)]).pages[0].extract_text())
    assert "[Customer legal name]" in text
    assert "[Offer valid until]" in text and "[Effective date]" in text


def test_basic_says_it_has_no_credits(summaries: dict[Any, Path]) -> None:
    text = flat(PdfReader(summaries[("basic", "acme")]).pages[0].extract_text())
    assert "$5,000.00" in text
    assert "This tier carries no service credits or performance credit." in text
    assert "Service credits" not in text.replace("SERVICE CREDITS", "")
    chinese = flat(PdfReader(summaries[("basic", "huaxin")]).pages[0].extract_text())  # huaxin's page is Chinese
    assert "¥36,000.00" in chinese and "本支持等级不含服务抵扣额或绩效抵扣额。" in chinese


def test_pdf_metadata(summaries: dict[Any, Path]) -> None:
    metadata = PdfReader(summaries[("premium", "acme")]).metadata
    assert metadata is not None
    assert metadata.title == "Support offer"
    assert metadata.author == "Quellmark Functional Ingredients GmbH"
    assert metadata.subject == "Premium support offer for Acme Nutraceuticals, Inc."
    assert metadata["/CreationDate"] == "D:20260101000000Z"  # from the effective date, not the clock


def test_summary_is_byte_identical_when_built_again(summaries: dict[Any, Path], tmp_path: Path) -> None:
    result = run_cli("--workspace", str(REPO), "build", "premium", "--customer", "acme", "--format", "summary",
                     "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "acme" / "acme-premium-summary.pdf").read_bytes() == summaries[("premium", "acme")].read_bytes()


def test_a_quote_for_another_tier_uses_published_terms(summaries: dict[Any, Path]) -> None:
    # acme negotiated a 25 % monthly cap for premium; nordwerk a 7.5 % renewal discount for standard.
    nordwerk_premium = flat(PdfReader(summaries[("premium", "nordwerk")]).pages[0].extract_text())
    nordwerk_standard = flat(PdfReader(summaries[("standard", "nordwerk")]).pages[0].extract_text())
    assert "7,5 %" in nordwerk_standard and "7,5 %" not in nordwerk_premium


def test_overflow_fails_names_the_parts_and_keeps_the_old_file(
    workspace: Path, summaries: dict[Any, Path]
) -> None:
    previous = workspace / "dist" / "acme" / "acme-premium-summary.pdf"
    previous.parent.mkdir(parents=True)
    shutil.copyfile(summaries[("premium", "acme")], previous)
    before = previous.read_bytes()
    tier = workspace / "tiers" / "premium.yaml"
    tagline = "A named application engineer who knows your lines, on site within two business days"
    tier.write_text(tier.read_text().replace(f"tagline: {tagline}", "tagline: " + f"{tagline}. " * 120))

    result = run_cli("build", "premium", "--customer", "acme", "--format", "summary")

    assert result.exit_code == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert len(result.lines) == 1
    message = result.lines[0]
    assert message.startswith("tiers/premium.yaml:4: tagline: Premium summary for acme: ")
    pages = int(message.split("Premium summary for acme: ")[1].split(" ")[0])
    assert pages >= 2
    assert " pages, must fit on one; overflowing: tagline, " in message
    assert "severity table" in message and "escalation contacts" in message
    assert message.endswith("; the tagline alone takes too much of the page, shorten it")
    assert previous.read_bytes() == before
    assert sorted(path.name for path in previous.parent.iterdir()) == ["acme-premium-summary.pdf"]


def test_overflow_without_a_tier_field_to_blame_names_no_file(workspace: Path) -> None:
    config = workspace / "slagen.yaml"
    contact = "contact: Head of R&D, rnd@quellmark.example"
    text = config.read_text()
    assert contact in text
    deputies = "Head of R&D and each of their deputies, " * 60
    config.write_text(text.replace(contact, f"contact: {deputies}rnd@quellmark.example"))

    result = run_cli("build", "basic", "--format", "summary")

    assert result.exit_code == 1
    assert len(result.lines) == 1
    assert result.lines[0].startswith("Basic summary for the blank template: ")
    assert result.lines[0].endswith(" pages, must fit on one; overflowing: escalation contacts")
    assert not (workspace / "dist").exists()


def test_default_build_writes_the_summary_too_with_the_workspace_logo(workspace: Path) -> None:
    logo = workspace / "assets" / "logo.svg"
    logo.write_text(logo.read_text().replace(">Quellmark</text>", ">Logo of this workspace</text>"))
    result = run_cli("build", "basic")
    assert result.exit_code == 0, result.stderr
    folder = workspace / "dist" / "templates"
    assert result.stdout.split() == [str(Path("dist") / "templates" / name) for name in (
        "basic-sla.docx", "basic-sla.pdf", "basic-summary.pdf")]
    reader = PdfReader(folder / "basic-summary.pdf")
    assert len(reader.pages) == 1
    assert "Logo of this workspace" in reader.pages[0].extract_text()


# ---------------------------------------------------------------- what a tier adds


def _views(workspace_context: Any) -> dict[str, TierView]:
    ws, strings, context = workspace_context
    business_day = ws.config.model.defaults.business_hours.hours_per_day
    views = {}
    for tier_id, sourced in ws.tiers.items():
        ctx = context(tier_id, None)
        views[tier_id] = TierView(sourced.model, ctx, entitlements(sourced.model, ctx, strings, business_day))
    return views


def test_additions_are_derived_from_the_data(workspace_context: Any) -> None:
    ws, strings, _context = workspace_context
    views = _views(workspace_context)
    business_day = ws.config.model.defaults.business_hours.hours_per_day
    standard = additions(views["basic"], views["standard"], strings, business_day)
    assert "24/7 handling of Sev-1 and Sev-2" in standard
    assert "Faster targets for Sev-1, Sev-2, Sev-3 and Sev-4" in standard
    assert "Support by phone and on-site visits" in standard
    assert "24 remote incident investigations a year (was 8)" in standard
    assert "Service credits up to 5% of the monthly retainer" in standard
    assert "Performance credit on renewal above 95% annual compliance" in standard
    assert not any("webinar" in item for item in standard)  # 4 a year in both: not an addition
    premium = additions(views["standard"], views["premium"], strings, business_day)
    assert premium[:3] == [
        "Around-the-clock coverage, every day",
        "Faster targets for Sev-1, Sev-2 and Sev-3",
        "Support by WhatsApp",
    ]
    assert "A named application engineer who knows your lines" in premium
    assert "Monthly performance reviews (was quarterly)" in premium
    # lead times have a row of their own on the comparison, so they are never listed as an addition
    assert not any("dispatched within" in item for item in standard + premium)
    assert "Service credits up to 20% of the monthly retainer (was 5%)" in premium
    # going down a tier adds nothing
    assert additions(views["premium"], views["basic"], strings, business_day) == []


# ---------------------------------------------------------------- slagen compare


def test_compare_fits_one_landscape_page_with_every_tier(tmp_path: Path) -> None:
    result = run_cli("--workspace", str(REPO), "compare", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.split() == [str(tmp_path / "compare.pdf")]
    reader = PdfReader(tmp_path / "compare.pdf")
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (792, 612)  # the default locale: Letter, landscape
    text = flat(reader.pages[0].extract_text())
    for name in ("Basic", "Standard", "Premium"):
        assert name in text
    for price in ("$5,000.00", "$15,000.00", "$50,000.00"):
        assert price in text
    assert "Everything in Basic, plus:" in text and "Everything in Standard, plus:" in text
    assert "A named application engineer who knows your lines" in text
    assert "Prepared for" not in text
    # every tier states its dispatch lead times in one row; Basic lists its documentation access
    assert (
        "DISPATCH LEAD TIMES Spare parts 7–10 days · samples 5 business days Spare parts 7–10 days · samples 3 "
        "business days Spare parts 48–72 hours · samples 48–72 hours"
    ) in text
    assert "On the support portal: product specifications, safety data sheets, certificates of analysis" in text


def test_compare_for_a_customer_in_their_currency(tmp_path: Path) -> None:
    result = run_cli("--workspace", str(REPO), "compare", "--customer", "nordwerk", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "nordwerk" / "nordwerk-compare.pdf"
    assert result.stdout.split() == [str(path)]
    reader = PdfReader(path)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    text = flat(reader.pages[0].extract_text())
    assert "Erstellt für Nordwerk Backwaren GmbH" in text and "Preise in EUR" in text  # in nordwerk's German
    assert "4.600,00 €" in text and "13.800,00 €" in text and "46.000,00 €" in text
    assert "Nachlass für vorzeitige Verlängerung: 7,5 % (bisher 5 %)" in text  # nordwerk's standard, as negotiated


def test_compare_unknown_customer_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("--workspace", str(REPO), "compare", "--customer", "globex", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert result.lines == ["unknown customer 'globex'; the workspace has: acme, fournil, huaxin, nordwerk"]


def test_compare_needs_every_tier_in_the_customers_currency(workspace: Path) -> None:
    tier = workspace / "tiers" / "premium.yaml"
    tier.write_text(re.sub(r", CNY: \d+", "", tier.read_text()))
    result = run_cli("compare", "--customer", "huaxin")
    assert result.exit_code == 1
    assert result.lines == [
        "examples/customers/huaxin.yaml:17: currency: tier 'premium' has no prices in CNY, so the comparison cannot "
        "show it; it offers EUR, USD"
    ]


def test_a_workspace_summary_template_wins_and_its_errors_name_the_line(workspace: Path) -> None:
    override = workspace / "templates" / "summary.html.j2"
    override.write_text('{% extends "builtin/summary.html.j2" %}\n{% block masthead %}\n{{ tier.no_such_field }}\n'
                        "{% endblock %}\n")
    result = run_cli("build", "basic", "--format", "summary")
    assert result.exit_code == 1
    assert len(result.lines) == 1
    assert result.lines[0].startswith("templates/summary.html.j2:3: ")
    assert "no_such_field" in result.lines[0]
    assert not (workspace / "dist").exists()
