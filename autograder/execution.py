"""Executing one prepared notebook in a fresh kernel — the only step that runs student code.

It uses nbgrader's own `Execute` preprocessor (configured by `nbgrader_config.py`: per-cell
timeout, errors recorded as outputs, kernel arguments), so an execution here is exactly what
`nbgrader autograde` would do, but it needs no gradebook: it can run in any process — a local
worker pool or a Dask worker — while the gradebook is written by one process only.

An `ExecutionTask` is plain data and carries everything the execution needs: the notebook
nbgrader prepared and the files handed in with it, as bytes (`autograder.submission_files`),
nbgrader's execution settings and the `SandboxSettings`, the student's already-drawn hidden cases
and the instructor's cell sources. The process that executes it reads nothing of the course —
no course folder, `nbgrader_config.py`, gradebook or course secret — only the grader's own
installation, so a Dask worker on another machine needs that and bubblewrap, nothing else.

`Execute` itself runs in a subprocess (`autograder.sandbox.worker`), confined by the task's
`SandboxSettings`: bubblewrap, a cgroup with memory and process limits, a wall limit. The worker
gets the sanitised notebook and a copy of the submission's other files and hands back the
executed notebook, which is checked against the one sent (`notebook_fingerprint`). Then
`autograder.judge` judges every passed test cell again, in this process, on the evidence the
checks recorded: the kernel's verdict alone never earns a point. The `ExecutionOutcome` carries
the executed and judged notebook back, as bytes; the grading process writes it where the
scoring step reads it (`save_executed`, `autograder.replay_execution`).

What an executor sends back is plain data too (`ExecutionOutcome.to_data`: strings, numbers,
bytes) — a Dask client reads it as msgpack, never unpickling anything (`autograder.executors`)
— and the grading process rebuilds the outcome from it with the identity of the task it sent
(`receive_outcome`), never the one the data claims.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import shutil
import tempfile
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from autograder.grader_signature import GRADER_KEY, grader_signature
from autograder.sandbox import SandboxSettings, SandboxUnavailable, require_sandbox
from autograder.submission_files import (
    SubmissionFiles,
    gather_files,
    read_regular_file,
    write_files,
)

__all__ = ["ExecutionTask", "ExecutionOutcome", "execute_task", "notebook_fingerprint",
           "execute_config", "cases_digest", "CASES_KEY", "execute_and_judge", "JudgedExecution",
           "ExecutionFailed", "build_task", "receive_outcome", "save_executed", "PHASES",
           "grader_versions"]

FINGERPRINT_KEY = "lrlab_input_fingerprint"
CASES_KEY = "lrlab_hidden_cases_digest"
CONFIG_SECTIONS = ("NotebookClient", "ExecutePreprocessor", "Execute")
"""The configuration the worker's `Execute` reads (the rest of nbgrader_config.py may hold
secrets, such as a gradebook URL, and never leaves the grading process)."""


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
    """One notebook to execute and judge, with everything that takes, as plain data.

    `prepared`: the notebook nbgrader's sanitising stage wrote (nbformat JSON, UTF-8), hidden
    tests included; `files`: the files handed in beside it (`autograder.submission_files`);
    `execute_config`: nbgrader's execution settings (`execute_config`); `hidden_cases`: the
    student's drawn hidden cases (`autograder.hidden.cases_for`) — the kernel runs them and the
    judge replays them, while the course secret that drew them stays with the grader;
    `instructor_cells`: the sources of the instructor's locked cells (`autograder.own_code`).
    `course_root` is where the course lies on the grading machine: never read, only hidden from
    the sandbox should the executing machine have it inside a folder the sandbox shows."""

    student: str
    assignment: str
    notebook: str
    prepared: bytes
    files: SubmissionFiles = ()
    execute_config: dict[str, Any] = field(default_factory=dict)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    hidden_cases: dict[str, Any] = field(default_factory=dict)
    instructor_cells: tuple[str, ...] = ()
    course_root: str = ""


PHASES = ("sandbox start", "worker imports", "kernel start", "cells", "kernel stop",
          "teardown", "judge")
"""Where an execution's time goes, in order (`cells` holds the student's compute)."""

UNREADABLE_RESULT = "the worker sent back a result the grader cannot read"
OTHER_GRADER = ("the worker that executed it runs another version of the grader; install the "
                "grading machine's version on every worker and grade again")
OTHER_SOURCES = ("the worker that executed it runs the same version of the grader with other "
                 "sources (autograder, lrchecks or lrcore differ); install the grading "
                 "machine's sources on every worker to be sure of the same grades")
DISTRIBUTIONS = ("learning-rate-lab", "learning-rate-lab-student")
"""The grader's distributions, whose versions a worker must share with the grading machine."""


