"""Where a word the page cannot hold came from: the margin problem's text, found in the workspace's inputs."""

from __future__ import annotations

from slagen.render.margins import overflowing_text
from slagen.workspace import load_workspace
from tests.conftest import REPO


def test_a_margin_problem_gives_back_its_text_without_the_ellipsis() -> None:
    table = ("PDF: page 3: a table (its widest word 'LongWord...') runs 2.0 mm past the right margin "
             "(a word too long to break, or a column too narrow for it); shorten it or give it room")
    assert overflowing_text(table) == ("LongWord", table.removeprefix("PDF: "))
    line = "PDF: page 1: 'some text' runs 1.5 mm past the left margin (a word ...); shorten it or give it room"
    assert overflowing_text(line) == ("some text", line.removeprefix("PDF: "))
    assert overflowing_text("PDF: refused to load file:///etc/passwd: outside the folders the build may read") is None


def test_the_field_holding_a_text_is_named_by_path_line_and_field() -> None:
    ws = load_workspace(REPO)
    assert ws.field_holding("critical spare-parts package") == "tiers/premium.yaml:65: bundles[0].name"
    assert ws.field_holding("Cedar Rapids tablet plant") == "examples/customers/acme.yaml:26: sites[0].name"
    assert ws.field_holding("no input holds this text") is None
