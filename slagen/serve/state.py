"""The live preview's state: the workspace as last loaded, each page's last good HTML and its problems, the
versions open pages compare against, and what a change to some files renders again."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from slagen.errors import InputError, SlagenError
from slagen.serve.pages import Page, Renderer, absolute, download, index_data, page_inputs
from slagen.serve.shell import start_page
from slagen.sources import allowed_roots
from slagen.workspace import Workspace, load_workspace, packaged_defaults

INDEX = "/"  # the start page's key


@dataclass(frozen=True)
class Preview:
    """A page as last rendered: `html` is the last good preview (None if it never rendered), `problems`
    what is wrong now (empty when `html` is current), `version` changes whenever either does."""

    html: str | None
    problems: tuple[str, ...]
    version: str
    fresh: bool = True  # False once an input changed: rendered again when next asked for


def hits(changed: Iterable[Path], inputs: frozenset[Path]) -> bool:
    """Whether a change touches the inputs: one of them, or a folder holding one (created, moved, removed)."""
    return any(path in inputs or any(item.is_relative_to(path) for item in inputs) for path in changed)


class LiveState:
    """Everything the server and the watcher share. `lock` serialises rendering (WeasyPrint and the
    source date are process-wide); `events` wakes the open pages' event streams."""

    def __init__(self, root: Path, templates: Path | None = None, tickets: dict[str, Path] | None = None) -> None:
        self.root = absolute(root)
        self.templates = templates
        self.tickets = {name: absolute(path) for name, path in (tickets or {}).items()}
        self.renderer = Renderer(templates, self.tickets)
        self.lock = threading.RLock()
        self.events = threading.Condition()
        self.generation = 0
        self.closing = False
        self.versions: dict[str, str] = {}
        self.previews: dict[Page, Preview] = {}
        self.open: Counter[str] = Counter()
        self.downloads: dict[tuple[Page, str], tuple[str, bytes]] = {}
        self.ws: Workspace | None = None
        self.problems: tuple[str, ...] = ()
        self.inputs: dict[Page, frozenset[Path]] = {}
        self.tier_names: dict[str, str] = {}  # as last loaded: the bar still names a tier while the file is broken
        self.every: frozenset[Path] = frozenset()
        self.roots = [self.root, packaged_defaults(), *([templates] if templates else [])]
        self._token = format(time.time_ns() % 36**6, "x")  # a restarted server's versions never match old ones
        self._counter = itertools.count(1)
        self.index_content = ""
        self.load()

    # ------------------------------------------------------------ the workspace

    def load(self) -> None:
        """Read the workspace again; on failure keep the problems (as `slagen validate` words them)."""
        try:
            ws = load_workspace(self.root)
            inputs = page_inputs(ws, self.tickets)
        except SlagenError as error:
            self.ws, self.problems = None, tuple(error.problems)
            return
        self.ws, self.problems, self.inputs = ws, (), inputs
        self.tier_names = {tier_id: tier.model.name for tier_id, tier in ws.tiers.items()}
        self.every = frozenset().union(*inputs.values())
        self.roots = allowed_roots(ws, self.templates)

    def folders(self) -> list[Path]:
        """The folders worth watching (recursively): the workspace's inputs and the templates folder named."""
        names = ["tiers", "clauses", "templates", "assets"]
        names += list(self.ws.config.model.customers) if self.ws is not None else ["customers", "examples/customers"]
        found = {folder for name in names if (folder := absolute(self.root / name)).is_relative_to(self.root)}
        if self.templates is not None:
            found.add(absolute(self.templates))
        return sorted(folder for folder in found if folder.is_dir())

    # ------------------------------------------------------------ pages

    def _next_version(self) -> str:
        return f"{self._token}.{next(self._counter)}"

    def preview(self, page: Page) -> Preview:
        """The page's preview, rendered now if it never was or an input changed since."""
        with self.lock:
            current = self.previews.get(page)
            if current is None or not current.fresh:
                current = self._render(page)
            return current

    def _render(self, page: Page) -> Preview:
        old = self.previews.get(page)
        html = old.html if old else None
        problems: tuple[str, ...] = self.problems
        if self.ws is not None:
            try:
                html, problems = self.renderer.html(self.ws, page), ()
            except SlagenError as error:
                problems = tuple(error.problems)
        same = old is not None and old.html == html and old.problems == problems
        preview = Preview(html, problems, old.version if same and old else self._next_version())
        self.previews[page] = preview
        self._publish({page.key: preview.version})
        return preview

    def file(self, page: Page, suffix: str) -> tuple[str, bytes]:
        """The page's PDF or Word file, made in memory on first request after a change (never on disk)."""
        with self.lock:
            if self.ws is None:
                raise InputError(self.problems[0], problems=list(self.problems))
            key = (page, suffix)
            if key not in self.downloads:
                self.downloads[key] = download(self.ws, page, suffix, self.templates, self.tickets)
            return self.downloads[key]

    def index(self) -> str:
        """The start page; its version is new whenever its text changes."""
        with self.lock:
            data = index_data(self.ws, self.root, self.tickets)
            content = start_page(data, "", self.problems)
            if content != self.index_content or INDEX not in self.versions:
                self.index_content = content
                self._publish({INDEX: self._next_version()})
            return start_page(data, self.versions[INDEX], self.problems)

    # ------------------------------------------------------------ changes

    def on_change(self, changed: set[Path]) -> list[Page]:
        """Files changed: read the workspace again, render again the open pages they affect (the others when
        next asked for), and tell the open pages. Returns the pages rendered again."""
        with self.lock:
            was_broken = self.ws is None
            before, every_before = self.inputs, self.every
            self.load()
            def affects(page: Page) -> bool:
                return self.ws is None or was_broken or hits(
                    changed, before.get(page, every_before) | self.inputs.get(page, self.every)
                )

            for key in [key for key in self.downloads if affects(key[0])]:
                del self.downloads[key]
            rendered = []
            for page in [page for page in self.previews if affects(page)]:
                if self.open[page.key] > 0:
                    self._render(page)
                    rendered.append(page)
                else:
                    preview = self.previews[page]
                    stale = Preview(preview.html, preview.problems, self._next_version(), fresh=False)
                    self.previews[page] = stale
                    self._publish({page.key: stale.version})
            if self.open[INDEX]:
                self.index()
            return rendered

    # ------------------------------------------------------------ the open pages' event streams

    def _publish(self, versions: dict[str, str]) -> None:
        with self.events:
            self.versions.update(versions)
            self.generation += 1
            self.events.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, dict[str, str]]:
        """Wait until something was published after generation `seen` (or the timeout); the generation and versions."""
        with self.events:
            self.events.wait_for(lambda: self.generation != seen or self.closing, timeout)
            return self.generation, dict(self.versions)

    def opened(self, key: str) -> None:
        with self.events:
            self.open[key] += 1

    def closed(self, key: str) -> None:
        with self.events:
            self.open[key] -= 1
            if self.open[key] <= 0:
                del self.open[key]

    def close(self) -> None:
        with self.events:
            self.closing = True
            self.events.notify_all()
