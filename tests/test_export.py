"""`slagen export`: the tier's targets as a Zendesk schedule and SLA policy, a Freshdesk SLA policy and OpenSLO v1
documents. The shapes are checked against the formats as their publishers document them (Zendesk Support API:
Schedules, SLA Policies; Freshdesk API v2: SLA Policies; the OpenSLO v1 specification), and the numbers against an
independent walk over the exported schedule."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from slagen.calendars import resolve_calendar
from slagen.export.zendesk_zones import RAILS_NAMES
from slagen.terms import BusinessCalendar
from slagen.workspace import load_workspace
from tests.conftest import REPO, copy_workspace, run_cli

ZENDESK_METRICS = {"agent_work_time", "first_reply_time", "next_reply_time", "pausable_update_time",
                   "periodic_update_time", "requester_wait_time"}
ZENDESK_PRIORITIES = ["urgent", "high", "normal", "low"]  # Sev-1 .. Sev-4
MINUTES_A_WEEK = 7 * 24 * 60
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
RFC1123 = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
DURATION_SHORTHAND = re.compile(r"^[1-9]\d*[mhdwMQY]$")
OPENSLO_KINDS = {"DataSource", "SLO", "SLI", "AlertPolicy", "AlertCondition", "AlertNotificationTarget", "Service"}


def exported(tmp: Path, *args: str) -> tuple[bytes, list[str]]:
    out = tmp / f"{'-'.join(args)}.out"
    result = run_cli("--workspace", str(REPO), "export", *args, "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out)
    return out.read_bytes(), result.lines


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, list[str]]]:
    """Each export of the shipped workspace, made once."""
    tmp = tmp_path_factory.mktemp("export")
    return {
        "zendesk": exported(tmp, "premium", "--customer", "acme", "--to", "zendesk"),
        "freshdesk": exported(tmp, "premium", "--customer", "acme", "--to", "freshdesk", "--company-id", "43000596607"),
        "openslo": exported(tmp, "premium", "--customer", "acme", "--to", "openslo"),
        "huaxin": exported(tmp, "standard", "--customer", "huaxin", "--to", "zendesk"),
    }


def requests_of(data: bytes) -> list[dict[str, Any]]:
    document = json.loads(data)
    assert set(document) == {"format", "customer", "tier", "requests"}
    for request in document["requests"]:
        assert set(request) == {"method", "path", "body"}
        assert request["method"] in ("POST", "PUT") and request["path"].startswith("/api/v2/")
    return document["requests"]


# ---------------------------------------------------------------- Zendesk


def test_zendesk_schedule_has_the_documented_shape(files: dict[str, tuple[bytes, list[str]]]) -> None:
    requests = requests_of(files["zendesk"][0])
    create, week = requests[0], requests[1]
    assert create["path"] == "/api/v2/business_hours/schedules"
    assert create["body"] == {"schedule": {"name": "Acme Nutraceuticals, Inc. · Premium",
                                           "time_zone": "Central Time (US & Canada)"}}
    assert create["body"]["schedule"]["time_zone"] in RAILS_NAMES.values()
    assert (week["method"], week["path"]) == ("PUT", "/api/v2/business_hours/schedules/{schedule_id}/workweek")
    intervals = week["body"]["workweek"]["intervals"]
    for interval in intervals:
        assert set(interval) == {"start_time", "end_time"}
        start, end = interval["start_time"], interval["end_time"]
        assert 0 <= start < end <= MINUTES_A_WEEK
        assert start // 1440 == (end - 1) // 1440, "an interval cannot span calendar days"
    # Acme: 08:00-17:00 Monday to Friday, in minutes since Sunday 00:00.
    assert [(i["start_time"], i["end_time"]) for i in intervals] == [
        (day * 1440 + 480, day * 1440 + 1020) for day in range(1, 6)
    ]


def test_zendesk_holidays_cover_the_term_from_the_contracts_calendar(
    files: dict[str, tuple[bytes, list[str]]],
) -> None:
    holidays = [r["body"]["holiday"] for r in requests_of(files["zendesk"][0]) if r["path"].endswith("/holidays")]
    for holiday in holidays:
        assert set(holiday) == {"name", "start_date", "end_date"} and holiday["name"]
        assert ISO_DATE.match(holiday["start_date"]) and holiday["start_date"] <= holiday["end_date"]
    days = [holiday["start_date"] for holiday in holidays]
    assert days == sorted(days)
    # Acme's calendar is the US with Iowa's holidays, from the Effective Date over the term and one renewal.
    assert {"2026-01-01", "2026-07-03", "2026-11-26", "2026-12-25", "2027-12-24"} <= set(days)
    assert days[0] >= "2026-01-01" and days[-1] <= "2027-12-31"
    assert "2026-10-03" not in days  # German Unity Day: the provider's calendar is not Acme's


def test_zendesk_sla_policy_has_the_documented_shape(files: dict[str, tuple[bytes, list[str]]]) -> None:
    policy_request = requests_of(files["zendesk"][0])[-1]
    assert (policy_request["method"], policy_request["path"]) == ("POST", "/api/v2/slas/policies")
    policy = policy_request["body"]["sla_policy"]
    assert set(policy) == {"title", "description", "filter", "policy_metrics"}
    assert policy["title"] and policy["description"].startswith("Service Level Agreement: Premium support")
    assert set(policy["filter"]) == {"all", "any"}
    assert policy["filter"]["all"] == [{"field": "current_tags", "operator": "includes", "value": "sla_acme_premium"}]
    metrics = {(m["priority"], m["metric"]): m for m in policy["policy_metrics"]}
    assert len(metrics) == len(policy["policy_metrics"]) == 8
    for metric in policy["policy_metrics"]:
        assert set(metric) == {"priority", "metric", "target", "business_hours"}
        assert metric["metric"] in ZENDESK_METRICS and metric["priority"] in ZENDESK_PRIORITIES
        assert isinstance(metric["target"], int) and metric["target"] > 0
        assert isinstance(metric["business_hours"], bool)
    # Premium: Sev-1 1h / 8h and Sev-2 4h / 24h around the clock; Sev-3 1 / 3 and Sev-4 2 / 10 business days of
    # Acme's nine-hour day.
    expected = {"urgent": (60, 480, False), "high": (240, 1440, False),
                "normal": (540, 1620, True), "low": (1080, 5400, True)}
    for priority, (response, resolution, business) in expected.items():
        assert metrics[(priority, "first_reply_time")]["target"] == response
        assert metrics[(priority, "requester_wait_time")]["target"] == resolution
        assert metrics[(priority, "first_reply_time")]["business_hours"] is business


def _walk(start: dt.datetime, minutes: int, intervals: list[dict[str, int]], holidays: set[str]) -> dt.datetime:
    """Plain minute-stepping over the exported schedule: where `minutes` business minutes from `start` end."""
    now = start
    while minutes > 0:
        since_sunday = (now.isoweekday() % 7) * 1440 + now.hour * 60 + now.minute
        open_now = any(i["start_time"] <= since_sunday < i["end_time"] for i in intervals)
        if open_now and f"{now:%Y-%m-%d}" not in holidays:
            minutes -= 1
        now += dt.timedelta(minutes=1)
    return now


@pytest.mark.parametrize(
    ("start", "severity"),
    [
        (dt.datetime(2026, 3, 10, 10, 0), "sev3"),  # a Tuesday in business hours
        (dt.datetime(2026, 11, 25, 16, 30), "sev3"),  # the eve of Thanksgiving
        (dt.datetime(2026, 12, 23, 9, 15), "sev4"),  # over Christmas and a weekend
    ],
)
def test_zendesk_business_targets_fall_due_when_the_contract_says(
    files: dict[str, tuple[bytes, list[str]]], start: dt.datetime, severity: str
) -> None:
    """Walking the exported schedule for the exported minutes lands on the contract's own deadline."""
    requests = requests_of(files["zendesk"][0])
    intervals = requests[1]["body"]["workweek"]["intervals"]
    holidays = {r["body"]["holiday"]["start_date"] for r in requests if r["path"].endswith("/holidays")}
    metrics = {(m["priority"], m["metric"]): m["target"] for m in requests[-1]["body"]["sla_policy"]["policy_metrics"]}
    priority = ZENDESK_PRIORITIES[int(severity[-1]) - 1]
    ws = load_workspace(REPO)
    calendar = BusinessCalendar(resolve_calendar(ws.config.model.defaults, ws.customer("acme").model))
    zone = ZoneInfo("America/Chicago")
    tier = ws.tier("premium").model
    for field, metric in (("response", "first_reply_time"), ("resolution", "requester_wait_time")):
        due = calendar.deadline(start.replace(tzinfo=zone), getattr(tier.targets[severity], field))
        walked = _walk(start, metrics[(priority, metric)], intervals, holidays)
        assert walked == due.replace(tzinfo=None), (field, walked, due)


