"""pydantic errors as `path:line: field: message` lines that quote as little of the file as they must.

A file that is not of the kind expected (a password file behind a link, a CSV saved as a tier) is
one line naming its first key's first token, never a line per key: its content must not end up in
a CI log. Keys that are not plain names, and values, are cut short wherever a message quotes them.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from slagen.bounds import show_number
from slagen.loader import Location, YamlDocument, dotted

M = TypeVar("M", bound=BaseModel)

# How much of a file's own text a message may repeat: a key that is long or holds a separator (':' or a
# space, as a line of a password file does) is cut at its first token, and a quoted value after MAX_ECHO.
_PLAIN_KEY = re.compile(r"[^:\s]{1,40}")
_FIRST_TOKEN = re.compile(r"[^:\s]{1,24}")
MAX_ECHO = 60


def echoed(value: object) -> str:
    """`value` as a message may quote it: its repr, cut after MAX_ECHO characters."""
    text = repr(value)
    return text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 3] + "..."


def _key_token(key: str | int) -> str | int:
    """A mapping key as a message names it: whole when a plain name, else its first token only."""
    if isinstance(key, int) or _PLAIN_KEY.fullmatch(key):
        return key
    first = _FIRST_TOKEN.match(key)
    return f"{first.group(0) if first else ''}…"


def pydantic_problems(error: ValidationError, doc: YamlDocument, prefix: Location = ()) -> list[str]:
    """One `path:line: field: message` per field pydantic refuses, the line being the offending value's.

    A value that fits none of a union's types (`3 | 'unlimited'`) is one line saying what each would need.
    """
    found: dict[Location, tuple[list[str], str]] = {}
    for item in error.errors(include_url=False):
        location = _field_location((*prefix, *(part for part in item["loc"] if part != "[key]")), doc.data)
        message = str(item["msg"]).removeprefix("Value error, ")
        kind = item["type"]
        got = ""
        if "[key]" in item["loc"]:
            message = f"{echoed(item['input'])} is not a valid key here: {message.replace('Input should be', 'use')}"
        elif kind == "extra_forbidden":
            message = "unknown field; check the spelling against 'slagen schema'"
        elif kind == "missing":
            message = "required field is missing"
        elif kind not in ("value_error", "assertion_error") and "input" in item and not isinstance(
            item["input"], (dict, list)
        ):
            message, got = _plain(message), f" ({_got(item['input'])})"
        else:
            message = _plain(message)
        messages, _ = found.setdefault(location, ([], got))
        if message not in messages:
            messages.append(message)
    problems = []
    for location, (messages, got) in found.items():
        shown_location = tuple(_key_token(part) for part in location)
        problems.append(f"{doc.where(location)}: {dotted(shown_location)}: {', or '.join(messages)}{got}")
    return problems


# How pydantic names the members of a union in an error's location ('constrained-int', "literal['unlimited']",
# 'function-after[...]'): parts of no YAML file, dropped unless the file really has such a key.
_UNION_MEMBER = re.compile(r"[-\[\](),' ]|^(int|str|float|bool|decimal|list|dict|none|date|time)$")


def _field_location(location: Location, data: object) -> Location:
    kept: list[str | int] = []
    for part in location:
        is_key = isinstance(data, dict) and part in data
        if isinstance(part, str) and not is_key and _UNION_MEMBER.search(part):
            continue
        kept.append(part)
        if is_key:
            data = data[part]  # type: ignore[index]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            data = None
    return tuple(kept)


def _plain(message: str) -> str:
    """pydantic's wording without Python's names: a mapping, not 'a valid dictionary or instance of Signatory'."""
    return re.sub(r"a valid dictionary( or instance of \w+)?", "a mapping of fields", message)


def _got(value: object) -> str:
    """The offending value as the YAML shows it, never `Decimal('1.5')` or `None`."""
    if value is None:
        return "the value is empty"
    if isinstance(value, bool):
        return f"got {str(value).lower()}"
    if isinstance(value, (Decimal, int)):
        return f"got {show_number(value)}"
    return f"got {echoed(value)}"


def _kind_problem(model: type[BaseModel], doc: YamlDocument) -> str | None:
    """A mapping none of whose keys is a field of `model` is another kind of file: one line, its first key cut."""
    if not isinstance(doc.data, dict) or not doc.data:
        return None
    names = {name for name, info in model.model_fields.items() for name in (name, info.alias) if name}
    if names & set(doc.data):
        return None
    first = next(iter(doc.data))
    kind = str(model.model_config.get("title") or model.__name__).lower()
    return (f"{doc.where((first,))}: {_key_token(first)}: not a {kind} file: none of its keys is a field of one; "
            "see 'slagen schema'")


def validate_model(model: type[M], doc: YamlDocument, problems: list[str]) -> M | None:
    kind_problem = _kind_problem(model, doc)
    if kind_problem is not None:
        problems.append(kind_problem)
        return None
    try:
        return model.model_validate(doc.data)
    except ValidationError as error:
        problems.extend(pydantic_problems(error, doc))
        return None
