"""The forgery corpus: attacks on the grade itself, through every grading path.

Each student below is written as an attacker would write the notebook (`forgery_code`), graded
in one batch beside honest classmates — the instructor's solution and a realistic partial
solution (`s04_no_zero_grad`), whose per-test scores must be exactly what they score alone —
and must earn nothing it did not earn honestly, with the status *graded*.

================  ===================  ========================================  ===================
class             students             attacks                                   expected
================  ===================  ========================================  ===================
forged scores     f01–f13, blank       nothing; an execute_result in every test  graded, 0 of 18
                  notebooks            cell from a pre_run_cell / post_run_cell
                                       hook, an input transformer, a message
                                       sent on the kernel's iopub channel — each
                                       equal to the cell's points, negative and
                                       10× the points; checks replaced by
                                       functions returning True / 2 / printing
                                       "✓ …"; a forged evidence record;
                                       display / publish_display_data /
                                       sys.displayhook, the display publisher
                                       sending execute_results
trusted answers,  t01–t03, the         the reference as a default argument, in   0 for the tests of
ps01              solution with one    a closure, in a helper table;             the changed
                  function changed     require_own_function's search patched     functions, every
                                       out, then the reference called; the       other point kept
                                       reference looked up by name when called
trusted answers,  p01–p04, blank       untrained models with                     graded, 0
ps05              notebooks            lrcore.classification.accuracy patched
                                       (in lrcore, in the checks' module, in
                                       every module of sys.modules);
                                       run_challenge patched to report a pass;
                                       a challenge config holding a lambda and
                                       a class
secrets           x01, x02, blank      when graded: import autograder.samples;   graded, 0 (as
                  notebooks            read the samples, source/, hidden_cases/  blank); no secret,
                                       through every path it finds (course,      solution line or
                                       checkout, home, the grader                pool case in its
                                       distribution's metadata), the course      outputs or feedback
                                       secret (environment, /proc, files),
                                       other students' submissions and draws,
                                       and answer with any solution found;
                                       print its own drawn hidden cases
every path        nbgrader autograde   f02, t01 and x01 beside the honest        the scores above;
                  (subprocess), the    s04_no_zero_grad                          the course secret
                  Formgrader's                                                   (in a file, in the
                  autograde endpoint                                             server's home) in
                  (HTTP)                                                         no output
no secret         grade, nbgrader      grading without any course secret         refused in one
                  autograde                                                      sentence, nothing
                                                                                 scored
================  ===================  ========================================  ===================

The course secret of every path must appear in no file the grader wrote (ledger, gradebook,
autograded notebooks, feedback, export, report) and in no output of the commands or the server.
`test_outcome_table` prints what each path made of each student (for the closing notes).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import forgery_code as attack
import nbformat
import pytest
from conftest import REPO, autograded_tests, function_test_points, make_course_copy
from forgery_paths import (
    PathResult,
    cell_output_texts,
    feedback_text,
    files_holding,
    formgrader_autograde,
    grader_environment,
    nbgrader_autograde,
    new_secret,
    scores_per_test,
    write_secret_file,
)
from hostile_notebooks import ASSIGNMENT, Submission, write_submission

from autograder.class_report import write_report
from autograder.course import Course
from autograder.export import export_csv
from autograder.feedback_pages import generate_feedback
from autograder.grade import GradingOptions, grade_assignment
from autograder.hidden import cases_for
from autograder.judge import CHECK_FAILED, VERIFICATION_ERROR, is_autograded_test
from autograder.release import release_assignment
from autograder.samples import Sample, build_notebook, samples_for
from autograder.sandbox import SandboxSettings
from autograder.status import GRADED, GradingStatus

pytestmark = [
    pytest.mark.grading, pytest.mark.slow,
    pytest.mark.filterwarnings("ignore::nbformat.warnings.MissingIDFieldWarning"),
]

PS05 = "ps05_adaptive_optimizers"
POLICY = SandboxSettings(memory_bytes="1.5 GiB", wall_seconds=600, cell_timeout=240)
"""Limits that never stop an honest notebook on a loaded 2-core machine (ps05's solution trains
a few small networks); no attack here loops."""
SOLUTION, PARTIAL = "s01_solution", "s04_no_zero_grad"
FORGED, TRUSTED, SECRETS = "forged score", "trusted answer", "secrets"


def _source(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def check_points(assignment: str) -> dict[str, float]:
    """Each check a test cell calls → that cell's points (what `@POINTS@` gives the attacks)."""
    found: dict[str, float] = {}
    for cell in _source(assignment).cells:
        if is_autograded_test(cell):
            for name in re.findall(r"check_\w+", cell.source):
                found.setdefault(name, float(cell.metadata["nbgrader"]["points"]))
    return found