def test_zendesk_notes_what_it_cannot_hold(files: dict[str, tuple[bytes, list[str]]]) -> None:
    """Huaxin's calendar (China) has make-up working days on weekends: a Zendesk schedule cannot add them."""
    notes = files["huaxin"][1]
    assert len(notes) == 2
    assert notes[0].startswith("note: a Zendesk schedule cannot add working days; the official make-up working days ")
    assert notes[1].startswith(
        "note: in Zendesk, a trigger on the customer's tickets adds the tag 'sla_huaxin_standard' (the policy applies "
        "to it) and sets the schedule '"
    )
    assert json.loads(files["huaxin"][0])["requests"][0]["body"]["schedule"]["time_zone"] == "Beijing"


def test_zendesk_zone_without_a_rails_name_runs_as_one_that_keeps_its_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_workspace(tmp_path / "ws")
    monkeypatch.chdir(root)
    customer = root / "examples" / "customers" / "acme.yaml"
    customer.write_text(customer.read_text().replace("America/Chicago", "Europe/Oslo"))
    result = run_cli("export", "premium", "--customer", "acme", "--to", "zendesk", "--out", "-")
    assert result.exit_code == 0, result.stderr
    zone = json.loads(result.stdout)["requests"][0]["body"]["schedule"]["time_zone"]
    assert zone in RAILS_NAMES.values() and zone != "Central Time (US & Canada)"
    assert result.lines == [
        f"note: Zendesk names no zone Europe/Oslo; the schedule uses {zone!r} "
        f"({next(iana for iana, name in RAILS_NAMES.items() if name == zone)}), whose clocks agree with it on every "
        "day from 2020 to 2040",
        "note: in Zendesk, a trigger on the customer's tickets adds the tag 'sla_acme_premium' (the policy applies "
        "to it) and sets the schedule 'Acme Nutraceuticals, Inc. · Premium' (business hours count on it)",
    ]
    customer.write_text(customer.read_text().replace("Europe/Oslo", "Pacific/Kiritimati"))
    result = run_cli("export", "premium", "--customer", "acme", "--to", "zendesk")
    assert result.exit_code == 1
    assert result.lines == [
        "examples/customers/acme.yaml:32: calendar.timezone: Zendesk has no time zone that keeps the time of "
        "'Pacific/Kiritimati'; choose a schedule zone in Zendesk by hand or export --to openslo"
    ]
    assert not (root / "dist").exists()


