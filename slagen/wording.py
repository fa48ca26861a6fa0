"""Wording from strings.yaml: `str.format` limited to plain `{name}` fields."""

from __future__ import annotations

import re
from typing import Any

from slagen.errors import InputError

_FIELD = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class Wording(str):
    """A string from strings.yaml: `.format()` fills plain `{name}` fields only, so wording cannot reach
    Python internals (`{title.__class__}`) and an unknown field is a clear error, not a KeyError."""

    where: str = "strings.yaml"

    def format(self, *args: object, **values: object) -> str:  # type: ignore[override]
        self.check_fields(values)

        def fill(match: re.Match[str]) -> str:
            token = match.group(0)
            return token[0] if token in ("{{", "}}") else str(values[match.group(1)])

        return _FIELD.sub(fill, str(self))

    def check_fields(self, values: dict[str, Any]) -> None:
        """Every `{field}` of the phrase is a plain name among `values`, else an InputError naming the key."""
        for match in _FIELD.finditer(self):
            token, name = match.group(0), match.group(1)
            if token in ("{{", "}}"):
                continue
            if name is None or not name.isidentifier():
                raise InputError(f"{self.where}: {token!r} is not a field; use {{name}} with one of: "
                                 f"{', '.join(sorted(values))}")
            if name not in values:
                raise InputError(f"{self.where}: unknown field {{{name}}}; use one of: {', '.join(sorted(values))}")
