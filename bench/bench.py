"""Benchmarks (not tests): medians of slagen's commands on a generated workspace, side by side with the peer.

Usage: .venv/bin/python bench/bench.py [--customers 100] [--repeat 5] [--peer ../shared/peer-baseline]
       [--skip-full] [--jobs1] [--only cold,help,validate,full,noop,edit,floor]

Each measurement runs the real CLI in a new process, as a user or CI would, and reads the peak memory
(RSS) of that process from the kernel (`wait4`). With `--peer DIR` (the naive one-process pipeline of
../shared/peer-baseline, copied to a scratch folder, its fixture made at SLA_SCALE=1.4), each slagen
command is timed alternately with its peer equivalent in the same run, so the load of a shared machine
falls on both, and the ratio of the medians is printed (peer / slagen: above 1 means slagen is faster).
The peer runs on this interpreter (the same WeasyPrint, python-docx and Jinja as slagen).

`floor` (with --peer) times what no pipeline built on WeasyPrint can go below: a fresh interpreter that
imports WeasyPrint (as slagen does, without ctypes' library search), then lays out and writes one contract's
finished HTML, nothing else: slagen's premium contract for acme (tagged, as slagen writes it) and the peer's
own contract (untagged, as the peer writes it), alternately with the peer's whole one-set build.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SLAGEN = [sys.executable, "-m", "slagen"]  # what the `slagen` script runs (slagen.launch)
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
# What `slagen --help` is compared with: the same command list and options with argparse.
ARGPARSE_HELP = """\
import argparse
parser = argparse.ArgumentParser(prog="slagen", description="Turn support tiers, a clause library and customers "
                                 "(YAML) into SLA contracts (DOCX and PDF).")
parser.add_argument("--workspace", "-w", help="Workspace folder (default: nearest slagen.yaml upward).")
parser.add_argument("--debug", action="store_true", help="Show tracebacks for errors.")
parser.add_argument("--version", action="store_true", help="Print the version and exit.")
commands = parser.add_subparsers(title="commands")
for name in ("validate", "tiers", "schema", "init", "build", "credits", "compare", "redline"):
    commands.add_parser(name, help=f"the {name} command")
parser.parse_args()
"""
PEER_SCALE = "1.4"  # about 6,400 words: close to slagen's premium contract for acme


# The least a contract PDF costs in a new process: import WeasyPrint (its native libraries loaded by soname,
# without ctypes' search, as slagen loads them), lay the finished HTML out, write it.
PDF_FLOOR = """\
import sys
from slagen.render.libraries import direct_library_loading
with direct_library_loading():
    import weasyprint
html, base, tagged = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], sys.argv[3] == "tagged"
weasyprint.HTML(string=html, base_url=base).write_pdf(sys.argv[4], pdf_tags=tagged)
"""
# The least CPU a contract PDF takes in a warm process (a batch worker's case): median of 5 after a warm-up.
PDF_WARM = """\
import statistics, sys, time
import weasyprint
base = sys.argv[1]
for path in sys.argv[2:]:
    html, cpu = open(path, encoding="utf-8").read(), []
    for _ in range(6):
        started = time.process_time()
        weasyprint.HTML(string=html, base_url=base).write_pdf(pdf_tags=True)
        cpu.append(time.process_time() - started)
    print(path, statistics.median(cpu[1:]))
"""
# The HTML slagen's contract helper receives: premium for acme, and one contract of each tier.
SLAGEN_HTML = """\
import sys
from pathlib import Path
from slagen.build import Job, build_document, contract_html, load_strings
from slagen.workspace import load_workspace, resolve_customer
ws = load_workspace(Path.cwd())
for tier, customer in (("premium", "acme"), ("basic", "cust-000"), ("standard", "cust-001")):
    document, _ = build_document(ws, Job(ws.tier(tier), resolve_customer(ws, customer)), load_strings(ws, None))
    Path(sys.argv[1], f"{tier}-{customer}.html").write_text(contract_html(ws, document), encoding="utf-8")
