"""The time and memory limit of one render: a clause or page template stopped once `limits.render_seconds` pass
or the memory in use grows by MAX_RENDER_MEMORY, even in a loop that prints nothing.

Two ways to watch, the same limits and messages:

- In the main thread (every `build`, `validate` and worker process), an interval timer: SIGALRM every 5 ms
  of wall time while a render runs, whose handler looks at the clock and the memory in use and raises in
  the render. A render costs two `setitimer` calls; a render under 5 ms is never interrupted at all.
- Elsewhere (a `slagen serve` request thread, a platform without `setitimer`, a process that blocks SIGALRM
  or uses it itself), a tracing hook on every Python call and every line of template code. It costs a Python
  call per event: it made `validate` of 1,000 customers about a fifth slower, hence the timer.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from jinja2.exceptions import TemplateRuntimeError

# A render may grow the memory in use by this much; far above any real contract.
MAX_RENDER_MEMORY = 1024 * 2**20
TICK_SECONDS = 0.005  # how often a running render is looked at


class RenderLimitError(TemplateRuntimeError):
    """A render went past a limit (time, size, repetition, recursion); the message says which and where to change it.

    A `TemplateRuntimeError`, so every place that reports template errors reports this one too.
    """


def limit_error(message: str) -> RenderLimitError:
    return RenderLimitError(f"stopped: {message}")


def _memory() -> int | None:
    """The process's resident memory now, in bytes (Linux: /proc/self/statm); elsewhere its peak (getrusage).

    Not the peak on Linux: a process started by a large one inherits that one's peak across exec (the
    kernel keeps it), so growth of the peak could stay hidden under a parent's size."""
    try:
        return int(Path("/proc/self/statm").read_bytes().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        pass
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


class _Deadline:
    """One render's limits: the time it must end by, and how much its memory may grow. The memory it started
    from is read at the first look (in the main thread 5 ms in: a shorter render never reads it)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.started = time.monotonic()
        self.deadline = self.started + seconds
        self.next_memory_check = self.started
        self.memory: int | None = None

    def check(self) -> None:
        now = time.monotonic()
        if now > self.deadline:
            raise limit_error(
                f"rendering took longer than {self.seconds:g} s (limits.render_seconds in slagen.yaml); "
                "look for a loop or macro that never ends"
            )
        if now >= self.next_memory_check:
            self.next_memory_check = now + TICK_SECONDS
            memory = _memory()
            if memory is None:
                return
            if self.memory is None:
                self.memory = memory
            elif memory - self.memory > MAX_RENDER_MEMORY:
                raise limit_error(f"the render used more than {MAX_RENDER_MEMORY // 2**20:,} MiB of memory")

    # The tracing hook (threads other than the main one).
    def on_call(self, frame: FrameType, event: str, arg: Any) -> Any:
        self.check()
        return self.on_line if "__jinja_template__" in frame.f_globals else None

    def on_line(self, frame: FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.check()
        return self.on_line


class _Timer:
    """SIGALRM ticks for the renders running in the main thread (innermost last). The handler stays installed once
    set (a tick already on its way when the last render ends then finds nothing to look at, instead of reaching
    a restored default handler that would end the process)."""

    def __init__(self) -> None:
        self.running: list[_Deadline] = []
        self.installed = False

    def usable(self) -> bool:
        """Only in the main thread, with setitimer, with SIGALRM not blocked (a blocked signal never arrives: a
        process can inherit such a mask from whatever started it), and only if nobody else uses SIGALRM or the
        real-time timer."""
        if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
            return False
        if signal.SIGALRM in signal.pthread_sigmask(signal.SIG_BLOCK, ()):
            return False
        if self.installed:
            return True
        if signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None) or signal.getitimer(signal.ITIMER_REAL)[0]:
            return False
        signal.signal(signal.SIGALRM, self._tick)
        self.installed = True
        return True

    def _tick(self, signum: int, frame: FrameType | None) -> None:
        for deadline in self.running:
            deadline.check()

    @contextmanager
    def watching(self, deadline: _Deadline) -> Iterator[None]:
        self.running.append(deadline)
        if len(self.running) == 1:
            signal.setitimer(signal.ITIMER_REAL, TICK_SECONDS, TICK_SECONDS)
        try:
            yield
        finally:
            self.running.remove(deadline)
            if not self.running:
                signal.setitimer(signal.ITIMER_REAL, 0)


_TIMER = _Timer()


@contextmanager
def render_deadline(limits: Any) -> Iterator[None]:
    """Stop any template code run inside this block after `limits.render_seconds` (or past the memory limit)."""
    deadline = _Deadline(float(limits.render_seconds))
    if _TIMER.usable():
        with _TIMER.watching(deadline):
            yield
        return
    previous = sys.gettrace()
    sys.settrace(deadline.on_call)
    try:
        yield
    finally:
        sys.settrace(previous)