# ---------------------------------------------------------------- Freshdesk


def test_freshdesk_policy_has_the_documented_shape(files: dict[str, tuple[bytes, list[str]]]) -> None:
    data, notes = files["freshdesk"]
    [request] = requests_of(data)
    assert (request["method"], request["path"]) == ("POST", "/api/v2/sla_policies")
    policy = request["body"]
    assert set(policy) == {"name", "description", "active", "sla_target", "applicable_to"}
    assert policy["name"] and policy["active"] is True
    assert policy["applicable_to"] == {"company_ids": [43000596607]}
    assert set(policy["sla_target"]) == {"priority_1", "priority_2", "priority_3", "priority_4"}
    for target in policy["sla_target"].values():
        assert set(target) == {"respond_within", "resolve_within", "business_hours", "escalation_enabled"}
        assert isinstance(target["respond_within"], int) and target["respond_within"] >= 900  # seconds, 15 min least
        assert isinstance(target["resolve_within"], int) and target["resolve_within"] >= target["respond_within"]
    # Freshdesk's priorities run 1 (low) to 4 (urgent); seconds.
    assert policy["sla_target"]["priority_4"] == {
        "respond_within": 3600, "resolve_within": 28800, "business_hours": False, "escalation_enabled": False}
    assert policy["sla_target"]["priority_1"]["resolve_within"] == 10 * 9 * 3600
    assert policy["sla_target"]["priority_1"]["business_hours"] is True
    assert notes == [
        "note: Freshdesk's API cannot create business hours; give the group that handles company 43000596607 "
        "business hours of 08:00-17:00 (mon, tue, wed, thu, fri, America/Chicago) and the 27 public holidays of "
        "US-IA from 2026-01-01 to 2027-12-31 (Admin > Business Hours)"
    ]


