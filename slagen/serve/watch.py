"""Watching the workspace with watchfiles (inotify on Linux, FSEvents, ReadDirectoryChangesW): its input
folders recursively, its top folder alone (slagen.yaml, folders appearing), never the rest (.venv, dist, .git)."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import watchfiles

from slagen.serve.pages import absolute

# Changes are handed on once none came for STEP ms (an editor's save is several events), at the latest after
# DEBOUNCE ms: together with a render, a save shows in well under a second.
STEP_MS = 30
DEBOUNCE_MS = 300
TICK_MS = 250
CONFIG_NAME = "slagen.yaml"
Changes = set[tuple[watchfiles.Change, str]]


class _Either:
    """Stops a watch when either event is set (watchfiles polls `is_set`)."""

    def __init__(self, *events: threading.Event) -> None:
        self.events = events

    def is_set(self) -> bool:
        return any(event.is_set() for event in self.events)


class Watcher:
    """Two watcher threads calling `on_change(paths)` with the absolute paths that changed.

    `folders()` says which folders to watch recursively; the top folder is watched alone, and when a folder
    appears or goes there (a `templates/` created, say) the recursive watch starts again on the new set.
    """

    def __init__(self, root: Path, folders: Callable[[], list[Path]], on_change: Callable[[set[Path]], None],
                 files: frozenset[Path] = frozenset()) -> None:
        self.root = absolute(root)
        self.files = files  # single files watched through their folder (ticket exports), wherever they are
        self.folders = folders
        self.on_change = on_change
        self.stop = threading.Event()
        self.restart = threading.Event()
        self.watched: list[Path] = []
        self.threads = [
            threading.Thread(target=self._top, name="slagen-watch-top", daemon=True),
            threading.Thread(target=self._inputs, name="slagen-watch-inputs", daemon=True),
        ]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=2)

    def _changes(self, paths: list[Path], recursive: bool, stop: _Either) -> Iterator[Changes]:
        """Batches of changes; an empty batch every TICK_MS too, so the caller knows the watch is in place."""
        return watchfiles.watch(
            *paths, recursive=recursive, stop_event=stop, step=STEP_MS, debounce=DEBOUNCE_MS,
            rust_timeout=TICK_MS, yield_on_timeout=True, raise_interrupt=False,
        )

    def _deliver(self, paths: set[Path]) -> None:
        if not paths:
            return
        try:
            self.on_change(paths)
        except Exception:  # a bug: say so, and keep watching
            traceback.print_exc()

    def _moved(self) -> bool:
        """Whether the folders to watch are no longer those watched; if so the recursive watch starts again."""
        if sorted(self.folders()) == self.watched:
            return False
        self.restart.set()
        return True

    def _top(self) -> None:
        """slagen.yaml, input folders appearing or going (their names only), and the single files."""
        tops = sorted({self.root, *(file.parent for file in self.files if file.parent.is_dir())})
        for changes in self._changes(tops, False, _Either(self.stop)):
            relevant = {
                absolute(Path(path)) for change, path in changes
                if Path(path).name == CONFIG_NAME or Path(path).is_dir() or change == watchfiles.Change.deleted
                or absolute(Path(path)) in self.files
            }
            if relevant:
                self._moved()  # first, so that the new folders are watched as early as possible
                self._deliver(relevant)
                self._moved()  # slagen.yaml may name other customer folders now

    def _inputs(self) -> None:
        while not self.stop.is_set():
            self.restart.clear()
            before, self.watched = self.watched, sorted(self.folders())
            if not self.watched:
                self.restart.wait(0.5)
                continue
            # What was saved in a new folder before its watch began is seen by treating the folder as changed
            # once the watch is in place (the first batch, empty or not, comes after that).
            appeared = set(self.watched) - set(before) if before else set()
            for changes in self._changes(self.watched, True, _Either(self.stop, self.restart)):
                self._deliver(appeared | {absolute(Path(path)) for _change, path in changes})
                appeared = set()
                if self._moved():
                    break
