"""No module of the shipped packages imports another in a circle, and each package
imports alone in a fresh interpreter.

The graph is built statically with ``ast`` from every ``import`` statement a module
can execute, function-level (lazy) imports included: a lazy import only hides a
cycle from the interpreter, the two modules still depend on each other. Imports
under ``if TYPE_CHECKING:`` never run and are left out. ``from pkg import name``
points at ``pkg.name`` when that is a module, else at ``pkg`` itself.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("sqlalchemy_ruvector", "alembic_ext", "accel")


def _module_files() -> dict[str, Path]:
    """Dotted name -> source file of every Python module in the packages."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in the tree outside ``if TYPE_CHECKING:`` blocks."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            stack.extend(node.orelse)
            continue
        stack.extend(ast.iter_child_nodes(node))


def _targets(name: str, is_package: bool, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    if node.level:
        base = name.split(".") if is_package else name.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        origin = ".".join([*base, node.module] if node.module else base)
    else:
        origin = node.module or ""
    for alias in node.names:
        yield f"{origin}.{alias.name}"
        yield origin


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports (self and ancestor packages excluded)."""
    files = _module_files()
    graph: dict[str, set[str]] = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        edges: set[str] = set()
        for node in _runtime_imports(ast.parse(path.read_text(), str(path))):
            targets = list(_targets(name, is_package, node))
            if isinstance(node, ast.ImportFrom):
                # ``from pkg import sub``: the submodule; ``from mod import name``: the module
                pairs = zip(targets[::2], targets[1::2], strict=True)
                targets = [sub if sub in files else origin for sub, origin in pairs]
            for target in targets:
                if target in files and target != name and not name.startswith(target + "."):
                    edges.add(target)
        graph[name] = edges
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_graph_sees_the_packages() -> None:
    graph = import_graph()
    assert {"sqlalchemy_ruvector.values", "alembic_ext", "accel"} <= graph.keys()
    # known edges, so an empty or unresolved graph cannot pass the cycle test
    assert "sqlalchemy_ruvector.errors" in graph["sqlalchemy_ruvector.bulk.errors"]
    assert sum(map(len, graph.values())) > 100


def test_layers_point_one_way() -> None:
    """The value layers share :mod:`numeric` instead of importing each other, and the
    capabilities need only the layout enum, not the codecs."""
    graph = import_graph()
    assert "sqlalchemy_ruvector.values" not in graph["sqlalchemy_ruvector.sparse_vector"]
    assert "sqlalchemy_ruvector.numeric" in graph["sqlalchemy_ruvector.sparse_vector"]
    assert not {m for m in graph["sqlalchemy_ruvector.capabilities"] if ".codecs" in m}


def test_cycle_finder_finds_a_cycle() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles() -> None:
    cycles = find_cycles(import_graph())
    assert cycles == [], "modules that import each other in a circle: " + "; ".join(
        " <-> ".join(c) for c in cycles
    )


@pytest.mark.parametrize("package", [*PACKAGES, "alembic_ext_plugin"])
def test_package_imports_alone(package: str) -> None:
    """A fresh interpreter imports the package by itself (no import-order dependence)."""
    result = subprocess.run(
        [sys.executable, "-c", f"import {package}"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