def test_freshdesk_needs_a_company_and_one_clock_per_priority(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_workspace(tmp_path / "ws")
    monkeypatch.chdir(root)
    result = run_cli("export", "premium", "--customer", "acme", "--to", "freshdesk")
    assert result.exit_code == 2
    assert result.lines == [
        "--to freshdesk needs --company-id ID: the customer's company id in Freshdesk (a policy applies to "
        "companies by id)"
    ]
    tier = root / "tiers" / "premium.yaml"
    tier.write_text(tier.read_text().replace("sev2: {response: 4h,", "sev2: {response: 4 business hours,"))
    result = run_cli("export", "premium", "--customer", "acme", "--to", "freshdesk", "--company-id", "7")
    assert result.exit_code == 1
    assert result.lines == [
        "tiers/premium.yaml:12: targets.sev2: Freshdesk runs one clock per priority, but the response "
        "'4 business hours' and the resolution '24 hours' run on different clocks (elapsed time and business hours); "
        "state both in business or both in clock units"
    ]
    assert not (root / "dist").exists()
    # Zendesk sets the clock per metric, so the same tier exports there.
    assert run_cli("export", "premium", "--customer", "acme", "--to", "zendesk").exit_code == 0


# ---------------------------------------------------------------- OpenSLO v1


def _check_metric_source(part: dict[str, Any]) -> None:
    source = part["metricSource"]
    assert "type" in source or "metricSourceRef" in source
    assert isinstance(source["spec"], dict)


def test_openslo_documents_follow_the_v1_specification(files: dict[str, tuple[bytes, list[str]]]) -> None:
    documents = list(yaml.safe_load_all(files["openslo"][0]))
    assert [d["kind"] for d in documents] == ["Service", "SLO", "SLO"]
    services = {d["metadata"]["name"] for d in documents if d["kind"] == "Service"}
    for document in documents:
        assert set(document) == {"apiVersion", "kind", "metadata", "spec"}
        assert document["apiVersion"] == "openslo/v1" and document["kind"] in OPENSLO_KINDS
        assert RFC1123.match(document["metadata"]["name"])
        assert len(document["spec"].get("description", "")) <= 1050
        for key, value in document["metadata"].get("labels", {}).items():
            assert re.match(r"^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,61}[a-zA-Z0-9])?$", key) and isinstance(value, str)
        if document["kind"] != "SLO":
            continue
        spec = document["spec"]
        assert spec["service"] in services
        assert ("indicator" in spec) != ("indicatorRef" in spec)
        assert spec["budgetingMethod"] in ("Occurrences", "Timeslices", "RatioTimeslices")
        [window] = spec["timeWindow"]
        assert DURATION_SHORTHAND.match(window["duration"])
        if not window.get("isRolling", False):
            calendar = window["calendar"]
            dt.datetime.strptime(calendar["startTime"], "%Y-%m-%d %H:%M:%S")
            ZoneInfo(calendar["timeZone"])
        indicator = spec["indicator"]
        assert RFC1123.match(indicator["metadata"]["name"])
        ratio = indicator["spec"]["ratioMetric"]
        assert isinstance(ratio["counter"], bool)
        assert ("good" in ratio) != ("bad" in ratio) and "total" in ratio
        for part in ("good", "bad", "total"):
            if part in ratio:
                _check_metric_source(ratio[part])
        assert spec["objectives"]
        for objective in spec["objectives"]:
            assert ("target" in objective) != ("targetPercent" in objective)
            assert 0 <= objective.get("targetPercent", objective.get("target", 0) * 100) < 100


def test_openslo_states_the_contracts_thresholds_and_targets(files: dict[str, tuple[bytes, list[str]]]) -> None:
    service, compliance, availability = yaml.safe_load_all(files["openslo"][0])
    assert service["metadata"]["name"] == "acme-premium-support"
    spec = compliance["spec"]
    assert spec["objectives"] == [{"displayName": "target compliance", "targetPercent": 90}]  # Premium's first step
    assert spec["timeWindow"][0] == {
        "duration": "1M", "isRolling": False,
        "calendar": {"startTime": "2026-01-01 00:00:00", "timeZone": "America/Chicago"},
    }
    good = spec["indicator"]["spec"]["ratioMetric"]["good"]["metricSource"]["spec"]
    assert good["met"] == ["response", "resolution"] and good["min_incidents"] == 3
    assert good["targets"][2] == {"severity": "sev3", "name": "Moderate", "response_minutes": 540,
                                  "response_clock": "business_hours", "resolution_minutes": 1620,
                                  "resolution_clock": "business_hours"}
    assert availability["spec"]["objectives"] == [{"displayName": "availability", "targetPercent": 99.9}]


# ---------------------------------------------------------------- the command


def test_export_writes_under_dist_and_twice_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = copy_workspace(tmp_path / "ws")
    monkeypatch.chdir(root)
    outputs = []
    for _ in range(2):
        result = run_cli("export", "standard", "--customer", "nordwerk", "--to", "openslo")
        assert (result.exit_code, result.stdout.strip()) == (0, "dist/nordwerk/nordwerk-standard-openslo.yaml")
        outputs.append((root / "dist" / "nordwerk" / "nordwerk-standard-openslo.yaml").read_bytes())
    assert outputs[0] == outputs[1]
    assert b"timeZone: Europe/Berlin" in outputs[0]  # Nordwerk keeps the provider's zone (its own holidays: HH)
    result = run_cli("export", "standard", "--customer", "nordwerk", "--to", "jira")
    assert (result.exit_code, result.lines) == (2, ["unknown export format 'jira'; choose from zendesk, freshdesk, "
                                                    "openslo"])


def test_long_names_stay_valid_openslo_names() -> None:
    from slagen.export.openslo import dns_label

    name = dns_label("a" * 40, "premium-plus-with-spares", "target-compliance")
    assert len(name) <= 63 and RFC1123.match(name)
    assert name != dns_label("a" * 40, "premium-plus-with-spares", "availability")
