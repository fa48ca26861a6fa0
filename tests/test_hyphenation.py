"""pyphen's patterns are read into shared weights (slagen.render.hyphenation), hyphenating exactly as before."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pyphen

from slagen.render import hyphenation

PYPHENS_OWN = hyphenation.CompactHyphDict.__bases__[0]

# Writes a narrow German column twice (hyphenated and not) in a fresh interpreter that imports `{module}` first;
# prints both PDFs' digests, the dictionary class pyphen used and the most memory Python objects took meanwhile.
WRITE = """\
import hashlib, json, tracemalloc
import {module}
import pyphen, weasyprint
page = ('<p lang="de" style="width: 28mm; font-family: Liberation Serif; hyphens: {{}}">'
        'Die Dienstleistungsvereinbarung regelt Reaktionszeiten, Gutschriften und Verlängerungsrabatte '
        'für Anwendungstechnik.</p>')
tracemalloc.start()
auto = weasyprint.HTML(string=page.format("auto")).write_pdf()
peak = tracemalloc.get_traced_memory()[1]
none = weasyprint.HTML(string=page.format("none")).write_pdf()
print(json.dumps({{"auto": hashlib.sha256(auto).hexdigest(), "none": hashlib.sha256(none).hexdigest(),
                  "peak_mb": peak / 2**20, "dictionaries": sorted(type(d).__name__ for d in pyphen.hdcache.values())}}))
"""


def _write(module: str) -> dict[str, object]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    done = subprocess.run([sys.executable, "-c", WRITE.format(module=module)], capture_output=True, text=True,
                          check=True, env=env)
    return json.loads(done.stdout.splitlines()[-1])


def test_every_dictionary_pyphen_ships_is_read_as_pyphen_reads_it() -> None:
    """The same patterns, weights (and their nonstandard-hyphenation data) and longest pattern, so the same hyphens."""
    paths = sorted(set(pyphen.LANGUAGES.values()))
    assert len(paths) > 40
    shared_somewhere = False
    for path in paths:
        theirs, ours = PYPHENS_OWN(path), hyphenation.CompactHyphDict(path)
        assert ours.patterns == theirs.patterns, path.name
        assert ours.maxlen == theirs.maxlen, path.name
        for letters, (_, weights) in theirs.patterns.items():
            data = [getattr(weight, "data", None) for weight in weights]
            assert [getattr(weight, "data", None) for weight in ours.patterns[letters][1]] == data, (path, letters)
        shared = {id(entry) for entry in ours.patterns.values()}
        shared_somewhere |= len(shared) < len(ours.patterns) / 10
    assert shared_somewhere
    german = hyphenation.CompactHyphDict(pyphen.LANGUAGES["de_DE"])
    assert german.positions("dienstleistungsvereinbarung") == PYPHENS_OWN(pyphen.LANGUAGES["de_DE"]).positions(
        "dienstleistungsvereinbarung") != []


def test_the_installed_pyphen_is_one_the_reader_was_checked_against() -> None:
    """An upgrade of pyphen fails here until hyphenation has been checked against it (and the tests below)."""
    from slagen.render import pdf  # noqa: F401  (installs the reader)

    assert hyphenation.applies(pyphen.__version__), pyphen.__version__
    assert hyphenation.share_hyphenation_patterns()
    assert pyphen.HyphDict is hyphenation.CompactHyphDict


def test_other_pyphen_versions_are_left_alone() -> None:
    assert hyphenation.applies("0.18.1") and hyphenation.applies("0.18")
    assert not hyphenation.applies("0.19.0") and not hyphenation.applies("1.18.0")
    code = "import pyphen\npyphen.__version__ = '0.19.0'\nimport slagen.render.pdf\nprint(pyphen.HyphDict.__name__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["HyphDict"]


def test_german_is_hyphenated_the_same_in_less_memory() -> None:
    """WeasyPrint alone holds German's patterns as pyphen builds them; with slagen's writer imported they take a
    third of that, and the hyphenated PDF is the same byte for byte."""
    alone = _write("weasyprint")
    ours = _write("slagen.render.pdf")
    assert alone["auto"] != alone["none"]  # the column is hyphenated: the test is about something
    assert ours["auto"] == alone["auto"] and ours["none"] == alone["none"]
    assert alone["dictionaries"] == ["HyphDict"] and ours["dictionaries"] == ["CompactHyphDict"]
    assert float(alone["peak_mb"]) > 15  # pyphen's own: 20 MB while German's patterns are read
    assert float(ours["peak_mb"]) < float(alone["peak_mb"]) - 10
