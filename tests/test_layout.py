"""The shape of the code a newcomer reads: no import cycles among the project's modules, no module
too long to read, and nothing tied to one machine.

The import graph is read from the source (ast), not by importing it: an import at the top of a
module and one inside a function are both edges, since both run sooner or later; an import under
`if TYPE_CHECKING:` is not, since it never runs (only type checkers read it).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("archive", "ingest", "catalogue", "exhibitions", "iiif", "search_index", "demo")
MAX_LINES = 600
LONG_ALLOWED = ("tests", "demo")  # test files and the sample generator may be long
# Folders that are not the project's own text: tools, built files, data made at run time.
SKIPPED = {
    ".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis",
    "build", "dist", "vendor", "demo-data", "archive-data", "test-artifacts",
}  # fmt: skip
# Where a file would reach outside the project: the folder of samples beside a checkout, or a
# path that exists on one machine only.
MACHINE_PATHS = re.compile(r"\.\./shared\b|(?<![\w.-])shared/|/work/")


def project_files(root: Path = ROOT) -> Iterator[Path]:
    for path in sorted(root.iterdir()):
        if path.name in SKIPPED or path.name.endswith(".egg-info"):
            continue
        if path.is_dir():
            yield from project_files(path)
        elif path.is_file():
            yield path


# --------------------------------------------------------------------------------------------
# The import graph


def modules(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Dotted module name -> file, for every module of `packages` under `root`."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            if SKIPPED.isdisjoint(path.relative_to(root).parts):
                parts = path.relative_to(root).with_suffix("").parts
                found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run: anywhere in the module, functions included, but not
    under `if TYPE_CHECKING:` (its `else:` runs, and counts)."""
    if isinstance(node, ast.If) and _type_checking(node.test):
        children: list[ast.AST] = [node.test, *node.orelse]
    else:
        children = list(ast.iter_child_nodes(node))
    for child in children:
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        yield from _import_nodes(child)


def _owner(name: str, known: dict[str, Path]) -> str | None:
    """The project module `name` names, or its nearest enclosing one; None outside the project."""
    parts = name.split(".")
    while parts:
        if ".".join(parts) in known:
            return ".".join(parts)
        parts.pop()
    return None


def _targets(module: str, path: Path, node: ast.Import | ast.ImportFrom, known) -> set[str]:
    """The project modules an import statement runs."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the module's package, up one for each dot past the first
            package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        # `from package import module` runs the module; `from module import name`, the module
        names = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
        if len(names) < len(node.names):
            names.append(base)
    return {owner for owner in (_owner(name, known) for name in names) if owner}


def import_graph(root: Path = ROOT, packages: tuple[str, ...] = PACKAGES) -> dict[str, set[str]]:
    """Module -> the project modules it imports."""
    known = modules(root, packages)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _import_nodes(tree):
            graph[name] |= _targets(name, path, node, known) - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The modules of each cycle (strongly connected component of more than one module), each
    as one path round it, starting and ending at its first module in alphabetical order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(_round(graph, component) for component in components)


def _round(graph: dict[str, set[str]], component: set[str]) -> list[str]:
    """A shortest path from the component's first module back to itself."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & component):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"{start} is in a cycle it cannot reach back")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_an_import_inside_a_function_makes_a_cycle_and_one_for_type_checking_does_not(tmp_path):
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import thing\n",
            "pkg/b.py": "def thing():\n    from pkg import a\n",
            "pkg/c.py": "from . import a, d\n",
            "pkg/d.py": "import typing\nif typing.TYPE_CHECKING:\n    from pkg import c\n",
        },
    )
    graph = import_graph(tmp_path, ("pkg",))
    assert graph["pkg.c"] == {"pkg.a", "pkg.d"}
    assert graph["pkg.d"] == set()
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.a"]]


def test_no_module_of_the_project_imports_itself_back():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


# --------------------------------------------------------------------------------------------
# Files


def test_no_module_outside_the_tests_and_the_demo_is_over_600_lines():
    long = []
    for path in project_files():
        relative = path.relative_to(ROOT)
        if path.suffix == ".py" and relative.parts[0] not in LONG_ALLOWED:
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                long.append(f"{relative}: {lines} lines")
    assert not long, f"modules over {MAX_LINES} lines:\n" + "\n".join(long)


def test_nothing_reads_the_shared_samples_or_names_a_path_of_one_machine():
    found = []
    for path in project_files():
        if path == Path(__file__).resolve():
            continue  # this file names the patterns it looks for
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # an image, a PDF: no paths to read
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATHS.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "paths outside the project:\n" + "\n".join(found)