@functools.cache
def grader_versions() -> str:
    """The installed versions of the grader's distributions, e.g.
    `learning-rate-lab==0.2.0 learning-rate-lab-student==0.2.0`."""
    from importlib.metadata import PackageNotFoundError, version

    def installed(name: str) -> str:
        try:
            return version(name)
        except PackageNotFoundError:
            return "none"

    return " ".join(f"{name}=={installed(name)}" for name in DISTRIBUTIONS)


@dataclass(frozen=True)
class ExecutionOutcome:
    """`message` says why a failed execution failed, or what to know about one that ran.
    `executed`: the executed and judged notebook (nbformat JSON, UTF-8; empty when it failed
    or when an earlier execution is reused); `grader`: the signature of the grader that
    executed it (`autograder.grader_signature`: its sources and limits), `versions`:
    its distributions' versions (`grader_versions`)."""

    student: str
    assignment: str
    notebook: str
    ok: bool
    seconds: float
    message: str = ""
    phases: dict[str, float] = field(default_factory=dict)
    executed: bytes = b""
    grader: str = ""
    versions: str = ""

    def to_data(self) -> dict[str, Any]:
        """The outcome as plain data — what an executor sends back (the task's identity is
        not part of it: the receiver knows which task it sent)."""
        return {"ok": self.ok, "seconds": self.seconds, "message": self.message,
                "phases": dict(self.phases), "executed": self.executed, "grader": self.grader,
                "versions": self.versions}


def _plain_phases(phases: Any) -> dict[str, float] | None:
    if not isinstance(phases, dict):
        return None
    plain = {}
    for name, seconds in phases.items():
        if (name not in PHASES or isinstance(seconds, bool) or not isinstance(seconds, int | float)
                or not math.isfinite(seconds) or seconds < 0):
            return None
        plain[name] = float(seconds)
    return plain


def receive_outcome(task: ExecutionTask, data: Any, expected_grader: str = "",
                    expected_versions: str = "") -> ExecutionOutcome:
    """The outcome of `task` from the plain data an executor sent back (`to_data`): checked
    field by field — anything else makes it a failed outcome with a plain sentence. Given
    what this machine runs, an execution by other versions of the grader's distributions
    (`expected_versions`) is failed — a worker on another machine with another version could
    judge differently — and one by the same versions with other sources (`expected_grader`)
    carries a note saying so."""
    def failed(message: str, seconds: float = 0.0) -> ExecutionOutcome:
        return ExecutionOutcome(task.student, task.assignment, task.notebook, False, seconds,
                                message)

    if not isinstance(data, dict):
        return failed(UNREADABLE_RESULT)
    ok, seconds, message = data.get("ok"), data.get("seconds"), data.get("message")
    executed, grader, versions = data.get("executed"), data.get("grader"), data.get("versions")
    phases = _plain_phases(data.get("phases"))
    if (not isinstance(ok, bool) or isinstance(seconds, bool)
            or not isinstance(seconds, int | float) or not math.isfinite(seconds)
            or not isinstance(message, str) or not isinstance(executed, bytes)
            or not isinstance(grader, str) or not isinstance(versions, str) or phases is None
            or (ok and not executed)):
        return failed(UNREADABLE_RESULT)
    if ok and expected_versions and versions != expected_versions:
        return failed(OTHER_GRADER, float(seconds))
    if ok and expected_grader and grader != expected_grader:
        message = "; ".join(filter(None, [message, OTHER_SOURCES]))
    return ExecutionOutcome(task.student, task.assignment, task.notebook, ok, float(seconds),
                            message, phases, executed, grader, versions)


def save_executed(outcome: ExecutionOutcome, path: Path) -> None:
    """Write the executed notebook an outcome carries to `path`, whole or not at all."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(outcome.executed)
    temporary.replace(path)


def execute_config(config: Any, policy: SandboxSettings) -> tuple[dict, int | None]:
    """nbgrader's execution settings as plain JSON for the worker, and the cell timeout."""
    sections = {name: json.loads(json.dumps(dict(config[name]), default=str))
                for name in CONFIG_SECTIONS if name in config}
    execute = sections.setdefault("Execute", {})
    from nbgrader.preprocessors import Execute

    timeout = policy.cell_timeout_for(execute.get("timeout", Execute.timeout.default_value))
    execute["timeout"] = timeout
    return sections, timeout


def build_task(student: str, assignment: str, notebook: str, prepared_dir: Path,
               notebooks: Collection[str], config: Any, policy: SandboxSettings,
               hidden_cases: dict[str, Any], instructor_cells: Collection[str],
               max_bytes: int, course_root: Path | None = None) -> ExecutionTask:
    """The task for the prepared notebook `<prepared_dir>/<notebook>.ipynb`, with the files
    beside it but the assignment's `notebooks` (file names); raises `SubmissionTooLarge` —
    before reading them — when they and the notebook come to more than `max_bytes`."""
    prepared_dir = Path(prepared_dir)
    path = prepared_dir / f"{notebook}.ipynb"
    files = gather_files(prepared_dir, {*notebooks, path.name}, max_bytes,
                         counted=path.stat().st_size)
    sections, _ = execute_config(config, policy)
    return ExecutionTask(student, assignment, notebook, read_regular_file(path), files,
                         sections, policy, hidden_cases, tuple(instructor_cells),
                         str(course_root) if course_root is not None else "")


