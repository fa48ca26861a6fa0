"""Writing files: atomic replacement, all-or-none folders, folder locks, and the temporary files a killed
build leaves behind. The only module that writes outputs; it never decides what to build."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from slagen.errors import BuildError

# Two builds of the same folder at once: the second waits this long for the first to finish writing.
LOCK_WAIT_SECONDS = 30.0
# For tests of interrupted builds only: seconds to wait after every output is written to its temporary
# file and before any is renamed into place, so that a signal can be sent at that moment.
PAUSE_ENV = "SLAGEN_TEST_PAUSE_BEFORE_RENAME"
# A temporary file of ours (".NAME.XXXXXXXX.tmp", as _write_temp names them) this old is a leftover of a
# killed build: temporary files only live while their writer holds the folder lock, for a second or so.
STALE_TEMP_SECONDS = 120.0
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")


def display(path: Path) -> str:
    """`path` as messages show it: relative to the current folder when inside it."""
    absolute = path.parent.resolve() / path.name
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def write_problem(target: Path, error: OSError) -> BuildError:
    """One line naming the output that could not be written and why, in words."""
    import errno

    reasons = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EFBIG: "the file is larger than the file system or a size limit allows",
        errno.EACCES: "no permission to write there",
        errno.EPERM: "no permission to write there",
        errno.EROFS: "the file system is read-only",
        errno.EISDIR: "a folder of that name is in the way",
    }
    reason = reasons.get(error.errno or 0, error.strerror or str(error))
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = next((parent for parent in (target, *target.parents) if parent.exists()), None)
        if blocker is not None and not blocker.is_dir():
            reason = f"{display(blocker)} is a file, not a folder; choose another --out"
    return BuildError(f"{display(target)}: cannot write: {reason}")


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _write_temp(path: Path, data: bytes) -> Path:
    """`data` in a new temporary file beside `path`, flushed to disk; removed again if anything fails."""
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    temp = Path(temp_name)
    try:
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    return temp


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM wait until the block ends: a set of renames is never cut in half."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):  # Windows
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def folder_lock(folder: Path, *, wait: bool = True) -> Iterator[bool]:
    """An advisory lock on an existing folder: two builds writing the same files take turns.

    Yields True once held; with `wait=False` it yields False at once when another process holds it.
    """
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks; each file is still replaced atomically
        yield True
        return
    handle = os.open(folder, os.O_RDONLY)
    try:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    yield False
                    return
                if time.monotonic() > deadline:
                    raise BuildError(
                        f"{display(folder)}: another slagen build has been writing to this folder for "
                        f"{LOCK_WAIT_SECONDS:g} s; try again when it has finished"
                    ) from None
                time.sleep(0.05)
        yield True
    finally:
        os.close(handle)  # releases the lock


def _replace(path: Path, data: bytes) -> None:
    temp = _write_temp(path, data)
    try:
        temp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file.

    A failure is a BuildError naming `path` and the reason in words.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with folder_lock(path.parent):
            _replace(path, data)
    except OSError as error:
        raise write_problem(path, error) from error


def update_atomic(path: Path, update: Callable[[bytes | None], bytes]) -> None:
    """Read-modify-write of one file under its folder's lock: `update` gets the current bytes (None when
    absent or unreadable) and returns the new ones. Two processes updating the same file lose nothing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with folder_lock(path.parent):
            try:
                current: bytes | None = path.read_bytes()
            except OSError:
                current = None
            _replace(path, update(current))
    except OSError as error:
        raise write_problem(path, error) from error


def write_outputs(folder: Path, outputs: dict[str, bytes]) -> list[Path]:
    """Write every output into `folder`, all or none.

    Each file goes to a temporary file first; only when all are on disk are they renamed into
    place, with SIGINT and SIGTERM held back, under a lock on the folder. Any failure or
    interruption before that removes the temporary files and leaves the earlier outputs as they were.
    """
    target = folder
    temps: dict[Path, Path] = {}
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with folder_lock(folder):
            _sweep(folder)
            try:
                for name, data in outputs.items():
                    target = folder / name
                    if target.is_dir() and not target.is_symlink():
                        raise IsADirectoryError(21, "Is a directory", str(target))
                    temps[target] = _write_temp(target, data)
                pause = os.environ.get(PAUSE_ENV)
                if pause:
                    time.sleep(float(pause))
                with signals_held():
                    for target, temp in temps.items():
                        temp.replace(target)
            finally:
                for temp in temps.values():
                    with contextlib.suppress(OSError):
                        temp.unlink(missing_ok=True)
    except OSError as error:
        raise write_problem(target, error) from error
    return list(temps)


# ---------------------------------------------------------------- leftovers of killed builds


def leftover_temps(out: Path) -> list[Path]:
    """Our temporary files in `out` and the folders directly under it (where builds write), sorted."""
    found: list[Path] = []
    try:
        folders = [out, *(entry for entry in sorted(out.iterdir()) if entry.is_dir() and not entry.is_symlink())]
    except OSError:
        return []
    for folder in folders:
        with contextlib.suppress(OSError):
            found += [entry for entry in sorted(folder.iterdir()) if TEMP_NAME.match(entry.name) and entry.is_file()
                      and not entry.is_symlink()]
    return found


def _sweep(folder: Path) -> list[Path]:
    """Remove the stale temporary files of one folder; the caller holds its lock."""
    removed = []
    now = time.time()
    with contextlib.suppress(OSError):
        for entry in sorted(folder.iterdir()):
            if not TEMP_NAME.match(entry.name) or entry.is_symlink() or not entry.is_file():
                continue
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime >= STALE_TEMP_SECONDS:
                    entry.unlink()
                    removed.append(entry)
    return removed


def remove_stale_temps(out: Path) -> list[Path]:
    """Remove what killed builds left in `out`: our temporary files older than STALE_TEMP_SECONDS, each
    folder under its lock (a folder another build is writing to is left for a later run)."""
    removed: list[Path] = []
    for folder in sorted({path.parent for path in leftover_temps(out)}):
        with contextlib.suppress(OSError, BuildError), folder_lock(folder, wait=False) as held:
            if held:
                removed += _sweep(folder)
    return removed
