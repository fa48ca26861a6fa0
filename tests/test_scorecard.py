"""The quarterly scorecard PDF (issue 14, item 6): two pages per quarter in the provider's branding, the red/amber/
green table of every target by month, the trend against the credit and bonus lines, ticket volume, the credit
calculation, times by severity, the other measures and the breached tickets; the same report gives the same bytes.
The PDF is read back with pypdf; the report comes from tests/scorecard_report.py (credits by the real calculator)."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from slagen.measure.report import MeasureReport, Thresholds
from slagen.scorecard import render_scorecard
from slagen.scorecard.charts import GREEN, RED, Threshold, TrendPoint, VolumeBar, trend_chart, volume_chart
from slagen.scorecard.data import Lines
from slagen.workspace import Workspace, load_workspace
from tests.conftest import REPO, clean, run_cli
from tests.scorecard_report import sample_report


@pytest.fixture(scope="module")
def ws() -> Workspace:
    return load_workspace(REPO)


@pytest.fixture(scope="module")
def report(ws: Workspace) -> MeasureReport:
    return sample_report(ws)


@pytest.fixture(scope="module")
def pdf(ws: Workspace, report: MeasureReport) -> bytes:
    return render_scorecard(ws, report, ws.customer("acme"))


@pytest.fixture(scope="module")
def pages(pdf: bytes) -> list[str]:
    return [clean(page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_two_pages_a_quarter_in_the_providers_branding(pdf: bytes, pages: list[str]) -> None:
    reader = PdfReader(io.BytesIO(pdf))
    assert len(pages) == 4  # Q1 and Q2 2026, each a summary page and a detail page
    assert "Q1 2026 service scorecard" in pages[0] and "Q2 2026 service scorecard" in pages[2]
    assert "Premium support for Acme Nutraceuticals, Inc." in pages[0]
    assert "January 2026 to March 2026" in pages[0] and "April 2026 to June 2026" in pages[2]
    for number, page in enumerate(pages, start=1):
        assert f"Quellmark Functional Ingredients GmbH · Service scorecard, Premium support for Acme " \
               f"Nutraceuticals, Inc. · page {number} of 4" in page
    assert reader.metadata is not None
    assert reader.metadata.title == "Service scorecard · Acme Nutraceuticals, Inc."
    assert reader.metadata.author == "Quellmark Functional Ingredients GmbH"
    assert reader.metadata.subject == (
        "Service scorecard: Premium support for Acme Nutraceuticals, Inc., January 2026 to June 2026"
    )


def test_red_amber_green_table_by_target_and_month(pages: list[str]) -> None:
    first = pages[0]
    # The month's Target Compliance first, then each severity's response and resolution.
    assert re.search(r"Target compliance \(both targets\) 93\.3% 14/15 · near the line 72\.7% 8/11 · below the line "
                     r"81\.2% 13/16 · below the line", first)
    assert "Sev-1 resolution 100% 2/2 · on target 0% 0/1 · below the line 50% 1/2 · below the line" in first
    assert "Share of the incidents resolved in the month that met the target; green at or above 95%, amber from 90%" \
        in first
    # April 2026 had 2 incidents, below Premium's minimum of 3: its cells say so and are never red.
    assert "100% 2/2 · does not count" in pages[2]
    assert "Sev-1 response – " in pages[2]  # no Sev-1 incident in April


def test_trend_volume_and_credit_calculation(pages: list[str], report: MeasureReport) -> None:
    first = pages[0]
    assert "Service credit below 90% Performance credit above 95%" in first  # the trend's lines
    assert "INCIDENTS RESOLVED" in first and "3 more excluded under the contract" in first
    # The credit calculation row by row, from the same functions as `slagen credits`: February is the first missed
    # month (no credit: two in a row are needed), March the second (10% of $4,166.67, within Acme's 15% cap).
    assert "January 2026 93.3% yes 0 0% $0.00 $0.00 $5,000.00" in first
    assert "February 2026 72.7% yes 1 20% $0.00 $0.00 $5,000.00" in first
    assert "March 2026 81.2% yes 2 10% $416.67 $416.67 $5,000.00" in first
    assert "Credits due for the quarter: $416.67, deducted from the next invoice." in first
    assert report.periods[2].credit.amount == Decimal("416.67")
    assert "The customer's right to terminate for chronic failure arose in March 2026." in first
    assert "April 2026 100% no 0 0% $0.00 $416.67 $5,000.00" in pages[2]
    assert "2 still open at the end of the export" in pages[2]


def test_detail_page_times_measures_and_breached_tickets(pages: list[str], report: MeasureReport) -> None:
    detail = pages[1]
    assert "Contract year 1: annual compliance 88.4% over 6 months; the year is not complete" in detail
    # Q1 has its own measures in the report; Q2 has none, so its page shows the whole export's and says so.
    assert "Sev-1 Critical 5 15 minutes 30 minutes 1 hour 3.3 hours 6.7 hours 8 hours 3.5 hours" in detail
    assert "Median and 90th percentile over January 2026 to March 2026" in detail
    assert "OTHER MEASURES, JANUARY 2026 TO MARCH 2026" in detail and "First-contact resolution 50%" in detail
    assert "Sev-1 Critical 9 22 minutes 48 minutes 1 hour 5.2 hours 8.7 hours 8 hours 5.6 hours" in pages[3]
    assert "Median and 90th percentile over January 2026 to June 2026" in pages[3]
    assert "OTHER MEASURES, JANUARY 2026 TO JUNE 2026" in pages[3] and "First-contact resolution 41.5%" in pages[3]
    assert "Sev-3 Moderate 32 4 business hours 8.3 business hours 1 business day" in detail
    assert "Net Promoter Score not in the data" in detail
    assert "Customer satisfaction (mean) 4.5 (48 answers)" in detail
    q1 = [ticket.id for ticket in report.breached if ticket.period <= "2026-03"]
    assert len(q1) == 7 and all(ticket in detail for ticket in q1)
    assert "ACME-202606-00" not in detail and "ACME-202606-00" in pages[3]
    assert "ACME-202602-01 Sev-2 Feb 11, 2026 09:30 Feb 11, 2026 20:30 response, resolution 3 hours" in detail
    assert "Times in Central Time (America/Chicago), business hours 08:00–17:00, Monday–Friday, public holidays of " \
           "US (IA), on the customer's calendar. Measured from acme-zendesk.csv (zendesk)." in detail


def test_measure_writes_the_scorecard_beside_the_audit(tmp_path: Path) -> None:
    """`slagen measure` on the shipped Zendesk sample: the PDF lands next to the audit CSV and says what the JSON says.
    (tests/test_measure.py runs the command twice in real processes and compares the PDFs byte for byte.)"""
    result = run_cli("--workspace", str(REPO), "measure", "premium", "--customer", "acme", "--tickets",
                     str(REPO / "examples" / "tickets" / "acme-zendesk.csv"), "--json", "--out", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    pdf = tmp_path / "acme" / "acme-premium-scorecard.pdf"
    assert sorted(path.name for path in pdf.parent.iterdir()) == [
        "acme-premium-scorecard.pdf", "acme-premium-ticket-audit.csv"]
    pages = [clean(page.extract_text()) for page in PdfReader(pdf).pages]
    quarters = sorted({period["period"][:4] + "-Q" + str((int(period["period"][5:]) - 1) // 3 + 1)
                       for period in report["periods"]})
    assert len(pages) == 2 * len(quarters)
    for index, quarter in enumerate(quarters):
        year, number = quarter.split("-Q")
        assert f"Q{number} {year} service scorecard" in pages[2 * index]
    for period in report["periods"]:
        if period["period"] <= "2026-03":
            assert f"{period['met']}/{period['incidents']} ·" in pages[0]  # its Target Compliance cell
            assert f"${Decimal(period['credit']):,.2f}" in pages[0]


def test_cells_turn_red_below_the_credit_line_and_green_at_the_bonus_line() -> None:
    thresholds = Thresholds(Decimal(90), (), 2, 3, None, None, Decimal(95), Decimal(5), None, None)
    lines = Lines.of(thresholds)
    assert [lines.state(Decimal(v)) for v in ("89.99", "90", "94.99", "95", "100")] == [
        "red", "amber", "amber", "green", "green"]
    assert lines.state(None) == "none"
    single = Lines.of(Thresholds(Decimal(90), (), 1, 0, None, None, None, None, None, None))
    assert [single.state(Decimal(v)) for v in ("89.9", "90")] == ["red", "green"]
    unlined = Lines.of(Thresholds(None, (), 1, 0, None, None, None, None, None, None))
    assert unlined.state(Decimal(50)) == "plain"


def test_charts_are_plain_svg_with_the_lines_where_the_values_are() -> None:
    points = [TrendPoint("Jan", Decimal(80), True, False), TrendPoint("Feb", None, False, False),
              TrendPoint("Mar", Decimal(100), True, True)]
    lines = [Threshold(Decimal(90), "credit", RED), Threshold(Decimal(95), "bonus", GREEN)]
    svg = trend_chart(points, lines, "#1F4E79")
    assert svg == trend_chart(points, lines, "#1F4E79")
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and svg.endswith("</svg>")
    # Axis 70-100% over 118 units from y=10: 90% at 10 + 118/3, 80% at 10 + 2*118/3, 100% at the top.
    assert f'y1="{10 + 118 / 3:.1f}"' in svg and f'stroke="{RED}"' in svg
    assert '<circle cx="' in svg and svg.count("<circle") == 2  # no point for a month without incidents
    assert "<polyline" not in svg  # a gap breaks the line, and single points stand alone
    bars = volume_chart([VolumeBar("Jan", (1, 2, 3, 4), 0), VolumeBar("Feb", (0, 0, 0, 0), 0)])
    assert bars.count("<rect") == 4 and ">10<" in bars and ">0<" in bars


def test_a_pilot_month_is_named_as_such(ws: Workspace, report: MeasureReport) -> None:
    from dataclasses import replace

    from slagen.build import load_strings
    from slagen.context import Formatter
    from slagen.scorecard.data import Pages

    strings = load_strings(ws, None)
    pages = Pages(report, Formatter("en_US", strings), strings, "#1F4E79")
    periods = (replace(report.periods[0], pilot=True), *report.periods[1:3])
    credits = pages.credits(periods, "next_invoice")
    assert credits is not None
    assert [row["month"] for row in credits["rows"]] == ["January 2026 (pilot)", "February 2026", "March 2026"]
