"""A render's time and memory limit, watched by a SIGALRM tick in the main thread and by tracing elsewhere.

Both ways must stop the same runaway templates with the same messages; the tick must leave no tracer, no
timer and no handler that could end the process behind it, and must stay out of the way of a program that
uses SIGALRM itself.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from typing import Any

import pytest

from slagen.deadline import RenderLimitError
from slagen.model import Limits
from slagen.templating import clause_environment

LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
# About 400 MB of distinct strings, each one within every size limit: far past the 50 MiB limit the test sets,
# however much freed memory the process can reuse before its peak grows.
HOARD = "{% set ns = namespace(l=[]) %}{% for i in range(4000) %}{% set ns.l = ns.l + ['x' * 100000 ~ i] %}{% endfor %}"


def render(text: str, **data: Any) -> str:
    return clause_environment(Limits(render_seconds=0.5)).from_string(text).render(**data)


def in_thread(text: str, **data: Any) -> Any:
    """What rendering `text` in another thread returns or raises."""
    outcome: list[Any] = []

    def run() -> None:
        try:
            outcome.append(render(text, **data))
        except Exception as error:
            outcome.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    assert outcome, "the render in a thread did not end"
    return outcome[0]


def test_the_main_thread_is_watched_by_the_timer_not_a_tracer() -> None:
    assert render("{{ probe() }}", probe=lambda: repr(sys.gettrace())) == "None"
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nothing left ticking
    assert signal.getsignal(signal.SIGALRM) is not signal.SIG_DFL  # a late tick finds a handler, not the default


def test_another_thread_is_watched_by_a_tracer() -> None:
    assert in_thread("{{ probe() }}", probe=lambda: repr(sys.gettrace())) != "None"


def test_a_loop_that_prints_nothing_is_stopped_in_the_main_thread() -> None:
    started = time.monotonic()
    with pytest.raises(RenderLimitError, match=r"took longer than 0\.5 s"):
        render(LOOP)
    assert time.monotonic() - started < 10
    time.sleep(0.05)  # ticks still on their way find no render to stop and do nothing


def test_a_loop_that_prints_nothing_is_stopped_in_another_thread() -> None:
    outcome = in_thread(LOOP)
    assert isinstance(outcome, RenderLimitError) and "took longer than 0.5 s" in str(outcome)


def test_memory_piling_up_is_stopped_in_either_thread() -> None:
    """In a fresh process: the limit counts growth of the process's peak, and this test process may have
    peaked higher before (so the hoard would stay under its old peak)."""
    script = f"""
import signal
import threading
import slagen.deadline
from slagen.deadline import RenderLimitError
from slagen.model import Limits
from slagen.templating import clause_environment
slagen.deadline.MAX_RENDER_MEMORY = 50 * 2**20
def run(where):
    try:
        clause_environment(Limits(render_seconds=30)).from_string({HOARD!r}).render()
        print(where, "not stopped; blocked signals:", sorted(signal.pthread_sigmask(signal.SIG_BLOCK, ())))
    except RenderLimitError as error:
        print(where, error)
thread = threading.Thread(target=run, args=("other thread:",))
thread.start()
thread.join()
run("main thread:")
"""
    # Started by a process of 600 MB, as make test's own process is: Linux carries a parent's peak memory across
    # exec, so a limit on the growth of the peak would see nothing (make test showed it; the limit now reads
    # the memory in use).
    parent = "import subprocess, sys; big = b'x' * (600 * 2**20); sys.exit(subprocess.run(sys.argv[1:]).returncode)"
    result = subprocess.run([sys.executable, "-c", parent, sys.executable, "-c", script],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "other thread: stopped: the render used more than 50 MiB of memory",
        "main thread: stopped: the render used more than 50 MiB of memory",
    ]


def test_with_the_alarm_signal_blocked_the_main_thread_is_traced() -> None:
    """A blocked SIGALRM never arrives (a process can inherit the mask from whatever started it): the tick would
    never stop anything, so the tracing hook watches instead."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        assert render("{{ probe() }}", probe=lambda: repr(sys.gettrace())) != "None"
        with pytest.raises(RenderLimitError, match=r"took longer than 0\.5 s"):
            render(LOOP)
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGALRM})


def test_a_program_with_its_own_alarm_keeps_it() -> None:
    """An embedding program's SIGALRM handler and timer are left alone: the render is traced instead."""
    script = f"""
import signal, sys, time
from slagen.model import Limits
from slagen.templating import clause_environment
from slagen.deadline import RenderLimitError
rang = []
signal.signal(signal.SIGALRM, lambda *_: rang.append(1))
signal.setitimer(signal.ITIMER_REAL, 3.0)
env = clause_environment(Limits(render_seconds=0.5))
print(env.from_string("{{{{ probe() }}}}").render(probe=lambda: repr(sys.gettrace() is not None)))
try:
    env.from_string({LOOP!r}).render()
except RenderLimitError as error:
    print(error)
time.sleep(max(0.0, signal.getitimer(signal.ITIMER_REAL)[0]) + 0.1)
print("own alarm rang", rang)
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True",
        "stopped: rendering took longer than 0.5 s (limits.render_seconds in slagen.yaml); "
        "look for a loop or macro that never ends",
        "own alarm rang [1]",
    ]
