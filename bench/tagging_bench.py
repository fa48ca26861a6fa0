"""What tagged PDF costs: one document set (contract DOCX and PDF, summary PDF) built with and without the
structure tree, alternately in one warm process; CPU time of the process (the build is single-threaded
here), so the load of other processes on the machine does not enter the figures.

    .venv/bin/python bench/tagging_bench.py [--rounds 6] [--tier premium] [--customer acme]

Prints the median of each and the difference as a share of the untagged build.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--tier", default="premium")
    parser.add_argument("--customer", default="acme")
    args = parser.parse_args()

    import slagen.render.pdf as pdf
    from slagen.build import FORMATS, Job, render_job, resolve_customer
    from slagen.workspace import load_workspace

    ws = load_workspace(ROOT)
    job = Job(ws.tier(args.tier), resolve_customer(ws, args.customer))
    times: dict[bool, list[float]] = {True: [], False: []}
    sizes: dict[bool, int] = {}
    render_job(ws, job, FORMATS)  # warm-up: imports, fonts, caches
    for round_ in range(args.rounds):
        for tagged in (True, False) if round_ % 2 == 0 else (False, True):
            pdf.TAGGED = tagged
            start = time.process_time()
            outputs = render_job(ws, job, FORMATS)
            times[tagged].append(time.process_time() - start)
            sizes[tagged] = sum(len(data) for name, data in outputs.items() if name.endswith(".pdf"))
    tagged, untagged = statistics.median(times[True]), statistics.median(times[False])
    print(f"{args.tier} for {args.customer}, docx + pdf + summary, {args.rounds} rounds each, alternating")
    for label, key, median in (("untagged", False, untagged), ("tagged:  ", True, tagged)):
        runs = ", ".join(f"{t:.2f}" for t in times[key])
        print(f"{label} median {median:.2f} s CPU ({runs}); PDFs {sizes[key]} bytes")
    print(f"cost of tagging: {tagged - untagged:+.2f} s = {100 * (tagged - untagged) / untagged:+.1f}% of the build")


if __name__ == "__main__":
    main()
