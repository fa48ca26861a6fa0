"""The house rules of ARCHITECTURE.md, read from the code with `ast`: layers point down, no circles,
no private names across modules, no module over 500 lines, no own-module imports inside functions
outside the allowed places."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "slagen"
MAX_LINES = 500
# Where an import inside a function is allowed: the CLI loads each command's code on demand (so
# `--help` stays fast), and the heavy writers under slagen/render are loaded when first used.
LAZY_IMPORTERS_PREFIX = "slagen.cli"  # the package and its command modules
ENTRY_POINT = "slagen.launch"  # answers --help and a no-op build before loading slagen.cli
LAZY_TARGET_PREFIX = "slagen.render."


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def resolve(importer: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = importer.split(".")
    if MODULES[importer].name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))


class Import:
    def __init__(self, target: str, names: list[str], line: int, in_function: bool) -> None:
        self.target, self.names, self.line, self.in_function = target, names, line, in_function


def imports_of(name: str) -> list[Import]:
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found: list[Import] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("slagen"):
                        found.append(Import(alias.name, [], child.lineno, in_function))
            elif isinstance(child, ast.ImportFrom):
                target = resolve(name, child)
                if target.startswith("slagen"):
                    names = [alias.name for alias in child.names]
                    # `from slagen import x` where x is a module: count it as importing that module
                    submodules = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
                    if submodules:
                        found.extend(Import(sub, [], child.lineno, in_function) for sub in submodules)
                    else:
                        found.append(Import(target, names, child.lineno, in_function))
            visit(child, inside)

    visit(tree, False)
    return found


def own(target: str) -> str | None:
    """The slagen module an import target names (a module or a package's __init__)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


GRAPH = {name: sorted({own(i.target) for i in imports_of(name)} - {None, name}) for name in MODULES}


def test_no_module_is_over_the_limit() -> None:
    long = {
        name: count
        for name, path in MODULES.items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_import_circles() -> None:
    circles: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in GRAPH[node]:
            if state.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for name in MODULES:
        if name not in state:
            walk(name)
    assert circles == []


def test_no_private_names_across_modules() -> None:
    reaching = [
        f"{name}:{i.line} imports {i.target}.{n}"
        for name in MODULES
        for i in imports_of(name)
        for n in i.names
        if n.startswith("_") and not n.startswith("__") and own(i.target) != name
    ]
    assert reaching == []


def test_own_modules_are_imported_at_the_top() -> None:
    late = [
        f"{name}:{i.line} imports {i.target} inside a function"
        for name in MODULES
        for i in imports_of(name)
        if i.in_function
        and not (name + ".").startswith(LAZY_IMPORTERS_PREFIX + ".")
        and name != ENTRY_POINT
        and not (i.target + ".").startswith(LAZY_TARGET_PREFIX)
    ]
    assert late == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_architecture_md_names_only_real_modules(module: str) -> None:
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    assert f"`{MODULES[module].relative_to(ROOT)}`" in text, f"ARCHITECTURE.md does not describe {module}"