def answer_cells(assignment: str) -> list[str]:
    """The grade ids of the code cells a student writes."""
    return [cell.metadata["nbgrader"]["grade_id"] for cell in _source(assignment).cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")]


@dataclass(frozen=True)
class Attack:
    """One attacker: its notebook, and the tests whose points it must not get — every test for
    a blank notebook; `targets` for a solution with something changed."""

    student: str
    family: str
    what: str
    submission: Submission
    values: Mapping[str, str] = field(default_factory=dict)
    targets: frozenset[str] = frozenset()

    def expected(self, points: Mapping[str, float]) -> dict[str, float]:
        return {test: 0.0 if self.submission.blank or test in self.targets else value
                for test, value in points.items()}


def _forged(student: str, what: str, cell: str, factor: int) -> Attack:
    return Attack(student, FORGED, what, Submission(blank=True, extra=cell),
                  {"FACTOR": str(factor)})


GRADIENT_DESCENT = frozenset({"test_gradient_descent_numpy"})
OPTIMIZE = frozenset({"test_optimize_published_values", "test_optimize_unseen_runs"})
REGRESSION = frozenset({"test_regression_loss_curves"})
EVERY_FUNCTION = GRADIENT_DESCENT | OPTIMIZE | REGRESSION | frozenset({
    "test_divergence_threshold_on_paper", "test_divergence_threshold_by_experiment",
    "test_iterations_needed", "test_noisy_descent", "test_descent_2d"})
"""Every ps01 test whose check is given a function: a notebook that imports importlib (or uses
exec, eval, …) anywhere could have redefined any of them, so the judge follows none."""
ACCURACY = frozenset({"test_train_classifier", "test_four_runs_accuracy"})
CHALLENGE = frozenset({"test_challenge_passes_seed0", "test_challenge_passes_other_seed"})

EQUAL, NEGATIVE, ABOVE = 1, -1, 10
ATTACKS = (
    Attack("f01_blank", FORGED, "the release, untouched", Submission(blank=True)),
    _forged("f02_hook_equal", "pre_run_cell hook: displayhook(points)", attack.HOOK_DISPLAYHOOK,
            EQUAL),
    _forged("f03_hook_negative", "post_run_cell hook: displayhook(-points)",
            attack.HOOK_AFTER_CELL, NEGATIVE),
    _forged("f04_hook_above", "pre_run_cell hook: displayhook(10×points)",
            attack.HOOK_DISPLAYHOOK, ABOVE),
    _forged("f05_transformer_equal", "input transformer: the test cell becomes `points`",
            attack.TRANSFORMER_REPLACE, EQUAL),
    _forged("f06_transformer_negative", "input transformer: try/except + `-points`",
            attack.TRANSFORMER_APPEND, NEGATIVE),
    _forged("f07_transformer_above", "input transformer: try/except + `10×points`",
            attack.TRANSFORMER_APPEND, ABOVE),
    _forged("f08_iopub_equal", "execute_result(points) sent on iopub",
            attack.IOPUB_EXECUTE_RESULT, EQUAL),
    _forged("f09_iopub_negative", "execute_result(-points) sent on iopub",
            attack.IOPUB_EXECUTE_RESULT, NEGATIVE),
    _forged("f10_iopub_above", "execute_result(10×points) sent on iopub",
            attack.IOPUB_EXECUTE_RESULT, ABOVE),
    _forged("f11_checks_return_values", "checks return True / 2 / print ✓",
            attack.PATCHED_CHECKS, EQUAL),
    _forged("f12_forged_evidence", "checks publish a made-up evidence record",
            attack.FORGED_EVIDENCE, EQUAL),
    _forged("f13_display_tricks", "display / publish_display_data / sys.displayhook",
            attack.DISPLAY_TRICKS, EQUAL),
    Attack("t01_reference_hidden", TRUSTED,
           "reference as default argument, in a closure, in a helper table",
           Submission(cells={"gradient_descent_numpy": attack.REFERENCE_AS_DEFAULT,
                             "optimize": attack.REFERENCE_IN_CLOSURE,
                             "train_linear_regression": attack.REFERENCE_IN_HELPER_TABLE}),
           targets=EVERY_FUNCTION),
    Attack("t02_guard_patched", TRUSTED,
           "require_own_function's search patched out, then the reference called",
           Submission(cells={"gradient_descent_numpy": attack.PATCHED_OWN_FUNCTION_GUARD}),
           # find_divergence_threshold calls gradient_descent_numpy: it reaches the reference too
           targets=GRADIENT_DESCENT | {"test_divergence_threshold_by_experiment"}),
    Attack("t03_reference_by_name", TRUSTED, "the reference looked up by name when called",
           Submission(cells={"optimize": attack.REFERENCE_LOOKED_UP_BY_NAME}),
           targets=EVERY_FUNCTION),
    Attack("x01_steals_secrets", SECRETS,
           "reads samples, source/, pools, the course secret, others' draws; answers with them",
           Submission(blank=True, extra=attack.STEAL_SECRETS,
                      cells={gid: f'_answer("{gid}")' for gid in answer_cells(ASSIGNMENT)})),
    Attack("x02_prints_own_cases", SECRETS, "prints its environment and its drawn hidden cases",
           Submission(blank=True, extra=attack.PRINT_OWN_HIDDEN_CASES)),
)
BY_STUDENT = {a.student: a for a in ATTACKS}


def _ps05(student: str, what: str, cell: str, source: str, targets: frozenset[str]) -> Attack:
    return Attack(student, TRUSTED, what, Submission(
        blank=True, cells={cell: source}, assignment=PS05, name=f"{PS05}.ipynb"),
        targets=targets)


PS05_ATTACKS = (
    _ps05("p01_untrained_patched_accuracy", "untrained models, accuracy patched in lrcore and "
          "the checks", "train_classifier", attack.PS05_UNTRAINED_MODELS, ACCURACY),
    _ps05("p02_accuracy_via_sys_modules", "untrained models, every accuracy in sys.modules "
          "patched", "four_runs", attack.PS05_ACCURACY_VIA_SYS_MODULES, ACCURACY),
    _ps05("p03_patched_run_challenge", "a config that fails, run_challenge patched to pass",
          "challenge_config", attack.PS05_PATCHED_RUN_CHALLENGE, CHALLENGE),
    _ps05("p04_callable_config", "a challenge config holding a lambda and a class",
          "challenge_config", attack.PS05_CALLABLE_CONFIG, CHALLENGE),
)
PATH_CLASS = (PARTIAL, "f02_hook_equal", "t01_reference_hidden", "x01_steals_secrets")
"""One student per class, and the honest partial solution: what every other path grades."""


def sample(assignment: str, student: str) -> Sample:
    """An honest sample student of `autograder.samples`."""
    return next(s for s in samples_for(assignment) if s.student == student)


def honest_expected(assignment: str, student: str) -> dict[str, float]:
    """What the sample scores per test (what it scores graded alone)."""
    failing = sample(assignment, student).failing_tests
    return {test: 0.0 if test in failing else value
            for test, value in autograded_tests(assignment).items()}


def expected_scores(assignment: str, student: str) -> dict[str, float]:
    """What an attacker or an honest sample must score per test, whatever the path."""
    attacker = BY_STUDENT.get(student) or next(
        (a for a in PS05_ATTACKS if a.student == student), None)
    if attacker is None:
        return honest_expected(assignment, student)
    return attacker.expected(autograded_tests(assignment))


def write_honest(course: Course, assignment: str, student: str) -> None:
    """Submit the honest sample's notebook, as `write_inbox` + `collect` would."""
    folder = course.submitted_dir / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(build_notebook(course, assignment, assignment, sample(assignment, student)),
                   folder / f"{assignment}.ipynb")


def placeholders(course: Course, secret_file: Path) -> dict[str, str]:
    """The values of the attacks' `@KEY@` placeholders in this course."""
    token = uuid.uuid4().hex[:8]
    return {"ROOT": str(course.root), "REPO": str(REPO), "MARK": f"/tmp/lrlab-forgery-{token}",
            "COMM": f"lrlab-{token}", "POINTS": repr(check_points(ASSIGNMENT)),
            "SECRET_FILE": str(secret_file), "FACTOR": "1"}


def write_attacks(course: Course, attacks: list[Attack], values: Mapping[str, str]) -> None:
    """Submit each attacker's notebook."""
    for attacker in attacks:
        write_submission(course, course.submitted_dir / attacker.student
                         / attacker.submission.assignment,
                         attacker.submission, {**values, **attacker.values})


def default_secret_file(course: Course, home: Path) -> Path:
    """Where `python -m autograder secret --create` puts the secret for a grader whose home is
    `home`."""
    course_id = str(course.config.CourseDirectory.course_id)
    return home / ".config" / "learning-rate-lab" / f"{course_id}.secret"


# --- the CLI path: one batch --------------------------------------------------------------------


@dataclass
class Batch:
    """A class graded by `grade_assignment` (what `python -m autograder grade` runs)."""

    course: Course
    assignment: str
    statuses: dict[str, GradingStatus]
    alone: dict[str, dict[str, float | None]]
    secret: str
    seconds: float


def _statuses(course: Course, assignment: str,
              students: list[str] | None = None) -> dict[str, GradingStatus]:
    return {s.student: s for s in grade_assignment(course, assignment, students,
                                                   options=GradingOptions(workers=2,
                                                                          progress=False,
                                                                          sandbox=POLICY,
                                                                          fresh=True))}


@pytest.fixture(scope="session")
def cli_batch(tmp_path_factory) -> Batch:
    """ps01: the two honest students graded alone, then the whole class graded in one batch
    (`workers=2`), then feedback, the CSV export and the report written."""
    root = tmp_path_factory.mktemp("forgery-cli")
    course = Course(make_course_copy(root / "course"))
    release_assignment(course, ASSIGNMENT)
    for student in (SOLUTION, PARTIAL):
        write_honest(course, ASSIGNMENT, student)
    _statuses(course, ASSIGNMENT, [SOLUTION, PARTIAL])
    alone = {s: scores_per_test(course, ASSIGNMENT, s) for s in (SOLUTION, PARTIAL)}
    write_attacks(course, list(ATTACKS), placeholders(
        course, default_secret_file(course, Path.home())))
    started = time.perf_counter()
    statuses = _statuses(course, ASSIGNMENT)
    seconds = time.perf_counter() - started
    generate_feedback(course, ASSIGNMENT)
    export_csv(course, course.root / "exports" / "grades.csv", [ASSIGNMENT])
    write_report(course, course.root / "reports", [ASSIGNMENT])
    return Batch(course, ASSIGNMENT, statuses, alone, os.environ["LRLAB_COURSE_SECRET"], seconds)


@pytest.fixture(scope="session")
def ps05_batch(tmp_path_factory) -> Batch:
    """ps05: the instructor's solution and the ps05 attackers, in one batch."""
    course = Course(make_course_copy(tmp_path_factory.mktemp("forgery-ps05") / "course"))
    release_assignment(course, PS05)
    write_honest(course, PS05, SOLUTION)
    write_attacks(course, list(PS05_ATTACKS), placeholders(course, Path("/nonexistent")))
    started = time.perf_counter()
    statuses = _statuses(course, PS05)
    return Batch(course, PS05, statuses, {}, os.environ["LRLAB_COURSE_SECRET"],
                 time.perf_counter() - started)


def test_every_function_names_each_test_given_a_function():
    """EVERY_FUNCTION keeps up with the notebook: a new task whose check takes a function is
    one more test an unfollowable notebook must lose."""
    assert set(function_test_points(ASSIGNMENT)) == EVERY_FUNCTION


@pytest.mark.parametrize("attacker", ATTACKS, ids=lambda a: a.student)
def test_an_attack_earns_nothing_unearned(cli_batch, attacker):
    status = cli_batch.statuses[attacker.student]
    assert status.status == GRADED, status.message
    scores = scores_per_test(cli_batch.course, ASSIGNMENT, attacker.student)
    expected = attacker.expected(autograded_tests(ASSIGNMENT))
    assert scores == expected, "unearned points (test: got vs expected): " + ", ".join(
        f"{test}: {scores.get(test)} vs {value}" for test, value in expected.items()
        if scores.get(test) != value)


@pytest.mark.parametrize("student", [SOLUTION, PARTIAL])
def test_honest_classmates_score_in_the_batch_what_they_score_alone(cli_batch, student):
    assert cli_batch.statuses[student].status == GRADED, cli_batch.statuses[student].message
    in_batch = scores_per_test(cli_batch.course, ASSIGNMENT, student)
    assert in_batch == cli_batch.alone[student] == honest_expected(ASSIGNMENT, student)


@pytest.mark.parametrize("student", [SOLUTION, PARTIAL, *BY_STUDENT])
def test_only_the_judge_writes_the_test_cells_outputs(cli_batch, student):
    """No kernel output survives in an autograded test cell: the judge's ✓ lines (stdout) and at
    most one error of its own — never an execute_result, a display or stderr."""
    path = cli_batch.course.autograded_dir / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    kept = []
    for cell in nbformat.read(path, as_version=4).cells:
        if not is_autograded_test(cell):
            continue
        for output in cell.outputs:
            kind = output.output_type
            if not ((kind == "stream" and output.name == "stdout")
                    or (kind == "error" and output.ename in (CHECK_FAILED, VERIFICATION_ERROR))):
                kept.append(f"{cell.metadata['nbgrader']['grade_id']}: {kind}")
    assert kept == []


SOLUTION_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.DOTALL)


