"""Benchmark `slagen measure` on generated ticket exports (100,000 and 1,000,000 tickets by default), and write the
sample exports in examples/tickets/.

    .venv/bin/python bench/measure_bench.py                     # 100k and 1M tickets, 3 runs each, medians
    .venv/bin/python bench/measure_bench.py --tickets 100000 --repeat 5
    .venv/bin/python bench/measure_bench.py --samples examples/tickets   # rewrite the shipped samples

Each run is a new process (`slagen measure premium --customer acme --tickets FILE --json`) in the repository's
workspace; wall time is measured around the process and peak memory is the child's maximum resident set size
(getrusage RUSAGE_CHILDREN, measured in a fresh wrapper process per run so runs do not mask each other).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
CHICAGO = ZoneInfo("America/Chicago")  # acme's calendar; tickets are generated as instants and written in it
# severity: (share of tickets, on-time response hours, on-time resolution hours, late response h, late resolution h)
PROFILE = {
    "sev1": (0.08, 0.6, 6, 3, 20),
    "sev2": (0.20, 2.5, 16, 9, 60),
    "sev3": (0.42, 6, 30, 110, 260),
    "sev4": (0.30, 12, 100, 150, 700),
}
LATE = {1: 0.04, 2: 0.22, 3: 0.22, 4: 0.04, 5: 0.1, 6: 0.03}  # share of late tickets by month (Jan..Jun)
SITES = ("Cedar Rapids tablet plant", "Decatur blending plant")
PRODUCTS = ("microcrystalline cellulose", "polydextrose", "feeder equipment")
CAUSES = ("feeder calibration", "raw-material lot variation", "operator procedure", "moisture", "documentation")
PRIORITY = {
    "zendesk": {"sev1": "Urgent", "sev2": "High", "sev3": "Normal", "sev4": "Low"},
    "jsm": {"sev1": "Highest", "sev2": "High", "sev3": "Medium", "sev4": "Low"},
    "freshdesk": {"sev1": "Urgent", "sev2": "High", "sev3": "Medium", "sev4": "Low"},
}


def _ticket(rng: random.Random, number: int, start: dt.datetime, days: int) -> dict[str, object]:
    severity = rng.choices(list(PROFILE), weights=[value[0] for value in PROFILE.values()])[0]
    _share, response_h, resolution_h, late_response_h, late_resolution_h = PROFILE[severity]
    created = (start + dt.timedelta(minutes=rng.randrange(days * 24 * 60))).astimezone(dt.UTC)
    late = rng.random() < LATE.get(created.astimezone(CHICAGO).month, 0.08)
    late_response = late and rng.random() < 0.5
    response = created + dt.timedelta(hours=(late_response_h if late_response else response_h) * rng.uniform(0.2, 1))
    resolution_hours = late_resolution_h * rng.uniform(1, 1.5) if late and not late_response else (
        resolution_h * rng.uniform(0.2, 1))
    resolved = max(created + dt.timedelta(hours=resolution_hours), response + dt.timedelta(minutes=10))
    paused = []
    if rng.random() < 0.1:
        pause_start = response + (resolved - response) / 3
        paused.append((pause_start, pause_start + dt.timedelta(hours=rng.uniform(0.5, 6))))
        resolved += paused[0][1] - paused[0][0]
    escalated2 = created + (resolved - created) / 4 if rng.random() < 0.3 else None
    escalated3 = escalated2 + (resolved - escalated2) / 3 if escalated2 and rng.random() < 0.3 else None
    return {
        "id": f"T-{number:07d}",
        "severity": severity,
        "created": created,
        "first_response": response,
        "resolved": resolved,
        "paused": paused,
        "excluded": rng.random() < 0.02,
        "site": rng.choice(SITES),
        "product": rng.choice(PRODUCTS),
        "root_cause": rng.choice(CAUSES),
        "escalated_tier2": escalated2,
        "escalated_tier3": escalated3,
        "contacts_to_resolve": rng.choice((1, 1, 1, 2, 2, 3, 4)),
        "csat": rng.choice((5, 5, 4, 4, 4, 3, 2)),
        "nps": rng.choice((10, 9, 9, 8, 7, 6, 10, 3)),
    }


def tickets(count: int, seed: int = 7, start: dt.date = dt.date(2026, 1, 1), months: int = 6) -> list[dict]:
    """Tickets created over `months` months from `start` (instants; America/Chicago months), the last ones still
    open."""
    rng = random.Random(seed)
    first = dt.datetime.combine(start, dt.time(), CHICAGO)
    end = dt.datetime(start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1, 1,
                      tzinfo=CHICAGO)
    rows = sorted((_ticket(rng, number, first, (end - first).days) for number in range(1, count + 1)),
                  key=lambda row: row["created"])
    for row in rows:
        if row["resolved"] >= end:  # still open at the end of the export
            row["resolved"] = None
            if row["first_response"] >= end:
                row["first_response"] = None
            row["paused"] = [pause for pause in row["paused"] if pause[1] < end]
            for key in ("escalated_tier2", "escalated_tier3"):
                if row[key] is not None and row[key] >= end:
                    row[key] = None
    for number, row in enumerate(rows, start=1):
        row["id"] = f"T-{number:07d}"
    return rows


def _iso(moment: dt.datetime | None, offset: bool) -> str:
    """Local time in Chicago, with its offset or without (then read in the contract's zone)."""
    if moment is None:
        return ""
    local = moment.astimezone(CHICAGO)
    return local.isoformat(timespec="seconds") if offset else local.replace(tzinfo=None).isoformat(timespec="seconds")


def canonical_csv(rows: list[dict], offsets: bool = True) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = ["id", "severity", "created", "first_response", "resolved", "paused", "excluded", "site", "product",
               "root_cause", "escalated_tier2", "escalated_tier3", "contacts_to_resolve", "csat", "nps"]
    writer.writerow(columns)
    for index, row in enumerate(rows):
        offset = offsets and index % 3 == 0
        writer.writerow([
            row["id"], row["severity"], _iso(row["created"], offset), _iso(row["first_response"], offset),
            _iso(row["resolved"], offset),
            ";".join(f"{_iso(a, offset)}/{_iso(b, offset)}" for a, b in row["paused"]),
            "true" if row["excluded"] else "", row["site"], row["product"], row["root_cause"],
            _iso(row["escalated_tier2"], offset), _iso(row["escalated_tier3"], offset),
            row["contacts_to_resolve"] if row["resolved"] else "", row["csat"] if row["resolved"] else "",
            row["nps"] if row["resolved"] else "",
        ])
    return out.getvalue()


def _utc(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zendesk_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Id", "Subject", "Status", "Priority", "Organization", "Created at", "Solved at",
                     "First reply time in minutes", "Replies", "Product family"])
    for row in rows:
        reply = "" if row["first_response"] is None else round(
            (row["first_response"] - row["created"]).total_seconds() / 60)
        writer.writerow([row["id"].removeprefix("T-").lstrip("0"), f"Support request {row['id']}",
                         "Solved" if row["resolved"] else "Open", PRIORITY["zendesk"][row["severity"]], row["site"],
                         _utc(row["created"]), _utc(row["resolved"]), reply,
                         row["contacts_to_resolve"] if row["resolved"] else "", row["product"]])
    return out.getvalue()


