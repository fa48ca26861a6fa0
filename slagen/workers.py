"""How many worker processes a run may start: no more than the cores it may use and the memory it has.

`build --all --jobs N` asks for N workers; more workers than cores only share the same cores (and each
lays out PDFs with its own copy of WeasyPrint), and more than the memory holds swap or get killed. So
the number is min(N, usable cores, available memory / memory of one worker), at least 1, with a note
on stderr when N was cut. Without --jobs a run takes that cap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# One build worker's peak memory: WeasyPrint laying out a 16-page contract measured about 150 MB
# (bench/RESULTS.md); twice that leaves room for larger contracts and the DOCX and summary.
BUILD_WORKER_BYTES = 300 * 2**20
# One `slagen validate` worker: the loaded workspace and its render cache (1,000 customers: about 200 MB).
VALIDATE_WORKER_BYTES = 250 * 2**20


@dataclass(frozen=True)
class Workers:
    count: int
    note: str | None  # why fewer than asked, for stderr


def usable_cores() -> int:
    """The cores this process may run on (a container or `taskset` may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        return max(1, os.cpu_count() or 1)


def available_memory() -> int | None:
    """Bytes of memory available to new processes without swapping (Linux's MemAvailable), None if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text(encoding="ascii").splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return None


def cap_workers(requested: int | None, per_worker: int = BUILD_WORKER_BYTES) -> Workers:
    """The workers this machine allows for `requested` (None: as many as fit)."""
    return worker_count(requested, per_worker, usable_cores(), available_memory())


def worker_count(requested: int | None, per_worker: int, cores: int, memory: int | None) -> Workers:
    """min(requested, cores, memory // per_worker), at least 1; memory None means unknown (not a limit)."""
    by_memory = max(1, memory // per_worker) if memory is not None else None
    limit = min(cores, by_memory) if by_memory is not None else cores
    count = max(1, min(requested, limit) if requested is not None else limit)
    note = None
    if requested is not None and count < requested:
        reasons = [f"{cores} usable core{'s' if cores != 1 else ''}"]
        if memory is not None:
            reasons.append(f"{memory / 2**30:.1f} GiB of memory available, about {per_worker // 2**20} MiB a worker")
        note = f"note: --jobs {requested} capped at {count} worker{'s' if count != 1 else ''} ({'; '.join(reasons)})"
    return Workers(count, note)