def solution_lines(assignment: str) -> list[str]:
    """Distinctive lines of the complete solutions — the source's solution regions and the
    samples' correct cells — that the release does not show (a leak of either would show one
    of them)."""
    from autograder.samples import ps01

    code = [region for cell in _source(assignment).cells if cell.cell_type == "code"
            for region in SOLUTION_REGION.findall(cell.source)]
    code += list(ps01.DIFFERENT_CELLS.values())
    released = nbformat.read(REPO / "release" / assignment / f"{assignment}.ipynb", 4)
    shown = {line.strip() for cell in released.cells for line in cell.source.splitlines()}
    return sorted({line.strip() for text in code for line in text.splitlines()
                   if len(line.strip()) >= 30 and line.strip() not in shown})


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def case_markers(cases: list[dict]) -> list[str]:
    """Hidden cases as they would show when leaked (their parameters, compact JSON): only the
    cases whose parameters are a list or a dict — a lone number could appear by chance."""
    return sorted({_compact(json.dumps(case["params"])) for case in cases
                   if isinstance(case["params"], list | dict)})


def pool_markers(course: Course, assignment: str) -> list[str]:
    """Every case of the assignment's pool file (`hidden_cases/<assignment>.json`)."""
    pools = json.loads((course.root / "hidden_cases" / f"{assignment}.json").read_text())
    return case_markers([case for pool in pools["pools"].values()
                         for case in [*pool["always"], *pool["candidates"]]])


