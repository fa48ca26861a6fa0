"""Benchmarks (not tests): medians of slagen's commands on a generated workspace of many customers.

Usage: .venv/bin/python bench/bench.py [--customers 100] [--repeat 3] [--skip-full]
Each measurement runs the real CLI in a new process, as a user or CI would.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLAGEN = [sys.executable, "-m", "slagen.cli"]
TIERS = ("basic", "standard", "premium")
CUSTOMER = """\
legal_name: Benchmark Customer {n:03d} Ltd.
short_name: cust-{n:03d}
address: [1 Bench Street, Testville]
signatory: {{name: Sam Bench, title: Director}}
tiers: [{tier}]
effective_date: 2026-01-01
initial_term_months: 12
renewal_term_months: 12
notice_days: 30
currency: {currency}
locale: {locale}
products: [polydextrose]
applications: [fibre-enriched beverages]
sites: [{{name: Plant {n}, country: {country}}}]
"""
LOCALES = (("USD", "en_US", "US"), ("EUR", "de_DE", "DE"), ("CNY", "zh_CN", "CN"))


def make_workspace(folder: Path, customers: int) -> Path:
    subprocess.run([*SLAGEN, "init", str(folder)], check=True, capture_output=True)
    target = folder / "examples" / "customers"
    for n in range(customers - 3):  # plus the three shipped examples
        currency, locale, country = LOCALES[n % 3]
        text = CUSTOMER.format(n=n, tier=TIERS[n % 3], currency=currency, locale=locale, country=country)
        (target / f"cust-{n:03d}.yaml").write_text(text)
    return folder


def timed(args: list[str], cwd: Path, repeat: int, before: list[str] | None = None) -> list[float]:
    times = []
    for _ in range(repeat):
        if before:
            subprocess.run([*SLAGEN, *before], cwd=cwd, check=True, capture_output=True)
        start = time.perf_counter()
        result = subprocess.run([*SLAGEN, *args], cwd=cwd, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if result.returncode != 0:
            raise SystemExit(f"slagen {' '.join(args)} failed:\n{result.stderr}")
    return times


def report(label: str, times: list[float], per: int = 1) -> float:
    median = statistics.median(times) / per
    unit = " per customer x tier set" if per > 1 else ""
    print(f"{label:<48} median {median:7.3f} s{unit}   (runs: {', '.join(f'{t:.2f}' for t in times)})", flush=True)
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-full", action="store_true", help="skip the full --jobs 1/2 builds")
    options = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    with tempfile.TemporaryDirectory() as tmp:
        ws = make_workspace(Path(tmp) / "ws", options.customers)
        sets = options.customers
        print(f"workspace: {options.customers} customers, {os.cpu_count()} cores, python {sys.version.split()[0]}")
        report("slagen --help", timed(["--help"], ws, max(options.repeat, 10)))
        report(
            "cold build premium --customer acme (docx+pdf+summary)",
            timed(["build", "premium", "--customer", "acme", "--out", "single"], ws, max(options.repeat, 5)),
        )
        if not options.skip_full:
            one = report("build --all --jobs 1 --force", timed(["build", "--all", "--jobs", "1", "--force"], ws,
                                                                options.repeat), per=sets)
            two = report("build --all --jobs 2 --force", timed(["build", "--all", "--jobs", "2", "--force"], ws,
                                                                options.repeat), per=sets)
            print(f"{'speed-up --jobs 2 over --jobs 1':<48} {one / two:7.2f} x")
        else:
            subprocess.run([*SLAGEN, "build", "--all", "--jobs", "2"], cwd=ws, check=True, capture_output=True)
        report("no-op rebuild (build --all)", timed(["build", "--all"], ws, max(options.repeat, 5)))
        clause = ws / "clauses" / "named-engineer.yaml"
        original = clause.read_text()
        edits = []
        for index in range(options.repeat):
            clause.write_text(original.replace("body: |\n", f"body: |\n  Edition {index}.\n\n", 1))
            edits.extend(timed(["build", "--all", "--jobs", "2"], ws, 1))
        report("rebuild after one clause edit (--jobs 2)", edits)
        shutil.rmtree(ws / "dist", ignore_errors=True)


if __name__ == "__main__":
    main()
