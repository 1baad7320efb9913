"""Every check of every assignment run on wrong answers, collecting what a student would read.

The corpus (`messages_of`): each assignment's solution notebook is executed once in a plain
namespace (its explorers left out); then every check call of every test cell, visible and hidden
(inside `lrchecks.hidden.drawn_cases` with cases from the committed pools), runs separately on

- the solution itself (its `✓` lines);
- each sample mistake of `autograder/samples/psNN.py` — the sample's cells exec'd over the
  solution, with the later cells that use what they define run again — on the test cells the
  sample names;
- generic wrong answers in place of each object the check is given: a function not written yet,
  one returning a string, a dict, None or an array of the wrong shape, one raising
  ZeroDivisionError or an exception of its own; a value that is None, a string, a dict or an
  empty figure; and the name left undefined.

A message is what the kernel shows: a `CheckFailed`'s text, a `✓` line, or the short-error hook's
sentence for any other exception (`lrchecks.report.short_message`). Anything else a check lets
escape is collected as a crash.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import nbformat
import numpy as np

from autograder.hidden import course_pools
from autograder.samples.build import samples_for, solution_code
from lrchecks.hidden import drawn_cases
from lrchecks.report import CheckFailed, short_message

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENTS = ("ps01_constant_lr", "ps02_schedulers", "ps03_batch_size", "ps04_q_learning",
               "ps05_adaptive_optimizers")
STUDENT_TEXT = "STUDENT-WROTE-THIS-7f3a"
"""Text a wrong answer carries (an exception's message): no message may repeat it."""
CASES_PER_POOL = 3
"""Hidden cases run per pool: the pool's fixed cases and the first few candidates."""


@dataclass(frozen=True)
class Cell:
    """A code cell of a source notebook: its grade id, its Python source, and its role."""

    grade_id: str | None
    source: str
    test: bool
    answer: bool


@dataclass(frozen=True)
class Message:
    """What a student reads after one check call on one wrong answer."""

    assignment: str
    test: str
    answer: str
    text: str
    crashed: bool = False


def _python(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    lines = [line for line in source.splitlines() if not line.lstrip().startswith("%")]
    return TransformerManager().transform_cell("\n".join(lines))


@functools.cache
def notebook_cells(assignment: str) -> tuple[Cell, ...]:
    """The code cells of the assignment's source notebook, solutions without their markers."""
    path = REPO / "source" / assignment / f"{assignment}.ipynb"
    cells = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        test = bool(meta.get("grade")) and not meta.get("solution")
        cells.append(Cell(meta.get("grade_id"), _python(solution_code(cell.source)), test,
                          bool(meta.get("solution"))))
    return tuple(cells)


def _explorer(cell: Cell) -> bool:
    return "lrcore.widgets" in cell.source


def _run(source: str, namespace: dict[str, Any]) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(source, "<cell>", "exec"), namespace)  # noqa: S102 - the course's own cells
    plt.close("all")


@functools.cache
def solution_namespace(assignment: str) -> dict[str, Any]:
    """The namespace of the solution notebook run top to bottom (tests and explorers left out)."""
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for cell in notebook_cells(assignment):
        if not cell.test and not _explorer(cell):
            _run(cell.source, namespace)
    return namespace


@functools.cache
def hidden_subset(assignment: str) -> dict[str, list[dict[str, Any]]]:
    """A few cases of every pool: its fixed ones and the first candidates."""
    pools = course_pools(REPO, assignment)
    return {name: (pool.always + pool.candidates)[:CASES_PER_POOL] or pool.always
            for name, pool in pools.items()}


@dataclass(frozen=True)
class CheckCall:
    """One statement of a test cell that calls a check, with the imports before it."""

    test: str
    imports: str
    call: str
    names: tuple[str, ...]


def check_calls(assignment: str) -> list[CheckCall]:
    """Every check call of every test cell (visible and hidden), one statement each."""
    found = []
    for cell in notebook_cells(assignment):
        if not cell.test:
            continue
        tree = ast.parse(cell.source)
        imports = [ast.unparse(node) for node in tree.body
                   if isinstance(node, ast.Import | ast.ImportFrom)]
        for node in tree.body:
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                names = tuple(arg.id for arg in node.value.args if isinstance(arg, ast.Name))
                found.append(CheckCall(str(cell.grade_id), "\n".join(imports),
                                       ast.unparse(node), names))
    return found


def _outcome(call: CheckCall, namespace: dict[str, Any], assignment: str,
             answer: str) -> list[Message]:
    out = io.StringIO()
    messages = []
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()), \
                drawn_cases(hidden_subset(assignment)):
            exec(compile(call.imports + "\n" + call.call, "<test cell>", "exec"),  # noqa: S102
                 namespace)
    except CheckFailed as failure:
        messages.append(Message(assignment, call.test, answer, failure.message))
    except Exception as error:  # what the kernel's short-error hook would show
        said = short_message(error)
        messages.append(Message(assignment, call.test, answer,
                                said or f"{type(error).__name__}: {error}", crashed=not said))
    finally:
        plt.close("all")
    messages += [Message(assignment, call.test, answer, line[2:])
                 for line in out.getvalue().splitlines() if line.startswith("✓ ")]
    return messages


