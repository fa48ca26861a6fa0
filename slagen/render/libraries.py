"""WeasyPrint's native libraries (Pango, HarfBuzz, fontconfig), loaded without ctypes' slow library search.

WeasyPrint tries each library under its Windows and macOS names before the Linux one. On Linux every such miss
sends `ctypes.util.find_library` through `ldconfig`, `gcc` and `ld` in turn: about twenty subprocesses, a third
of WeasyPrint's import (`import weasyprint`: 0.39 s -> 0.27 s here) and CPU the other core needs in a cold
build. Its list always holds the Linux soname, which the dynamic loader finds by itself; where every soname
below loads, the search can only ever find a library that is not needed, so it is skipped while WeasyPrint is
imported.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# The libraries WeasyPrint cannot do without, by the soname its own list of candidates holds.
REQUIRED_SONAMES = (
    "libgobject-2.0.so.0",
    "libpango-1.0.so.0",
    "libharfbuzz.so.0",
    "libfontconfig.so.1",
    "libpangoft2-1.0.so.0",
)


def sonames_load() -> bool:
    """Whether the dynamic loader finds every required library by its soname (loading is what comes next)."""
    try:
        for soname in REQUIRED_SONAMES:
            ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def _not_searched(name: str) -> None:
    return None


@contextmanager
def direct_library_loading() -> Iterator[None]:
    """While WeasyPrint is imported, answer every library search "not found" so its sonames load directly;
    elsewhere than Linux, or where a soname does not load, the search is left as it is."""
    if not sys.platform.startswith("linux") or not sonames_load():
        yield
        return
    search = ctypes.util.find_library
    ctypes.util.find_library = _not_searched
    try:
        yield
    finally:
        ctypes.util.find_library = search
