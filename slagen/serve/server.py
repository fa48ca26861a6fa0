"""The HTTP side of `slagen serve`: routes, the Host check, the Content-Security-Policy that keeps previews off
the network, local files through the PDF's confined fetcher, and the event stream that reloads open pages."""

from __future__ import annotations

import errno
import ipaddress
import json
import socket
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from slagen.errors import SlagenError, UsageError
from slagen.serve.pages import Page, page_from
from slagen.serve.shell import FILES_ROUTE, bare_page, decorate, ui_file
from slagen.serve.state import INDEX, LiveState
from slagen.serve.watch import Watcher

# No network, no plugins, no framing; inline styles (the page templates' <style>) and our own script only.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
UI_FILES = {"/_serve/live.js": ("live.js", "text/javascript"), "/_serve/serve.css": ("serve.css", "text/css")}
# An open page's event stream sends a comment this often, so a closed tab is noticed and its page let go.
KEEPALIVE_SECONDS = 10.0
CONTENT_TYPES = {".pdf": "application/pdf",
                 ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def is_loopback(host: str) -> bool:
    """Whether `host` only takes connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server holding the live state; one thread per request (and per open event stream)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], state: LiveState) -> None:
        host = address[0]
        if ":" in host.strip("[]"):
            self.address_family = socket.AF_INET6
        self.state = state
        self.loopback = is_loopback(host)
        super().__init__((host.strip("[]"), address[1]), PreviewHandler)
        port = self.server_address[1]
        # Behind a loopback address, only requests that name it (DNS rebinding: a site naming our port elsewhere).
        self.hosts = {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")} | {"127.0.0.1", "localhost"}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that went away mid-answer is normal; anything else is a bug and shows its traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "slagen-serve"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the terminal is for problems
        pass

    # ------------------------------------------------------------ responses

    def _send(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _html(self, status: int, html: str) -> None:
        self._send(status, html.encode(), "text/html; charset=utf-8")

    def _text(self, status: int, text: str) -> None:
        self._send(status, (text + "\n").encode(), "text/plain; charset=utf-8")

    # ------------------------------------------------------------ routing

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        if self.server.loopback and self.headers.get("Host", "127.0.0.1") not in self.server.hosts:
            self._text(HTTPStatus.FORBIDDEN, f"Host {self.headers.get('Host')!r} not served: open {self.server.url}")
            return
        parts = urlsplit(self.path)
        path, query = parts.path, parse_qs(parts.query)
        customer = query.get("customer", [""])[0]
        if path == "/":
            self._html(HTTPStatus.OK, self.server.state.index())
        elif path in UI_FILES:
            name, content_type = UI_FILES[path]
            self._send(HTTPStatus.OK, ui_file(name), f"{content_type}; charset=utf-8")
        elif path == "/_serve/events":
            self._events(query.get("page", [""])[0])
        elif path.startswith(FILES_ROUTE + "/"):
            self._file(path.removeprefix(FILES_ROUTE))
        elif path == "/favicon.ico":
            self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
        elif (found := page_from(path, customer)) is not None:
            page, suffix = found
            self._download(page, suffix) if suffix else self._preview(page)
        else:
            self._text(HTTPStatus.NOT_FOUND, f"{unquote(path)}: no such page; {self.server.url} lists them")

    def _unknown(self, page: Page) -> str | None:
        """Why the workspace has no such page (unknown tier or customer), if it does not."""
        ws = self.server.state.ws
        try:
            if ws is not None and page.tier is not None:
                ws.tier(page.tier)
            if ws is not None and page.customer is not None:
                ws.customer(page.customer)
        except UsageError as error:
            return str(error)
        return None

    def _names(self, page: Page) -> dict[str, Any]:
        return {"tier_name": self.server.state.tier_names.get(page.tier or "")}

    def _preview(self, page: Page) -> None:
        unknown = self._unknown(page)
        if unknown is not None:
            self._text(HTTPStatus.NOT_FOUND, unknown)
            return
        state = self.server.state
        preview = state.preview(page)
        names = self._names(page)
        if preview.html is None:
            self._html(HTTPStatus.OK, bare_page(page, preview.version, list(preview.problems), names))
            return
        base_url = state.root.resolve().as_uri() + "/"
        self._html(HTTPStatus.OK, decorate(preview.html, base_url, page, preview.version, list(preview.problems),
                                           names))

    def _download(self, page: Page, suffix: str) -> None:
        unknown = self._unknown(page)
        if unknown is not None:
            self._text(HTTPStatus.NOT_FOUND, unknown)
            return
        try:
            name, data = self.server.state.file(page, suffix)
        except SlagenError as error:
            self._text(HTTPStatus.UNPROCESSABLE_ENTITY, "\n".join(error.problems))
            return
        self._send(HTTPStatus.OK, data, CONTENT_TYPES[suffix],
                   {"Content-Disposition": f"inline; filename*=UTF-8''{quote(name)}"})

    def _file(self, path: str) -> None:
        """A local file the preview names, served only if the PDF's fetcher would load it."""
        from slagen.render.pdf import ConfinedFetcher

        fetcher = ConfinedFetcher(self.server.state.roots)
        try:
            response = fetcher.fetch("file://" + path)
            body = response.read()
        except Exception:  # the fetcher's refusal (or OSError): its own words are in `problems`
            problem = fetcher.problems[-1] if fetcher.problems else f"cannot load {unquote(path)}"
            refused = "refused" in problem
            self._text(HTTPStatus.FORBIDDEN if refused else HTTPStatus.NOT_FOUND, problem.removeprefix("PDF: "))
            return
        self._send(HTTPStatus.OK, body, response.headers.get("Content-Type", "application/octet-stream"))

    def _events(self, key: str) -> None:
        """Server-sent events: the page's current version now, then again whenever it changes."""
        state = self.server.state
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        state.opened(key)
        if key not in state.versions:  # a page open since before this server started: render it to compare
            self._render_for(key)
        try:
            seen, last = -1, None
            while not state.closing:
                generation, versions = state.wait(seen, KEEPALIVE_SECONDS)
                version = versions.get(key)
                if generation != seen and version != last:
                    self.wfile.write(f"data: {json.dumps({key: version})}\n\n".encode())
                    last = version
                else:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                seen = generation
        except (ConnectionError, TimeoutError):
            pass
        finally:
            state.closed(key)


    def _render_for(self, key: str) -> None:
        state = self.server.state
        if key == INDEX:
            state.index()
            return
        parts = urlsplit(key)
        found = page_from(parts.path, parse_qs(parts.query).get("customer", [""])[0])
        if found is not None and not found[1] and self._unknown(found[0]) is None:
            state.preview(found[0])


def serve_workspace(
    root: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    templates: Path | None = None,
    *,
    tickets: dict[str, Path] | None = None,
    announce: Callable[[PreviewServer, LiveState], None] = lambda server, state: None,
) -> None:
    """Serve the workspace's live previews until interrupted (Ctrl-C, SIGTERM) or `server.shutdown()`;
    `tickets` maps a customer to its ticket export, for its scorecards."""
    state = LiveState(root, templates, tickets)
    try:
        server = PreviewServer((host, port), state)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise UsageError(f"--port {port}: the port is in use; choose another (0 picks a free one)") from error
        raise UsageError(f"--host {host} --port {port}: cannot listen there: {error.strerror or error}") from error
    watcher = Watcher(state.root, state.folders, state.on_change, frozenset(state.tickets.values()))
    watcher.start()
    announce(server, state)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        state.close()
        watcher.close()
        server.server_close()