def leaks(text: str, secret: str, course: Course, assignment: str) -> list[str]:
    """What of the grader's secrets `text` holds: the course secret, solution lines, pool
    cases."""
    found = ["the course secret"] if secret in text else []
    found += [f"solution line {line!r}" for line in solution_lines(assignment) if line in text]
    compact = _compact(text)
    found += [f"pool case {marker}" for marker in pool_markers(course, assignment)
              if marker in compact]
    return found


def test_a_notebook_that_steals_finds_no_secret_and_shows_none(cli_batch):
    course = cli_batch.course
    student = "x01_steals_secrets"
    said = cell_output_texts(course, ASSIGNMENT, student)
    assert "graded: True" in said  # it did run its search while graded
    shown = said + "\n" + feedback_text(course, ASSIGNMENT, student)
    assert leaks(shown, cli_batch.secret, course, ASSIGNMENT) == []


def test_the_hidden_cases_a_notebook_shows_itself_are_those_of_that_submission_only(cli_batch):
    """A notebook can print the arguments it is called with into its own feedback; the cases
    are drawn for the submission (its cells' sources), so a resubmission with a lookup table of
    them — any change at all — meets other cases. A regrade of the same submission keeps them."""
    import nbformat

    from autograder.execution import notebook_fingerprint

    course, student = cli_batch.course, "x02_prints_own_cases"
    graded = nbformat.read(course.autograded_dir / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb",
                           as_version=4)
    key = notebook_fingerprint(graded)
    drawn = cases_for(course, ASSIGNMENT, student, key)
    shown = _compact(cell_output_texts(course, ASSIGNMENT, student) + "\n"
                     + feedback_text(course, ASSIGNMENT, student))
    flat = [case for cases in drawn.values() for case in cases]
    assert [marker for marker in case_markers(flat) if marker in shown]  # it did show them
    assert cases_for(course, ASSIGNMENT, student, key) == drawn  # a regrade: the same
    graded.cells.append(nbformat.v4.new_code_cell("TABLE = {}  # the lookup table"))
    resubmitted = cases_for(course, ASSIGNMENT, student, notebook_fingerprint(graded))
    changed = [pool for pool in drawn if resubmitted[pool] != drawn[pool]]
    assert len(changed) >= len(drawn) // 2, changed


