"""`make demo`: the whole workflow on a sample class, in a course folder of its own.

The demo copies the course's `source/` and `nbgrader_config.py` into `demo/` in the course
directory (git-ignored; `make clean-grading` removes it) and runs there: release → sample
submissions (`autograder.samples`) → collect → grade → feedback → export → report, printing
what each step did, how long it took, the grade table and where everything is. The course's
own `release/`, `submitted/`, `autograded/`, `feedback/`, gradebook, ledger and hidden-case
pools are never touched: the demo's folder is a course directory of its own, and its copied
configuration is pinned to the demo's SQLite gradebook (even with `LRLAB_DB_URL` set) and to a
throw-away course secret kept in the folder (a real course's secret is never read).

`demo/` sits beside the course rather than in a temporary folder so that its feedback pages,
CSV and report can be opened after the command ends, and so that any command can be tried on
it (`python -m autograder --course demo export --to demo/exports/grades.csv`). A `demo/` the
demo did not make is never deleted.

The exit status is 0 only when every sample student graded as its sample says: graded, and
losing exactly the points of the tests it is meant to fail.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from autograder.class_report import write_report
from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.export import export_csv
from autograder.feedback_pages import generate_feedback
from autograder.grade import GradingOptions, default_workers, grade_assignments
from autograder.release import release_assignment
from autograder.results import format_grade_table, grade_rows
from autograder.samples import Sample, write_inbox

__all__ = ["run_demo", "make_demo_course", "unexpected_grades", "DEMO_FOLDER", "DemoFolderInUse"]

DEMO_FOLDER = "demo"
MARKER = ".lrlab-demo"
"""A file in the demo's folder: only a folder holding it is ever deleted by the demo."""
SECRET_FILE = ".demo-course.secret"
CONFIG_PINS = f'''

# --- added by `make demo` (autograder/demo.py): this folder is the demo's own course ---------
# Its gradebook is the SQLite file here, whatever LRLAB_DB_URL says, and its hidden cases are
# drawn with a throw-away secret kept here, never with the real course's secret.
import os as _demo_os  # noqa: E402

_demo_root = _demo_os.path.dirname(_demo_os.path.abspath(__file__))
get_config().CourseDirectory.db_url = "sqlite:///" + _demo_os.path.join(_demo_root,  # noqa: F821
                                                                         "gradebook.db")
get_config().CourseSecret.file = _demo_os.path.join(_demo_root, "{SECRET_FILE}")  # noqa: F821
'''
SECRET_OVERRIDES = ("LRLAB_COURSE_SECRET", "LRLAB_COURSE_SECRET_FILE")
"""Environment variables that would take precedence over the demo's own secret file."""


class DemoFolderInUse(RuntimeError):
    """`demo/` exists but was not made by the demo: it is left alone."""


@contextmanager
def _step(name: str, timings: list[tuple[str, float]]) -> Iterator[None]:
    print(f"→ {name}", flush=True)
    started = time.perf_counter()
    yield
    timings.append((name, time.perf_counter() - started))


