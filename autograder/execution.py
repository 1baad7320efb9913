"""Executing one prepared notebook in a fresh kernel — the only step that runs student code.

It uses nbgrader's own `Execute` preprocessor (configured by `nbgrader_config.py`: per-cell
timeout, errors recorded as outputs, kernel arguments), so an execution here is exactly what
`nbgrader autograde` would do, but it needs no gradebook: it can run in any process — a local
worker pool or a Dask worker — while the gradebook is written by one process only.

`Execute` itself runs in a subprocess (`autograder.sandbox.worker`), confined by the task's
`SandboxPolicy`: bubblewrap, a cgroup with memory and process limits, a wall limit. The worker
gets the sanitised notebook and a copy of the submission's other files — never the course
directory — and hands back the executed notebook, which is checked against the one sent
(`notebook_fingerprint`) before it is written where `ReplayExecution` will read it. Before
that, `autograder.judge` judges every passed test cell again, in this process, on the evidence
the checks recorded: the kernel's verdict alone never earns a point.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from autograder.sandbox import SandboxPolicy, SandboxUnavailable, require_sandbox

__all__ = ["ExecutionTask", "ExecutionOutcome", "execute_task", "notebook_fingerprint",
           "execute_config", "cases_digest", "CASES_KEY", "execute_and_judge", "JudgedExecution",
           "ExecutionFailed"]

FINGERPRINT_KEY = "lrlab_input_fingerprint"
CASES_KEY = "lrlab_hidden_cases_digest"
CONFIG_SECTIONS = ("NotebookClient", "ExecutePreprocessor", "Execute")
"""The configuration the worker's `Execute` reads (the rest of nbgrader_config.py may hold
secrets, such as a gradebook URL, and never enters the sandbox)."""


def notebook_fingerprint(nb: nbformat.NotebookNode) -> str:
    """A hash of what is executed (cell types, sources, nbgrader metadata), not of outputs."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        record = [cell.cell_type, cell.source, cell.metadata.get("nbgrader", {})]
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def cases_digest(cases: dict[str, Any]) -> str:
    """A hash of a student's drawn hidden cases (an execution is reused only with the same)."""
    text = json.dumps(cases, sort_keys=True, ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ExecutionTask:
    """Execute `notebook` with the files of `workdir`; write it to `output`. `hidden_cases` are
    the student's drawn hidden cases (`autograder.hidden.cases_for`): the kernel runs them and
    the judge replays them — the course secret that drew them stays with the grader.
    `instructor_cells`: the sources of the instructor's locked cells (`autograder.own_code`)."""

    course_root: str
    student: str
    assignment: str
    notebook: str
    workdir: str
    output: str
    sandbox: SandboxPolicy = field(default_factory=SandboxPolicy)
    hidden_cases: dict[str, Any] = field(default_factory=dict)
    instructor_cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExecutionOutcome:
    """`message` says why a failed execution failed, or what to know about one that ran."""

    student: str
    assignment: str
    notebook: str
    ok: bool
    seconds: float
    message: str = ""
    phases: dict[str, float] = field(default_factory=dict)


def execute_config(config: Any, policy: SandboxPolicy) -> tuple[dict, int | None]:
    """nbgrader's execution settings as plain JSON for the worker, and the cell timeout."""
    sections = {name: json.loads(json.dumps(dict(config[name]), default=str))
                for name in CONFIG_SECTIONS if name in config}
    execute = sections.setdefault("Execute", {})
    from nbgrader.preprocessors import Execute

    timeout = policy.cell_timeout_for(execute.get("timeout", Execute.timeout.default_value))
    execute["timeout"] = timeout
    return sections, timeout


def _copy_files(workdir: Path, target: Path, notebooks: set[str]) -> None:
    """The submission's files except its notebooks: those hold the hidden tests, and the kernel
    gets only the cells it executes."""
    shutil.copytree(workdir, target, symlinks=True, dirs_exist_ok=True,
                    ignore=lambda folder, names: [n for n in names if Path(folder) == workdir
                                                  and n in notebooks])


PHASES = ("sandbox start", "worker imports", "kernel start", "cells", "kernel stop",
          "teardown", "judge")
"""Where an execution's time goes, in order (`cells` holds the student's compute)."""


def _phases(run: Any) -> dict[str, float]:
    clock = (run.result or {}).get("clock") or {}
    marks = [run.launched_at, clock.get("started"), clock.get("imported"),
             clock.get("kernel_ready"), clock.get("cells_done"), clock.get("kernel_stopped"),
             run.stopped_at]
    if not all(isinstance(mark, int | float) and mark for mark in marks):
        return {}
    return {name: max(0.0, end - start)
            for name, start, end in zip(PHASES, marks, marks[1:], strict=False)}


@dataclass
class JudgedExecution:
    """A notebook executed in the sandbox and judged: the notebook as nbgrader will score it,
    and a note for the instructor ("" if none)."""

    notebook: nbformat.NotebookNode
    note: str


def execute_and_judge(nb: nbformat.NotebookNode, files: Path, course_root: Path,
                      notebooks: set[str], config: Any, policy: SandboxPolicy,
                      cases: dict[str, Any], instructor_cells: list[str],
                      phases: dict[str, float] | None = None) -> JudgedExecution:
    """Execute a prepared notebook under `policy` with the submission's other `files` (its
    notebooks, which hold the hidden tests, are left out), then judge every test cell here —
    outside the sandbox, with the grader's own copy of the student's hidden `cases`
    (`autograder.judge`). Raises `ExecutionFailed` (one sentence) when the notebook did not run
    to the end. `phases` gets where the time went."""
    from autograder.judge import judge_notebook
    from autograder.sandbox.outcome import completion_note, failure_message
    from autograder.sandbox.runner import run_worker

    phases = phases if phases is not None else {}
    require_sandbox(policy)
    fingerprint = notebook_fingerprint(nb)
    sections, timeout = execute_config(config, policy)
    with tempfile.TemporaryDirectory(prefix="lrlab-files-") as copied:
        _copy_files(Path(files), Path(copied), notebooks)
        task_spec = {"notebook": nbformat.writes(nb), "config": sections, "cell_timeout": timeout,
                     "max_output_chars": policy.max_output_chars, "hidden_cases": cases}
        run = run_worker(task_spec, Path(copied), Path(course_root), policy)
    phases.update(_phases(run))
    problem = failure_message(run, policy, timeout)
    if problem:
        raise ExecutionFailed(problem)
    executed = nbformat.reads(run.result["notebook"], as_version=4)
    if notebook_fingerprint(executed) != fingerprint:
        raise ExecutionFailed("the executed notebook does not match the submission")
    judging = time.monotonic()
    overturned = judge_notebook(executed, cases, instructor_cells)
    phases["judge"] = time.monotonic() - judging
    executed.metadata[FINGERPRINT_KEY] = fingerprint
    executed.metadata[CASES_KEY] = cases_digest(cases)
    note = completion_note(run.result, timeout, policy)
    if overturned:
        note = "; ".join(filter(None, [note, f"{len(overturned)} test cell(s) passed in the "
                                       "kernel but failed when the grader judged them again"]))
    return JudgedExecution(executed, note)


def _run(task: ExecutionTask, phases: dict[str, float]) -> str:
    """Execute and judge the task's notebook and write it where the scoring step reads it;
    returns a note for the instructor ("" if none)."""
    from autograder.course import Course
    from autograder.resume import GRADER_KEY, grader_signature

    course = Course(Path(task.course_root))
    workdir = Path(task.workdir)
    nb = nbformat.read(workdir / f"{task.notebook}.ipynb", as_version=4)
    notebooks = {f"{name}.ipynb" for name in course.notebooks(task.assignment)}
    judged = execute_and_judge(nb, workdir, course.root, notebooks | {f"{task.notebook}.ipynb"},
                               course.config, task.sandbox, task.hidden_cases,
                               list(task.instructor_cells), phases)
    executed = judged.notebook
    executed.metadata[GRADER_KEY] = grader_signature(task.sandbox)
    output = Path(task.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_suffix(".tmp")
    nbformat.write(executed, temporary)
    temporary.replace(output)
    return judged.note


class ExecutionFailed(RuntimeError):
    """The notebook did not run to the end; the message says why, in plain words."""


def _plain_error(error: BaseException) -> str:
    if isinstance(error, ExecutionFailed | SandboxUnavailable):
        return str(error)
    return f"the grader failed on this notebook ({type(error).__name__})"  # never its text


def execute_task(task: ExecutionTask) -> ExecutionOutcome:
    """Run one notebook; never raises — a failure comes back as an outcome with a message."""
    started = time.perf_counter()
    phases: dict[str, float] = {}
    try:
        note = _run(task, phases)
    except Exception as error:  # the notebook's failure must not stop the batch
        return ExecutionOutcome(task.student, task.assignment, task.notebook, False,
                                time.perf_counter() - started, _plain_error(error), phases)
    return ExecutionOutcome(task.student, task.assignment, task.notebook, True,
                            time.perf_counter() - started, note, phases)
