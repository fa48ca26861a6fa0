"""build.py's place in the house (issue 13), read from the code with `ast`: no module is imported.

build.py plans and renders, below the commands and the redline orchestration and above composition;
what several layers need (the job, its source date, the fetcher's roots, Jinja's error mapping, the
retainer of a tier) lives once in a lower module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SLAGEN = Path(__file__).resolve().parents[1] / "slagen"
MAX_LINES = 500


def parse(relative: str) -> ast.Module:
    return ast.parse((SLAGEN / relative).read_text(encoding="utf-8"))


def modules() -> list[str]:
    return sorted(path.relative_to(SLAGEN).as_posix() for path in SLAGEN.rglob("*.py"))


def imports(relative: str) -> list[tuple[str, list[str], bool]]:
    """(absolute module, names, inside a function) of every `from slagen... import` and `import slagen...`."""
    tree = parse(relative)
    nested = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
              for inner in ast.walk(node) if inner is not node}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").startswith("slagen"):
            found.append((node.module or "", [alias.name for alias in node.names], id(node) in nested))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, [], id(node) in nested) for alias in node.names
                         if alias.name.startswith("slagen"))
    return found


def test_build_is_below_the_size_limit() -> None:
    assert len((SLAGEN / "build.py").read_text(encoding="utf-8").splitlines()) < MAX_LINES


def matching(*patterns: str) -> list[str]:
    """Modules by glob, so a module split into a package (summary.py -> summary/) stays checked."""
    return sorted({path.relative_to(SLAGEN).as_posix() for pattern in patterns for path in SLAGEN.glob(pattern)})


@pytest.mark.parametrize("relative", matching("build.py", "summary*.py", "summary/*.py", "validation.py", "batch.py",
                                              "sources.py", "jinja_errors.py", "text.py", "pricing.py", "redline.py"))
def test_own_modules_are_imported_at_the_top(relative: str) -> None:
    writers = ["slagen", "render"]
    late = [module for module, _, inside in imports(relative) if inside and module.split(".")[:2] != writers]
    assert not late, f"{relative} imports {late} inside a function; only the heavy writers load on demand"


def test_build_does_not_import_what_sits_above_it() -> None:
    above = ("slagen.redline", "slagen.versions", "slagen.diff", "slagen.batch", "slagen.validation", "slagen.cli")
    wrong = [module for module, _, _ in imports("build.py") if module.startswith(above)]
    assert not wrong, f"build.py imports {wrong}: redline, batch, validation and the CLI build on build, not it on them"


# Orchestration and commands, above build: the only modules that may import it.
ABOVE_BUILD = ("redline.py", "validation.py", "batch.py", "cli.py", "cli/", "serve/")


@pytest.mark.parametrize("relative", [relative for relative in modules() if not relative.startswith(ABOVE_BUILD)])
def test_lower_modules_never_import_build(relative: str) -> None:
    assert not [module for module, _, _ in imports(relative) if module == "slagen.build"], relative


@pytest.mark.parametrize("relative", modules())
def test_no_private_names_of_other_modules(relative: str) -> None:
    private = [f"{module}.{name}" for module, names, _ in imports(relative) for name in names
               if name.startswith("_") and not name.startswith("__")]
    assert not private, f"{relative} imports {private}"


@pytest.mark.parametrize(("name", "home"), [
    ("source_date", "sources.py"),
    ("allowed_roots", "sources.py"),
    ("template_problem", "jinja_errors.py"),
    ("clean_text", "text.py"),
    ("annual_retainer", "pricing.py"),
    ("contract_currency", "pricing.py"),
])
def test_each_concept_is_defined_once(name: str, home: str) -> None:
    defined = [relative for relative in modules() for node in ast.walk(parse(relative))
               if isinstance(node, ast.FunctionDef) and node.name.lstrip("_") == name]
    assert defined == [home]


@pytest.mark.parametrize("relative", modules())
def test_only_pricing_reads_a_tiers_retainer_by_currency(relative: str) -> None:
    """`tier.annual_retainer[currency]` in one place: the price of a tier for a customer is computed once."""
    if relative == "pricing.py":
        return
    reads = [node.lineno for node in ast.walk(parse(relative)) if isinstance(node, ast.Subscript)
             and isinstance(node.value, ast.Attribute) and node.value.attr == "annual_retainer"]
    assert not reads, f"{relative}:{reads[0]} reads annual_retainer itself; use pricing.annual_retainer"


def _names_currency(node: ast.expr) -> bool:
    """`x.currency`, or `(customer.currency if customer else None)`."""
    if isinstance(node, ast.IfExp):
        node = node.body
    return isinstance(node, ast.Attribute) and node.attr == "currency"


def test_currency_choice_is_made_once() -> None:
    """`customer.currency or defaults.currency` in one place (pricing.contract_currency)."""
    found = [f"{relative}:{node.lineno}" for relative in modules() for node in ast.walk(parse(relative))
             if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or)
             and all(_names_currency(value) for value in node.values)]
    assert len(found) == 1 and found[0].startswith("pricing.py:"), found
