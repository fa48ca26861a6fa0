"""A large export read in two processes: the parent reads the first half while a forked child reads the second, then
the child's columns are appended to the parent's (the reading is most of `slagen measure`'s time)."""

from __future__ import annotations

import gc
import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from slagen.workers import usable_cores

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

SPLIT_FROM = 16_000_000  # characters (about 100,000 tickets): below this a second process costs more than it saves


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector off while millions of short-lived rows are made: they hold no cycles, and each
    collection would walk every row still alive (a third of the reading time at a million tickets)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def lines_of(text: str, begin: int = 0, end: int | None = None) -> Iterator[str]:
    """The lines of text[begin:end], each with its line break, without copying the text."""
    stop = len(text) if end is None else end
    find = text.find
    while begin < stop:
        after = find("\n", begin, stop) + 1 or stop
        yield text[begin:after]
        begin = after


def split(text: str) -> tuple[int, int] | None:
    """Where to cut the rows near the middle, at a line break outside quotes, and how many lines lie before it
    (header included); None when there is no such place."""
    header_end = text.find("\n") + 1
    cut = text.find("\n", len(text) // 2) + 1
    for _attempt in range(100):
        if cut <= header_end or cut >= len(text):
            return None
        if text.count('"', 0, cut) % 2 == 0:  # an even number of quotes before: not inside a quoted value
            return cut, text.count("\n", 0, cut)
        cut = text.find("\n", cut) + 1
    return None


def _child(state: Any, text: str, begin: int, connection: Connection) -> None:
    try:
        state.read(text, begin)
        connection.send(("ok", state))
    except BaseException as error:
        connection.send(("failed", repr(error)))
    finally:
        connection.close()


def read_in_halves(state: Any, text: str) -> bool:
    """Read `text` into `state` (a tickets._Reader) in two processes; False when it is not worth it or not possible
    (small file, one core, no fork, other threads running), and then nothing has been read."""
    if len(text) < SPLIT_FROM or usable_cores() < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return False
    if threading.active_count() > 1:  # forking a process with other threads (a server) could copy a held lock
        return False
    parts = split(text)
    if parts is None:
        return False
    cut, offset = parts
    other = state.__class__(state.mapping, state.header, state.severities, state.problems.__class__(
        state.problems.display))
    other.line_offset = offset
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(other, text, cut, sender), daemon=True)  # forked: text is shared
    child.start()
    sender.close()
    try:
        state.read(text, 0, cut)
        status, payload = receiver.recv()
    finally:
        receiver.close()
        child.join()
    if status == "ok":
        state.absorb(payload)
    else:
        other.read(text, cut)
        state.absorb(other)
    return True
