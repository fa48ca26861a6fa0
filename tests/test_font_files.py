"""The PDF writer embeds fonts without first copying each whole font file (slagen.render.font_files)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from slagen.render import font_files

# Writes a short Chinese page in the CJK font, in a fresh interpreter that imports `{module}` first; prints the
# PDF's digest and the most memory Python objects took while it was written.
WRITE = """\
import hashlib, json, tracemalloc
import {module}
import weasyprint
html = '<p style="font-family: Noto Sans CJK SC">服务水平协议：响应时间与服务积分。</p>'
tracemalloc.start()
pdf = weasyprint.HTML(string=html).write_pdf(pdf_tags=True)
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({{"sha": hashlib.sha256(pdf).hexdigest(), "peak_mb": peak / 2**20, "size": len(pdf)}}))
"""


def _write(module: str) -> dict[str, float | str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    done = subprocess.run([sys.executable, "-c", WRITE.format(module=module)], capture_output=True, text=True,
                          check=True, env=env)
    return json.loads(done.stdout.splitlines()[-1])


def test_the_installed_weasyprint_is_one_the_deferral_was_checked_against() -> None:
    """An upgrade of WeasyPrint fails here until font_files has been checked against it (and the PDFs below)."""
    import weasyprint

    from slagen.render import pdf  # noqa: F401  (installs the deferral)

    assert font_files.applies(weasyprint.__version__), weasyprint.__version__
    assert font_files.read_font_files_when_needed()
    assert isinstance(weasyprint.pdf.fonts.Font.__dict__["file_content"], font_files._FileContent)


def test_other_weasyprint_versions_are_left_alone() -> None:
    assert font_files.applies("70.0") and font_files.applies("70.2")
    assert not font_files.applies("71.0") and not font_files.applies("7.0")
    code = ("import weasyprint\nweasyprint.__version__ = '71.0'\nimport slagen.render.pdf\n"
            "print('file_content' in weasyprint.pdf.fonts.Font.__dict__)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False"]


@pytest.mark.skipif(not shutil.which("fc-list") or "Noto Sans CJK SC" not in subprocess.run(
    ["fc-list"], capture_output=True, text=True).stdout,
    reason="no CJK font installed (apt-get install fonts-noto-cjk; make test does it as root)")
def test_a_cjk_font_is_embedded_without_a_copy_of_its_whole_file() -> None:
    """WeasyPrint alone holds the 19 MB font file in memory while it writes; with slagen's writer imported it
    does not, and the PDF is the same byte for byte."""
    alone = _write("weasyprint")
    ours = _write("slagen.render.pdf")
    assert ours["sha"] == alone["sha"]
    assert float(ours["size"]) < 200_000  # a subset was embedded, not the whole file
    assert float(alone["peak_mb"]) > 15  # the whole-file copy this test is about
    assert float(ours["peak_mb"]) < float(alone["peak_mb"]) - 15


def test_an_unset_file_content_is_a_missing_attribute() -> None:
    """As on a plain attribute: `hasattr` and `getattr(..., default)` keep working on a font not yet set up."""
    from weasyprint.pdf.fonts import Font

    from slagen.render import pdf  # noqa: F401  (installs the deferral)

    font = Font.__new__(Font)
    assert not hasattr(font, "file_content")
    font.file_content = b"OTTO"
    assert font.file_content == b"OTTO" and font.type == "otf"
