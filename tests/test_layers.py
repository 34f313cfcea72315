"""The house's floors, read from the code itself: core -> data -> views -> outputs -> pack.

A module imports the package's own modules only at its top, only from its own floor or the floors
below it, and no chain of imports comes back to where it started.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "src" / "helpers"
FLOORS = ["core", "data", "views", "outputs", "pack"]
MODULES = sorted(p for p in PACKAGE.rglob("*.py"))


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def floor_of(name: str) -> int:
    parts = name.split(".")
    return FLOORS.index(parts[1]) if len(parts) > 1 and parts[1] in FLOORS else -1


def own_imports(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "helpers":
            names = [f"{node.module}.{a.name}" for a in node.names]
            found += [(n, node) for n in names]
        elif isinstance(node, ast.Import):
            found += [(a.name, node) for a in node.names if a.name.split(".")[0] == "helpers"]
    return found


def resolve(target: str, known: set[str]) -> str | None:
    """'helpers.views.select.need' -> 'helpers.views.select'; a package's name stays itself."""
    while target and target not in known:
        target = target.rpartition(".")[0]
    return target or None


def graph() -> dict[str, set[str]]:
    known = {module_name(p) for p in MODULES}
    edges = {}
    for path in MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[module_name(path)] = {t for t in (resolve(n, known) for n, _ in own_imports(tree)) if t and t != module_name(path)}
    return edges


def test_every_module_lives_on_a_floor():
    loose = [module_name(p) for p in MODULES if floor_of(module_name(p)) < 0 and module_name(p) != "helpers"]
    assert not loose, f"modules outside {FLOORS}: {loose}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_own_imports_are_at_the_top(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner = [
        f"line {node.lineno}: {name}"
        for fn in ast.walk(tree)
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        for name, node in own_imports(fn)
    ]
    assert not inner, "imports of the package inside a function or class hide the real dependencies:\n" + "\n".join(inner)


def test_imports_go_down_the_floors_only():
    upward = [(a, b) for a, targets in graph().items() for b in targets if floor_of(b) > floor_of(a)]
    assert not upward, "a module imports from a floor above its own: " + ", ".join(f"{a} -> {b}" for a, b in upward)


def test_no_import_circle():
    edges = graph()
    # A package's __init__ that gathers its own submodules is not a circle back to it.
    edges = {a: {b for b in targets if not a.startswith(b + ".")} for a, targets in edges.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return trail + [node, nxt]
            if not state.get(nxt):
                found = visit(nxt, trail + [node])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(edges):
        if not state.get(start):
            circle = visit(start, [])
            assert circle is None, "import circle: " + " -> ".join(circle)


def test_the_checks_detect_what_they_should():
    # The rules themselves, on code made up here: an inner import is found, a circle is found.
    tree = ast.parse("def f():\n    from helpers.data import load_package\n")
    assert [n for fn in ast.walk(tree) if isinstance(fn, ast.FunctionDef) for n, _ in own_imports(fn)] == ["helpers.data.load_package"]
    assert floor_of("helpers.pack.runner") > floor_of("helpers.core.figure")


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_public_functions_have_type_hints(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bare = [
        fn.name
        for fn in tree.body
        if isinstance(fn, ast.FunctionDef) and not fn.name.startswith("_") and (fn.returns is None or any(a.annotation is None for a in fn.args.args))
    ]
    assert not bare, f"public functions without type hints on every argument and the return: {bare}"
