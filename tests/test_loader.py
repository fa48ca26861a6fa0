"""YAML is read safely, with lines: duplicate keys, aliases, tags and YAML 1.1 coercions are handled."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from slagen.errors import InputError
from slagen.files import InputScope
from slagen.loader import parse_yaml, read_yaml


def error_of(text: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "f.yaml")
    return str(caught.value)


def test_values_and_lines() -> None:
    doc = parse_yaml("a: 1\nb:\n  c: 2.50\n  d: [x, y]\ne: |\n  text\n", "f.yaml")
    assert doc.data == {"a": 1, "b": {"c": Decimal("2.50"), "d": ["x", "y"]}, "e": "text\n"}
    assert doc.line_of(("b", "c")) == 3
    assert doc.line_of(("b", "d", 1)) == 4
    assert doc.line_of(("e",)) == 6  # a block scalar's text starts after the '|'
    assert doc.line_of(("b", "missing")) == 3  # a missing field points at its parent


def test_yaml_11_coercions_stay_text() -> None:
    doc = parse_yaml("country: NO\nflag: yes\nsw: on\nzip: 010\ntime: 1:30\nday: 2026-02-30\n", "f.yaml")
    assert doc.data == {"country": "NO", "flag": "yes", "sw": "on", "zip": "010", "time": "1:30", "day": "2026-02-30"}


def test_floats_are_exact_decimals() -> None:
    assert parse_yaml("x: 0.1\n", "f.yaml").data["x"] == Decimal("0.1")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "f.yaml:3: a: duplicate key (first set on line 1)"),
        ("a: &x [1]\nb: *x\n", "f.yaml:2: aliases ('*x') are not allowed; repeat the value instead"),
        ("a: !!python/object/apply:os.system [ls]\n", "f.yaml:1: tag 'tag:yaml.org,2002:python/object/apply:os.system' "
         "is not allowed; slagen reads plain YAML only"),
        ("a: 1\n---\nb: 2\n", "f.yaml:2: a file holds one YAML document; remove the extra '---'"),
        ("", "f.yaml:1: the file is empty; expected a mapping of fields"),
        ("a:\n\t- b\n", "f.yaml:2: YAML syntax error: tabs are not allowed for indentation; use spaces"),
        ("- 1\n- 2\n", "f.yaml:1: expected a mapping of fields, got list"),
        ("a: [1, 2\nb: 3\n", "f.yaml:2: YAML syntax error: expected ',' or ']', but got ':'"),
        ("a: " + "[" * 200 + "]" * 200 + "\n", "f.yaml:1: nesting deeper than 64 levels; flatten the structure"),
        ("<<: {a: 1}\n", "f.yaml:1: merge keys ('<<') are not allowed; write the values out"),
    ],
)
def test_rejections(text: str, message: str) -> None:
    assert error_of(text) == message


def test_billion_laughs_is_refused_quickly() -> None:
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    assert "aliases ('*a') are not allowed" in error_of(bomb)


def test_deep_nesting_thousands_of_levels() -> None:
    assert error_of("a: " + "[" * 5000 + "]" * 5000 + "\n").startswith("f.yaml:1: ")


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: Müller\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"^x.yaml:1: the file is not UTF-8 \(byte 0xfc\); save it as UTF-8$"):
        read_yaml(path, "x.yaml", InputScope.within(tmp_path))
