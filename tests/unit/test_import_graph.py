"""The import graph of `autograder`, `lrchecks` and `lrcore` has no circle and its layers hold.

The graph is built statically, from the sources (`ast`), so that no module is imported to draw
it: every `import` and `from … import` statement at any place in a module — at its top, inside
a function, under `if TYPE_CHECKING:` — is an edge, relative imports resolved against the
module's package. Function-level imports count because a circle that a deferred import hides
is still a circle: each module still needs the other to be understood, tested or moved (the
one between `execution` and `resume` was of that kind). An edge goes to the most specific
module named (`from autograder.sandbox import policy` → `autograder.sandbox.policy`;
`from autograder.sandbox import SandboxSettings` → `autograder.sandbox`); the parent packages an
import initialises on the way are not edges, or every package importing its own modules in its
`__init__` would be a circle. Dynamic imports (`importlib.import_module` of a computed name)
are not seen.

The layers, from the bottom: `lrcore` (what is true) imports neither the checks nor the
grader; `lrchecks` (the student runtime's checks) does not import the grader; the grader's
sandbox (`autograder.sandbox`), which starts the kernel, does not import the checks it runs.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("autograder", "lrchecks", "lrcore")

Graph = dict[str, set[str]]


def project_modules(root: Path = REPO) -> dict[str, Path]:
    """Every module of the three packages by dotted name (a package by its `__init__.py`)."""
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The most specific project module `name` lies in (`a.b.C` → `a.b`), or None."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _named(node: ast.Import | ast.ImportFrom, package: str,
           modules: dict[str, Path]) -> Iterator[str]:
    """The dotted names one import statement brings in, relative ones resolved."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    if node.level:
        base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
        prefix = ".".join([*base, *([node.module] if node.module else [])])
    else:
        prefix = node.module or ""
    for alias in node.names:
        submodule = f"{prefix}.{alias.name}"
        yield submodule if submodule in modules else prefix


def import_graph(root: Path = REPO) -> Graph:
    """Each project module → the project modules it imports, anywhere in its source."""
    modules = project_modules(root)
    graph: Graph = {}
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _named(node, package, modules):
                    target = _known(name, modules)
                    if target is not None and target != module:
                        targets.add(target)
        graph[module] = targets
    return graph


def circles(graph: Graph) -> list[list[str]]:
    """The graph's strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            successor = next(successors, None)
            if successor is not None:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                elif successor in on_stack:
                    low[node] = min(low[node], index[successor])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_sees_imports_at_every_level_and_relative_ones(tmp_path):
    """The builder on a made-up tree: a function-level import, a relative one, a package's
    name and a name inside a module all become the right edges, and their circle is found."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "autograder" / "first.py").write_text(
        "def later():\n    from autograder.second import thing\n")
    (tmp_path / "autograder" / "second.py").write_text("from . import first\nthing = 1\n")
    (tmp_path / "lrchecks" / "uses.py").write_text("from lrcore import values\nimport numpy\n")
    graph = import_graph(tmp_path)
    assert graph["autograder.first"] == {"autograder.second"}
    assert graph["autograder.second"] == {"autograder.first"}
    assert graph["lrchecks.uses"] == {"lrcore"}
    assert circles(graph) == [["autograder.first", "autograder.second"]]


@pytest.fixture(scope="module")
def graph() -> Graph:
    return import_graph()


def test_no_import_circle(graph):
    assert len(graph) > 100
    assert circles(graph) == []


@pytest.mark.parametrize(("layer", "must_not_import"), [
    ("lrcore", ("lrchecks", "autograder")),
    ("lrchecks", ("autograder",)),
    ("autograder.sandbox", ("lrchecks",)),
])
def test_a_layer_never_imports_the_layers_above_it(graph, layer, must_not_import):
    leaks = sorted((module, target) for module, targets in graph.items()
                   if module == layer or module.startswith(layer + ".")
                   for target in targets
                   if any(target == above or target.startswith(above + ".")
                          for above in must_not_import))
    assert leaks == []


def test_the_sandbox_and_the_checks_name_the_kernels_variables_alike():
    """The sandbox sets two variables the checks read; it names them without importing the
    checks (`autograder.sandbox.kernel_environment`), so the names must agree."""
    from autograder.sandbox import kernel_environment
    from lrchecks import evidence, hidden

    assert kernel_environment.EVIDENCE_SWITCH == evidence.ENVIRONMENT_SWITCH
    assert kernel_environment.HIDDEN_CASES_VARIABLE == hidden.HIDDEN_CASES_VARIABLE
