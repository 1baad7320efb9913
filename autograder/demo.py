"""`make demo`: the whole workflow on a sample class, on the embedded SQLite gradebook.

release → sample submissions (`autograder.samples`) → collect → grade → feedback → export →
report, printing how long each step took and the grade table at the end.
"""

from __future__ import annotations

import shutil
import time
from contextlib import contextmanager

from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.export import export_csv
from autograder.feedback import generate_feedback
from autograder.grade import default_workers, grade_assignments
from autograder.release import release_assignment
from autograder.report import write_report
from autograder.results import format_grade_table, grade_rows
from autograder.samples import samples_for, write_inbox

__all__ = ["run_demo", "GENERATED"]

GENERATED = ("submitted", "autograded", "feedback", "gradebook.db", ".grading", "demo_inbox",
             "reports", "exports")


@contextmanager
def _step(name: str, timings: list[tuple[str, float]]):
    print(f"→ {name}", flush=True)
    started = time.perf_counter()
    yield
    timings.append((name, time.perf_counter() - started))


def _demo_secret(course: Course) -> None:
    """Grading refuses without a course secret; a demo without one draws its sample class's
    hidden cases with a throw-away secret (this process only)."""
    import os
    import secrets

    from autograder.hidden.secret import SECRET_VARIABLE, MissingSecret, load_secret

    try:
        load_secret(course.config, str(course.config.CourseDirectory.course_id))
    except MissingSecret:
        os.environ[SECRET_VARIABLE] = secrets.token_hex(32)
        print("(demo: hidden cases drawn with a throw-away course secret; a real course creates "
              "one with `python -m autograder secret --create`)")


def run_demo(course: Course, keep: bool = False) -> int:
    """Run the demo; returns a process exit code."""
    _demo_secret(course)
    if not keep:
        for name in GENERATED:
            path = course.root / name
            if path.is_dir():
                shutil.rmtree(path)
            elif path.exists():
                path.unlink()
    timings: list[tuple[str, float]] = []
    assignments = course.assignments()
    inbox = course.root / "demo_inbox"
    with _step("release " + ", ".join(assignments), timings):
        for assignment in assignments:
            release_assignment(course, assignment)
    descriptions = {}
    with _step("write sample submissions and collect them", timings):
        for assignment in assignments:
            for sample in write_inbox(course, assignment, inbox / assignment):
                descriptions[(assignment, sample.student)] = sample.description
            collect_submissions(course, assignment, inbox / assignment)
    workers = default_workers()
    with _step(f"grade (nbgrader autograde, a fresh kernel per notebook, {workers} at once)",
               timings):
        grade_assignments(course, assignments, workers=workers)
    with _step("feedback (HTML, hidden tests redacted)", timings):
        for assignment in assignments:
            generate_feedback(course, assignment)
    csv_path = course.root / "exports" / "grades.csv"
    with _step("export CSV and report", timings):
        export_csv(course, csv_path, assignments)
        report = write_report(course, course.root / "reports", assignments)
    rows = grade_rows(course, assignments)
    print()
    print(format_grade_table(rows))
    print()
    print("The sample students:")
    for assignment in assignments:
        print(f"  {assignment}")
        for sample in samples_for(assignment):
            print(f"    {sample.student:<34} {sample.description}")
    print()
    print("Time per step:")
    for name, seconds in timings:
        print(f"  {seconds:6.1f} s  {name}")
    print()
    print(f"Feedback:   {course.feedback_dir}/<student>/<assignment>/*.html")
    print(f"Grades CSV: {csv_path}")
    print(f"Report:     {report}")
    failed = [r for r in rows if r.status == "failed"]
    return 1 if failed else 0