def _jira(moment: dt.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(CHICAGO).strftime("%d/%b/%y %I:%M %p")


def jsm_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Priority", "Created", "Resolved",
                     "Custom field ([CHART] Date of First Response)", "Component/s", "Custom field (Root cause)"])
    for number, row in enumerate(rows, start=1):
        writer.writerow([f"Support request {row['id']}", f"QS-{number}", 10000 + number, "Incident",
                         "Resolved" if row["resolved"] else "In Progress", PRIORITY["jsm"][row["severity"]],
                         _jira(row["created"]), _jira(row["resolved"]), _jira(row["first_response"]),
                         row["product"], row["root_cause"]])
    return out.getvalue()


def freshdesk_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Ticket ID", "Subject", "Status", "Priority", "Source", "Company", "Created time",
                     "Resolved time", "Initial response time", "Customer interactions", "Survey result", "Product"])

    def stamp(moment: dt.datetime | None) -> str:
        return "" if moment is None else moment.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M:%S")

    for row in rows:
        writer.writerow([row["id"].removeprefix("T-").lstrip("0"), f"Support request {row['id']}",
                         "Resolved" if row["resolved"] else "Open", PRIORITY["freshdesk"][row["severity"]], "Email",
                         row["site"], stamp(row["created"]), stamp(row["resolved"]), stamp(row["first_response"]),
                         row["contacts_to_resolve"] if row["resolved"] else "",
                         row["csat"] if row["resolved"] else "", row["product"]])
    return out.getvalue()


