"""Does a student's function reach the course's reference? Decided from the notebook's source.

`lrchecks.calls.require_own_function` refuses, inside the kernel, a function that calls
`lrcore` instead of computing — but a check inside the kernel can be switched off by the
student's code, and the judge receives the function only as a name. So the judge decides it
again, here, from what it can trust: the cells' *sources* (matched to what nbgrader prepared
by fingerprint), read as text and never run.

From the name a test cell passes to a check, `own_code_problem` follows every module-level
binding of that name in the student's cells — a `def`, a `class`, an assignment, an import —
and every name those statements use, transitively (defaults, decorators, bodies, assigned
values: an over-approximation), and refuses the function when what it reaches

- imports the course's packages (`lrcore`, `lrchecks`, `autograder`) — the names the
  instructor's locked cells import (`linear_regression_data`, `make_classifier`, …) are allowed,
  they are the notebook's own tools; or
- uses what a static reading cannot follow: `exec`, `eval`, `compile`, `__import__`,
  `globals()`, `vars()`, `importlib`, `sys.modules`, or a dunder attribute such as
  `__globals__`.

A determined student can still copy the public reference's code into a cell: that is writing
it, as far as any grader can tell.
"""

from __future__ import annotations

import ast
import functools
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["NotebookCode", "own_code_problem", "instructor_cells", "REFERENCE_PACKAGES"]

REFERENCE_PACKAGES = ("lrcore", "lrchecks", "autograder")
DYNAMIC_CALLS = frozenset({"exec", "eval", "compile", "__import__", "breakpoint",
                           "get_ipython"})
NAMESPACE_CALLS = frozenset({"globals", "locals", "vars"})
"""Read-only uses are fine (`globals().get("x")`, `vars(obj)`); anything that could write the
namespace is not (`globals()["f"] = …`, `g = globals()`)."""
READ_ONLY_METHODS = frozenset({"get", "items", "keys", "values", "copy"})
"""Calls that run or bind code the grader cannot read (`vars(x)` and `setattr(x, "name", v)`
with a literal name only read or set an attribute; without them they reach the namespace)."""
SAFE_MAGICS = frozenset({"matplotlib", "time", "timeit", "capture"})
"""IPython magics a student's cell may use; the code `%time`/`%timeit` run is read as code."""
DYNAMIC_MODULES = frozenset({"importlib", "builtins", "inspect", "ctypes", "gc", "runpy",
                             "pkgutil", "marshal", "pickle", "dill", "cloudpickle"})
ALLOWED_DUNDERS = frozenset({"__init__", "__name__", "__doc__", "__len__", "__iter__",
                             "__next__", "__call__", "__repr__", "__str__", "__eq__", "__hash__",
                             "__enter__", "__exit__", "__getitem__", "__setitem__",
                             "__contains__", "__post_init__", "__lt__", "__le__", "__gt__",
                             "__ge__", "__ne__", "__add__", "__mul__", "__sub__",
                             "__truediv__", "__neg__", "__abs__", "__float__", "__int__",
                             "__bool__", "__array__"})


def _magic(node: ast.AST) -> tuple[str, str] | None:
    """(magic, code) of `get_ipython().run_line_magic('time', 'code')` / `run_cell_magic`,
    as IPython turns `%time code` into; None for anything else."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("run_line_magic", "run_cell_magic")
            and isinstance(node.func.value, ast.Call)
            and isinstance(node.func.value.func, ast.Name)
            and node.func.value.func.id == "get_ipython"):
        return None
    strings = [a.value for a in node.args if isinstance(a, ast.Constant)
               and isinstance(a.value, str)]
    if len(strings) != len(node.args) or not strings:
        return ("", "")
    return strings[0], strings[-1] if len(strings) > 1 else ""


def _unmagicked(tree: ast.Module) -> ast.Module:
    """The cell with each safe magic replaced by the code it runs (`%time x = f()` binds x)."""
    body: list[ast.stmt] = []
    for statement in tree.body:
        magic = _magic(statement.value) if isinstance(statement, ast.Expr) else None
        if magic and magic[0] in SAFE_MAGICS:
            if magic[0] != "matplotlib":
                try:
                    body += ast.parse(magic[1]).body
                except SyntaxError:
                    body.append(statement)
            continue
        body.append(statement)
    tree.body = body
    return tree


def _python(source: str) -> ast.Module | None:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return _unmagicked(ast.parse(TransformerManager().transform_cell(source)))
    except SyntaxError:
        return None


def _stored_names(statement: ast.stmt) -> set[str]:
    """The module-level names a top-level statement binds (names declared `global` inside a
    function it defines count too)."""
    names: set[str] = set()
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        names.add(statement.name)
        for node in ast.walk(statement):
            if isinstance(node, ast.Global):
                names.update(node.names)
        return names
    if isinstance(statement, ast.Import | ast.ImportFrom):
        for alias in statement.names:
            names.add(alias.asname or alias.name.split(".")[0])
        return names
    for node in _module_scope(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            names.add(node.id)
    for node in ast.walk(statement):
        if isinstance(node, ast.Global):
            names.update(node.names)
    return names


_NEW_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.ListComp,
               ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _module_scope(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a statement that run in the module's scope (not inside a function, class,
    lambda or comprehension, whose names are their own)."""
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, _NEW_SCOPES):
            continue
        yield from _module_scope(child)