class OwnError(Exception):
    """An exception class a student defined."""


def _raising(error: BaseException) -> Callable[..., Any]:
    def answer(*args: Any, **kwargs: Any) -> Any:
        raise error
    return answer


def _returning(value: Any) -> Callable[..., Any]:
    def answer(*args: Any, **kwargs: Any) -> Any:
        return value
    return answer


def wrong_functions() -> dict[str, Callable[..., Any]]:
    """Functions that are wrong in the usual ways, by name."""
    return {
        "not written": _raising(NotImplementedError()),
        "returns a string": _returning(STUDENT_TEXT),
        "returns a dict": _returning({"answer": STUDENT_TEXT}),
        "returns None": _returning(None),
        "returns the wrong shape": _returning(np.full((3, 7), 0.25)),
        "raises ZeroDivisionError": _raising(ZeroDivisionError(STUDENT_TEXT)),
        "raises its own exception": _raising(OwnError(STUDENT_TEXT)),
    }


def wrong_values() -> dict[str, Callable[[], Any]]:
    """Values that are wrong in the usual ways (made fresh each time), by name."""
    return {
        "None": lambda: None,
        "a string": lambda: STUDENT_TEXT,
        "a dict": lambda: {"figure": STUDENT_TEXT},
        "an empty figure": plt.figure,
        "an array": lambda: np.full((100, 100), 0.25),
    }


_UNDEFINED = object()


def _replacements(value: Any) -> Iterator[tuple[str, Any]]:
    if callable(value) and not hasattr(value, "savefig"):
        yield from wrong_functions().items()
    else:
        yield from ((name, make()) for name, make in wrong_values().items())
    yield "undefined", _UNDEFINED


@functools.cache
def generic_messages(assignment: str) -> tuple[Message, ...]:
    """Every check call with each object it is given replaced by each generic wrong answer."""
    base = solution_namespace(assignment)
    messages = []
    for call in check_calls(assignment):
        for name in call.names:
            for label, replacement in _replacements(base.get(name)):
                namespace = dict(base)
                if replacement is _UNDEFINED:
                    namespace.pop(name, None)
                else:
                    namespace[name] = replacement
                messages += _outcome(call, namespace, assignment, f"{name}: {label}")
    return tuple(messages)


@functools.cache
def solution_messages(assignment: str) -> tuple[Message, ...]:
    """The `✓` lines of every check call on the solution."""
    base = solution_namespace(assignment)
    return tuple(message for call in check_calls(assignment)
                 for message in _outcome(call, dict(base), assignment, "solution"))


def _defined(source: str) -> set[str]:
    tree = ast.parse(source)
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and isinstance(inner.ctx, ast.Store):
                names.add(inner.id)
    return names


def _loaded(source: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


def sample_namespace(assignment: str, cells: dict[str, str]) -> dict[str, Any]:
    """The solution's namespace with a sample's cells run in place of the solution's, and every
    later cell that uses what a changed cell defines run again (explorers left out)."""
    namespace = dict(solution_namespace(assignment))
    changed: set[str] = set()
    for cell in notebook_cells(assignment):
        if cell.test or _explorer(cell):
            continue
        if cell.grade_id in cells:
            source = _python(cells[cell.grade_id])
        elif _loaded(cell.source) & changed:
            source = cell.source
        else:
            continue
        changed |= _defined(source)
        try:
            _run(source, namespace)
        except Exception:  # a figure cell on a broken function: its name stays undefined
            for name in _defined(source):
                namespace.pop(name, None)
    return namespace


@functools.cache
def sample_messages(assignment: str) -> tuple[Message, ...]:
    """The messages of each sample mistake at the test cells it names."""
    messages = []
    for sample in samples_for(assignment):
        if sample.blank or not sample.cells:
            continue
        tests = set(sample.failing_tests) | set(sample.feedback)
        if not tests:
            continue
        namespace = sample_namespace(assignment, sample.cells)
        for call in check_calls(assignment):
            if call.test in tests:
                messages += _outcome(call, dict(namespace), assignment, sample.student)
    return tuple(messages)


def timed(function: Callable[[str], tuple[Message, ...]], assignment: str) -> list[Message]:
    """`function(assignment)`, printing how long it took (for `pytest -s`)."""
    start = time.perf_counter()
    result = list(function(assignment))
    print(f"{function.__name__}({assignment}): {time.perf_counter() - start:.1f} s")
    return result
