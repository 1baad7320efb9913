"""lrchecks as a newcomer walks it: a package per assignment, one module per section of its
notebook (none longer than 300 lines), exporting every check its test cells import; every
modelled mistake one object of `lrchecks.diagnosis` (its model, its sentence, its matcher), none
left in lrcore, no sentence dictionary beside the checks; and no import circle inside lrchecks."""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from pathlib import Path

import nbformat
import pytest
from conftest import REPO

from lrchecks.diagnosis import Mistake

PACKAGE = REPO / "lrchecks"
ASSIGNMENTS = sorted(path.name for path in (REPO / "source").iterdir() if path.is_dir())
MAX_LINES = 300


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports() -> dict[str, set[str]]:
    """Module → the modules of lrchecks its import statements name (at the top or in a
    function): `from a.b import c` names a.b.c when that is a module, else a.b."""
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets = [f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}"
                           in modules else node.module for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in graph[module]:
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    return circles


def test_no_import_circle_inside_lrchecks():
    graph = _imports()
    assert "lrchecks.evidence" in graph and graph["lrchecks.evidence"]
    assert not _circles(graph)


def test_the_circle_finder_finds_a_circle():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_an_assignment_is_a_package_of_small_modules(assignment):
    folder = PACKAGE / assignment.split("_")[0]
    assert (folder / "__init__.py").is_file()
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines())
             for path in folder.glob("*.py")}
    assert len(sizes) > 2 and max(sizes.values()) <= MAX_LINES, sizes


def test_no_module_of_lrchecks_is_longer_than_300_lines():
    sizes = {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
             for path in PACKAGE.rglob("*.py")}
    assert not {name: size for name, size in sizes.items() if size > MAX_LINES}


def _writes_the_diagnosis_loop(loop: ast.For) -> bool:
    """A loop over mistakes that raises or returns a mistake's sentence itself
    (`diagnosis=….explanation`, `return ….explanation`) — the loop `lrchecks.diagnosis.mistake`'s
    `first_fitting` is the one home of."""
    def is_explanation(node: ast.AST | None) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "explanation"

    return any((isinstance(node, ast.keyword) and node.arg == "diagnosis"
                and is_explanation(node.value))
               or (isinstance(node, ast.Return) and is_explanation(node.value))
               for node in ast.walk(loop))


def test_every_check_finds_the_first_fitting_mistake_through_one_helper():
    loops = [f"{path.relative_to(PACKAGE)}:{node.lineno}" for path in PACKAGE.rglob("*.py")
             for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.For) and _writes_the_diagnosis_loop(node)]
    assert not loops


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_package_exports_every_check_its_test_cells_import(assignment):
    package = importlib.import_module(f"lrchecks.{assignment.split('_')[0]}")
    notebook = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)
    imported = {alias.name for cell in notebook.cells if cell.cell_type == "code"
                for node in ast.walk(ast.parse(re.sub(r"(?m)^[%!].*$", "", cell.source)))
                if isinstance(node, ast.ImportFrom) and node.module == package.__name__
                for alias in node.names}
    assert imported
    for name in imported:
        check = getattr(package, name)
        assert getattr(check, "__lrlab_judged__", False), name
        assert check.__module__.startswith(f"{package.__name__}."), name
        assert name in package.__all__


def test_lrcore_keeps_no_model_of_a_mistake():
    assert importlib.util.find_spec("lrcore.mistakes") is None


def _mistakes() -> list[tuple[str, Mistake]]:
    found = []
    for path in sorted((PACKAGE / "diagnosis").rglob("*.py")):
        module = importlib.import_module(_module_name(path))
        for name, value in vars(module).items():
            if isinstance(value, tuple) and value and all(isinstance(v, Mistake) for v in value):
                found += [(f"{module.__name__}.{name}", mistake) for mistake in value]
            elif isinstance(value, Mistake):
                found.append((f"{module.__name__}.{name}", value))
    return found


def test_every_modelled_mistake_is_one_object_with_its_model_and_its_sentence():
    mistakes = _mistakes()
    assert len(mistakes) > 80
    for where, mistake in mistakes:
        assert mistake.name and mistake.explanation.strip(), where
        assert mistake.explanation == mistake.explanation.strip(), where
        assert callable(mistake.model), where
    families = {}
    for where, mistake in mistakes:
        families.setdefault(where, []).append(mistake.name)
    for where, names in families.items():
        assert len(names) == len(set(names)), where


def test_no_sentence_dictionary_lives_beside_the_checks():
    """A mistake's sentence is its object's: an assignment's modules define no `…EXPLANATIONS`
    mapping of their own (they may only read the diagnosis)."""
    paths = [*PACKAGE.glob("ps[0-9][0-9].py"), *PACKAGE.glob("ps[0-9][0-9]/*.py")]
    assert paths
    for path in paths:
        module = importlib.import_module(_module_name(path))
        own = [name for name, value in vars(module).items()
               if name.endswith("EXPLANATIONS") and isinstance(value, dict)]
        assert not own, (path.name, own)