def test_the_course_secret_is_in_no_file_the_grader_wrote(cli_batch):
    """Ledger, gradebook, autograded and executed notebooks, feedback, export, report."""
    course = cli_batch.course
    assert (course.root / "exports" / "grades.csv").is_file()
    assert list((course.root / "feedback").rglob("*.html"))
    assert files_holding(course.root, cli_batch.secret) == []


# --- ps05 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("attacker", PS05_ATTACKS, ids=lambda a: a.student)
def test_a_ps05_attack_earns_nothing_unearned(ps05_batch, attacker):
    status = ps05_batch.statuses[attacker.student]
    assert status.status == GRADED, status.message
    scores = scores_per_test(ps05_batch.course, PS05, attacker.student)
    assert {test: scores.get(test) for test in attacker.targets} == dict.fromkeys(
        attacker.targets, 0.0)
    assert scores == attacker.expected(autograded_tests(PS05))


def test_the_ps05_solution_keeps_every_point(ps05_batch):
    status = ps05_batch.statuses[SOLUTION]
    assert status.status == GRADED, status.message
    assert scores_per_test(ps05_batch.course, PS05, SOLUTION) == autograded_tests(PS05)


# --- nbgrader's own entry points -------------------------------------------------------------


@dataclass
class PathRun:
    """One class graded through one of nbgrader's entry points."""

    name: str
    course: Course
    result: PathResult
    secret: str
    seconds: float


