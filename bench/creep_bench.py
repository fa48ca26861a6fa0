"""Does a `build --all` worker slow down as it works? The same task rendered again and again in one process.

    .venv/bin/python bench/creep_bench.py [--workspace DIR] [--tier premium] [--customer acme] [--times 30]

Each round renders one document set (contract DOCX and PDF, one-page summary) with the clause sandbox a
`build --all` worker keeps across its tasks, and prints its CPU seconds (`time.process_time`) and the
process's memory in use; at the end, the median CPU of the first and the last third of the rounds. With
the task held fixed, a rise can only come from the process (caches, the allocator, the collector), not from
which tasks came late in a batch.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from slagen.batch import worker_environment
from slagen.build import FORMATS, render_job
from slagen.forkpool import resident_mb
from slagen.sources import Job
from slagen.workspace import load_workspace

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workspace", type=Path, default=ROOT)
    parser.add_argument("--tier", default="premium")
    parser.add_argument("--customer", default="acme")
    parser.add_argument("--times", type=int, default=30)
    args = parser.parse_args()
    ws = load_workspace(args.workspace)
    job = Job(ws.tiers[args.tier], ws.customers[args.customer])
    environment = worker_environment(ws)
    seconds = []
    for round_ in range(args.times):
        started = time.process_time()
        render_job(ws, job, FORMATS, None, environment=environment)
        seconds.append(time.process_time() - started)
        print(f"round {round_ + 1:3d}: {seconds[-1]:.3f} s CPU, {resident_mb() or 0:.0f} MiB in use", flush=True)
    third = max(1, len(seconds) // 3)
    print(f"first third median {statistics.median(seconds[:third]):.3f} s, "
          f"last third median {statistics.median(seconds[-third:]):.3f} s")


if __name__ == "__main__":
    main()
