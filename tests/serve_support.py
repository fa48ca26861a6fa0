"""`slagen serve` driven from outside, as a user's browser would: the real command in its own process on a free
port, plain HTTP requests, and a server-sent event stream read in a thread. Shared by tests/test_serve*.py and
bench/serve_bench.py."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

SLAGEN = [sys.executable, "-m", "slagen.cli"]
STARTED = re.compile(r"serving .* at (http://\S+/)")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


@dataclass
class Served:
    """A running `slagen serve`: its process, its address and what it printed on stderr so far."""

    process: subprocess.Popen[str]
    url: str
    stderr: list[str] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""

    @property
    def port(self) -> int:
        return urlsplit(self.url).port or 0

    def get(self, path: str, headers: dict[str, str] | None = None, timeout: float = 60) -> Response:
        """GET `path` exactly as written (no client-side normalisation of `..`)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.putrequest("GET", path, skip_host=headers is not None and "Host" in headers)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return Response(response.status, dict(response.getheaders()), response.read())
        finally:
            connection.close()

    def events(self, page: str) -> EventStream:
        return EventStream(self, page)

    def stop(self) -> int:
        """Ctrl-C, as a user stops it; the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start(workspace: Path, *args: str, timeout: float = 60, cwd: Path | None = None) -> Served:
    """`slagen serve --port 0 ARGS` in `workspace` (or in `cwd`, with ARGS naming the workspace); returns once it
    prints its address."""
    process = subprocess.Popen(
        [*SLAGEN, "serve", "--port", "0", *args], cwd=cwd or workspace, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    stderr: list[str] = []
    threading.Thread(target=lambda: stderr.extend(process.stderr or []), daemon=True).start()
    found: queue.Queue[str | None] = queue.Queue()

    def read_stdout() -> None:
        for line in process.stdout or []:
            match = STARTED.search(line)
            if match:
                found.put(match.group(1))
        found.put(None)

    threading.Thread(target=read_stdout, daemon=True).start()
    try:
        url = found.get(timeout=timeout)
    except queue.Empty:
        url = None
    if url is None:
        process.kill()
        process.wait()
        raise RuntimeError(f"slagen serve did not start: {''.join(stderr)}")
    return Served(process, url, stderr)


class EventStream:
    """The page's server-sent events, as the live script gets them: each `data:` line's JSON, in a queue."""

    def __init__(self, served: Served, page: str) -> None:
        self.connection = http.client.HTTPConnection(served.host, served.port, timeout=120)
        self.connection.request("GET", f"/_serve/events?page={quote(page, safe='')}")
        self.response = self.connection.getresponse()
        self.page = page
        self.queue: queue.Queue[dict[str, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                line = raw.decode().strip()
                if line.startswith("data:"):
                    self.queue.put(json.loads(line.removeprefix("data:")))
        except (OSError, ValueError, http.client.HTTPException):
            pass

    def next_version(self, timeout: float) -> str | None:
        """The page's version in the next event (None if none comes in time)."""
        try:
            return self.queue.get(timeout=timeout).get(self.page)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.connection.close()


def replace_in(path: Path, old: str, new: str) -> None:
    """Edit a file in place as an editor's save does (one write of the whole text)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def wait_for(predicate: object, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(interval)
    return False
