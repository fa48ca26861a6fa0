"""Whether an image file (the provider's logo) is one the PDF writer can draw: checked by validate, as the
build would fail on it. The same readers WeasyPrint uses: an XML parse for SVG, Pillow for the rest."""

from __future__ import annotations

from io import BytesIO
from xml.etree import ElementTree

READABLE = "PNG, JPEG, GIF or SVG"


def image_problem(data: bytes, suffix: str) -> str | None:
    """Why `data` (a file ending in `suffix`) cannot be drawn, or None when it can."""
    if suffix.lower() == ".svg":
        try:
            ElementTree.fromstring(data)  # Python's expat refuses entity-expansion bombs
        except ElementTree.ParseError as error:
            return f"is not a valid SVG file: {error}"
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        reason = str(error) if not isinstance(error, UnidentifiedImageError) else "not an image"
        return f"cannot be read as an image ({READABLE}): {reason}"
    return None