def _module_of(statement: ast.stmt) -> Iterator[str]:
    if isinstance(statement, ast.Import):
        yield from (alias.name for alias in statement.names)
    elif isinstance(statement, ast.ImportFrom):
        if statement.level:
            yield "."  # a relative import: the notebook is no package
        elif statement.module:
            yield statement.module


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _read_only(call: ast.Call, parents: dict[ast.AST, ast.AST]) -> bool:
    """`globals().get(…)`, `globals().items()`, `globals()["x"]` read — not stored, not kept."""
    parent = parents.get(call)
    if isinstance(parent, ast.Attribute) and parent.attr in READ_ONLY_METHODS:
        return isinstance(parents.get(parent), ast.Call)
    return isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Load)


SHOWN_NAME_CHARS = 40
"""The longest name from the student's code a sentence repeats (a module, an attribute)."""


def _shown(name: str) -> str:
    """A name from the student's code as a sentence shows it: short, or cut."""
    return name if len(name) <= SHOWN_NAME_CHARS else name[: SHOWN_NAME_CHARS - 1] + "…"


def _problem_in(statement: ast.stmt) -> str | None:
    """What in one of the student's statements the grader refuses (see the module docstring)."""
    parents: dict[ast.AST, ast.AST] | None = None  # built only for a namespace call
    for node in ast.walk(statement):
        if isinstance(node, ast.Import | ast.ImportFrom):
            for module in _module_of(node):
                root = module.split(".")[0]
                if root in REFERENCE_PACKAGES:
                    return f"imports {_shown(module)}, the course's reference"
                if root in DYNAMIC_MODULES or module == ".":
                    return f"imports {_shown(module)}, which the grader cannot follow"
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            name = node.func.id
            if name in DYNAMIC_CALLS:
                what = "IPython's shell" if name == "get_ipython" else f"{name}()"
                return f"uses {what}, which the grader cannot follow"
            if name in NAMESPACE_CALLS and not (name == "vars" and node.args):
                parents = parents if parents is not None else _parents(statement)
                if not _read_only(node, parents):
                    return f"uses {name}(), which the grader cannot follow"
            if name in ("getattr", "setattr", "delattr", "hasattr") and not (
                    len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)
                    and not node.args[1].value.startswith("__")):
                return f"uses {name}() with a computed name, which the grader cannot follow"
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("__") and node.attr not in ALLOWED_DUNDERS:
                return f"uses .{_shown(node.attr)}, which the grader cannot follow"
            if node.attr == "modules" and isinstance(node.value, ast.Name) and (
                    node.value.id == "sys"):
                return "uses sys.modules, which the grader cannot follow"
        elif isinstance(node, ast.Name) and node.id in ("__builtins__", "__loader__",
                                                         "__spec__", "__import__"):
            return f"uses {node.id}, which the grader cannot follow"
    for node in ast.walk(statement):
        if isinstance(node, ast.Import | ast.ImportFrom) and any(
                module.split(".")[0] == "__main__" for module in _module_of(node)):
            return "imports __main__, which the grader cannot follow"
    return None


_BINDING_MODULES = ("importlib", "builtins", "inspect", "ctypes", "gc", "runpy", "pkgutil",
                    "marshal", "pickle", "dill", "cloudpickle")