def make_demo_course(course: Course, folder: Path, keep: bool = False) -> Course:
    """The demo's course in `folder`: the course's `source/` and `nbgrader_config.py` (pinned
    to the folder's own gradebook and secret), started afresh unless `keep`."""
    folder = Path(folder)
    if folder.exists() and not (folder / MARKER).is_file():
        raise DemoFolderInUse(f"{folder} exists and was not made by the demo; move it away or "
                              "run the demo on another course folder (--course).")
    if folder.exists() and not keep:
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("made by `make demo` (autograder/demo.py); delete freely\n",
                                 encoding="utf-8")
    config = (course.root / "nbgrader_config.py").read_text(encoding="utf-8")
    (folder / "nbgrader_config.py").write_text(config + CONFIG_PINS, encoding="utf-8")
    shutil.copytree(course.source_dir, folder / "source", dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return Course(folder)


def _demo_secret(demo: Course) -> None:
    """Grading refuses without a course secret: the demo's sample class draws its hidden cases
    with a throw-away secret of its own, in the demo's folder (owner-only), and this process
    ignores any secret given through the environment."""
    from autograder.hidden.secret import create_secret, secret_path

    for variable in SECRET_OVERRIDES:
        os.environ.pop(variable, None)
    path = secret_path(demo.config, str(demo.config.CourseDirectory.course_id))
    if not path.is_file():
        create_secret(path)
    print(f"(demo: hidden cases drawn with a throw-away course secret, {path.name} in the demo's "
          "folder; a real course creates its own with `python -m autograder secret --create`)")


def _test_scores(demo: Course, assignment: str, student: str) -> dict[str, tuple[float, float]]:
    """grade id → (score, points) of every autograded test of a graded submission."""
    with demo.gradebook() as gradebook:
        submission = gradebook.find_submission(assignment, student)
        return {grade.name: (float(grade.auto_score), float(grade.max_score))
                for notebook in submission.notebooks for grade in notebook.grades
                if grade.cell.cell_type == "code" and grade.auto_score is not None}


def unexpected_grades(demo: Course, assignment: str, samples: Sequence[Sample]) -> list[str]:
    """A sentence for every sample student who did not grade as the sample says: graded, with
    no point on the tests it is meant to fail (every test, for a blank one) and every point
    on the others."""
    from nbgrader.api import MissingEntry

    rows = {row.student: row for row in grade_rows(demo, [assignment])}
    problems = []
    for sample in samples:
        row = rows.get(sample.student)
        if row is None or row.status not in ("graded", "needs manual grading"):
            status = row.status if row else "not graded"
            problems.append(f"{assignment}/{sample.student} is {status}.")
            continue
        try:
            scores = _test_scores(demo, assignment, sample.student)
        except MissingEntry:
            problems.append(f"{assignment}/{sample.student} has no submission in the gradebook.")
            continue
        failing = set(scores) if sample.blank else set(sample.failing_tests)
        wrong = sorted(name for name, (score, points) in scores.items()
                       if score != (0.0 if name in failing else points))
        if wrong or not failing <= set(scores):
            problems.append(f"{assignment}/{sample.student} did not score as its sample "
                            f"expects on {', '.join(wrong) or 'a test it does not have'}.")
    return problems


def run_demo(course: Course, keep: bool = False, assignments: Sequence[str] | None = None,
             folder: Path | None = None) -> int:
    """Run the demo in `folder` (default: `demo/` in the course directory) on the given
    assignments (default: all); returns a process exit code (0: every sample graded as
    expected)."""
    folder = Path(folder) if folder is not None else course.root / DEMO_FOLDER
    demo = make_demo_course(course, folder, keep)
    print(f"Demo course: {demo.root} — a copy of {course.source_dir.name}/ and "
          "nbgrader_config.py; the course's own submissions, gradebook and ledger are not "
          "touched.")
    _demo_secret(demo)
    timings: list[tuple[str, float]] = []
    chosen = list(assignments or demo.assignments())
    inbox = demo.root / "inbox"
    with _step("release " + ", ".join(chosen), timings):
        for assignment in chosen:
            release_assignment(demo, assignment)
    class_of: dict[str, list[Sample]] = {}  # assignment → its sample students
    with _step("write sample submissions and collect them", timings):
        for assignment in chosen:
            class_of[assignment] = write_inbox(demo, assignment, inbox / assignment)
            collect_submissions(demo, assignment, inbox / assignment)
    workers = default_workers()
    with _step(f"grade (nbgrader autograde, a fresh kernel per notebook, {workers} at once)",
               timings):
        grade_assignments(demo, chosen, options=GradingOptions(workers=workers))
    with _step("feedback (HTML, hidden tests redacted)", timings):
        for assignment in chosen:
            generate_feedback(demo, assignment)
    csv_path = demo.root / "exports" / "grades.csv"
    with _step("export CSV and report", timings):
        export_csv(demo, csv_path, chosen)
        report = write_report(demo, demo.root / "reports", chosen)
    print()
    print(format_grade_table(grade_rows(demo, chosen)))
    print()
    print("The sample students:")
    for assignment in chosen:
        print(f"  {assignment}")
        for sample in class_of[assignment]:
            print(f"    {sample.student:<34} {sample.description}")
    print()
    print("Time per step:")
    for name, seconds in timings:
        print(f"  {seconds:6.1f} s  {name}")
    problems = [problem for assignment in chosen
                for problem in unexpected_grades(demo, assignment, class_of[assignment])]
    print()
    print(f"Demo course: {demo.root}")
    print(f"  Feedback:   {demo.feedback_dir}/<student>/<assignment>/*.html")
    print(f"  Grades CSV: {csv_path}")
    print(f"  Report:     {report}")
    print(f"  Gradebook:  {demo.root / 'gradebook.db'}")
    print("  Remove it with `make clean-grading`.")
    if problems:
        print()
        print("Not graded as the samples expect:")
        for problem in problems:
            print(f"  {problem}")
        return 1
    print(f"All {sum(map(len, class_of.values()))} sample students graded as expected.")
    return 0