def _path_course(root: Path) -> Course:
    """A copy of the course with ps01 released and the honest partial solution submitted."""
    course = Course(make_course_copy(root / "course"))
    release_assignment(course, ASSIGNMENT)
    write_honest(course, ASSIGNMENT, PARTIAL)
    return course


@pytest.fixture(scope="session")
def nbgrader_path(tmp_path_factory) -> PathRun:
    """`nbgrader autograde ps01_constant_lr --force` in a copy of the course, the course secret
    in a file named by LRLAB_COURSE_SECRET_FILE."""
    root = tmp_path_factory.mktemp("forgery-nbgrader")
    course = _path_course(root)
    secret = new_secret("nbgrader")
    secret_file = write_secret_file(root / "grader-secrets" / "course.secret", secret)
    write_attacks(course, [BY_STUDENT[s] for s in PATH_CLASS if s in BY_STUDENT],
                  placeholders(course, secret_file))
    started = time.perf_counter()
    result = nbgrader_autograde(course, ASSIGNMENT, grader_environment(
        LRLAB_COURSE_SECRET_FILE=str(secret_file)))
    return PathRun("nbgrader autograde", course, result, secret, time.perf_counter() - started)


@pytest.fixture(scope="session")
def formgrader_path(tmp_path_factory) -> PathRun:
    """The Formgrader's *Autograde* request for each student, to JupyterLab started on
    127.0.0.1 in a copy of the course; the course secret in the server's home, where
    `python -m autograder secret --create` writes it."""
    root = tmp_path_factory.mktemp("forgery-formgrader")
    course = _path_course(root)
    home = root / "grader-home"
    secret = new_secret("formgrader")
    secret_file = write_secret_file(default_secret_file(course, home), secret)
    write_attacks(course, [BY_STUDENT[s] for s in PATH_CLASS if s in BY_STUDENT],
                  placeholders(course, secret_file))
    started = time.perf_counter()
    result = formgrader_autograde(course, ASSIGNMENT, PATH_CLASS, root / "server",
                                  grader_environment(HOME=str(home)))
    return PathRun("formgrader", course, result, secret, time.perf_counter() - started)


