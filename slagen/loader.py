"""Read YAML safely with line numbers: duplicate keys, aliases and YAML 1.1 surprises are errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from slagen import fastyaml
from slagen.errors import InputError
from slagen.files import InputScope

Location = tuple[str | int, ...]

MAX_DEPTH = 64

# YAML 1.2 core-schema scalars only: `no`, `on`, `1:30`, `010` and bare dates stay text, so a
# Norwegian country code or a phone number never turns into a bool or a base-60 integer.
_INT = re.compile(r"^[-+]?(0|[1-9][0-9_]*)$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|(0|[1-9][0-9_]*)(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_BOOL = {"true": True, "false": False, "True": True, "False": False, "TRUE": True, "FALSE": False}
_NULL = {"", "~", "null", "Null", "NULL"}


@dataclass
class YamlDocument:
    """Parsed YAML data plus the line of every key and value, addressed by its path."""

    path: str
    data: Any
    lines: dict[Location, int] = field(default_factory=dict)

    def line_of(self, location: Location) -> int:
        """Line of the deepest part of `location` the file has (a missing field points at its parent)."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return 1

    def where(self, location: Location) -> str:
        return f"{self.path}:{self.line_of(location)}"


def _scalar(node: ScalarNode) -> Any:
    value = node.value
    if node.style is not None or node.tag == "tag:yaml.org,2002:str":
        return value  # quoted, block or explicitly tagged text stays text
    if value in _NULL:
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value.replace("_", ""))
    if _FLOAT.match(value):
        # Decimal, never float: money and percentages must stay exact from the file onwards.
        return Decimal(value.replace("_", ""))
    return value


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.lines: dict[Location, int] = {}

    def fail(self, node: Node, message: str) -> InputError:
        return InputError(f"{self.path}:{node.start_mark.line + 1}: {message}")

    def read(self, node: Node, location: Location, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nesting deeper than {MAX_DEPTH} levels; flatten the structure")
        # A block scalar's text starts on the line after its '|' or '>' indicator.
        block = isinstance(node, ScalarNode) and node.style in ("|", ">")
        self.lines[location] = node.start_mark.line + (2 if block else 1)
        if node.tag.startswith("tag:yaml.org,2002:python") or node.tag.startswith("!"):
            raise self.fail(node, f"tag {node.tag!r} is not allowed; slagen reads plain YAML only")
        if isinstance(node, ScalarNode):
            return _scalar(node)
        if isinstance(node, SequenceNode):
            return [self.read(item, (*location, index), depth + 1) for index, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            result: dict[str, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise self.fail(key_node, "merge keys ('<<') are not allowed; write the values out")
                if not isinstance(key_node, ScalarNode):
                    raise self.fail(key_node, "a key must be plain text")
                key = str(key_node.value)
                if key in result:
                    first = self.lines[(*location, key)]
                    raise self.fail(key_node, f"{_dotted((*location, key))}: duplicate key (first set on line {first})")
                self.lines[(*location, key)] = key_node.start_mark.line + 1
                result[key] = self.read(value_node, (*location, key), depth + 1)
            return result
        raise self.fail(node, "unsupported YAML node")


class _Composer(yaml.SafeLoader):
    """A composer that refuses aliases: an anchor bomb expands to gigabytes from a few bytes."""

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise InputError(f"{{path}}:{event.start_mark.line + 1}: aliases ('*{event.anchor}') are not allowed; "
                             "repeat the value instead")
        return super().compose_node(parent, index)


def _dotted(location: Location) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def dotted(location: Location) -> str:
    """`severities.sev2.response`, `sites[1].country`: how a field is named in messages."""
    return _dotted(location) or "(file)"


# Line breaks to YAML 1.1 (PyYAML) but not to editors, nor to YAML 1.2: PyYAML would count lines that the
# user cannot see, and split a text in two where the file shows one line.
_HIDDEN_BREAKS = re.compile("[\x85\u2028\u2029]")
_BREAK_NAMES = {"\x85": "NEXT LINE", "\u2028": "LINE SEPARATOR", "\u2029": "PARAGRAPH SEPARATOR"}


def parse_yaml(text: str, path: str) -> YamlDocument:
    """Parse one YAML document; every problem becomes an `InputError` naming `path:line`."""
    hidden = _HIDDEN_BREAKS.search(text)
    if hidden is not None:
        char = hidden.group(0)
        line = text.count("\n", 0, hidden.start()) + 1
        raise InputError(
            f"{path}:{line}: the file contains U+{ord(char):04X} ({_BREAK_NAMES[char]}), an invisible line break that "
            "editors do not show (often pasted from a web page or Word); replace it with a space or a new line"
        )
    try:
        loader = _Composer(text)
    except yaml.reader.ReaderError as error:
        # PyYAML refuses control characters anywhere in the file, before parsing starts.
        line = text.count("\n", 0, error.position) + 1
        raise InputError(
            f"{path}:{line}: the file contains the control character U+{error.character:04X}, which YAML does not "
            "allow (often pasted from Word); delete it"
        ) from error
    try:
        try:
            node = fastyaml.compose(text) or loader.get_single_node()
        except RecursionError:
            raise InputError(f"{path}:1: nesting is too deep; flatten the structure") from None
        except InputError as error:
            raise InputError(str(error).replace("{path}", path)) from None
        except yaml.composer.ComposerError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            raise InputError(f"{path}:{line}: a file holds one YAML document; remove the extra '---'") from error
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            problem = (error.problem or "invalid YAML").strip()
            if ("\t" in text and "tab" in problem.lower()) or "found character '\\t'" in problem:
                problem = "tabs are not allowed for indentation; use spaces"
            raise InputError(f"{path}:{line}: YAML syntax error: {problem}") from error
        except yaml.YAMLError as error:
            raise InputError(f"{path}:1: YAML error: {error}") from error
    finally:
        loader.dispose()
    if node is None:
        raise InputError(f"{path}:1: the file is empty; expected a mapping of fields")
    reader = _Reader(path)
    data = reader.read(node, ())
    if not isinstance(data, dict):
        raise InputError(f"{path}:{node.start_mark.line + 1}: expected a mapping of fields, got {type(data).__name__}")
    return YamlDocument(path, data, reader.lines)


def read_yaml(file: Path, display: str, scope: InputScope) -> YamlDocument:
    """Read and parse `file` through `scope` (confined, regular, bounded, UTF-8); `display` is the path as the
    user should see it."""
    return parse_yaml(scope.read_text(file, display).removeprefix("\ufeff"), display)
