"""WeasyPrint's embedded fonts, without a copy of each whole font file held until the PDF is written.

WeasyPrint 70 copies a font's whole file into Python bytes as soon as a page draws with it, and keeps every
copy until it writes the PDF, where HarfBuzz subsets the font from its own face and the copy is replaced by the
subset. The copy is needed only if subsetting fails. For Latin fonts that is 0.4 MB a face; a Chinese contract
draws with four CJK faces of 19-27 MB each (Noto Sans and Serif CJK), so the copies, and the pages of the font
files they read in, made the writer's peak memory 314 MiB instead of 165 MiB, and cost 0.23 s of CPU.

`read_font_files_when_needed` makes the copy wait until something reads `Font.file_content`. The subset is
made from the same face either way, so the PDF is byte for byte the one WeasyPrint writes without it.
It changes only the WeasyPrint versions it was checked against (`CHECKED_MAJOR_VERSIONS`, which pyproject's
bound matches); on any other it leaves WeasyPrint alone, and a test fails, so that an upgrade is checked first.
"""

from __future__ import annotations

from typing import Any

# WeasyPrint major versions whose `weasyprint.pdf.fonts` reads `Font.file_content` as this module expects.
CHECKED_MAJOR_VERSIONS = ("70",)


class _Unread:
    """A HarfBuzz face whose data has not been copied out yet."""

    __slots__ = ("face",)

    def __init__(self, face: Any) -> None:
        self.face = face

    def __bool__(self) -> bool:
        # WeasyPrint tests the data it got for emptiness; answer that without copying it. (WeasyPrint is imported
        # in the functions here, not above: slagen.render.pdf imports this module first, then WeasyPrint its own way.)
        from weasyprint.text.ffi import ffi, harfbuzz

        blob = harfbuzz.hb_face_reference_blob(self.face)
        try:
            return bool(harfbuzz.hb_blob_get_length(blob)) and harfbuzz.hb_blob_get_data(blob, ffi.NULL) != ffi.NULL
        finally:
            harfbuzz.hb_blob_destroy(blob)


class _FileContent:
    """`Font.file_content`, copied out of the face the first time it is read."""

    def __get__(self, font: Any, owner: type | None = None) -> Any:
        if font is None:
            return self
        try:
            value = font.__dict__["file_content"]
        except KeyError:
            raise AttributeError("file_content") from None
        if isinstance(value, _Unread):
            from weasyprint.text.fonts import get_hb_object_data  # the unchanged reader

            value = font.__dict__["file_content"] = get_hb_object_data(value.face)
        return value

    def __set__(self, font: Any, value: Any) -> None:
        font.__dict__["file_content"] = value


def _face_data(hb_object: Any, ot_color: str | None = None, glyph: Any = None) -> Any:
    """WeasyPrint's `get_hb_object_data`, but a whole face is read when it is needed."""
    from weasyprint.text.fonts import get_hb_object_data

    if ot_color is None and glyph is None:
        return _Unread(hb_object)
    return get_hb_object_data(hb_object, ot_color, glyph)


def applies(version: str) -> bool:
    return version.split(".")[0] in CHECKED_MAJOR_VERSIONS


def read_font_files_when_needed() -> bool:
    """Defer WeasyPrint's copy of each whole font file; whether it was done (or already was)."""
    import weasyprint
    from weasyprint.pdf import fonts

    if isinstance(fonts.Font.__dict__.get("file_content"), _FileContent):
        return True
    if not applies(weasyprint.__version__):
        return False
    fonts.get_hb_object_data = _face_data  # the name weasyprint.pdf.fonts reads; weasyprint.text.fonts keeps its own
    fonts.Font.file_content = _FileContent()
    return True
