"""YAML composed by libyaml's C scanner and parser where it gives exactly what the Python one gives.

Reading a workspace of 1,000 customers spent most of its time in PyYAML's pure-Python scanner. This path
lets libyaml (when PyYAML was built with it) turn the text into events and composes the nodes with
PyYAML's own composer and resolver, so tags, styles and line marks are the same. It is only a fast
path: for any text it is not sure about, and on any error at all, it answers None and the caller
parses the text the usual way, whose messages (and refusals: aliases, deep nesting) stay the only ones.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.nodes import Node, ScalarNode
from yaml.resolver import Resolver

try:
    from yaml.cyaml import CParser
except ImportError:  # PyYAML without libyaml
    CParser = None

# Line breaks and characters where the two parsers could count lines or accept text differently.
UNSURE = ("\r", "\x85", "\u2028", "\u2029", "\t", "\ufeff")


def compose(text: str) -> Node | None:
    """The root node of `text` as PyYAML would compose it, or None (use the usual path)."""
    if CParser is None or any(char in text for char in UNSURE):
        return None
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except Exception:  # any problem at all: the usual path finds and words it
        return None
    return node


if CParser is not None:

    class _Loader(Composer, CParser, Resolver):  # type: ignore[misc,valid-type]
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            Composer.__init__(self)
            Resolver.__init__(self)

        def compose_node(self, parent: Node | None, index: Any) -> Node | None:  # type: ignore[override]
            if self.check_event(yaml.AliasEvent):
                raise ValueError("alias")  # refused by the usual path, with its message
            return super().compose_node(parent, index)

        def compose_scalar_node(self, anchor: str | None) -> Node:
            node = super().compose_scalar_node(anchor)
            assert isinstance(node, ScalarNode)
            if node.style == "":  # libyaml marks a plain scalar '', PyYAML None
                node.style = None
            return node
