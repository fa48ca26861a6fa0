"""slagen.forkpool: forked workers leave after a number of tasks or once they have grown, fresh ones take over,
every item gives exactly one result, and a worker that dies fails only the item it had."""

from __future__ import annotations

import gc
import os
from collections import Counter

import pytest

from slagen.forkpool import resident_mb, run_forked

KEPT: list[bytes] = []  # what a worker holds on to, so that it grows


def pid_of(item: int) -> tuple[int, int]:
    return item, os.getpid()


def growing(item: int) -> tuple[int, int]:
    # 48 MB that stay resident in this worker: above glibc's largest mmap threshold (32 MB), so always fresh pages,
    # never free memory inherited from a large parent (make test once saw a 16 MB block leave the size unchanged)
    KEPT.append(os.urandom(48 * 2**20))
    return item, os.getpid()


def dies_on_three(item: int) -> tuple[int, int]:
    if item == 3:
        os._exit(9)  # as if killed
    return item, os.getpid()


def died(item: int, error: BaseException) -> tuple[int, str]:
    return item, type(error).__name__


def test_workers_leave_after_their_tasks_and_fresh_ones_are_forked() -> None:
    results = list(run_forked(list(range(10)), 2, pid_of, died, per_worker=3, growth_mb=10_000))
    assert sorted(item for item, _pid in results) == list(range(10))
    by_worker = Counter(pid for _item, pid in results)
    assert os.getpid() not in by_worker
    assert max(by_worker.values()) <= 3 and len(by_worker) >= 4


@pytest.mark.skipif(resident_mb() is None, reason="this platform does not tell a process's resident memory")
def test_a_worker_that_grew_past_its_warm_size_leaves_after_that_task() -> None:
    """Its warm size is its size after the first item (48 MB more here), so it leaves after the second; unless
    the first item alone took more than `warm_mb`: then it leaves after the first."""
    warm = list(run_forked(list(range(6)), 2, growing, died, per_worker=100, growth_mb=8, warm_mb=1000))
    assert sorted(item for item, _pid in warm) == list(range(6))
    by_worker = Counter(pid for _item, pid in warm)
    assert max(by_worker.values()) == 2 and len(by_worker) >= 3
    large_first = list(run_forked(list(range(6)), 2, growing, died, per_worker=100, growth_mb=8, warm_mb=4))
    assert sorted(item for item, _pid in large_first) == list(range(6))
    assert set(Counter(pid for _item, pid in large_first).values()) == {1}
    assert not KEPT  # the memory was the workers', never this process's


def test_a_worker_that_dies_fails_its_item_only_and_is_replaced() -> None:
    results = dict(run_forked(list(range(8)), 2, dies_on_three, died, per_worker=100, growth_mb=10_000))
    assert sorted(results) == list(range(8))
    assert results[3] == "EOFError"
    assert all(isinstance(results[item], int) for item in range(8) if item != 3)


def test_more_workers_than_items_and_no_items() -> None:
    assert sorted(run_forked([1], 4, pid_of, died))[0][0] == 1
    assert list(run_forked([], 2, pid_of, died)) == []


def frozen(item: int) -> tuple[int, int]:
    return item, gc.get_freeze_count()


def test_a_worker_leaves_what_it_inherited_out_of_its_collections() -> None:
    """Its garbage collections sweep only what its items make, however much the parent holds."""
    inherited = [[index] for index in range(20_000)]  # objects the parent made, which every worker inherits
    assert gc.get_freeze_count() == 0
    results = list(run_forked(list(range(4)), 2, frozen, died, per_worker=2))
    assert all(count > len(inherited) for _item, count in results)
    assert gc.get_freeze_count() == 0  # the parent's own are left as they were
