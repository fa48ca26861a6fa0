"""WordprocessingML building blocks: `w:` elements, text runs and complex fields (PAGE, REF, TOC)."""

from __future__ import annotations

from docx.oxml import OxmlElement
from docx.oxml.ns import qn


def element(tag: str, **attributes: str) -> OxmlElement:
    """A new `w:` element with `w:` attributes."""
    made = OxmlElement(f"w:{tag}")
    for key, value in attributes.items():
        made.set(qn(f"w:{key}"), value)
    return made


def text_run(text: str) -> OxmlElement:
    """A run holding `text`."""
    run = element("r")
    run.text = text  # CT_R turns "\t" and "\n" into w:tab and w:br
    return run


def field_char(kind: str) -> OxmlElement:
    """A run holding a field character: begin, separate or end."""
    run = element("r")
    run.append(element("fldChar", fldCharType=kind))
    return run


def instruction_run(instruction: str) -> OxmlElement:
    """A run holding a field instruction."""
    run = element("r")
    text = element("instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    run.append(text)
    return run


def append_field(parent: OxmlElement, instruction: str, result: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end) at the end of `parent`."""
    parent.append(field_char("begin"))
    parent.append(instruction_run(instruction))
    parent.append(field_char("separate"))
    parent.append(text_run(result))
    parent.append(field_char("end"))