"""
PEER_HTML = """\
import sys
import common
import render_weasy
open(sys.argv[1], "w", encoding="utf-8").write(render_weasy.to_html(common.load_context(common.customers()[0])))
"""


def make_workspace(folder: Path, customers: int) -> Path:
    subprocess.run([*SLAGEN, "init", str(folder)], check=True, capture_output=True)
    target = folder / "examples" / "customers"
    for n in range(customers - 3):  # plus the three shipped examples
        currency, locale, country = LOCALES[n % 3]
        text = CUSTOMER.format(n=n, tier=TIERS[n % 3], currency=currency, locale=locale, country=country)
        (target / f"cust-{n:03d}.yaml").write_text(text)
    return folder


class Run:
    """One finished process: wall seconds, peak RSS (MiB) of the largest process it waited for, its output."""

    def __init__(self, args: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        started = time.perf_counter()
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            process = subprocess.Popen(args, cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
            _, status, usage = os.wait4(process.pid, 0)
            self.seconds = time.perf_counter() - started
            process.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            err.seek(0)
            self.stdout = out.read().decode(errors="replace")
            self.stderr = err.read().decode(errors="replace")
        self.peak_mb = usage.ru_maxrss / 1024
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed ({process.returncode}):\n{self.stderr[-3000:]}")


def slagen(args: list[str], ws: Path) -> Run:
    return Run([*SLAGEN, *args], ws)


def median(values: list[float]) -> float:
    return statistics.median(values)


def line(label: str, runs: list[Run], per: int = 1, unit: str = "") -> float:
    value = median([run.seconds for run in runs]) / per
    peak = max(run.peak_mb for run in runs)
    shown = ", ".join(f"{run.seconds / per:.2f}" for run in runs)
    print(f"{label:<52} median {value:7.3f} s{unit}  peak {peak:5.0f} MiB  (runs: {shown})", flush=True)
    return value


def ratio(label: str, peer: float, ours: float) -> None:
    faster = "slagen faster" if ours < peer else "peer faster"
    print(f"{'  ratio peer / slagen, ' + label:<52} {peer / ours:7.2f} x  ({faster})", flush=True)


def alternate(first: Callable[[], Run], second: Callable[[], Run], repeat: int, warm_up: bool = True) -> tuple[
        list[Run], list[Run]]:
    """Run the two alternately (after one warm-up each, not counted), `repeat` times each."""
    if warm_up:
        first()
        second()
    a: list[Run] = []
    b: list[Run] = []
    for _ in range(repeat):
        a.append(first())
        b.append(second())
    return a, b


class Peer:
    """The peer baseline copied to a scratch folder, with its fixture made."""

    def __init__(self, source: Path, scratch: Path) -> None:
        self.folder = scratch / "peer"
        shutil.copytree(source, self.folder)
        for path in self.folder.iterdir():
            path.chmod(0o644)
        self.env = {**os.environ, "SLA_WORK": str(scratch / "peer-work"), "SLA_OUT": str(scratch / "peer-out"),
                    "SLA_SCALE": PEER_SCALE}
        Run([sys.executable, "make_fixture.py"], self.folder, self.env)

    def one_set(self) -> Run:
        return Run([sys.executable, "build_all.py"], self.folder, self.env)

    def batch(self, sets: int, workers: int) -> Run:
        return Run([sys.executable, "build_all.py", "--n", str(sets), "--workers", str(workers)], self.folder, self.env)


def pdf_floor(peer: Peer, ws: Path, scratch: Path, repeat: int) -> None:
    """The least a cold build can take, whatever slagen does around it: import WeasyPrint and write the contract."""
    (scratch / "floor.py").write_text(PDF_FLOOR)
    (scratch / "slagen_html.py").write_text(SLAGEN_HTML)
    (peer.folder / "peer_html.py").write_text(PEER_HTML)  # beside the peer's modules, which it imports
    Run([sys.executable, str(scratch / "slagen_html.py"), str(scratch)], ws)
    Run([sys.executable, "peer_html.py", str(scratch / "peer.html")], peer.folder, peer.env)

    def floor(which: str, base: Path, tagged: str) -> Callable[[], Run]:
        command = [sys.executable, str(scratch / "floor.py"), str(scratch / f"{which}.html"), base.as_uri() + "/",
                   tagged, str(scratch / f"{which}.pdf")]
        return lambda: Run(command, scratch)

    runs: dict[str, list[Run]] = {"slagen": [], "peer set": [], "peer": []}
    commands = {"slagen": floor("premium-acme", ws, "tagged"), "peer set": peer.one_set,
                "peer": floor("peer", peer.folder, "untagged")}
    for round_ in range(repeat + 1):  # in turn, after one warm-up each (not counted)
        for name, command in commands.items():
            run = command()
            if round_:
                runs[name].append(run)
    mine = line("floor: import WeasyPrint + slagen's contract PDF", runs["slagen"])
    whole = line(f"peer build_all.py one set (SLA_SCALE={PEER_SCALE})", runs["peer set"])
    line("floor: import WeasyPrint + the peer's contract PDF", runs["peer"])
    print(f"{'  target 1 (1.5x the peer set) allows':<52} {whole / 1.5:7.3f} s; the floor is "
          f"{mine - whole / 1.5:+.3f} s past it", flush=True)
    (scratch / "warm.py").write_text(PDF_WARM)
    pages = [str(scratch / f"{name}.html") for name in ("basic-cust-000", "standard-cust-001", "premium-acme")]
    warm = Run([sys.executable, str(scratch / "warm.py"), ws.as_uri() + "/", *pages], scratch)
    cpu = {Path(path).stem: float(seconds) for path, seconds in (row.split() for row in warm.stdout.splitlines())}
    shown = ", ".join(f"{name} {seconds:.3f}" for name, seconds in cpu.items())
    print(f"{'contract PDF alone, warm process, CPU (median of 5)':<52} {shown} s; "
          f"mean {statistics.mean(cpu.values()):.3f} s", flush=True)


def task_spread(run: Run) -> str:
    """Per-task seconds of a `build --all --json` run: first and last third, and the workers' peak memory.

    Tasks differ in cost (premium against basic, a bilingual contract), so the creep line compares each tier's
    CPU seconds with themselves: the first third of that tier's tasks against its last third (finishing order).
    A worker's first task fills its caches (fonts, layouts, compiled clauses), so the creep is also given over
    the later tasks only, next to how many workers were forked and what a first task costs more.
    """
    report = json.loads(run.stdout)
    tasks = [task for task in report.get("tasks", []) if task["customer"] is not None]
    if len(tasks) < 6:
        return "no per-task times in the JSON report"
    seconds = [task["seconds"] for task in tasks]
    third = len(seconds) // 3
    first, last, peak = median(seconds[:third]), median(seconds[-third:]), report.get("worker_peak_mb", 0)
    creep, warm_creep, first_tasks = [], [], []
    for tier in sorted({task["tier"] for task in tasks}):
        mine = [task for task in tasks if task["tier"] == tier and "cpu_seconds" in task]
        creep.append(_thirds(tier, [task["cpu_seconds"] for task in mine]))
        warm = [task["cpu_seconds"] for task in mine if task.get("worker_task", 0) > 1]
        warm_creep.append(_thirds(tier, warm))
        cold = [task["cpu_seconds"] for task in mine if task.get("worker_task") == 1]
        if cold and warm:
            first_tasks.append(f"{tier} {median(cold):.2f} s ({len(cold)}) against {median(warm):.2f} s")
    workers = len({task["worker"] for task in tasks if "worker" in task})
    return (f"per task (in finishing order) median {median(seconds):.2f} s: first third {first:.2f} s, "
            f"last third {last:.2f} s; CPU per task, first third -> last third of each tier: "
            f"{'; '.join(creep)}; the same without each worker's first task: {'; '.join(warm_creep)}; "
            f"{workers} workers for {len(tasks)} tasks, a worker's first task against its later ones: "
            f"{'; '.join(first_tasks) or 'not reported'}; peak per worker {peak:.0f} MiB")


def _thirds(tier: str, cpu: list[float]) -> str:
    if len(cpu) < 6:
        return f"{tier} too few tasks"
    part = len(cpu) // 3
    return f"{tier} {median(cpu[:part]):.2f} -> {median(cpu[-part:]):.2f} s ({len(cpu)} tasks)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per command (the full builds: --full-repeat)")
    parser.add_argument("--full-repeat", type=int, default=1)
    parser.add_argument("--peer", type=Path, help="the peer baseline folder (../shared/peer-baseline)")
    parser.add_argument("--skip-full", action="store_true", help="skip the full --force builds")
    parser.add_argument("--jobs1", action="store_true", help="also time build --all --jobs 1 --force")
    parser.add_argument("--only", help="comma-separated: cold, help, validate, full, noop, edit, floor")
    options = parser.parse_args()
    everything = {"cold", "floor", "help", "validate", "full", "noop", "edit"}
    wanted = set(options.only.split(",")) if options.only else everything
    if options.skip_full:
        wanted.discard("full")
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")
    repeat = options.repeat
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        ws = make_workspace(scratch / "ws", options.customers)
        peer = Peer(options.peer, scratch) if options.peer else None
        sets = options.customers
        load = os.getloadavg()
        print(f"workspace: {options.customers} customers, {os.cpu_count()} cores, python {sys.version.split()[0]}, "
              f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start", flush=True)
        if "help" in wanted:
            (scratch / "argparse_help.py").write_text(ARGPARSE_HELP)
            ours, theirs = alternate(lambda: slagen(["--help"], ws),
                                     lambda: Run([sys.executable, str(scratch / "argparse_help.py"), "--help"], ws),
                                     max(repeat, 10))
            mine = line("slagen --help", ours)
            floor = line("argparse --help (same commands)", theirs)
            print(f"{'  slagen --help / argparse --help':<52} {mine / floor:7.2f} x", flush=True)
        if "cold" in wanted:
            cold = ["build", "premium", "--customer", "acme", "--out", "single"]
            if peer is not None:
                ours, theirs = alternate(lambda: slagen(cold, ws), peer.one_set, repeat)
                mine = line("cold build premium --customer acme (docx+pdf+summary)", ours)
                other = line(f"peer build_all.py one set (SLA_SCALE={PEER_SCALE})", theirs)
                ratio("cold build", other, mine)
            else:
                slagen(cold, ws)
                line("cold build premium --customer acme (docx+pdf+summary)", [slagen(cold, ws) for _ in range(repeat)])
        if "floor" in wanted and peer is not None:
            pdf_floor(peer, ws, scratch, repeat)
        if "validate" in wanted:
            line("validate (whole workspace)", [slagen(["validate"], ws) for _ in range(min(repeat, 3))])
        if "full" in wanted:
            full = ["build", "--all", "--jobs", "2", "--force", "--json"]
            if options.jobs1:
                line("build --all --jobs 1 --force", [slagen(["build", "--all", "--jobs", "1", "--force"], ws)
                                                      for _ in range(options.full_repeat)], per=sets,
                     unit=" per set")
            if peer is not None:
                ours, theirs = alternate(lambda: slagen(full, ws), lambda: peer.batch(sets, 2), options.full_repeat,
                                         warm_up=False)
                mine = line("build --all --jobs 2 --force", ours, per=sets, unit=" per set")
                other = line(f"peer build_all.py --n {sets} --workers 2", theirs, per=sets, unit=" per set")
                ratio("per customer x tier set, 2 workers", other, mine)
            else:
                ours = [slagen(full, ws) for _ in range(options.full_repeat)]
                line("build --all --jobs 2 --force", ours, per=sets, unit=" per set")
            print(f"  {task_spread(ours[-1])}", flush=True)
        elif {"noop", "edit"} & wanted:
            slagen(["build", "--all", "--jobs", "2"], ws)
        if "noop" in wanted:
            line("no-op rebuild (build --all)", [slagen(["build", "--all"], ws) for _ in range(max(repeat, 5))])
        if "edit" in wanted:
            clause = ws / "clauses" / "named-engineer.yaml"
            original = clause.read_text()
            edits = []
            for index in range(min(repeat, 3)):
                clause.write_text(original.replace("body: |\n", f"body: |\n  Edition {index}.\n\n", 1))
                edits.append(slagen(["build", "--all", "--jobs", "2", "--json"], ws))
            built = len(json.loads(edits[-1].stdout)["built"])
            line(f"rebuild after one clause edit (--jobs 2; {built} files rebuilt)", edits)
        shutil.rmtree(ws / "dist", ignore_errors=True)


if __name__ == "__main__":
    main()
