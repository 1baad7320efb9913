"""`grade`: autograde submissions with nbgrader — prepared and scored centrally, executed in
parallel.

Three steps per submission; the first and last are the two stages of nbgrader's own
`Autograde` converter, run apart (`autograder.patches.autograde_stages`):

1. **prepare** (one process, in order): nbgrader's sanitising stage — it registers the student
   and submission in the gradebook and writes the sanitised notebook (outputs cleared, locked
   and test cells restored from the gradebook, hidden tests included).
2. **execute** (`autograder.executors`: here, a pool of `workers` processes, or Dask; one pool
   for all the assignments of a command, fed as soon as each submission is prepared):
   nbgrader's `Execute` runs each sanitised notebook in a fresh kernel, confined by the
   sandbox (`autograder.sandbox`: bubblewrap, a cgroup, limits — grading refuses to start
   without it unless the instructor opted out). Each task carries the notebook, its files and
   the hidden cases as data (`autograder.execution.ExecutionTask`), and its outcome carries the
   executed notebook back, which this process writes to `.grading/executed/`: no gradebook or
   course folder is needed, so any number can run at once, on any machine.
3. **score** (one process, in order): nbgrader's autograding stage on the sanitised notebook,
   with `Execute` replaced by `ReplayExecution` — the gradebook is written by a single writer,
   as SQLite requires.

A submission that fails at any step is recorded as failed (`autograder.status`), with the
reason, and the batch goes on. The result is identical to serial `nbgrader autograde`: the same
preprocessors run on the same notebooks; only where the kernel runs differs.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.course import Course
from autograder.execution import (
    ExecutionOutcome,
    ExecutionTask,
    build_task,
    execute_task,
    grader_versions,
    notebook_fingerprint,
    receive_outcome,
    save_executed,
)
from autograder.executors import Executor
from autograder.grader_signature import grader_signature
from autograder.grading_state import executed_dir, label_grading_state
from autograder.hidden import MissingSecret, cases_for, course_pools, load_secret
from autograder.own_code import instructor_cells
from autograder.patches.gate import check_patches, enabled
from autograder.patches.nbgrader_fast_paths import nbgrader_fast_paths
from autograder.preprocessors import runtime_note, scoring_preprocessors
from autograder.progress import ProgressBar
from autograder.release import require_released
from autograder.replay_execution import executed_path
from autograder.resume import reusable
from autograder.sandbox import SandboxSettings, require_sandbox, sandbox_settings
from autograder.status import FAILED, GRADED, GradingStatus, write_status
from autograder.student_ids import validate_student_id
from autograder.submission_problems import describe_unreadable_submission

__all__ = ["GradingOptions", "grade_submission", "grade_assignment", "grade_assignments",
           "default_workers"]

KERNEL_START_FAILURES = (
    "Kernel died before replying to kernel_info",
    "Kernel didn't respond",
    "Address already in use",
    "Timeout waiting for kernel_info reply",
)
"""Failures of the grading machinery, not of the submission: these are retried."""
START_ATTEMPTS = 3

SCORING_PREPROCESSORS = scoring_preprocessors()
"""nbgrader's `Autograde.autograde_preprocessors`, with `Execute` replaced by the replay of the
notebook a worker executed and judged."""


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


def _run_autograde(course: Course, assignment: str, student: str, converter: type,
                   preprocessors: list) -> dict:
    """A stage of nbgrader's Autograde converter (`autograder.patches.autograde_stages`), run as
    `NbGraderAPI.autograde` runs the converter, with the given autograde preprocessors."""
    from nbgrader.utils import capture_log, temp_attrs

    from autograder.interrupts import raise_if_interrupted

    config = copy.deepcopy(course.config)
    config.Autograde.autograde_preprocessors = preprocessors
    # nbconvert's own option: the notebook is validated once, after the stage's last
    # preprocessor, rather than after each of them (an invalid notebook still fails the stage)
    config.Exporter.optimistic_validation = True
    config.ReplayExecution.executed_dir = str(executed_dir(course))
    coursedir = course.api.coursedir
    try:
        with temp_attrs(coursedir, assignment_id=assignment, student_id=student):
            app = converter(coursedir=coursedir, config=config, parent=course.api)
            app.force = True
            app.create_student = True
            result = capture_log(app)
    except Exception as error:  # nbgrader itself crashed: record it, keep the batch going
        result = {"success": False, "error": f"{type(error).__name__}: {error}"}
    raise_if_interrupted()  # capture_log's bare except swallows a Ctrl-C (autograder/interrupts)
    return result


_RESTORED_NOTES: dict[tuple[str, str], str] = {}
"""(assignment, student) → what nbgrader's sanitising stage put back, for `_score`'s status."""


def _failure_reason(result: dict, notebooks: Sequence[str] = (), course: Course | None = None,
                    assignment: str = "", student: str = "") -> str:
    """One sentence for a failed nbgrader run — never its log lines, which end in "Removing
    failed assignment: /abs/path" and may quote the student's cells; the log itself is kept
    for the instructor in `.grading/logs/<assignment>/<student>.log` (given the course)."""
    from autograder.nbgrader_log import explain_nbgrader_failure, keep_log

    if course is not None:
        keep_log(result, course.grading_dir / "logs" / assignment / f"{student}.log")
    return explain_nbgrader_failure(result, notebooks)


def _prepare(
    course: Course, assignment: str, student: str, policy: SandboxSettings
) -> tuple[list[ExecutionTask], str]:
    from autograder.nbgrader_log import describe_restored_cells, released_checksums
    from autograder.notebook_file import SubmissionLimits
    from autograder.patches.autograde_stages import SanitiseSubmission
    from autograder.release_history import older_release_note
    from autograder.submission_files import SubmissionTooLarge
    from autograder.submission_problems import describe_unsafe_submission, source_grade_ids

    notebooks, limits = course.notebooks(assignment), SubmissionLimits.from_config(course.config)
    refused = describe_unsafe_submission(course.submitted_dir, student, assignment, notebooks,
                                         limits)
    if refused:  # never handed to nbgrader: it globs the id and follows links
        return [], refused
    result = _run_autograde(course, assignment, student, SanitiseSubmission, [])
    if not result.get("success"):
        folder = course.submitted_dir / student / assignment
        reason = _failure_reason(result, notebooks, course, assignment, student)
        return [], (describe_unreadable_submission(
            folder, notebooks, limits, source_grade_ids(course.source_dir, assignment))
            or reason)
    _RESTORED_NOTES[(assignment, student)] = older_release_note(
        course, assignment, student, notebooks) or describe_restored_cells(
        result.get("log") or "", notebooks, released_checksums(course.release_dir, assignment))
    workdir = course.autograded_dir / student / assignment
    sanitised = {name: nbformat.read(workdir / f"{name}.ipynb", as_version=4)
                 for name in notebooks if (workdir / f"{name}.ipynb").is_file()}
    _RESTORED_NOTES[(assignment, student)] = "; ".join(filter(None, [
        _RESTORED_NOTES.get((assignment, student), ""),
        *(runtime_note(nb, name) for name, nb in sanitised.items())]))
    try:
        tasks = [
            build_task(student, assignment, notebook, workdir,
                       {f"{name}.ipynb" for name in notebooks}, course.config, policy,
                       cases_for(course, assignment, student, _submission_key(nb)),
                       instructor_cells(course.source_dir / assignment / f"{notebook}.ipynb"),
                       limits.max_submission_bytes, course.root)
            for notebook, nb in sanitised.items()
        ]
    except SubmissionTooLarge as too_large:  # refused before it is read or sent
        return [], str(too_large)
    return tasks, "" if tasks else "no notebook of the assignment was submitted"


def _submission_key(sanitised: nbformat.NotebookNode) -> str:
    """What keys a submission's hidden cases: the fingerprint of the notebook nbgrader prepared
    (its cells' sources — the same on a regrade, another after any change)."""
    return notebook_fingerprint(sanitised)


def _score(
    course: Course, assignment: str, student: str, seconds: float, note: str = ""
) -> GradingStatus:
    from autograder.patches.autograde_stages import ScoreSanitised

    result = _run_autograde(course, assignment, student, ScoreSanitised, SCORING_PREPROCESSORS)
    if not result.get("success"):
        return GradingStatus(student, assignment, FAILED, seconds=seconds,
                             message=_failure_reason(result, course.notebooks(assignment),
                                                     course, assignment, student))
    note = "; ".join(filter(None, [_RESTORED_NOTES.pop((assignment, student), ""), note]))
    with course.gradebook() as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return GradingStatus(
            student, assignment, GRADED,
            score=float(submission.score), max_score=float(submission.max_score),
            needs_manual_grade=bool(submission.needs_manual_grade), seconds=seconds,
            message=note,
        )


def require_hidden_cases(course: Course, assignments: Sequence[str]) -> None:
    """Refuse, before anything runs, to grade an assignment whose hidden cases cannot be drawn:
    its pools were never built (`MissingPools`) or there is no course secret (`MissingSecret`)."""
    if any(course_pools(course.root, assignment) for assignment in assignments):
        try:
            load_secret(course.config, str(course.config.CourseDirectory.course_id))
        except MissingSecret as missing:
            raise MissingSecret(f"refusing to grade: {missing}") from None


def _execute_with_retries(task: ExecutionTask) -> dict:
    """Execute a task where a worker runs it; returns the outcome as plain data (what a Dask
    worker sends back: `ExecutionOutcome.to_data`, read by `receive_outcome`)."""
    for _attempt in range(START_ATTEMPTS):
        outcome = execute_task(task)
        if outcome.ok or not any(sign in outcome.message for sign in KERNEL_START_FAILURES):
            break
    return outcome.to_data()


@dataclass(frozen=True)
class GradingOptions:
    """How a batch is graded (what is graded — the course, the assignments, the students — is
    given beside it).

    `workers`: notebooks executed at once; `progress`: a progress bar on the terminal;
    `use_dask`: execute on a Dask LocalCluster of `workers` worker processes; `scheduler`: an
    existing Dask cluster instead (tls://host:port, with its certificates in `tls_dir`:
    `autograder.dask_tls`), whose workers must run this very grader (an execution by another
    version is failed); `sandbox`: the sandbox's settings (default: those of
    `nbgrader_config.py`, `autograder.sandbox.sandbox_settings`); `fresh`: execute every
    notebook again rather than reuse an execution an earlier run left (`autograder.resume`).
    """

    workers: int = 1
    progress: bool = True
    use_dask: bool = False
    scheduler: str | None = None
    tls_dir: Path | None = None
    sandbox: SandboxSettings | None = None
    fresh: bool = False


def grade_assignment(
    course: Course,
    assignment: str,
    students: Iterable[str] | None = None,
    *,
    options: GradingOptions = GradingOptions(),
    phases: Counter[str] | None = None,
) -> list[GradingStatus]:
    """Grade every submitted student (or the given ones) of one assignment; returns one status
    per student, in the order given. See `grade_assignments`."""
    return grade_assignments(course, [assignment], students, options=options,
                             phases=phases)[assignment]


def grade_assignments(
    course: Course,
    assignments: Sequence[str],
    students: Iterable[str] | None = None,
    *,
    options: GradingOptions = GradingOptions(),
    phases: Counter[str] | None = None,
) -> dict[str, list[GradingStatus]]:
    """Grade every submitted student (or the given ones) of each assignment, as `options` say;
    returns, per assignment, one status per student in the order given, each also written to
    the ledger.

    One executor serves all the assignments: its workers start once, and each submission's
    notebooks are handed to them as soon as the submission is prepared, so the workers execute
    while this process prepares the next submissions and scores the finished ones (nothing
    waits for a whole assignment to be prepared, or for its last notebook to finish).

    `SandboxUnavailable` is raised before anything runs when the sandbox settings ask for a
    sandbox this machine cannot provide, and `UntestedVersion` when nbgrader is outside the
    versions the scoring stages were tested with (`autograder.patches.gate`). `phases`, if
    given, adds up the seconds spent in each phase (prepare, the execution's phases of
    `autograder.execution.PHASES`, score) — what `benchmarks/bench_grading.py` prints."""
    from autograder.dask_tls import check_scheduler

    check_scheduler(options.scheduler, options.tls_dir)
    check_patches()  # outside their tested versions: speed patches off, integrity refuses
    phases = phases if phases is not None else Counter()
    policy = options.sandbox or sandbox_settings(course.config)
    require_sandbox(policy)
    require_hidden_cases(course, assignments)
    state = label_grading_state(course)  # this gradebook's ledger and executed notebooks
    given = list(students) if students is not None else None
    classes = {assignment: given if given is not None else course.submitted_students(assignment)
               for assignment in assignments}
    require_released(course, [assignment for assignment, chosen in classes.items() if chosen])
    statuses: dict[tuple[str, str], GradingStatus] = {}
    started: dict[tuple[str, str], float] = {}
    pending: Counter[tuple[str, str]] = Counter()
    failures: dict[tuple[str, str], str] = {}
    notes: dict[tuple[str, str], list[str]] = {}
    total = sum(len(chosen) for chosen in classes.values())
    label = f"grading {assignments[0]}" if len(assignments) == 1 else "grading"
    bar = ProgressBar(total, label) if options.progress else None

    def finish(key: tuple[str, str], status: GradingStatus) -> None:
        statuses[key] = status
        if validate_student_id(status.student) is None:
            write_status(state, status)
        # else: a folder whose name is refused (put in submitted/ by hand, not by collect) has
        # no ledger entry — an entry is a file named by the id — and is reported, not recorded
        if bar:
            bar.advance(key[1] if len(assignments) == 1 else "/".join(key))

    def on_done(outcome: ExecutionOutcome) -> None:
        key = (outcome.assignment, outcome.student)
        phases.update(outcome.phases)
        if outcome.ok and outcome.executed:  # where the scoring step reads it
            save_executed(outcome, executed_path(state / "executed", *key, outcome.notebook))
        if not outcome.ok:
            failures.setdefault(key, f"{outcome.notebook}: {outcome.message}")
        elif outcome.message:
            notes.setdefault(key, []).append(f"{outcome.notebook}: {outcome.message}")
        pending[key] -= 1
        if pending[key] > 0:
            return
        assignment, student = key
        seconds = time.perf_counter() - started[key]
        if key in failures:
            finish(key, GradingStatus(student, assignment, FAILED, seconds=seconds,
                                      message=failures[key]))
            return
        scoring = time.perf_counter()
        status = _score(course, assignment, student, seconds, "; ".join(notes.get(key, [])))
        # typeshed's Counter holds ints; Counter adds seconds as floats (documented)
        phases["score"] += time.perf_counter() - scoring  # type: ignore[assignment]
        finish(key, status)

    if bar:
        bar.__enter__()
    try:
        decode = functools.partial(  # an existing cluster's workers may run another grader
            receive_outcome, expected_grader=grader_signature(policy, fresh=True),
            expected_versions=grader_versions()) if options.scheduler else receive_outcome
        fast_paths = (nbgrader_fast_paths() if enabled("nbgrader_fast_paths")
                      else contextlib.nullcontext())
        with fast_paths, Executor(_execute_with_retries, options.workers, options.use_dask,
                                  options.scheduler, options.tls_dir, decode) as executor:
            for assignment, chosen in classes.items():
                for student in chosen:
                    key = (assignment, student)
                    started[key] = preparing = time.perf_counter()
                    tasks, problem = _prepare(course, assignment, student, policy)
                    phases["prepare"] += (  # type: ignore[assignment]  # as phases["score"]
                        time.perf_counter() - preparing)
                    if problem:
                        finish(key, GradingStatus(student, assignment, FAILED, message=problem))
                        continue
                    pending[key] = len(tasks)
                    executed = state / "executed"
                    if not options.fresh and all(reusable(task, executed_path(
                            executed, assignment, student, task.notebook)) for task in tasks):
                        for task in tasks:
                            on_done(ExecutionOutcome(task.student, task.assignment,
                                                     task.notebook, True, 0.0))
                        continue
                    for task in tasks:
                        executor.submit(task)
                    for outcome in executor.collect(block=False):
                        on_done(outcome)
            while executor.pending:
                for outcome in executor.collect(block=True):
                    on_done(outcome)
    finally:
        if bar:
            bar.__exit__(None, None, None)
    return {assignment: [statuses[(assignment, student)] for student in chosen]
            for assignment, chosen in classes.items()}


def grade_submission(course: Course, assignment: str, student: str) -> GradingStatus:
    """Grade one student's submission (regrading never touches another student's grades)."""
    (status,) = grade_assignment(course, assignment, [student],
                                 options=GradingOptions(progress=False))
    return status

