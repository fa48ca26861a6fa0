"""The help-desk export formats: slagen's canonical CSV and the Zendesk, Jira Service Management and Freshdesk
mappings shipped as YAML beside this module, a user's own `--map FILE`, and detection from the header."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from slagen.errors import InputError, UsageError, collect
from slagen.files import InputScope
from slagen.loader import parse_yaml, read_yaml
from slagen.model.ticket_map import TicketMap
from slagen.model_errors import validate_model

SHIPPED = ("canonical", "zendesk", "jsm", "freshdesk")


def shipped(name: str) -> TicketMap:
    """A mapping that ships inside slagen (a defect if it does not validate)."""
    text = resources.files("slagen.measure").joinpath("formats", f"{name}.yaml").read_text(encoding="utf-8")
    problems: list[str] = []
    mapping = validate_model(TicketMap, parse_yaml(text, f"slagen/measure/formats/{name}.yaml"), problems)
    collect(problems)
    assert mapping is not None
    return mapping


def user_map(path: Path) -> TicketMap:
    """`--map FILE`: the user's own mapping, named on the command line (so it may lie outside the workspace)."""
    display = f"--map {path}" if not path.exists() else str(path)
    problems: list[str] = []
    mapping = validate_model(TicketMap, read_yaml(path, display, InputScope().explicit()), problems)
    collect(problems)
    assert mapping is not None
    return mapping


def choose(header: list[str], display: str, name: str | None, map_file: Path | None) -> TicketMap:
    """The mapping to read an export with: `--map`, else `--format`, else the shipped one whose columns the
    header has (canonical first)."""
    if map_file is not None:
        if name is not None:
            raise UsageError("give --format or --map, not both")
        return user_map(map_file)
    if name is not None:
        if name not in SHIPPED:
            raise UsageError(f"--format {name}: use {', '.join(SHIPPED[:-1])} or {SHIPPED[-1]}, or --map FILE")
        return shipped(name)
    present = set(header)
    # The shipped export with the most of its identifying columns in the header (at least two; canonical wins a
    # tie): a header that lacks a column is then told which one, rather than that nothing matched.
    scored = [(sum(column in present for column in mapping.detect), mapping) for mapping in map(shipped, SHIPPED)]
    best, mapping = max(scored, key=lambda pair: pair[0])
    if best >= 2:
        return mapping
    found = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
    raise InputError(
        f"{display}:1: the header matches no export slagen knows (canonical: id, severity, created, first_response, "
        f"resolved); the columns found are {found}; give --format canonical|zendesk|jsm|freshdesk or --map FILE"
    )
