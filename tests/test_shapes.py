"""Parsing a clause text by its shape (values swapped for stand-ins) gives exactly the tokens of a whole parse.

`slagen validate` relies on this to parse a thousand customers' parties clauses once per shape; if the
two ever differed, validate could pass a text that `slagen build` rejects (or the other way round).
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from slagen.markup import ClauseText, MarkupCache
from slagen.shapes import candidates, shape_of
from slagen.templating import escape_markdown


def _tree(tokens: list[Any]) -> list[tuple[Any, ...]]:
    return [
        (t.type, t.tag, t.nesting, t.content, sorted(t.attrs.items()), t.map, t.markup, t.info, t.level, t.block,
         t.hidden, _tree(t.children) if t.children is not None else None)
        for t in tokens
    ]


def _whole(text: str) -> list[Any]:
    """A parse with nothing remembered and no values: the reference."""
    return _tree(MarkupCache().parse(ClauseText("c", "Title", "clauses/c.yaml", 1, text)))


def _both(text: str, values: tuple[str, ...]) -> tuple[list[Any], list[Any], bool]:
    """The whole parse, the cache's parse with these values, and whether the cache used a shape."""
    cache = MarkupCache()
    cache.use_values(values)
    by_shape = cache.parse(ClauseText("c", "Title", "clauses/c.yaml", 1, text))
    return _whole(text), _tree(by_shape), bool(cache.shapes)


# Places a value can land in a clause: line starts, emphasis, lists, tables, links, code, headings, entities.
FRAMES = [
    "{v}",
    "1. {v}, {v} (the **\"Customer\"**);\n2. {w}",
    "## {v}\n\nText about {w}.",
    "- {v}\n- {w}, {v}\n\n{v}",
    "| For the Provider | For the Customer |\n|---|---|\n| {v} | {w} |\n| Name: {w} | Title: {v} |",
    "**{v}**{w} *{v}*_{w}_ __{v}__",
    "[{v}](#ref:x) and [x]({v}) and [x]({w} \"{v}\")",
    "<{v}> <https://{v}> <{v}@{w}.com> <{v}:{w}>",
    "`{v}` and ``{w}``\n\n    {v} indented",
    "&{v}; &#{w}; \\{v}",
    "{v}. starts\n{w}) starts\n\n{v}\n===\n\n{w}\n---",
    "> {v}\n> {w}\n\n***{v}***",
    "[{v}]: /url\n\n[{v}] and [{w}][{v}]",
    "# {v} #\n\n### {w} ###",
    "{v}  \n{w}\\\n{v}",
]
VALUE_ALPHABET = st.sampled_from(
    [*"abcXYZ019 .,-_*`[]()<>!&#|~\\:@/'\"\n\t;=+", "é", "ß", "华", "信", "\u3000", "\u00a0", "Ⅻ", "²"]
)
VALUES = st.text(VALUE_ALPHABET, min_size=0, max_size=40) | st.from_regex(r"\A[0-9]{1,10}[a.)]?\Z")


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=st.sampled_from(FRAMES), v=VALUES, w=VALUES, extra=VALUES)
@example(frame="{v}. starts\n{w}) starts\n\n{v}\n===\n\n{w}\n---", v="00", w="", extra="")  # a list number
def test_a_shape_parses_exactly_like_the_whole_text(frame: str, v: str, w: str, extra: str) -> None:
    text = frame.format(v=escape_markdown(v), w=escape_markdown(w))
    whole, by_shape, _ = _both(text, (v, w, extra))
    assert by_shape == whole


@settings(max_examples=200, deadline=None)
@given(frame=st.sampled_from(FRAMES), v=VALUES, w=VALUES)
@example(frame="{v}. starts\n{w}) starts\n\n{v}\n===\n\n{w}\n---", v="12", w="345")
def test_a_shape_parses_exactly_like_the_whole_text_when_values_go_in_unescaped(frame: str, v: str, w: str) -> None:
    """Helpers may insert data as Markup (unescaped): the swap must still never change a parse."""
    text = frame.format(v=v, w=w)
    whole, by_shape, _ = _both(text, (v, w))
    assert by_shape == whole


def test_names_addresses_and_titles_share_one_parse() -> None:
    """The case the shortcut is for: same clause, different customers, one parse (so this test fails if
    the shortcut silently stops applying)."""
    frame = FRAMES[1] + "\n\n" + FRAMES[4]
    customers = [
        ("Acme Foods Inc.", "Jane Doe"),
        ("Nordwerk Backwaren GmbH & Co. KG", "Dr. Hans Müller"),
        ("上海华信食品有限公司", "王伟"),
        ("Fournil Industries SAS", "Élodie Martin-Durand"),
    ]
    cache = MarkupCache()
    shapes_before = 0
    for legal_name, signatory in customers:
        text = frame.format(v=escape_markdown(legal_name), w=escape_markdown(signatory))
        cache.use_values((legal_name, signatory))
        tokens = cache.parse(ClauseText("c", "Title", "clauses/c.yaml", 1, text))
        assert _tree(tokens) == _whole(text)
        assert legal_name in "".join(child.content for token in tokens for child in token.children or [])
        assert len(cache.shapes) >= shapes_before
        shapes_before = len(cache.shapes)
    # One shape for the three names that end in a letter; "Acme Foods Inc." keeps its full stop (it borders
    # the text after it), so it has a shape of its own.
    assert len(cache.shapes) == 2


def test_a_value_inside_a_link_address_is_parsed_whole() -> None:
    text = "See [the site](https://acme-foods.example/Plant)."
    shape = shape_of(text, candidates(("Plant",)))
    assert shape is not None and "Plant" not in shape.text
    whole, by_shape, used = _both(text, ("Plant",))
    assert by_shape == whole and used  # the shape was tried, its tokens refused


def test_entities_and_autolinks_send_the_text_to_a_whole_parse() -> None:
    assert shape_of("&hellip; then Acme Foods", candidates(("Acme Foods",))) is None
    assert shape_of("<https://acme.example> then Acme Foods", candidates(("Acme Foods",))) is None
    assert shape_of("\\&hellip; \\<b> then Acme Foods", candidates(("Acme Foods",))) is not None
