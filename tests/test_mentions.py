"""Nothing dangling: every tier, for every example customer and blank, mentions only what its data backs.

Each contract is built for real (the document tree, then the Word file) and read back with python-docx.
The rules are a table: a pattern the contract text may contain only when the data says the tier (as this
customer has it) offers the thing. Add a row when new wording names something a tier may not have.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import docx
import pytest

from slagen.build import Job, build_document, load_strings
from slagen.model import Tier
from slagen.render.docx import render_docx
from slagen.workspace import Workspace, load_workspace, terms_for
from tests.conftest import REPO


@dataclass(frozen=True)
class Mention:
    name: str
    pattern: str  # a regular expression searched in the contract text
    backed: Callable[[Tier], bool]  # whether the tier's data (the customer's terms) offers it
    flags: int = 0


def channels(tier: Tier) -> list[str]:
    return list(tier.coverage.channels)


MENTIONS: list[Mention] = [
    Mention("service review", r"\bservice reviews?\b", lambda t: t.entitlements.reviews != "none", re.IGNORECASE),
    Mention("bundle", r"\bbundles?\b", lambda t: bool(t.bundles), re.IGNORECASE),
    Mention("telephone", r"\btelephone\b", lambda t: "phone" in channels(t), re.IGNORECASE),
    # a video call comes with telephone support; a review by video conference with reviews
    Mention("video", r"\bvideo\b", lambda t: "phone" in channels(t) or t.entitlements.reviews != "none",
            re.IGNORECASE),
    Mention("WhatsApp", r"\bWhatsApp\b", lambda t: "whatsapp" in channels(t), re.IGNORECASE),
    Mention("support portal", r"\bsupport portal\b", lambda t: "portal" in channels(t), re.IGNORECASE),
    Mention("price per Incident", r"\bper Incident\b|\bFurther Incidents\b",
            lambda t: t.prices.per_incident is not None),
    Mention("Service Credit", r"\bService Credits?\b", lambda t: t.service_credits is not None),
    Mention("chronic failure", r"\bchronic failure\b",
            lambda t: bool(t.service_credits and t.service_credits.chronic_failure), re.IGNORECASE),
    Mention("Named Engineer", r"\bnamed engineer\b", lambda t: t.entitlements.named_engineer, re.IGNORECASE),
    Mention("technical account manager", r"\btechnical account manager\b",
            lambda t: t.entitlements.technical_account_manager, re.IGNORECASE),
    Mention("success milestones", r"\bsuccess milestones?\b", lambda t: t.entitlements.success_milestones,
            re.IGNORECASE),
    Mention("net promoter score", r"\bnet promoter score\b|\bNPS\b", lambda t: t.entitlements.nps_tracking,
            re.IGNORECASE),
    Mention("On-site Day", r"\bOn-site Days?\b",
            lambda t: bool(t.prices.onsite_day) or t.entitlements.onsite_days_per_year > 0),
    Mention("prepaid block", r"\bprepaid block\b",
            lambda t: t.prices.hour_block is not None or t.prices.day_block is not None, re.IGNORECASE),
    Mention("block of hours", r"\bblock of \S+ engineer hours\b|\bblock of engineer hours\b",
            lambda t: t.prices.hour_block is not None, re.IGNORECASE),
    Mention("block of days", r"\bblock of \S+ On-site Days?\b|\bOn-site Days for on-site work\b",
            lambda t: t.prices.day_block is not None, re.IGNORECASE),
    Mention("Annual Retainer", r"\bAnnual Retainer\b|\binstalments?\b", lambda t: t.annual_retainer is not None),
    Mention("Monthly Retainer", r"\bMonthly Retainer\b", lambda t: t.service_credits is not None),
    Mention("entitlements", r"\bentitlements?\b", lambda t: t.annual_retainer is not None, re.IGNORECASE),
    Mention("spare-parts package", r"\bspare-parts package\b",
            lambda t: any(bundle.kind == "spare_parts" for bundle in t.bundles), re.IGNORECASE),
    Mention("Availability target", r"\bAvailability\b", lambda t: t.availability is not None),
    Mention("performance credit", r"\bperformance credit\b", lambda t: t.performance_credit is not None,
            re.IGNORECASE),
    Mention("bonus (the provider earns none; the performance credit is the customer's)", r"\bbonus\b",
            lambda t: False, re.IGNORECASE),
    Mention("rollover of unused entitlements", r"\broll(s|ed)? over\b|\brollover\b",
            lambda t: t.rollover is not None, re.IGNORECASE),
    Mention("early renewal", r"\bearly renewal\b", lambda t: t.early_renewal is not None, re.IGNORECASE),
    Mention("webinars", r"\bwebinars?\b", lambda t: t.entitlements.webinars_per_year > 0, re.IGNORECASE),
    Mention("training", r"\btraining\b", lambda t: t.entitlements.trainings_per_year > 0, re.IGNORECASE),
    Mention("documentation download", r"\bdownload\b|\bContinuous access\b",
            lambda t: bool(t.entitlements.documentation)),
    Mention("certificate of each lot", r"\bcertificate of analysis of each lot\b",
            lambda t: "certificates_of_analysis" in t.entitlements.documentation),
]

LIST_STYLES = re.compile(r"^List (Bullet|Number)")


@dataclass
class Built:
    tier: Tier  # the terms the contract was built from
    paragraphs: list[tuple[str, str]]  # (style name, text), body paragraphs then table cells
    text: str


@cache
def workspace() -> Workspace:
    return load_workspace(REPO)


def combinations() -> list[tuple[str, str | None]]:
    ws = workspace()
    return [(tier, customer) for tier in sorted(ws.tiers) for customer in [None, *sorted(ws.customers)]]


@cache
def built(tier_id: str, customer_name: str | None) -> Built:
    ws = workspace()
    tier = ws.tiers[tier_id]
    customer = ws.customers[customer_name] if customer_name else None
    document, _context = build_document(ws, Job(tier, customer), load_strings(ws, None))
    word = docx.Document(io.BytesIO(render_docx(document)))
    paragraphs = [(p.style.name if p.style is not None else "", p.text) for p in word.paragraphs]
    paragraphs += [("cell", cell.text) for table in word.tables for row in table.rows for cell in row.cells]
    text = " ".join(" ".join(text for _style, text in paragraphs).split())
    return Built(terms_for(tier.model, customer), paragraphs, text)


def test_every_tier_and_customer_is_covered() -> None:
    assert len(combinations()) >= 12  # 3 tiers x (blank + 3 customers) at least


@pytest.mark.parametrize(("tier", "customer"), combinations())
def test_every_mention_is_backed_by_data(tier: str, customer: str | None) -> None:
    contract = built(tier, customer)
    dangling = []
    for mention in MENTIONS:
        if mention.backed(contract.tier):
            continue
        for match in re.finditer(mention.pattern, contract.text, mention.flags):
            start = max(0, match.start() - 60)
            dangling.append(f"{mention.name}: ...{contract.text[start:match.end() + 60]}...")
    assert dangling == [], "\n".join(dangling)


@pytest.mark.parametrize(("tier", "customer"), combinations())
def test_pilot_is_mentioned_only_for_a_customer_on_a_pilot_of_that_tier(tier: str, customer: str | None) -> None:
    model = workspace().customers[customer].model if customer else None
    on_pilot = model is not None and model.pilot is not None and model.pilot.tier == tier
    text = built(tier, customer).text
    assert bool(re.search(r"\bPilot Term\b|\bConversion Date\b", text)) == on_pilot


def list_runs(paragraphs: list[tuple[str, str]]) -> list[list[str]]:
    """Runs of consecutive list paragraphs of one style: one list each."""
    runs: list[list[str]] = []
    previous = ""
    for style, text in paragraphs:
        if LIST_STYLES.match(style):
            if style == previous:
                runs[-1].append(text.strip())
            else:
                runs.append([text.strip()])
        previous = style
    return runs


@pytest.mark.parametrize(("tier", "customer"), combinations())
def test_running_lists_end_with_and_or_or(tier: str, customer: str | None) -> None:
    """A list whose items run on as one sentence (each ends with ';') joins its last two with 'and' or 'or'."""
    problems = []
    for items in list_runs(built(tier, customer).paragraphs):
        if len(items) < 2 or not items[0].endswith(";"):
            continue
        *middle, last_but_one, last = items
        if not re.search(r"[;,] (and|or|und|oder)$", last_but_one):  # nordwerk's contract is German
            problems.append(f"no 'and'/'or' before the last item: {last_but_one!r} / {last!r}")
        problems += [f"item does not end with ';': {item!r}" for item in middle if not item.endswith(";")]
        if not last.endswith("."):
            problems.append(f"the last item does not end the sentence: {last!r}")
    assert problems == [], "\n".join(problems)


def test_the_rules_can_fail() -> None:
    """The table catches what it is meant to: Basic without phone has no 'telephone' allowance."""
    basic = workspace().tiers["basic"].model
    rule = next(mention for mention in MENTIONS if mention.name == "telephone")
    assert not rule.backed(basic)
    assert re.search(rule.pattern, "report it by telephone", rule.flags)
    lists = list_runs([("List Bullet", "first;"), ("List Bullet", "second;"), ("List Bullet", "third.")])
    assert lists == [["first;", "second;", "third."]]
