"""Benchmark (not a test): the median time of `slagen validate` on workspaces of many customers.

Usage: .venv/bin/python bench/validate_bench.py [--customers 100 1000] [--repeat 5]
Each run is the real CLI in a new process, as a pre-commit hook runs it; the workspaces come from
bench/make_workspace.py (the shipped workspace plus generated, varied customers).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_workspace import make_workspace

SLAGEN = [sys.executable, "-m", "slagen.cli"]


def run_validate(workspace: Path) -> tuple[float, float]:
    """Wall and CPU seconds (this process and its workers) of one `slagen validate`."""
    before = os.times()
    start = time.perf_counter()
    result = subprocess.run([*SLAGEN, "validate"], cwd=workspace, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = os.times()
    if result.returncode != 0:
        raise SystemExit(f"slagen validate failed in {workspace}:\n{result.stderr}")
    return wall, (after.children_user - before.children_user) + (after.children_system - before.children_system)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    print(f"{os.cpu_count()} cores, python {sys.version.split()[0]}, load average "
          f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        for customers in options.customers:
            workspace = make_workspace(Path(tmp) / f"ws{customers}", customers)
            runs = [run_validate(workspace) for _ in range(options.repeat)]
            walls = [wall for wall, _ in runs]
            cpus = [cpu for _, cpu in runs]
            print(f"slagen validate, {customers:5d} customers: median {statistics.median(walls):6.2f} s wall, "
                  f"{statistics.median(cpus):6.2f} s CPU  (runs: {', '.join(f'{wall:.2f}' for wall in walls)})",
                  flush=True)


if __name__ == "__main__":
    main()
