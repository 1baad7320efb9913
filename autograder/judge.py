"""The judge: the only authority on a test cell's points, outside the kernel.

The kernel runs the student's code, so whatever is decided inside it — a check's verdict, numpy's
comparisons, the reference values, and every output a cell leaves — can be altered by that code:
an IPython hook, an input transformer or a message sent straight on the kernel's iopub channel
can put an `execute_result` into a test cell, which nbgrader would read as partial credit. The
grader's own process never runs student code. So after a notebook has been executed (in the
sandbox), `judge_notebook` decides every autograded test cell here:

1. it reads from the cell's *authoritative source* (restored from the gradebook by nbgrader and
   matched against the executed copy by fingerprint) which checks the cell calls, with which
   keyword arguments;
2. it replays each of them — the grader's code, the grader's references, the grader's numpy, and
   the hidden cases the grader drew for this student (`lrchecks.hidden.drawn_cases`) — on the
   answers the kernel recorded (`lrchecks.evidence`; a check records on success and on failure),
   after following each student object the cell passes through the notebook's sources: one
   that reaches the course's reference or code the grader cannot follow fails
   (`autograder.own_code` — the kernel's own guard can be switched off by the student);
3. it **replaces every output of the cell** with its own verdict: the checks' `✓` sentences when
   every check passes again, else those of the checks that passed and one error — the judge's
   own message when it holds the check's record, otherwise the kernel's message as plain text.
   A cell whose checks left no record it can replay earns nothing.

nbgrader then scores what the judge wrote, so only the judge's verdict scores. Evidence outputs
are removed from every cell: they never reach the gradebook, the autograded notebook or the
feedback.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nbformat import NotebookNode
from nbformat.v4 import new_output

from autograder.own_code import NotebookCode, own_code_problem
from lrchecks.encoding import has_tag
from lrchecks.evidence import (
    EVIDENCE_MIME,
    EvidenceMismatch,
    Replayed,
    record_problem,
    replay_check,
)
from lrchecks.hidden import drawn_cases
from lrchecks.report import MESSAGE_CHARS, failure_lines, not_defined

__all__ = ["judge_notebook", "judge_cell", "expected_calls", "JudgedCall", "Verdict",
           "VERIFICATION_ERROR", "CHECK_FAILED", "CHECK_PACKAGE", "is_autograded_test"]

VERIFICATION_ERROR = "GradingVerificationFailed"
CHECK_FAILED = "CheckFailed"
CHECK_PACKAGE = "lrchecks"
UNCONFIRMED = "This test could not be confirmed by the grader: "
KERNEL_MESSAGE_CHARS = 300
JUDGE_SECONDS = 120.0
"""The judge's time for one notebook: it runs the grader's own code on data (the records are
at most `max_output_chars` × 16 each, the configs it re-runs are range-checked), so this only
guards against a check made slow by its inputs; a cell reached after it scores 0."""
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
                      r"|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?"  # OSC: hyperlinks, clipboard
                      r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class JudgedCall:
    """One call of a check in a test cell's source: the grader's function, the keyword
    arguments written in the source, how many positional arguments it passes, and the names
    of those that are plain names (the student's objects: `check_x(optimize)`)."""

    check: Callable[..., Any]
    kwargs: dict[str, Any]
    positional: int
    arg_names: tuple[str | None, ...] = ()


@dataclass
class Verdict:
    """The judge's decision on one test cell: the sentences of the checks that passed and, if
    the cell fails, one message (`unconfirmed`: the grader could not replay the checks)."""

    passed: list[str] = field(default_factory=list)
    failure: str | None = None
    unconfirmed: bool = False
    decided_outside: bool = False  # the failing check's kernel only asked (grading mode)

    @property
    def ok(self) -> bool:
        return self.failure is None

    def outputs(self) -> list[NotebookNode]:
        """The cell's outputs, all of them the judge's: nbgrader scores a cell without an
        error output as passed and one with an error as failed."""
        outputs = []
        if self.passed:
            outputs.append(new_output("stream", name="stdout",
                                      text="".join(line + "\n" for line in self.passed)))
        if self.failure is not None:
            outputs.append(new_output(
                "error", ename=VERIFICATION_ERROR if self.unconfirmed else CHECK_FAILED,
                evalue=self.failure, traceback=[failure_lines(self.failure)]))
        return outputs


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


def expected_calls(source: str, names: _Names | None = None) -> list[JudgedCall]:
    """The checks a test cell calls, in the order they run (source order)."""
    names = names if names is not None else _Names()
    tree = ast.parse(_python_source(source))
    names.learn(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            check = names.resolve(node.func)
            if check is not None:
                names_passed = tuple(arg.id if isinstance(arg, ast.Name) else None
                                     for arg in node.args)
                found.append((node.lineno, node.col_offset, JudgedCall(
                    check, _literal_kwargs(node), len(node.args), names_passed)))
    return [call for *_, call in sorted(found, key=lambda item: item[:2])]


def _take_evidence(cell: NotebookNode) -> list[Any]:
    records, kept = [], []
    for output in cell.get("outputs", []):
        data = output.get("data", {}) if output.get("output_type") in (
            "display_data", "execute_result") else {}
        if isinstance(data, dict) and EVIDENCE_MIME in data:
            records.append(data[EVIDENCE_MIME])
        else:
            kept.append(output)
    cell.outputs = kept
    return records


def plain_text(text: Any, limit: int = KERNEL_MESSAGE_CHARS) -> str:
    """A kernel's text as one line of plain text: terminal escapes and control characters
    removed, whitespace collapsed, cut to `limit` characters."""
    line = " ".join(_CONTROL.sub("", str(text)).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


_NOT_DEFINED = re.compile(r"name '(\w+)' is not defined")


def _kernel_message(outputs: list[NotebookNode], call: JudgedCall) -> str | None:
    """What the kernel said went wrong in the cell (its last error), in one line: a check's
    message as plain text, a sentence for a name the cell passes that was not defined, else
    which error stopped the cell (its type if it is Python's own, never its text)."""
    errors = [o for o in outputs if o.get("output_type") == "error"]
    if not errors:
        return None
    error = errors[-1]
    name, value = plain_text(error.get("ename", ""), 60), plain_text(error.get("evalue", ""))
    if name in ("", CHECK_FAILED):
        return plain_text(value, MESSAGE_CHARS) if value else "the test failed in the notebook."
    undefined = _NOT_DEFINED.fullmatch(value) if name == "NameError" else None
    if undefined and undefined.group(1) in call.arg_names:
        return not_defined(undefined.group(1))
    kind = name if name in _PYTHON_ERRORS else "an error"
    return (f"The cell stopped with {kind} before {call.check.__name__} could run: run the "
            "notebook from the top, then this cell.")


_PYTHON_ERRORS = frozenset(name for name, value in vars(builtins).items()
                           if isinstance(value, type) and issubclass(value, BaseException))


def _not_own(call: JudgedCall, record: dict[str, Any], code: NotebookCode | None) -> str | None:
    """Why code the check is given (a function, a class, an object or a container of them —
    not plain data such as a figure) is not the student's own computation, judged from the
    notebook's sources (`autograder.own_code`), or None."""
    if code is None:
        return None
    for name, encoded in zip(call.arg_names, record["args"], strict=False):
        if not name or not has_tag(encoded, "callable", "opaque"):
            continue
        problem = own_code_problem(code, name)
        if problem:
            return (f"{name} {problem}; the exercise is to write the computation yourself, "
                    "with plain code.")
    return None


def judge_cell(calls: list[JudgedCall], records: list[Any],
               kernel_outputs: list[NotebookNode], code: NotebookCode | None = None) -> Verdict:
    """The verdict on a test cell that calls `calls`, from the records its checks left and,
    when a check left none, what the kernel said; `code` (the notebook's sources) lets the
    judge refuse a student's object that reaches the course's reference."""
    verdict = Verdict()
    if not calls:
        return Verdict(failure=UNCONFIRMED + "the cell calls no check the grader can replay.",
                       unconfirmed=True)
    for index, call in enumerate(calls):
        if index >= len(records):
            said = _kernel_message(kernel_outputs, call)
            if said is not None:  # failed before its check recorded anything (e.g. a NameError)
                verdict.failure = said
            else:
                verdict.failure = (UNCONFIRMED + f"{call.check.__name__} left no record of what "
                                   "it checked — the checks were changed or bypassed.")
                verdict.unconfirmed = True
            return verdict
        record = records[index]
        problem = record_problem(call.check, record, call.positional)
        if problem:
            return Verdict(verdict.passed, UNCONFIRMED + problem, unconfirmed=True)
        not_own = _not_own(call, record, code)
        if not_own:
            verdict.failure = not_own
            return verdict
        try:
            verdict.passed += replay_check(call.check, record, call.kwargs)
        except Replayed as failure:
            verdict.failure = failure.message
            verdict.decided_outside = failure.decided_outside
            return verdict
        except EvidenceMismatch as mismatch:
            return Verdict(verdict.passed, f"{UNCONFIRMED}{mismatch} — the checks or the "
                           "student's answers were changed while the notebook ran.",
                           unconfirmed=True)
        except Exception as error:  # the record held values no real check run produces
            return Verdict(verdict.passed, f"{UNCONFIRMED}the recorded answers of "
                           f"{call.check.__name__} do not fit the check "
                           f"({type(error).__name__}).", unconfirmed=True)
    if len(records) > len(calls):
        return Verdict(verdict.passed, UNCONFIRMED + "the cell left more records than it has "
                       "checks — the checks were changed while the notebook ran.",
                       unconfirmed=True)
    return verdict


def is_autograded_test(cell: NotebookNode) -> bool:
    """An nbgrader test cell: graded code that is not a solution."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def _kernel_passed(outputs: list[NotebookNode]) -> bool:
    return not any(output.get("output_type") == "error" or (
        output.get("output_type") == "stream" and output.get("name") == "stderr")
        for output in outputs)


def _student_code(nb: NotebookNode, instructor: list[str]) -> NotebookCode:
    tests = [cell.source for cell in nb.cells if is_autograded_test(cell)]
    kept = set(instructor)
    return NotebookCode.from_cells(
        [cell.source for cell in nb.cells if cell.cell_type == "code"
         and cell.source not in kept and cell.source not in tests], instructor)


def judge_notebook(nb: NotebookNode, cases: Mapping[str, Any] | None = None,
                   instructor: list[str] | None = None) -> list[str]:
    """Decide every autograded test cell (see the module's docstring) with this student's
    drawn hidden `cases`, writing the verdicts as the cells' only outputs. `instructor`: the
    sources of the instructor's locked cells (from the source notebook), so that the student's
    objects can be followed through the notebook's code (`autograder.own_code`); None skips
    that. Returns one line per cell the kernel passed and the judge failed (a check the kernel
    only asked, while grading, was not passed there)."""
    code = _student_code(nb, instructor) if instructor is not None else None
    names = _Names()
    overturned = []
    deadline = time.monotonic() + JUDGE_SECONDS
    with drawn_cases(cases or {}):
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            records = _take_evidence(cell)
            if not is_autograded_test(cell):
                continue
            try:
                calls = expected_calls(cell.source, names)
            except SyntaxError:
                calls = []
            kernel_outputs = list(cell.get("outputs", []))
            if time.monotonic() > deadline:
                verdict = Verdict(failure=f"{UNCONFIRMED}the grader's replay of this notebook's "
                                  f"checks took longer than {JUDGE_SECONDS:g} s.",
                                  unconfirmed=True)
            else:
                verdict = judge_cell(calls, records, kernel_outputs, code)
            cell.outputs = verdict.outputs()
            if not verdict.ok and not verdict.decided_outside and _kernel_passed(
                    kernel_outputs):
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
                overturned.append(f"{grade_id}: {verdict.failure}")
    return overturned