def _loaded_names(statement: ast.stmt) -> set[str]:
    return {node.id for node in ast.walk(statement)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


@dataclass
class NotebookCode:
    """The module-level bindings of a notebook's cells: the student's (any cell the instructor's
    locked cells do not account for) and the instructor's (allowed tools)."""

    student: dict[str, list[ast.stmt]] = field(default_factory=dict)
    instructor: set[str] = field(default_factory=set)
    dynamic: str | None = None
    """The first construct anywhere in the student's cells that can run or bind code the grader
    cannot read (exec, eval, importlib, IPython's shell, …): then no name can be followed."""
    problems: dict[ast.stmt, str | None] = field(default_factory=dict)
    """`_problem_in` of each of the student's statements (a node is its own key: it hashes by
    identity, and the dict keeps it alive): worked out once, when the cells are read, and
    looked up for every object a check is given."""
    loaded: dict[ast.stmt, frozenset[str]] = field(default_factory=dict)
    """`_loaded_names` of each of the student's statements, worked out with its problem."""

    def problem_in(self, statement: ast.stmt) -> str | None:
        if statement not in self.problems:
            self.problems[statement] = _problem_in(statement)
        return self.problems[statement]

    def loaded_names(self, statement: ast.stmt) -> frozenset[str]:
        if statement not in self.loaded:
            self.loaded[statement] = frozenset(_loaded_names(statement))
        return self.loaded[statement]

    @classmethod
    def from_cells(cls, student_sources: Iterable[str],
                   instructor_sources: Iterable[str]) -> NotebookCode:
        code = cls()
        for source in instructor_sources:
            code.instructor |= _instructor_names(source)
        for source in student_sources:
            for reading in _cell_reading(source) or ():
                for name in reading.binds:
                    code.student.setdefault(name, []).append(reading.statement)
                code.problems[reading.statement] = reading.problem
                code.loaded[reading.statement] = reading.loads
                if reading.problem and "cannot follow" in reading.problem and (
                        code.dynamic is None):
                    code.dynamic = reading.problem
        return code


@dataclass(frozen=True)
class StatementReading:
    """One top-level statement of a cell, with the module-level names it binds, the names it
    reads (`_loaded_names`) and what the grader refuses in it (`_problem_in`)."""

    statement: ast.stmt
    binds: frozenset[str]
    loads: frozenset[str]
    problem: str | None


def _cell_reading(source: str) -> tuple[StatementReading, ...] | None:
    """A cell's statements, each read once (None: the cell is not Python)."""
    tree = _python(source)
    if tree is None:
        return None
    return tuple(StatementReading(statement, frozenset(_stored_names(statement)),
                                  frozenset(_loaded_names(statement)), _problem_in(statement))
                 for statement in tree.body)


@functools.lru_cache(maxsize=1024)
def _instructor_names(source: str) -> frozenset[str]:
    """The names one of the instructor's locked cells binds, read once per process: these
    cells come from the source notebook, the same for a whole class. A student's cells are read
    for each notebook and never kept: they are the student's own (a cache of them would serve
    only identical submissions, and would hold whatever a hostile notebook puts in its cells)."""
    tree = _python(source)
    names: set[str] = set()
    for statement in tree.body if tree else []:
        names |= _stored_names(statement)
    return frozenset(names)


def own_code_problem(code: NotebookCode, name: str, limit: int = 10_000) -> str | None:
    """Why the student's object `name` cannot count as the student's own computation (one
    phrase: "imports lrcore.quadratic, the course's reference"), or None."""
    if code.dynamic:
        return code.dynamic.replace("uses", "is defined in a notebook that uses", 1)
    if name not in code.student and name not in code.instructor:
        return "is not defined by a statement the grader can read"
    seen: set[str] = set()
    queue = [name]
    visited = 0
    while queue and visited < limit:
        current = queue.pop()
        if current in seen:
            continue
        seen.add(current)
        bindings = code.student.get(current, [])
        if not bindings:
            if current in DYNAMIC_CALLS:
                return f"uses {current}(), which the grader cannot follow"
            continue  # the instructor's tool, a builtin, a local name, or nothing at all
        for statement in bindings:
            visited += 1
            problem = code.problem_in(statement)
            if problem:
                return problem
            queue.extend(code.loaded_names(statement) - seen)
    return None


def instructor_cells(source_notebook: str | os.PathLike[str]) -> list[str]:
    """The sources of the instructor's locked, ungraded code cells (the setup cells whose
    imports are the notebook's own tools), read from the source notebook — never from the
    student's file, whose metadata the student controls. A source file is parsed once per
    content, not once per submission graded."""
    with open(source_notebook, "rb") as source:
        return list(_instructor_cells_of(source.read()))


@functools.lru_cache(maxsize=64)
def _instructor_cells_of(content: bytes) -> tuple[str, ...]:
    import nbformat

    nb = nbformat.reads(content.decode("utf-8"), as_version=4)
    return tuple(cell.source for cell in nb.cells if cell.cell_type == "code"
                 and cell.metadata.get("nbgrader", {}).get("locked")
                 and not cell.metadata.get("nbgrader", {}).get("grade"))
