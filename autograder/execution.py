"""Executing one prepared notebook in a fresh kernel — the only step that runs student code.

It uses nbgrader's own `Execute` preprocessor (configured by `nbgrader_config.py`: per-cell
timeout, errors recorded as outputs, kernel arguments), so an execution here is exactly what
`nbgrader autograde` would do, but it needs no gradebook: it can run in any process — a local
worker pool or a Dask worker — while the gradebook is written by one process only.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

__all__ = ["ExecutionTask", "ExecutionOutcome", "execute_task", "notebook_fingerprint"]

FINGERPRINT_KEY = "lrlab_input_fingerprint"


def notebook_fingerprint(nb: nbformat.NotebookNode) -> str:
    """A hash of what is executed (cell types, sources, nbgrader metadata), not of outputs."""
    digest = hashlib.sha256()
    for cell in nb.cells:
        record = [cell.cell_type, cell.source, cell.metadata.get("nbgrader", {})]
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


@dataclass(frozen=True)
class ExecutionTask:
    """Execute `notebook` with the working directory `workdir`; write it to `output`."""

    course_root: str
    student: str
    assignment: str
    notebook: str
    workdir: str
    output: str


@dataclass(frozen=True)
class ExecutionOutcome:
    student: str
    assignment: str
    notebook: str
    ok: bool
    seconds: float
    message: str = ""


def _plain_error(error: BaseException) -> str:
    name = type(error).__name__
    if name == "DeadKernelError":
        return "the kernel died while running the notebook (a crash, os._exit or out of memory)"
    if name in {"CellTimeoutError", "TimeoutError"}:
        return "a cell ran longer than the time limit"
    text = str(error).strip().splitlines()
    return f"{name}: {text[-1] if text else ''}".strip()


def execute_task(task: ExecutionTask) -> ExecutionOutcome:
    """Run one notebook; never raises — a failure comes back as an outcome with a message."""
    from nbgrader.preprocessors import Execute
    from nbgrader.utils import setenv

    from autograder.course import Course

    started = time.perf_counter()
    try:
        config = Course(Path(task.course_root)).config
        workdir = Path(task.workdir)
        nb = nbformat.read(workdir / f"{task.notebook}.ipynb", as_version=4)
        fingerprint = notebook_fingerprint(nb)
        executor = Execute(config=config)
        with setenv(NBGRADER_EXECUTION="autograde"):
            nb, _ = executor.preprocess(nb, {"metadata": {"path": str(workdir)}})
        nb.metadata[FINGERPRINT_KEY] = fingerprint
        output = Path(task.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        temporary = output.with_suffix(".tmp")
        nbformat.write(nb, temporary)
        temporary.replace(output)
    except Exception as error:  # the notebook's failure must not stop the batch
        return ExecutionOutcome(task.student, task.assignment, task.notebook, False,
                                time.perf_counter() - started, _plain_error(error))
    return ExecutionOutcome(task.student, task.assignment, task.notebook, True,
                            time.perf_counter() - started)