PATHS = {"nbgrader-autograde": "nbgrader_path", "formgrader": "formgrader_path"}


@pytest.mark.parametrize("student", PATH_CLASS)
@pytest.mark.parametrize("path", PATHS)
def test_every_path_scores_only_what_was_earned(request, path, student):
    run: PathRun = request.getfixturevalue(PATHS[path])
    if run.result.returncode is not None:
        assert run.result.returncode == 0, run.result.output[-3000:]
    if run.result.succeeded:
        assert run.result.succeeded[student], f"{path} reports a failure for {student}"
    assert scores_per_test(run.course, ASSIGNMENT, student) == expected_scores(ASSIGNMENT,
                                                                               student)


@pytest.mark.parametrize("path", PATHS)
def test_every_path_keeps_the_secrets(request, path):
    """The course secret is in no output of the command or the server and in no file it
    wrote; the notebook that steals shows no secret, solution line or pool case."""
    run: PathRun = request.getfixturevalue(PATHS[path])
    assert run.secret not in run.result.output
    assert files_holding(run.course.root, run.secret) == []
    said = cell_output_texts(run.course, ASSIGNMENT, "x01_steals_secrets")
    assert "graded: True" in said
    assert leaks(said, run.secret, run.course, ASSIGNMENT) == []


# --- no course secret -----------------------------------------------------------------------


