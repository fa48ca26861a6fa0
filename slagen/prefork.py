"""A single build's PDF helpers: forked before the workspace is loaded, they import WeasyPrint meanwhile.

`slagen build TIER` spends about a second on imports before any work, most of it WeasyPrint's. The
helpers overlap that with loading the workspace: the first one forks as the command starts, imports the
PDF writer, then forks the second from itself (so WeasyPrint is imported once), and each waits for one
page to render: the contract PDF and the one-page summary. This process meanwhile loads the workspace,
builds the document tree, sends each page's HTML, and writes the Word file; it never imports WeasyPrint
unless a helper fails. Any failure in a helper (a page that does not fit, a missing font, a helper that
died, a page that must blame an input file) is rendered here again; a page's own problem (an image or a
font it cannot load) comes back as the error an in-process build raises, with the same lines.

`slagen measure` forks them too and sends the first its scorecard, which is laid out while the command writes
the audit CSV.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slagen.errors import SlagenError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

CONTRACT = "contract"
SUMMARY = "summary"


class HelperFailed(Exception):
    """A helper gave no bytes; the caller renders the page itself."""


class Helpers:
    """The two helper processes, as the pipes that reach them."""

    def __init__(self, connections: dict[str, Connection], pid: int) -> None:
        self.connections = connections  # the helpers not sent a page yet
        self.every = list(connections.values())
        self.pid = pid

    def submit(self, which: str, function: str, *args: Any, **kwargs: Any) -> Callable[[], bytes]:
        """Send one page to a helper, to render with `function` ("module:name", imported there, not here);
        the returned callable waits for its bytes or raises HelperFailed."""
        connection = self.connections.pop(which)
        sent: list[BaseException] = []

        def send() -> None:
            try:
                connection.send((function, args, kwargs))
            except BaseException as error:  # the helper is gone
                sent.append(error)

        # A page is larger than a pipe holds, and the helper may still be importing: send it from a thread.
        sending = threading.Thread(target=send, daemon=True)
        sending.start()

        def result() -> bytes:
            sending.join()
            try:
                if sent:
                    raise HelperFailed(str(sent[0]))
                status, value = connection.recv()
            except (EOFError, OSError) as error:
                raise HelperFailed(str(error)) from error
            finally:
                connection.close()
            if status == "error":
                raise value
            if status != "ok":
                raise HelperFailed(value)
            made, warnings = value
            from slagen.render.fonts import record_warnings

            record_warnings(warnings)  # as if the page had been rendered here: the command takes them
            return made  # type: ignore[no-any-return]

        return result

    def close(self) -> None:
        """Let the unused helpers go (they exit when their pipe closes) and reap the first one: waiting for it
        only when it had its page (it is leaving then), not while it may still be importing."""
        busy = [connection for connection in self.every if not connection.closed]
        for connection in busy:  # a helper still working (or waiting) finds its pipe closed and leaves
            connection.close()
        self.connections = {}
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, os.WNOHANG if busy else 0)


def start_helpers() -> Helpers | None:
    """Fork the two helpers, or None on a single core (nothing to overlap) or where fork is missing."""
    if (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
        return None
    from multiprocessing import Pipe

    contract_here, contract_there = Pipe()
    summary_here, summary_there = Pipe()
    pid = os.fork()
    if pid == 0:  # the first helper
        contract_here.close()
        summary_here.close()
        _first_helper(contract_there, summary_there)  # never returns
    contract_there.close()
    summary_there.close()
    return Helpers({CONTRACT: contract_here, SUMMARY: summary_here}, pid)


def _first_helper(contract: Connection, summary: Connection) -> None:
    code = 0
    try:
        try:
            from slagen.render.pdf import warm_up

            warm_up()  # fontconfig, Pango and the stylesheet set up while the parent still loads
        except Exception:  # the request then fails, and the parent renders the page itself
            pass
        second = os.fork()
        if second == 0:  # the second helper: WeasyPrint is imported already
            contract.close()
            _serve(summary)
        else:
            summary.close()
            _serve(contract)
            os.waitpid(second, 0)  # so the command's own wait accounts for both helpers (time, memory)
    except BaseException:  # a helper never returns into the command's code
        code = 1
    os._exit(code)


def _serve(connection: Connection) -> None:
    """Render the one page this helper is sent and send back its bytes and warnings (or why not); the second
    helper leaves."""
    try:
        function, args, kwargs = connection.recv()
    except (EOFError, OSError):  # the build stopped before it needed this helper
        return
    try:
        module, name = function.split(":")
        from slagen.render.fonts import with_warnings

        answer: tuple[str, Any] = ("ok", with_warnings(getattr(importlib.import_module(module), name), *args, **kwargs))
    except SlagenError as error:  # the page's own problem (an image, a font): the same lines as in-process
        answer = ("error", error)
    except BaseException as error:  # anything else: the parent renders the page again and reports it
        answer = ("failed", f"{type(error).__name__}: {error}")
    try:
        connection.send(answer)
    except (OSError, ValueError):  # the build stopped waiting
        pass
    finally:
        connection.close()
