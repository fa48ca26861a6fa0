"""The redline and the writers keep their layers: read from the imports with `ast`, no module is imported.

Change marks are node types of the document tree, the tree diff is a pure function of two trees,
the writers never know the redline, and each of these modules stays small.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SLAGEN = Path(__file__).resolve().parents[1] / "slagen"

# The modules of the redline/writer split: (module, path under slagen/).
DIFF = ["diff/__init__.py", "diff/words.py", "diff/blocks.py", "diff/clauses.py"]
WRITERS = ["render/html.py", *(f"render/docx/{name}" for name in ("__init__.py", "writer.py", "elements.py",
                                                                    "styles.py", "tables.py", "changes.py",
                                                                    "package.py"))]
CORE = ["document.py", "markup.py"]
ORCHESTRATION = ["redline.py", "versions.py"]
MAX_LINES = 500


def module_name(relative: str) -> str:
    parts = ["slagen", *Path(relative).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(relative: str) -> list[tuple[str, list[str], bool]]:
    """(module, names, inside a function) for every import in the file, relative imports resolved."""
    tree = ast.parse((SLAGEN / relative).read_text(encoding="utf-8"))
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            in_function.update(id(inner) for inner in ast.walk(node) if inner is not node)
    found: list[tuple[str, list[str], bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, [], id(node) in in_function) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                base = module_name(relative).split(".")
                base = base[: len(base) - node.level + (1 if relative.endswith("__init__.py") else 0)]
                module = ".".join([*base, module] if module else base)
            found.append((module, [alias.name for alias in node.names], id(node) in in_function))
    return found


def own(module: str) -> bool:
    return module == "slagen" or module.startswith("slagen.")


@pytest.mark.parametrize("relative", WRITERS)
def test_writers_never_import_the_redline(relative: str) -> None:
    banned = ("slagen.redline", "slagen.diff", "slagen.versions", "slagen.build")
    wrong = [module for module, _, _ in imports(relative) if module.startswith(banned)]
    assert not wrong, f"{relative} imports {wrong}: writers render change marks from the document tree only"


@pytest.mark.parametrize("relative", DIFF)
def test_the_diff_is_pure(relative: str) -> None:
    """Only the document tree and the standard library's pure parts: no build, workspace, git or files."""
    allowed_own = ("slagen.document", "slagen.diff")
    allowed_std = {"__future__", "difflib", "re", "dataclasses", "typing", "collections.abc"}
    for module, _, _ in imports(relative):
        if own(module):
            assert module.startswith(allowed_own), f"{relative} imports {module}"
        else:
            assert module in allowed_std, f"{relative} imports {module}: the diff does no I/O"
    text = (SLAGEN / relative).read_text(encoding="utf-8")
    assert "open(" not in text and "Path(" not in text, f"{relative} touches files"


@pytest.mark.parametrize("relative", CORE)
def test_the_tree_is_below_the_redline(relative: str) -> None:
    wrong = [m for m, _, _ in imports(relative) if m.startswith(("slagen.redline", "slagen.diff", "slagen.build",
                                                                 "slagen.render", "slagen.versions"))]
    assert not wrong, f"{relative} imports {wrong}"


def test_only_the_orchestration_imports_build() -> None:
    """redline.py may build documents; versions.py (git) and everything below may not."""
    for relative in [*DIFF, *WRITERS, *CORE, "versions.py"]:
        assert not [m for m, _, _ in imports(relative) if m == "slagen.build"], relative
    assert any(m == "slagen.build" for m, _, _ in imports("redline.py"))


@pytest.mark.parametrize("relative", DIFF + WRITERS + CORE + ORCHESTRATION)
def test_small_modules_without_private_or_late_imports(relative: str) -> None:
    lines = len((SLAGEN / relative).read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{relative}: {lines} lines (at most {MAX_LINES})"
    for module, names, late in imports(relative):
        if not own(module):
            continue
        private = [name for name in names if name.startswith("_") and not name.startswith("__")]
        assert not private, f"{relative} imports private {private} from {module}"
        # Only the heavy writers (python-docx, WeasyPrint) may be loaded on demand.
        assert not late or module in ("slagen.render.docx", "slagen.render.pdf"), (
            f"{relative} imports {module} inside a function"
        )
