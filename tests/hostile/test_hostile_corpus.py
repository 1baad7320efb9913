"""The hostile-submission corpus, graded as one class through the real pipeline.

Every row of `CASES` is one student of ps01 whose notebook is the instructor's solution with
something hostile added or changed (see `hostile_code`), and what grading must make of it:
its status, the tests that must lose their points (a *failed* submission gets none), and the
words its status message or cell outputs must show — plus words they must never show. The
whole class, with the sample solution `s01_solution` beside it, is graded once with
`grade_assignment(workers=2)` under a lowered `SandboxSettings`; then each row is checked, and so
is what must hold for the class as a whole: the solution keeps its full score, nothing was
written outside the sandbox, and no process of the notebooks is left on the machine.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import hostile_code as code
import nbformat
import pytest
from conftest import REPO, autograded_tests, function_test_points, make_course_copy
from hostile_notebooks import ASSIGNMENT, NOTEBOOK, Submission, write_submission

from autograder.course import Course
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment
from autograder.results import grade_rows
from autograder.samples import build_notebook, samples_for
from autograder.sandbox import SandboxSettings

pytestmark = [
    pytest.mark.grading, pytest.mark.slow,
    # the corpus's own notebooks: cells without ids (nbformat 3), duplicated ids
    pytest.mark.filterwarnings("ignore::nbformat.warnings.MissingIDFieldWarning"),
    pytest.mark.filterwarnings("ignore::nbformat.warnings.DuplicateCellId"),
]

POLICY = SandboxSettings(memory_bytes="1.5 GiB", wall_seconds=120, cell_timeout=20)
"""Lowered limits so the corpus grades in minutes; the messages name these numbers."""
GRADED, FAILED = "graded", "failed"
SIGN = frozenset({"test_gradient_descent_numpy", "test_divergence_threshold_by_experiment"})
REGRESSION = frozenset({"test_regression_loss_curves", "test_sweep_figure_lines"})
FUNCTIONS = frozenset(function_test_points(ASSIGNMENT))
"""Every test whose check is given a function. A notebook that reaches into the interpreter
(builtins, IPython's shell, a __code__ or __path__) could have redefined any of them: the judge
follows none of them (`autograder.own_code`), and every one scores 0."""
CANNOT_FOLLOW = "which the grader cannot follow"
SOLUTION = "s01_solution"
EVERY_TEST = frozenset(
    cell.metadata["nbgrader"]["grade_id"]
    for cell in nbformat.read(REPO / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", 4).cells
    if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"))


@dataclass(frozen=True)
class Case:
    """One hostile student and what grading must make of it."""

    student: str
    what: str
    submission: Submission
    status: str
    failing: frozenset[str] = frozenset()
    words: str = ""
    never: tuple[str, ...] = ()


CASES = (
    # --- time ---------------------------------------------------------------------------------
    Case("h01_infinite_loop", "an endless loop in a cell of its own",
         Submission(extra=code.INFINITE_LOOP), GRADED, words="a cell ran longer than 20 s"),
    Case("h02_sleep_in_answer", "time.sleep(10_000) instead of an answer",
         Submission(cells={"gradient_descent_numpy": code.SLEEP_FOREVER}), GRADED, SIGN,
         words="a cell ran longer than 20 s"),
    Case("h03_uninterruptible", "a loop that ignores the interrupt",
         Submission(extra=code.UNINTERRUPTIBLE), FAILED,
         words="a cell ran longer than 20 s and could not be stopped"),
    Case("h04_whole_notebook_too_long", "seven 18 s cells: each under the cell limit",
         Submission(edit=code.slow_cells), FAILED,
         words="the whole notebook took longer than 120 s"),
    # --- memory and processes ---------------------------------------------------------------------
    Case("h05_memory_bomb", "allocates 64 MiB after 64 MiB",
         Submission(extra=code.MEMORY_BOMB), FAILED, words="used more than 1.5 GiB of memory"),
    Case("h06_huge_allocation", "one impossible numpy array (refused at once)",
         Submission(extra=code.HUGE_ALLOCATION), GRADED, words="Unable to allocate"),
    Case("h07_fork_bomb", "os.fork() forever", Submission(extra=code.FORK_BOMB), FAILED,
         words="the notebook started more than 256 processes"),
    Case("h08_thread_bomb", "threads forever", Submission(extra=code.THREAD_BOMB), FAILED,
         words="the notebook started more than 256 processes"),
    Case("h09_daemon", "a double-forked daemon in its own session",
         Submission(extra=code.DAEMON), GRADED, words="daemon started"),
    # --- the kernel dies -------------------------------------------------------------------------
    Case("h10_os_exit", "os._exit(1)", Submission(extra=code.OS_EXIT), FAILED,
         words="the kernel exited with status 1"),
    Case("h11_sys_exit", "sys.exit() (IPython catches it)", Submission(extra=code.SYS_EXIT),
         GRADED, words="SystemExit"),
    Case("h12_segfault", "a NULL read through ctypes", Submission(extra=code.SEGFAULT), FAILED,
         words="the kernel died (segmentation fault)"),
    Case("h13_abort", "os.abort()", Submission(extra=code.ABORT), FAILED,
         words="the kernel died (aborted)"),
    Case("h14_killed_mid_notebook", "SIGKILL after some tests have passed",
         Submission(edit=code.kill_mid_notebook), FAILED, words="the kernel was killed"),
    # --- the file system --------------------------------------------------------------------------
    Case("h15_write_course", "writes to the course: gradebook, source/, other students",
         Submission(extra=code.WRITE_COURSE), GRADED, words="blocked:", never=("WROTE",)),
    Case("h16_write_gradebook_sql", "UPDATE grade SET manual_score = 99",
         Submission(extra=code.WRITE_GRADEBOOK_SQL), GRADED, words="blocked:",
         never=("WROTE",)),
    Case("h17_write_host_tmp", "writes to /tmp (its own private /tmp)",
         Submission(extra=code.WRITE_HOST_TMP), GRADED, words="pwned"),
    Case("h18_write_packages", "rewrites lrcore, lrchecks, numpy, /etc",
         Submission(extra=code.WRITE_PACKAGES), GRADED, FUNCTIONS, words="blocked:",
         never=("WROTE",)),
    Case("h19_read_hidden_tests", "reads source/, its own notebook, /tmp for hidden tests",
         Submission(extra=code.READ_HIDDEN_TESTS), GRADED, words="no hidden tests found",
         never=("READ ", "BEGIN HIDDEN", "check_optimize_unseen")),
    Case("h20_read_other_students", "lists submitted/, autograded/, .grading/",
         Submission(extra=code.READ_OTHER_STUDENTS), GRADED, words="not readable:",
         never=(SOLUTION, "gradebook.db")),
    Case("h21_network", "connects to 192.0.2.1, 127.0.0.1:5432, DNS, the postgres socket",
         Submission(extra=code.NETWORK), GRADED, words="no network:", never=("CONNECTED",)),
    # --- output -----------------------------------------------------------------------------------
    Case("h22_huge_output", "prints 50 MB", Submission(extra=code.HUGE_OUTPUT), GRADED,
         words="output cut by the grader"),
    Case("h23_stderr_warnings", "warnings on stderr in a student cell",
         Submission(extra=code.STDERR_WARNINGS), GRADED, words="something looks odd"),
    Case("h24_patched_print", "print() replaced by a no-op (builtins), and a wrong answer",
         Submission(cells={"gradient_descent_numpy": code.PATCHED_PRINT + code.SIGN_FLIPPED}),
         GRADED, FUNCTIONS, words=CANNOT_FOLLOW),
    # --- wrong answers ----------------------------------------------------------------------------
    Case("h25_nan_inf", "losses of nan and inf",
         Submission(cells={"train_linear_regression": code.NAN_TRAINING}), GRADED, REGRESSION,
         words="nan"),
    Case("h26_wrong_type", "a string instead of an array",
         Submission(cells={"gradient_descent_numpy": code.STRING_ANSWER}), GRADED, SIGN,
         words="not a str"),
    # --- the notebook file ------------------------------------------------------------------------
    Case("h27_corrupt_json", "half a notebook", Submission(raw=code.corrupt_json), FAILED,
         words="is not valid JSON"),
    Case("h28_nbformat_v3", "saved as nbformat 3", Submission(raw=code.as_nbformat_v3), GRADED),
    Case("h29_missing_notebook", "only a text file", Submission(
        name=None, files={"notes.txt": b"I could not finish"}), FAILED,
        words="no notebook named ps01_constant_lr.ipynb was submitted (the folder holds 1 other "
        "file, none a notebook)", never=("notes.txt",)),
    Case("h30_renamed_notebook", "the notebook under another name",
         Submission(name="my_ps01.ipynb"), FAILED,
         words="only 1 notebook under another name", never=("my_ps01",)),
    Case("h31_extra_files", "a module and data beside the notebook", Submission(
        extra="import helper\nprint(helper.greet(), open('data.csv').read())",
        files={"helper.py": b"def greet():\n    return 'helper says hi'\n",
               "data.csv": b"lr,x\n0.1,5.76\n"}), GRADED, words="helper says hi"),
    Case("h32_non_utf8", "bytes that are not UTF-8", Submission(raw=code.non_utf8), FAILED,
         words="is not UTF-8 text"),
    Case("h33_ünïcødé_学生", "a unicode student id", Submission(), GRADED),
    Case("h34_empty_folder", "an empty submission folder",
         Submission(name=None, timestamp=False), FAILED,
         words="the submission folder is empty"),
    # --- nbgrader's cells -------------------------------------------------------------------------
    Case("h35_edited_locked_cell", "setup cell edited to disable a check",
         Submission(cells={"gradient_descent_numpy": code.SIGN_FLIPPED},
                    edit=code.edit_locked_setup), GRADED, SIGN, words="sign is flipped"),
    Case("h36_edited_test_cell", "test cell replaced by a print",
         Submission(cells={"gradient_descent_numpy": code.SIGN_FLIPPED},
                    edit=code.edit_test_cell), GRADED, SIGN, words="sign is flipped"),
    Case("h37_deleted_test_cell", "test cell deleted",
         Submission(cells={"gradient_descent_numpy": code.SIGN_FLIPPED},
                    edit=code.delete_test_cell), GRADED, SIGN, words="sign is flipped"),
    Case("h38_duplicated_grade_id", "a second cell with the test's grade id",
         Submission(cells={"gradient_descent_numpy": code.SIGN_FLIPPED},
                    edit=code.duplicate_test_cell), FAILED,
         words="several cells with the grade id test_gradient_descent_numpy"),
    Case("h39_duplicated_cell_ids", "every cell with the same nbformat id",
         Submission(raw=code.duplicate_cell_ids), GRADED),
    # --- tampering with the in-kernel checks ------------------------------------------------------
    Case("h40_patched_checks", "lrchecks.ps01 functions replaced",
         Submission(cells={"gradient_descent_numpy": code.PATCH_CHECKS}), GRADED, SIGN,
         words="could not be confirmed by the grader"),
    Case("h41_patched_allclose", "np.allclose / isclose / array_equal always true",
         Submission(cells={"gradient_descent_numpy": code.PATCH_ALLCLOSE}), GRADED, SIGN,
         words="sign is flipped"),
    Case("h42_patched_showtraceback", "tracebacks hidden by the shell",
         Submission(cells={"gradient_descent_numpy": code.PATCH_SHOWTRACEBACK}), GRADED,
         FUNCTIONS, words=CANNOT_FOLLOW),
    # The kernel is forked from a template that imported the checks before the notebook ran
    # (autograder/sandbox/zygote.py): the fake package is never imported, the real checks run,
    # and only the flipped sign loses its points. (A kernel started the ordinary way imports
    # the fake package; then the judge refuses every test: "could not be confirmed by the grader".)
    Case("h43_shadow_package", "writes a fake autograder/ package into its working directory",
         Submission(cells={"gradient_descent_numpy": code.SHADOW_PACKAGE}), GRADED, SIGN,
         never=("could not be confirmed",)),
    Case("h44_patched_lrcore", "lrcore's reference replaced by the student's own (wrong) answer",
         Submission(cells={"gradient_descent_numpy": code.PATCH_LRCORE}), GRADED, SIGN,
         words="sign is flipped"),
    Case("h45_redefined_helpers", "compare_run and arrays_match redefined to accept anything",
         Submission(cells={"gradient_descent_numpy": code.REDEFINED_HELPERS}), GRADED, SIGN,
         words="sign is flipped"),
    Case("h46_forged_evidence", "a check replaced by one that publishes a made-up record",
         Submission(cells={"gradient_descent_numpy": code.FORGED_EVIDENCE}), GRADED, SIGN,
         words="could not be confirmed by the grader"),
    Case("h47_swapped_code_objects", "the check's own __code__ replaced in place",
         Submission(cells={"gradient_descent_numpy": code.CODE_SWAPPED}), GRADED, FUNCTIONS,
         words=CANNOT_FOLLOW),
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


def _protected_files(course: Course) -> list[Path]:
    import numpy

    import lrcore

    return [course.root / "nbgrader_config.py",
            course.root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
            Path(*lrcore.__path__) / "quadratic.py",
            REPO / "autograder" / "checks" / "ps01.py",
            Path(numpy.__file__).parent / "pwned.py",
            REPO / "pwned.txt", course.root / "pwned.txt", Path("/etc/pwned")]


@dataclass
class GradedCorpus:
    course: Course
    statuses: dict
    seconds: float
    marker: Path
    comm: str
    digests_before: dict = field(default_factory=dict)


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> GradedCorpus:
    course = Course(make_course_copy(tmp_path_factory.mktemp("hostile") / "course"))
    release_assignment(course, ASSIGNMENT)
    token = uuid.uuid4().hex[:8]
    marker = Path(f"/tmp/lrlab-hostile-{token}.txt")
    values = {"ROOT": str(course.root), "REPO": str(REPO), "MARK": str(marker),
              "COMM": f"lrlab-{token}"}
    solution = next(s for s in samples_for(ASSIGNMENT) if s.student == SOLUTION)
    folder = course.submitted_dir / SOLUTION / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(build_notebook(course, ASSIGNMENT, NOTEBOOK, solution),
                   folder / f"{NOTEBOOK}.ipynb")
    for case in CASES:
        write_submission(course, course.submitted_dir / case.student / ASSIGNMENT,
                         case.submission, values)
    before = {path: _digest(path) for path in _protected_files(course)}
    started = time.perf_counter()
    statuses = {s.student: s for s in grade_assignment(course, ASSIGNMENT,
                                                       options=GradingOptions(workers=2,
                                                                              progress=False,
                                                                              sandbox=POLICY))}
    return GradedCorpus(course, statuses, time.perf_counter() - started, marker,
                        values["COMM"], before)


def scores_of(course: Course, student: str) -> dict[str, float | None]:
    with course.gradebook() as gradebook:
        try:
            submission = gradebook.find_submission(ASSIGNMENT, student)
        except Exception:  # never registered (nbgrader refused the folder)
            return {}
        return {grade.name: grade.auto_score for notebook in submission.notebooks
                for grade in notebook.grades if grade.cell.cell_type == "code"}


def outputs_text(course: Course, student: str) -> str:
    path = course.autograded_dir / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    if not path.is_file():
        return ""
    texts = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            texts += [str(output.get("text", "")), output.get("ename", ""),
                      output.get("evalue", ""), str(output.get("data", {}).get("text/plain", ""))]
    return "\n".join(texts)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.student)
def test_hostile_submission_earns_nothing_unearned(corpus, case):
    status = corpus.statuses[case.student]
    assert status.status == case.status, status.message
    scores = scores_of(corpus.course, case.student)
    if case.status == FAILED:
        assert status.score is None and status.message
        assert not any(scores.values()), f"a failed submission kept points: {scores}"
        return
    points = autograded_tests(ASSIGNMENT)
    expected = {name: 0.0 if name in case.failing else value for name, value in points.items()}
    assert scores == expected, "per test (got vs expected): " + ", ".join(
        f"{name}: {scores.get(name)} vs {value}" for name, value in expected.items()
        if scores.get(name) != value)


@pytest.mark.parametrize("case", [c for c in CASES if c.words or c.never], ids=lambda c: c.student)
def test_outcome_says_what_happened(corpus, case):
    status = corpus.statuses[case.student]
    said = status.message + "\n" + outputs_text(corpus.course, case.student)
    assert case.words.lower() in said.lower(), said[-2000:]
    for word in case.never:
        assert word not in said, f"{word!r} in {said[-2000:]}"


def test_the_solution_graded_beside_the_corpus_keeps_every_point(corpus):
    status = corpus.statuses[SOLUTION]
    assert status.status == GRADED, status.message
    assert scores_of(corpus.course, SOLUTION) == autograded_tests(ASSIGNMENT)
    rows = {row.student: row for row in grade_rows(corpus.course, [ASSIGNMENT])}
    assert rows[SOLUTION].score == status.score == sum(autograded_tests(ASSIGNMENT).values())
    for case in CASES:  # the export agrees with every status, failures are never a 0
        assert rows[case.student].status != FAILED or rows[case.student].score is None


def test_nothing_was_written_outside_the_sandbox(corpus):
    assert not corpus.marker.exists()
    after = {path: _digest(path) for path in _protected_files(corpus.course)}
    assert after == corpus.digests_before
    executed = corpus.course.grading_dir / "executed" / ASSIGNMENT / SOLUTION
    assert [p.name for p in executed.iterdir()] == [f"{NOTEBOOK}.ipynb"]
    assert not (corpus.course.autograded_dir / SOLUTION / ASSIGNMENT / "pwned.txt").exists()


def test_no_process_of_a_notebook_is_left_behind(corpus):
    """No process of the corpus's notebooks runs once grading returned: none named by
    NAME_PROCESS and — as root, where every notebook runs as the sandbox's own uid, which no
    other process has — none with that uid."""
    sandbox_uid = POLICY.sandbox_uid if os.geteuid() == 0 else None
    survivors = []
    for process in Path("/proc").glob("[0-9]*"):
        try:
            named = (process / "comm").read_text().strip() == corpus.comm
            # the real uid (a non-dumpable process's /proc folder is root's, whatever its uid)
            uid = int(next(line for line in (process / "status").read_text().splitlines()
                           if line.startswith("Uid:")).split()[1])
        except (OSError, StopIteration):
            continue
        if named or uid == sandbox_uid:
            survivors.append(process.name)
    assert not survivors, f"processes of the corpus's notebooks still run: {survivors}"


def test_outcome_table(corpus, capsys):
    width = max(len(s) for s in corpus.statuses)
    lines = [f"hostile corpus: {len(corpus.statuses)} submissions graded in "
             f"{corpus.seconds:.0f} s (workers=2, {POLICY})"]
    for student, status in sorted(corpus.statuses.items()):
        score = "-" if status.score is None else f"{status.score:g}/{status.max_score:g}"
        lines.append(f"  {student:<{width}}  {status.status:<6}  {score:>6}  {status.message}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert len(corpus.statuses) == len(CASES) + 1