def _copy_files(workdir: Path, target: Path, notebooks: set[str]) -> None:
    """The submission's files except its notebooks: those hold the hidden tests, and the kernel
    gets only the cells it executes."""
    shutil.copytree(workdir, target, symlinks=True, dirs_exist_ok=True,
                    ignore=lambda folder, names: [n for n in names if Path(folder) == workdir
                                                  and n in notebooks])


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


def _cell_timeout(sections: dict[str, Any], policy: SandboxSettings) -> int | None:
    from nbgrader.preprocessors import Execute

    execute = sections.get("Execute", {})
    return policy.cell_timeout_for(execute.get("timeout", Execute.timeout.default_value))


def _execute_in(nb: nbformat.NotebookNode, files: Path, course_root: Path,
                sections: dict[str, Any], policy: SandboxSettings, cases: dict[str, Any],
                instructor_cells: list[str], phases: dict[str, float]) -> JudgedExecution:
    """Execute `nb` under `policy` with the submission's other files already in `files` (a
    folder of its own, handed to the sandbox user), then judge it here."""
    from autograder.judge import judge_notebook
    from autograder.sandbox.notebook_runner import run_worker
    from autograder.sandbox.outcome import completion_note, failure_message

    require_sandbox(policy)
    fingerprint = notebook_fingerprint(nb)
    timeout = _cell_timeout(sections, policy)
    sections = {**sections, "Execute": {**sections.get("Execute", {}), "timeout": timeout}}
    task_spec = {"notebook": nbformat.writes(nb), "config": sections, "cell_timeout": timeout,
                 "max_output_chars": policy.max_output_chars, "hidden_cases": cases}
    run = run_worker(task_spec, files, course_root, policy)
    phases.update(_phases(run))
    problem = failure_message(run, policy, timeout)
    if problem:
        raise ExecutionFailed(problem)
    assert run.result is not None  # failure_message reports a run without a result
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


def execute_and_judge(nb: nbformat.NotebookNode, files: Path, course_root: Path,
                      notebooks: set[str], config: Any, policy: SandboxSettings,
                      cases: dict[str, Any], instructor_cells: list[str],
                      phases: dict[str, float] | None = None) -> JudgedExecution:
    """Execute a prepared notebook under `policy` with the submission's other `files` (its
    notebooks, which hold the hidden tests, are left out), then judge every test cell here —
    outside the sandbox, with the grader's own copy of the student's hidden `cases`
    (`autograder.judge`). Raises `ExecutionFailed` (one sentence) when the notebook did not run
    to the end. `phases` gets where the time went. (nbgrader's own path, `SandboxedExecute`;
    `grade` sends an `ExecutionTask` instead.)"""
    sections, _ = execute_config(config, policy)
    with tempfile.TemporaryDirectory(prefix="lrlab-files-") as copied:
        _copy_files(Path(files), Path(copied), notebooks)
        return _execute_in(nb, Path(copied), Path(course_root), sections, policy, cases,
                           instructor_cells, phases if phases is not None else {})


def _folder_to_hide(task: ExecutionTask) -> Path:
    """The course, when this machine has it; else the home folder (which the sandbox always
    hides): a worker on another machine has no course to hide."""
    root = Path(task.course_root) if task.course_root else None
    return root if root is not None and root.is_dir() else Path.home()


def _run(task: ExecutionTask, phases: dict[str, float]) -> tuple[bytes, str, str]:
    """Execute and judge the task's notebook; returns it as bytes, a note for the instructor
    ("" if none) and the signature of this grader."""
    nb = nbformat.reads(task.prepared.decode("utf-8"), as_version=4)
    with tempfile.TemporaryDirectory(prefix="lrlab-files-") as folder:
        write_files(task.files, Path(folder))
        judged = _execute_in(nb, Path(folder), _folder_to_hide(task), task.execute_config,
                             task.sandbox, task.hidden_cases, list(task.instructor_cells), phases)
    grader = grader_signature(task.sandbox)
    judged.notebook.metadata[GRADER_KEY] = grader
    return nbformat.writes(judged.notebook).encode("utf-8"), judged.note, grader


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
        executed, note, grader = _run(task, phases)
    except Exception as error:  # the notebook's failure must not stop the batch
        return ExecutionOutcome(task.student, task.assignment, task.notebook, False,
                                time.perf_counter() - started, _plain_error(error), phases)
    return ExecutionOutcome(task.student, task.assignment, task.notebook, True,
                            time.perf_counter() - started, note, phases, executed, grader,
                            grader_versions())
