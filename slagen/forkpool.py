"""Worker processes forked from this one that leave after a while, so that no worker's memory keeps growing.

`build --all` forks its workers after the workspace is loaded and the writers imported, so a worker starts
warm. A worker's memory grows with the documents it makes (font and layout caches, fragmentation: a
contract set in Chinese loads large fonts) and never shrinks. Here a worker leaves when it has run
`per_worker` tasks, or sooner when its resident memory has grown by more than `growth_mb` past its warm
size (see _work); a fresh one is forked from this process (which holds the loaded workspace and the
imports, but none of the documents), so it costs little. Tasks are handed out one at a time, so results
come in the order the tasks finish. This process must have no other thread when it calls `run_forked`.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

# Defaults of build --all, from measurements (bench/RESULTS.md, issue 16): a worker forked at about 75 MB is
# about 130 MB after its first contract, 5-10 MB more after the next few (other tiers, languages), then about
# 1 MB a task; one contract set in Chinese takes it to about 190 MB. A fresh worker fills its clause and
# template caches again (a few tenths of a second).
PER_WORKER = 20
GROWTH_MB = 8.0
WARM_MB = 60.0


def resident_mb() -> float | None:
    """This process's resident memory now (not its peak), where the platform tells (Linux)."""
    try:
        return int(Path("/proc/self/statm").read_bytes().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def run_forked(
    items: list[Any],
    workers: int,
    function: Callable[[Any], Any],
    died: Callable[[Any, BaseException], Any],
    *,
    per_worker: int = PER_WORKER,
    growth_mb: float = GROWTH_MB,
    warm_mb: float = WARM_MB,
) -> Iterator[Any]:
    """`function(item)` for every item in up to `workers` forked processes, each result as it comes; a worker
    that dies (killed, out of memory) gives `died(item, error)` for the item it had, and is replaced."""
    from multiprocessing import Pipe
    from multiprocessing.connection import wait

    pending = list(reversed(items))
    busy: dict[Connection, tuple[int, Any]] = {}  # a worker's pipe -> its process id, the item it was sent

    def start() -> None:
        here, there = Pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns into the caller's code
            # What it inherits lives as long as it does: its garbage collections sweep only what its items make
            # (without this, a worker forked late would also sweep what this process made meanwhile).
            gc.freeze()
            here.close()
            for connection in busy:  # the other workers' pipes are not this one's
                connection.close()
            code = 0
            try:
                _work(there, function, per_worker, growth_mb, warm_mb)
            except BaseException:  # interrupted, or the parent went away
                code = 1
            os._exit(code)
        there.close()
        item = pending.pop()
        here.send(item)
        busy[here] = (pid, item)

    try:
        while pending and len(busy) < workers:
            start()
        while busy:
            for connection in wait(list(busy)):
                pid, item = busy.pop(connection)  # type: ignore[call-overload]
                try:
                    result, leaving = connection.recv()
                except (EOFError, OSError) as error:  # the worker died with the item
                    result, leaving = died(item, error), True
                if leaving:
                    connection.close()
                    os.waitpid(pid, 0)
                    if pending:
                        start()
                elif pending:
                    item = pending.pop()
                    try:
                        connection.send(item)
                        busy[connection] = (pid, item)
                    except OSError:  # the worker died between two items: a fresh one takes this one
                        connection.close()
                        os.waitpid(pid, 0)
                        pending.append(item)
                        start()
                else:
                    connection.close()  # the worker finds its pipe closed and leaves
                    os.waitpid(pid, 0)
                yield result
    finally:  # interrupted, or the caller stopped early: the workers leave after their item; reap them
        for connection, (pid, _item) in busy.items():
            connection.close()
            os.waitpid(pid, 0)


def _work(
    connection: Connection, function: Callable[[Any], Any], per_worker: int, growth_mb: float, warm_mb: float
) -> None:
    """A worker: run each item it is sent; leave after `per_worker` items, or once it has grown by more than
    `growth_mb` past its warm size: its size after the first item (fonts and layout caches set up), at most
    its size when forked plus `warm_mb` (a first item that took more leaves at once)."""
    started_mb = resident_mb()
    warm: float | None = None
    done = 0
    while True:
        try:
            item = connection.recv()
        except (EOFError, OSError):  # no more work
            return
        result = function(item)
        done += 1
        now_mb = resident_mb()
        if now_mb is not None and started_mb is not None and warm is None:
            warm = min(now_mb, started_mb + warm_mb)
        leaving = done >= per_worker or (now_mb is not None and warm is not None and now_mb - warm > growth_mb)
        connection.send((result, leaving))
        if leaving:
            return