@dataclass
class Secretless:
    """What each command did in a course without a course secret: its output, and the scores
    and autograded folder it left (the CLI's, read before nbgrader ran)."""

    course: Course
    cli: subprocess.CompletedProcess
    cli_scores: dict[str, float | None]
    cli_autograded: bool
    nbgrader: PathResult


@pytest.fixture(scope="module")
def secretless(tmp_path_factory) -> Secretless:
    """A course with one submission and no course secret anywhere (no variable, an empty
    home): graded by `python -m autograder grade`, then by `nbgrader autograde`."""
    root = tmp_path_factory.mktemp("forgery-secretless")
    course = _path_course(root)
    env = grader_environment(HOME=str(root / "empty-home"))
    cli = subprocess.run([sys.executable, "-m", "autograder", "--course", str(course.root),
                          "grade", ASSIGNMENT, "--quiet", "--workers", "1"],
                         env=env, capture_output=True, text=True, timeout=600)
    cli_scores = scores_per_test(course, ASSIGNMENT, PARTIAL)
    cli_autograded = (course.autograded_dir / PARTIAL).exists()
    return Secretless(course, cli, cli_scores, cli_autograded,
                      nbgrader_autograde(course, ASSIGNMENT, env, timeout=600))


def _sentences(text: str) -> int:
    return len(re.findall(r"[.!?](?:\s|$)", text.strip()))


def test_grade_refuses_without_a_course_secret(secretless):
    said = secretless.cli.stderr.strip()
    assert secretless.cli.returncode == 2, secretless.cli.stdout + said
    assert len(said.splitlines()) == 1 and "Traceback" not in said, said
    assert "course secret" in said and "secret --create" in said, said
    assert _sentences(said) <= 2, said
    assert secretless.cli_scores == {} and not secretless.cli_autograded


def test_nbgrader_autograde_refuses_without_a_course_secret(secretless):
    said = secretless.nbgrader.output
    assert secretless.nbgrader.returncode != 0
    assert not any(scores_per_test(secretless.course, ASSIGNMENT, PARTIAL).values())
    assert "there is no course secret" in said and "secret --create" in said


def test_nbgrader_autograde_says_it_once_without_a_traceback(secretless):
    """The refusal is one sentence for the instructor, not a traceback per submission."""
    said = secretless.nbgrader.output
    assert said.count("there is no course secret") == 1 and "Traceback" not in said, said[-3000:]


# --- what each path made of each student ------------------------------------------------------


def _rows(course: Course, assignment: str, students: list[str],
          statuses: Mapping[str, GradingStatus] | None) -> list[tuple[str, str, str]]:
    rows = []
    total = sum(autograded_tests(assignment).values())
    for student in students:
        scores = scores_per_test(course, assignment, student)
        status = statuses.get(student) if statuses else None
        if status is not None and status.status != GRADED:
            score = "failed"
        elif not scores or any(value is None for value in scores.values()):
            score = "-"
        else:
            score = f"{sum(scores.values()):g}/{total:g}"
        rows.append((student, score, status.message if status else ""))
    return rows


OUTCOME_SOURCES = {"cli": "cli_batch", "cli-ps05": "ps05_batch", **PATHS}


@pytest.mark.parametrize("path", OUTCOME_SOURCES)
def test_outcome_table(request, path, capsys):
    run = request.getfixturevalue(OUTCOME_SOURCES[path])
    if isinstance(run, Batch):
        rows = _rows(run.course, run.assignment, sorted(run.statuses), run.statuses)
        seconds = run.seconds
    else:
        rows = _rows(run.course, ASSIGNMENT, list(PATH_CLASS), None)
        seconds = run.seconds
    width = max(len(student) for student, *_ in rows)
    lines = [f"forgery corpus, {path}: {len(rows)} submissions graded in {seconds:.0f} s"]
    lines += [f"  {student:<{width}}  {path:<18}  {score:>7}  {message}"
              for student, score, message in rows]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert all(score != "failed" for _, score, _ in rows)