def write_samples(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "acme-canonical.csv").write_text(canonical_csv(tickets(240, seed=11)), encoding="utf-8")
    (folder / "acme-zendesk.csv").write_text(zendesk_csv(tickets(90, seed=12)), encoding="utf-8")
    (folder / "acme-jsm.csv").write_text(jsm_csv(tickets(90, seed=13)), encoding="utf-8")
    (folder / "acme-freshdesk.csv").write_text(freshdesk_csv(tickets(90, seed=14)), encoding="utf-8")


def _run_once(path: Path, extra: tuple[str, ...] = ()) -> tuple[float, float, float]:
    """Wall seconds, peak RSS (MB) and CPU seconds (user + system) of one `slagen measure` process, measured by a
    fresh wrapper process."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n"
        "wall = time.perf_counter() - start\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(done.returncode, wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)\n"
    )
    slagen = str(Path(sys.executable).with_name("slagen"))
    command = [sys.executable, "-c", probe, slagen, "measure", "premium", "--customer", "acme", "--tickets",
               str(path), "--json", "--out", str(path.parent / "dist"), *extra]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    code, wall, peak, cpu = result.stdout.split()
    if code != "0":
        raise SystemExit(f"slagen measure failed on {path}")
    return float(wall), float(peak), float(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, action="append", help="tickets per export (repeat); 100k and 1M")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--samples", type=Path, help="write the sample exports into this folder and stop")
    parser.add_argument("--no-scorecard", action="store_true",
                        help="time the measurement alone (the scorecard PDF costs the same few seconds at any size)")
    args = parser.parse_args()
    if args.samples:
        write_samples(args.samples)
        return
    results = []
    with tempfile.TemporaryDirectory(prefix="measure-bench-") as folder:
        for count in args.tickets or [100_000, 1_000_000]:
            path = Path(folder) / f"tickets-{count}.csv"
            began = time.perf_counter()
            path.write_text(canonical_csv(tickets(count, seed=1)), encoding="utf-8")
            size = path.stat().st_size / 1e6
            print(f"{count:,} tickets: {size:.0f} MB written in {time.perf_counter() - began:.1f} s", flush=True)
            runs = [_run_once(path, ("--no-scorecard",) if args.no_scorecard else ()) for _ in range(args.repeat)]
            walls, peaks, cpus = ([run[index] for run in runs] for index in range(3))
            line = {"tickets": count, "runs": args.repeat, "wall_s_median": round(statistics.median(walls), 2),
                    "wall_s_all": [round(value, 2) for value in walls],
                    "cpu_s_median": round(statistics.median(cpus), 2),
                    "peak_mb_median": round(statistics.median(peaks)), "csv_mb": round(size),
                    "load_average": [round(value, 1) for value in os.getloadavg()]}
            print(json.dumps(line), flush=True)
            results.append(line)


if __name__ == "__main__":
    main()
