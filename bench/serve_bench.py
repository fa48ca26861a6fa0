"""Benchmark (not a test): save-to-preview time of `slagen serve` for the premium contract of acme.

Usage: .venv/bin/python bench/serve_bench.py [--repeat 10]

Makes a workspace with `slagen init`, starts `slagen serve --port 0` in it (its own process), opens the page as
the browser does (GET /contract/premium?customer=acme, then its event stream), then each round saves a new word
into clauses/scope.yaml and times from just before the write until the page's reload event has come and a
GET of the page returns HTML holding the word: what a user waits between saving and seeing the edit. Half the
rounds write the file in place, half save as vim does (write a new file, rename it over the old one). A last
round edits a customer the page does not use and checks that the page is not rendered again.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from serve_support import SLAGEN, replace_in, start

PAGE = "/contract/premium?customer=acme"
ANCHOR = "For the Supported Applications at the Covered Sites"


def save(path: Path, old: str, new: str, *, rename: bool) -> None:
    if not rename:
        replace_in(path, old, new)
        return
    text = path.read_text(encoding="utf-8").replace(old, new, 1)
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    options = parser.parse_args()
    print(f"{os.cpu_count()} cores, python {sys.version.split()[0]}, load average "
          f"{' '.join(f'{value:.2f}' for value in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as tmp:
        workspace = Path(tmp) / "ws"
        subprocess.run([*SLAGEN, "init", str(workspace)], check=True, capture_output=True)
        served = start(workspace)
        try:
            first = time.perf_counter()
            assert served.get(PAGE).status == 200
            print(f"first render of {PAGE} (cold process): {time.perf_counter() - first:.2f} s")
            stream = served.events(PAGE)
            stream.next_version(10)
            clause = workspace / "clauses" / "scope.yaml"
            times = []
            previous = ANCHOR
            for round_ in range(options.repeat):
                word = f"Benchword{round_}x"
                text = f"{ANCHOR} ({word})"
                began = time.perf_counter()
                save(clause, previous, text, rename=bool(round_ % 2))
                previous = text
                if stream.next_version(10) is None:
                    raise SystemExit(f"round {round_}: no reload event within 10 s")
                body = served.get(PAGE).text
                elapsed = time.perf_counter() - began
                if word not in body:
                    raise SystemExit(f"round {round_}: the page does not show {word!r}")
                times.append(elapsed)
                time.sleep(0.3)
            print(f"save-to-preview, {len(times)} saves: median {statistics.median(times) * 1000:.0f} ms, "
                  f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
            replace_in(workspace / "examples" / "customers" / "nordwerk.yaml", "short_name: nordwerk",
                       "short_name: nordwerk  # edited")
            quiet = stream.next_version(2) is None
            verdict = "no reload (not rendered again)" if quiet else "RELOADED"
            print(f"editing a customer the page does not use: {verdict}")
            stream.close()
        finally:
            served.stop()


if __name__ == "__main__":
    main()
