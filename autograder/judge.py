"""Judging again outside the kernel: a test cell's point counts only if the grader agrees.

Where the grading authority lives, and why: the kernel runs the student's code, so whatever is
decided inside it — a check's verdict, numpy's comparisons, the reference values — can be
altered by that code. The grader's own process never runs student code. So after a notebook
has been executed (in the sandbox), `judge_notebook` takes every autograded test cell that
passed, reads from the cell's *authoritative source* (restored from the gradebook by nbgrader,
and matched against the executed copy by fingerprint) which checks it calls with which
keyword arguments, and replays each of them here — the grader's code, the grader's
references, the grader's numpy — on the answers the kernel recorded
(`lrchecks.evidence`). A cell whose checks are missing, reordered, altered, or whose
recorded answers fail the real check gets an error output, so nbgrader gives it no points and
the feedback says why in one sentence.

Evidence outputs are removed from every cell: they never reach the gradebook, the autograded
notebook or the feedback.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output

from lrchecks.evidence import (
    EVIDENCE_MIME,
    RECORD_VERSION,
    EvidenceMismatch,
    check_id,
    replay_check,
)
from lrchecks.report import CheckFailed

__all__ = ["judge_notebook", "JudgedCall", "VERIFICATION_ERROR"]

VERIFICATION_ERROR = "GradingVerificationFailed"
CHECK_PACKAGE = "lrchecks"
UNCONFIRMED = "This test passed in the notebook, but the grader could not confirm it: "


@dataclass(frozen=True)
class JudgedCall:
    """One call of a check in a test cell's source: the grader's function, the keyword
    arguments written in the source, and how many positional arguments it passes."""

    check: Callable[..., Any]
    kwargs: dict[str, Any]
    positional: int


def _python_source(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)


def _judged_function(module_name: str, name: str) -> Callable[..., Any] | None:
    if not (module_name == CHECK_PACKAGE or module_name.startswith(CHECK_PACKAGE + ".")):
        return None
    try:
        function = getattr(importlib.import_module(module_name), name, None)
    except ImportError:
        return None
    return function if getattr(function, "__lrlab_judged__", False) else None


class _Names:
    """What the test cells imported from lrchecks (they run in one namespace)."""

    def __init__(self) -> None:
        self.functions: dict[str, Callable[..., Any]] = {}
        self.modules: dict[str, str] = {}

    def learn(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    function = _judged_function(node.module, alias.name)
                    if function is not None:
                        self.functions[alias.asname or alias.name] = function
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith(CHECK_PACKAGE + ".") and alias.asname:
                        self.modules[alias.asname] = alias.name

    def resolve(self, func: ast.expr) -> Callable[..., Any] | None:
        if isinstance(func, ast.Name):
            return self.functions.get(func.id)
        if isinstance(func, ast.Attribute):
            path = ast.unparse(func.value)
            module = self.modules.get(path, path)
            return _judged_function(module, func.attr)
        return None


def _literal_kwargs(call: ast.Call) -> dict[str, Any]:
    kwargs = {}
    for keyword in call.keywords:
        if keyword.arg is None:
            continue
        try:
            kwargs[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            continue
    return kwargs


def expected_calls(source: str, names: _Names) -> list[JudgedCall]:
    """The checks a test cell calls, in the order they run (source order)."""
    tree = ast.parse(_python_source(source))
    names.learn(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            check = names.resolve(node.func)
            if check is not None:
                found.append((node.lineno, node.col_offset, JudgedCall(
                    check, _literal_kwargs(node), len(node.args))))
    return [call for *_, call in sorted(found, key=lambda item: item[:2])]


def _take_evidence(cell: NotebookNode) -> list[Any]:
    records, kept = [], []
    for output in cell.get("outputs", []):
        data = output.get("data", {}) if output.get("output_type") in (
            "display_data", "execute_result") else {}
        if EVIDENCE_MIME in data:
            records.append(data[EVIDENCE_MIME])
        else:
            kept.append(output)
    cell.outputs = kept
    return records


def _failed(cell: NotebookNode) -> bool:
    return any(output.get("output_type") == "error" or (
        output.get("output_type") == "stream" and output.get("name") == "stderr")
        for output in cell.get("outputs", []))


def _record_problem(call: JudgedCall, record: Any) -> str | None:
    name = call.check.__name__
    if not isinstance(record, dict) or record.get("version") != RECORD_VERSION:
        return f"the record of {name} is not one the checks write."
    if record.get("check") != check_id(call.check):
        return (f"the cell calls {name}, but the record comes from {record.get('check')!r} — "
                "the check was replaced while the notebook ran.")
    if not isinstance(record.get("args"), list) or len(record["args"]) != call.positional:
        return f"the record of {name} does not hold the arguments the cell passes."
    if not isinstance(record.get("calls"), list):
        return f"the record of {name} has no calls."
    return None


def verify_cell(calls: list[JudgedCall], records: list[Any]) -> str | None:
    """None if every check of the cell passes again on its record; else what went wrong."""
    if len(records) != len(calls):
        return (f"{UNCONFIRMED}its {len(calls)} check{'s' if len(calls) != 1 else ''} left "
                f"{len(records)} record{'s' if len(records) != 1 else ''} of what they saw — "
                "the checks were changed or bypassed while the notebook ran.")
    for call, record in zip(calls, records, strict=True):
        problem = _record_problem(call, record)
        if problem:
            return UNCONFIRMED + problem
        try:
            replay_check(call.check, record, call.kwargs)
        except CheckFailed as failure:
            return f"✗ {failure.message} (judged again by the grader)"
        except EvidenceMismatch as mismatch:
            return (f"{UNCONFIRMED}{mismatch} — the checks or the student's answers were "
                    "changed while the notebook ran.")
        except Exception as error:  # the record held values no real check run produces
            return (f"{UNCONFIRMED}the recorded answers of {call.check.__name__} do not fit "
                    f"the check ({type(error).__name__}: {str(error)[:200]}).")
    return None


def _fail(cell: NotebookNode, message: str) -> None:
    cell.outputs.append(new_output("error", ename=VERIFICATION_ERROR, evalue=message,
                                   traceback=[message]))


def judge_notebook(nb: NotebookNode) -> list[str]:
    """Judge every passed autograded test cell again (see the module's docstring); the cells
    that fail get an error output. Returns one line per overturned cell."""
    names = _Names()
    overturned = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        records = _take_evidence(cell)
        meta = cell.metadata.get("nbgrader", {})
        if not meta.get("grade") or meta.get("solution"):
            continue
        try:
            calls = expected_calls(cell.source, names)
        except SyntaxError:
            continue  # the cell cannot have run either: it already holds an error
        if not calls or _failed(cell):
            continue
        message = verify_cell(calls, records)
        if message:
            _fail(cell, message)
            overturned.append(f"{meta.get('grade_id', '?')}: {message}")
    return overturned
