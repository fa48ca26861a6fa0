"""Worked examples read back from built DOCX and PDF files equal what `slagen credits --json` computes."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import docx
import pytest
from babel.numbers import parse_decimal

from tests.conftest import REPO, copy_workspace, month_args, run_cli
from tests.test_build import docx_text, pdf_text


def flat(text: str) -> str:
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def amount_of(text: str, locale: str) -> str:
    """`$2,500.00` or `414,00 €` as the calculator's decimal string."""
    return str(parse_decimal(text.strip("$€¥ "), locale=locale))


def credits_json(tier: str, customer: str, *args: str) -> dict:
    result = run_cli("--workspace", str(REPO), "credits", tier, "--customer", customer, *args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def contracts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """The text of each built contract, from the DOCX and from the PDF, whitespace folded."""
    out = tmp_path_factory.mktemp("dist")
    texts: dict[str, dict[str, str]] = {}
    for tier, customer in (("premium", "acme"), ("standard", "nordwerk"), ("standard", "fournil")):
        result = run_cli("--workspace", str(REPO), "build", tier, "--customer", customer, "--out", str(out),
                         "--format", "docx", "--format", "pdf")
        assert result.exit_code == 0, result.stderr
        stem = out / customer / f"{customer}-{tier}-sla"
        texts[customer] = {
            "docx": flat(docx_text(Path(f"{stem}.docx"))),
            "pdf": flat(pdf_text(Path(f"{stem}.pdf"))),
            "docx_path": f"{stem}.docx",
        }
    return texts


@pytest.mark.parametrize(
    ("tier", "customer", "start", "amount", "locale"),
    [
        ("premium", "acme", dt.date(2026, 1, 1), "$2,500.00", "en_US"),
        ("standard", "nordwerk", dt.date(2026, 3, 1), "414,00 €", "de_DE"),
    ],
)
def test_performance_credit_example_equals_the_calculator(
    contracts: dict[str, dict[str, str]], tier: str, customer: str, start: dt.date, amount: str, locale: str
) -> None:
    pattern = {  # nordwerk's contract is in German
        "acme": r"If the Annual Compliance for Contract Year (\d+) is 96 ?%.*?the Performance Credit is ([^ ]+(?: €)?)",
        "nordwerk": r"Beträgt die Jährliche Zielerreichung 96 ?% für das Vertragsjahr (\d+).*?so beträgt die "
                    r"Leistungsgutschrift ([^ ]+(?: €)?)",
    }[customer]
    for kind in ("docx", "pdf"):
        text = contracts[customer][kind]
        found = re.search(pattern, text)
        assert found is not None, kind
        year = int(found.group(1))
        assert found.group(2) == amount, kind
        report = credits_json(tier, customer, *month_args(start, [97] * 12 * (year - 1) + [96] * 12))
        by_year = {item["contract_year"]: item["performance_credit"] for item in report["years"]}
        assert by_year[year] == amount_of(amount, locale)
        assert all(by_year[earlier] is None for earlier in range(1, year)), by_year


@pytest.mark.parametrize(("share", "used"), [("60", "6"), ("20", "2")])
def test_rollover_example_equals_the_calculator(contracts: dict[str, dict[str, str]], share: str, used: str) -> None:
    for kind in ("docx", "pdf"):
        text = contracts["acme"][kind]
        first = re.search(r"if the Customer uses (\d+) of its (\d+) On-site Days in a Contract Year, (\d+) remains? "
                          r"unused and (\d+) rolls? over", text)
        second = re.search(r"If it uses only (\d+), (\d+) remains? unused, but only (\d+) rolls? over \(the limit of "
                           r"50 ?% of 10\) and (\d+) lapses?", text)
        assert first is not None and second is not None, kind
        if share == "60":
            shown_used, _entitled, _unused, carried = first.groups()
            lapsed = "0"
        else:
            shown_used, _unused, carried, lapsed = second.groups()
        assert shown_used == used, kind
        report = credits_json("premium", "acme", "--used", f"onsite_days={used}")
        (entry,) = report["rollover"]["entitlements"]
        assert (str(entry["carried_into_next_year"]), entry["lapsed"]) == (carried, lapsed), kind
    # tiers without a rollover keep the lapse sentence
    assert "In einem Vertragsjahr nicht genutzte Leistungsansprüche verfallen mit dessen Ende; sie werden weder " \
        "übertragen noch erstattet." in contracts["nordwerk"]["docx"]  # nordwerk's contract is in German
    assert "other entitlements not used in a Contract Year lapse at its end" in contracts["acme"]["docx"]


def test_pilot_example_equals_the_calculator(contracts: dict[str, dict[str, str]]) -> None:
    report = credits_json("standard", "fournil", "--compliance", "2026-02=86", "--compliance", "2026-03=86")
    pilot = report["pilot"]
    for kind in ("docx", "pdf"):
        text = contracts["fournil"][kind]
        fee = re.search(r"pays a pilot fee of ([\d  ]+,\d\d €)", text)
        monthly = re.search(r"the Pilot Term, that is ([\d  ]+,\d\d €)", text)
        cap = re.search(
            r"Service Credits for the whole Pilot Term are capped at 5 ?% of the Pilot Fee \(([\d  ]+,\d\d €)\)", text
        )
        example = re.search(r"the Service Credit for March 2026 is ([\d  ]+,\d\d €)", text)
        assert fee and monthly and cap and example, kind
        assert amount_of(fee.group(1), "fr_FR") == pilot["fee"] == "5500.00"
        assert amount_of(monthly.group(1), "fr_FR") == pilot["monthly_retainer"]
        assert amount_of(cap.group(1), "fr_FR") == pilot["credit_cap"] == report["months"][-1]["year_cap"]
        assert amount_of(example.group(1), "fr_FR") == report["months"][-1]["credit"] == "45.83"
        assert "Initial Term starts on 1 August 2026" in text and pilot["conversion_date"] == "2026-08-01"
        assert "No Performance Credit under clause" in text and pilot["performance_credit"] is None
    assert "Pilot" in contracts["fournil"]["pdf"]
    table = next(t for t in docx.Document(contracts["fournil"]["docx_path"]).tables
                 if t.rows[0].cells[-1].text == "During the Pilot Term")
    shown = {row.cells[0].text: int(row.cells[2].text) for row in table.rows[1:]}
    names = {"Remote Investigations": "remote_investigations", "Engineer hours on site": "onsite_hours",
             "Training or audit-readiness sessions": "trainings", "Technical webinars": "webinars"}
    assert {names[name]: units for name, units in shown.items()} == pilot["entitlements"]


def test_pro_rata_pilot_fee_in_contract_and_calculator(tmp_path: Path) -> None:
    root = copy_workspace(tmp_path / "ws")
    customer = root / "examples" / "customers" / "fournil.yaml"
    customer.write_text(customer.read_text(encoding="utf-8").replace("fee: {EUR: 5500}", "fee: null"), encoding="utf-8")
    result = run_cli("--workspace", str(root), "build", "standard", "--customer", "fournil", "--format", "docx",
                     "--out", str(tmp_path / "out"))
    assert result.exit_code == 0, result.stderr
    text = flat(docx_text(tmp_path / "out" / "fournil" / "fournil-standard-sla.docx"))
    found = re.search(r"6 twelfths of 13 800,00 €, that is ([\d ]+,\d\d €) \(the \"Pilot Fee\"\)", text)
    cap = re.search(r"capped at 5 % of the Pilot Fee \(([\d ]+,\d\d €)\)", text)
    assert found is not None and cap is not None
    run = run_cli("--workspace", str(root), "credits", "standard", "--customer", "fournil",
                  "--compliance", "2026-02=95", "--json")
    pilot = json.loads(run.stdout)["pilot"]
    assert amount_of(found.group(1), "fr_FR") == pilot["fee"] == "6900.00"
    # with a pro-rata fee the pilot's cap is the yearly cap (5% of 13,800) pro-rated to six months
    assert amount_of(cap.group(1), "fr_FR") == pilot["credit_cap"] == "345.00"
