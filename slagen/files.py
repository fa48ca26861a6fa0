"""The one door for workspace input: every file slagen reads is confined, a regular file, bounded in size and UTF-8.

YAML (tiers, clauses, customers, slagen.yaml, strings.yaml), page templates and stylesheets (including
`{% include %}`), and the fingerprints `build --all` takes of templates and assets all pass through
`InputScope`. The checks that need no open come first: where the path really leads (symlinks
followed) and what it is (a FIFO would block the open, /dev/zero would never end), then the size.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from slagen.errors import InputError, UsageError

# The defaults of `limits.input_bytes` and `limits.asset_bytes` (see slagen.model.Limits).
DEFAULT_INPUT_BYTES = 2_000_000
DEFAULT_ASSET_BYTES = 32 * 1024 * 1024
_CHUNK = 1 << 16

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class OutsideError(InputError):
    """The path leads (through a symlink, or as written) outside every folder the run may read."""


def shown(path: Path | str) -> str:
    """A path as messages name it: relative to the current folder (the workspace, usually)."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


@dataclass(frozen=True)
class InputScope:
    """Where input may come from and how big it may be.

    `roots` are resolved folders; a file must resolve inside one of them. A scope that is not
    `confined` serves a file the user named on the command line (`--customer FILE`): it may be
    anywhere, but it is still a regular file, bounded and UTF-8.
    """

    roots: tuple[Path, ...] = ()
    limit: int = DEFAULT_INPUT_BYTES
    hint: str = "limits.input_bytes in slagen.yaml"
    confined: bool = True

    @classmethod
    def within(cls, *folders: Path | str, limit: int = DEFAULT_INPUT_BYTES) -> InputScope:
        return cls(tuple(Path(os.path.realpath(folder)) for folder in folders), limit)

    def widened(self, *folders: Path | str) -> InputScope:
        """This scope plus more folders (e.g. `--templates DIR`, named on the command line)."""
        return replace(self, roots=(*self.roots, *(Path(os.path.realpath(folder)) for folder in folders)))

    def explicit(self) -> InputScope:
        """The same size limit for a file the user named on the command line, wherever it is."""
        return replace(self, confined=False)

    def for_assets(self, limit: int) -> InputScope:
        return replace(self, limit=limit, hint="limits.asset_bytes in slagen.yaml")

    def contains(self, path: Path | str) -> bool:
        real = Path(os.path.realpath(path))
        return any(real.is_relative_to(root) for root in self.roots)

    # -- the checks, before any open

    def check(self, path: Path, display: str) -> Path:
        """The real file behind `path`, once every rule that needs no open holds; else an InputError."""
        real = Path(os.path.realpath(path))
        if self.confined and not any(real.is_relative_to(root) for root in self.roots):
            linked = real != Path(os.path.normpath(Path(path).absolute()))
            raise OutsideError(
                f"{display}: is a link to a file outside the workspace" if linked
                else f"{display}: is outside the workspace"
            )
        try:
            status = real.stat()
        except FileNotFoundError:
            what = "is a link to a file that does not exist" if Path(path).is_symlink() else "no such file"
            raise InputError(f"{display}: {what}") from None
        except OSError as error:
            raise InputError(f"{display}: cannot read the file: {error.strerror or error}") from error
        if not stat.S_ISREG(status.st_mode):
            raise InputError(f"{display}: is {_kind(status.st_mode)}, not a regular file; only regular files are read")
        self._check_size(status.st_size, display)
        return real

    def _check_size(self, size: int, display: str) -> None:
        if size > self.limit:
            raise InputError(f"{display}: the file is {size:,} bytes; the limit is {self.limit:,} ({self.hint})")

    # -- reading

    def read_bytes(self, path: Path, display: str) -> bytes:
        """The whole file, after `check`; opened without blocking and checked again once open."""
        real = self.check(path, display)
        try:
            # O_NONBLOCK: should the file be swapped for a FIFO after the check, the open still returns.
            handle = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            raise InputError(f"{display}: cannot read the file: {error.strerror or error}") from error
        with os.fdopen(handle, "rb") as stream:
            status = os.fstat(handle)
            if not stat.S_ISREG(status.st_mode):
                raise InputError(f"{display}: is {_kind(status.st_mode)}, not a regular file; only regular files "
                                 "are read")
            try:
                data = stream.read(self.limit + 1)
            except OSError as error:
                raise InputError(f"{display}: cannot read the file: {error.strerror or error}") from error
        self._check_size(len(data), display)
        return data

    def read_text(self, path: Path, display: str) -> str:
        """The file as text; a byte that is not UTF-8 is reported with its line."""
        raw = self.read_bytes(path, display)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise InputError(f"{display}:{line}: the file is not UTF-8 (byte 0x{raw[error.start]:02x}); "
                             "save it as UTF-8") from error

    def digest(self, path: Path, display: str) -> str:
        """SHA-256 of the file, read in chunks (a fingerprint never needs the whole file in memory)."""
        real = self.check(path, display)
        hasher = hashlib.sha256()
        size = 0
        try:
            handle = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        except OSError as error:
            raise InputError(f"{display}: cannot read the file: {error.strerror or error}") from error
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(handle).st_mode):
                raise InputError(f"{display}: is not a regular file; only regular files are read")
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                self._check_size(size, display)
                hasher.update(chunk)
        return hasher.hexdigest()


def template_folder(folder: Path | None) -> Path | None:
    """`--templates DIR` as given, once it is known to be a folder: a typo must not fall back silently."""
    if folder is None:
        return None
    if not folder.exists():
        raise UsageError(f"--templates {folder}: no such folder")
    if not folder.is_dir():
        raise UsageError(f"--templates {folder}: not a folder")
    return folder


CONFIG_NAME = "slagen.yaml"


def find_workspace(start: Path | None = None, explicit: Path | None = None) -> Path:
    """`--workspace DIR`, else the nearest folder holding slagen.yaml from `start` upward (like git)."""
    if explicit is not None:
        if not (explicit / CONFIG_NAME).is_file():
            raise UsageError(f"{explicit}: no {CONFIG_NAME} here; create one with 'slagen init {explicit}'")
        return explicit
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise UsageError(f"no {CONFIG_NAME} in {here} or any parent folder; run 'slagen init DIR' or pass --workspace")
