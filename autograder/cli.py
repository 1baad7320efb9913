"""The instructor's commands: `python -m autograder <command>` (or `lrlab <command>`).

A term's workflow, in order:

  roster    import the class list (id, first name, last name, email) so names show
  release   make the student versions in release/ from source/ (nbgrader generate_assignment)
  due       set (or show) an assignment's due date; late submissions are flagged against it
  collect   copy a folder or .zip of handed-in notebooks into submitted/<student>/<assignment>/
  grade     autograde every collected submission (nbgrader autograde), with a progress bar
  feedback  write one HTML feedback page per student into feedback/
  export    write the grade table as CSV, or for Canvas or Moodle (--format)
  report    grade distribution and pass rate per test, as PNG + HTML
  demo      all of the above on a sample class, then print the grade table

  secret    create (once) or locate the course secret that draws each student's hidden cases
  cases     print the hidden cases drawn for a student (regrade disputes)
  dask-certs  make the TLS certificates of a Dask cluster that grades (grade --scheduler)
  copy-gradebook  copy the gradebook into another (empty) database, e.g. PostgreSQL
  settings  print the course's own nbgrader_config.py settings with their help and defaults
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from autograder.course import Course, find_course_root
from autograder.grade import default_workers
from autograder.interrupts import (
    STOP_SIGNALS,
    Interrupted,
    forget,
    interrupt,
    raise_if_interrupted,
)
from autograder.student_ids import validate_student_id

__all__ = ["main", "build_parser", "quiet_nbgrader_internals"]


def _course(args: argparse.Namespace) -> Course:
    return Course(args.course or find_course_root(), db_url=args.db_url)


def _checked_students(students: list[str] | None) -> list[str] | None:
    """The `--student` ids as given (None: all), after refusing any that is not a usable
    student id (nbgrader would glob it; see `autograder.student_ids`)."""
    if not students:
        return None
    for number, student in enumerate(students, start=1):
        problem = validate_student_id(student)
        if problem:
            which = "--student" if len(students) == 1 else f"--student number {number}"
            raise ValueError(f"{which} is refused: {problem}")
    return students


def _assignments(course: Course, args: argparse.Namespace) -> list[str]:
    if getattr(args, "all", False) or not getattr(args, "assignment", None):
        return course.assignments()
    course.notebooks(args.assignment)  # fails clearly for an unknown assignment
    return [args.assignment]


def cmd_release(args: argparse.Namespace) -> int:
    from autograder.release import release_assignment

    course = _course(args)
    for assignment in _assignments(course, args):
        for path in release_assignment(course, assignment):
            print(f"released {path}")
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from autograder.collect import collect_submissions, printable_name

    course = _course(args)
    report = collect_submissions(course, args.assignment, Path(args.inbox))
    for student, path in report.collected:
        print(f"collected {student}: {path}")
    for name, warning in report.warnings:
        print(f"warning   {name}: {warning}")
    for name, reason in report.skipped:
        print(f"skipped   {name}: {reason}")
    if report.renamed:
        print(f"student ids made from names (all ids kept in "
              f"{report.ids_file.relative_to(course.root)}):")
        for student, name in sorted(report.renamed.items()):
            print(f"  {student}  <-  {printable_name(name)}")
    print(f"{len(report.collected)} notebooks collected, {len(report.skipped)} files skipped.")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from autograder.grade import GradingOptions, grade_assignments
    from autograder.sandbox import sandbox_settings

    course = _course(args)
    policy = sandbox_settings(course.config)
    if args.no_sandbox:
        policy = policy.replace(enabled=False)
        print("warning: --no-sandbox: student code runs with your permissions (it can read the "
              "hidden tests and write the gradebook); only the resource limits apply.",
              file=sys.stderr)
    options = GradingOptions(workers=args.workers, progress=not args.quiet, use_dask=args.dask,
                             scheduler=args.scheduler, sandbox=policy, fresh=args.fresh,
                             tls_dir=Path(args.tls_dir) if args.tls_dir else None)
    graded = grade_assignments(course, _assignments(course, args),
                               _checked_students(args.student), options=options)
    failed = 0
    for assignment, results in graded.items():
        failed += sum(r.failed for r in results)
        for result in results:
            if result.failed:
                print(f"FAILED {assignment}/{result.student}: {result.message}")
    print(f"graded; {failed} submission(s) failed to grade (reported, not scored as 0).")
    return 1 if failed and args.strict else 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from autograder.feedback_pages import generate_feedback

    course = _course(args)
    for assignment in _assignments(course, args):
        failures = generate_feedback(course, assignment, _checked_students(args.student))
        for student in failures:
            print(f"no feedback for {assignment}/{student}: nbgrader failed")
    print(f"feedback in {course.feedback_dir}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from autograder.export import export_csv
    from autograder.lms_export import export_lms

    course = _course(args)
    if args.format == "table":
        to = args.to or "exports/grades.csv"
        count = export_csv(course, Path(to), _assignments(course, args))
        print(f"wrote {count} rows to {to} (readable by you only)")
        return 0
    to = args.to or f"exports/{args.format}.csv"
    students, pending = export_lms(course, Path(to), args.format, _assignments(course, args))
    print(f"wrote {students} students to {to} for {args.format.capitalize()} "
          f"(readable by you only)")
    if pending:
        print(f"{pending} submission(s) are not completely graded yet: their cells are empty, "
              "so the import leaves those grades unchanged; export again after grading.")
    return 0


def cmd_roster(args: argparse.Namespace) -> int:
    from autograder.roster import import_roster

    done = import_roster(_course(args), Path(args.roster))
    print(f"imported {done.added + done.updated} students into the gradebook "
          f"({done.added} new, {done.updated} updated).")
    for problem in done.problems:
        print(problem)
    if done.made_private:
        print(f"{args.roster} is now readable by you only: it holds students' names and "
              "email addresses.")
    return 1 if done.problems else 0


def cmd_due(args: argparse.Namespace) -> int:
    from autograder.due_dates import describe_due_date, due_date, parse_due_date, set_due_date

    course = _course(args)
    if args.clear:
        set_due_date(course, args.assignment, None)
    elif args.when:
        set_due_date(course, args.assignment, parse_due_date(args.when))
    print(f"{args.assignment}: {describe_due_date(due_date(course, args.assignment))}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from autograder.class_report import write_report

    course = _course(args)
    page = write_report(course, Path(args.to), _assignments(course, args))
    print(f"report: {page}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from autograder.demo import run_demo

    return run_demo(_course(args), keep=args.keep)


def cmd_secret(args: argparse.Namespace) -> int:
    from autograder.hidden.commands import show_secret

    return show_secret(_course(args), args.create)


def cmd_dask_certs(args: argparse.Namespace) -> int:
    from autograder.dask_tls import cluster_commands, write_certificates

    folder = Path(args.folder)
    for path in write_certificates(folder, days=args.days):
        print(f"wrote {path}")
    print("ca.pem goes to every machine; scheduler.* to the scheduler's, worker.* to every "
          "worker's, client.* stays here (keep the .key files private). Then:")
    for command in cluster_commands(folder.resolve()):
        print(f"  {command}")
    return 0


def cmd_copy_gradebook(args: argparse.Namespace) -> int:
    from autograder.gradebook_copy import copy_gradebook, shown_url

    course = _course(args)
    copied = copy_gradebook(course.gradebook_url, args.target,
                            str(course.config.CourseDirectory.course_id))
    print(f"copied {sum(copied.values())} rows ({copied.get('submitted_assignment', 0)} "
          f"submissions, {copied.get('grade', 0)} grades, {copied.get('comment', 0)} comments) "
          f"from {shown_url(course.gradebook_url)} to {shown_url(args.target)}; grade with "
          "--db-url or LRLAB_DB_URL set to it from now on.")
    return 0


def cmd_cases(args: argparse.Namespace) -> int:
    from autograder.hidden.commands import show_cases

    return show_cases(_course(args), args.assignment, _checked_students(args.student) or [])


def cmd_settings(_args: argparse.Namespace) -> int:
    """The grader's own configurable classes, as `nbgrader generate_config` prints nbgrader's:
    each setting with its help text and default, ready to copy into `nbgrader_config.py`."""
    from autograder.notebook_file import SubmissionLimits
    from autograder.sandbox import SandboxPolicy

    for configurable in (SandboxPolicy, SubmissionLimits):
        print(configurable.class_config_section())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m autograder",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--course", help="the course directory (default: found from here)")
    parser.add_argument("--db-url", help="gradebook URL, e.g. postgresql://… (default: "
                        "nbgrader_config.py, i.e. sqlite:///gradebook.db)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="command")

    def add(name: str, help_text: str, with_assignment: bool = True):  # noqa: ANN202
        sub = commands.add_parser(name, help=help_text, description=help_text)
        if with_assignment:
            sub.add_argument("assignment", nargs="?", help="e.g. ps01_constant_lr (default: all)")
            sub.add_argument("--all", action="store_true", help="every assignment in source/")
        return sub

    add("release", "Generate release/<assignment>/ from source/ with nbgrader."
        ).set_defaults(func=cmd_release)
    collect = commands.add_parser("collect", help="Copy handed-in notebooks into submitted/.",
                                  description=__doc__.split("\n")[0])
    collect.add_argument("assignment", help="e.g. ps01_constant_lr")
    collect.add_argument("inbox", help="a folder or .zip: <student>/<file>.ipynb or "
                         "<student>.ipynb or <student>_<notebook>.ipynb")
    collect.set_defaults(func=cmd_collect)
    grade = add("grade", "Autograde the collected submissions.")
    grade.add_argument("--student", action="append", help="grade only this student (repeatable)")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument("--workers", type=int, default=default_workers(),
                       help="notebooks executed at once (default: the number of cores)")
    grade.add_argument("--dask", action="store_true",
                       help="execute on a Dask LocalCluster of --workers worker processes")
    grade.add_argument("--scheduler", metavar="tls://host:port",
                       help="execute on an existing Dask cluster (gradebook stays here; see "
                       "the README, Many machines)")
    grade.add_argument("--tls-dir", metavar="FOLDER",
                       help="the cluster's certificates: ca.pem, client.pem, client.key "
                       "(made by dask-certs)")
    grade.add_argument("--strict", action="store_true", help="exit 1 if any grading failed")
    grade.add_argument("--no-sandbox", action="store_true",
                       help="run notebooks without the bubblewrap sandbox (see "
                       "autograder/SANDBOX.md); limits still apply")
    grade.add_argument("--fresh", action="store_true",
                       help="execute every notebook again, even one an earlier (interrupted) "
                       "run already executed with the same tests and grader")
    grade.set_defaults(func=cmd_grade)
    feedback = add("feedback", "Write HTML feedback per student into feedback/.")
    feedback.add_argument("--student", action="append", help="only this student (repeatable)")
    feedback.set_defaults(func=cmd_feedback)
    export = add("export", "Write the grade table as CSV, or grades for Canvas or Moodle.")
    export.add_argument("--to", help="CSV path (default: exports/grades.csv, "
                        "exports/canvas.csv or exports/moodle.csv)")
    export.add_argument("--format", choices=("table", "canvas", "moodle"), default="table",
                        help="table: one row per submission with status and lateness; canvas, "
                        "moodle: one row per student, as their grade import reads it")
    export.set_defaults(func=cmd_export)
    roster = commands.add_parser("roster", help="Import the class list into the gradebook.",
                                 description="Import the class list into the gradebook.")
    roster_commands = roster.add_subparsers(dest="roster_command", required=True,
                                            metavar="import")
    roster_import = roster_commands.add_parser(
        "import", help="Add or update students from a CSV of id, first name, last name, email.")
    roster_import.add_argument("roster", help="the roster CSV (a header row naming the columns, "
                               "or id, first name, last name, email in that order)")
    roster_import.set_defaults(func=cmd_roster)
    due = commands.add_parser("due", help="Set or show an assignment's due date.",
                              description="Set or show an assignment's due date (nbgrader's "
                              "gradebook; the Formgrader shows it).")
    due.add_argument("assignment", help="e.g. ps01_constant_lr")
    due.add_argument("when", nargs="?", help='e.g. "2027-02-01 17:00 Europe/Berlin" '
                     '(a time zone is required); omit it to show the due date')
    due.add_argument("--clear", action="store_true", help="remove the due date")
    due.set_defaults(func=cmd_due)
    report = add("report", "Grade distribution and per-test pass rates (PNG + HTML).")
    report.add_argument("--to", default="reports", help="output folder")
    report.set_defaults(func=cmd_report)
    secret = commands.add_parser(
        "secret", help="Create or locate the course secret that draws each student's hidden "
        "cases (never printed).")
    secret.add_argument("--create", action="store_true", help="create it (once per course)")
    secret.set_defaults(func=cmd_secret)
    cases = commands.add_parser("cases", help="Print the hidden cases drawn for students "
                                "(for a regrade dispute).")
    cases.add_argument("assignment", help="e.g. ps01_constant_lr")
    cases.add_argument("--student", action="append", required=True,
                       help="the student (repeatable)")
    cases.set_defaults(func=cmd_cases)
    certs = commands.add_parser(
        "dask-certs", help="Make the TLS certificates of a Dask cluster that grades: a "
        "certificate authority and a certificate and key for the scheduler, the workers and "
        "this machine (the authority's key is not kept).")
    certs.add_argument("folder", help="where to write them (created owner-only)")
    certs.add_argument("--days", type=int, default=365, help="how long they are valid")
    certs.set_defaults(func=cmd_dask_certs)
    copy = commands.add_parser(
        "copy-gradebook", help="Copy the course's gradebook (--db-url, default gradebook.db) "
        "into another, empty database — students, submissions, grades, manual scores, "
        "comments — e.g. when moving to PostgreSQL.")
    copy.add_argument("target", help="the new gradebook's URL, e.g. postgresql://grader@dbhost/"
                      "lrlab")
    copy.set_defaults(func=cmd_copy_gradebook)
    commands.add_parser(
        "settings", help="Print the grader's own settings (c.SandboxPolicy.*, "
        "c.SubmissionLimits.*) with their help texts and defaults, like nbgrader "
        "generate_config.").set_defaults(func=cmd_settings)
    demo = commands.add_parser("demo", help="Release, grade a sample class, print the grades.")
    demo.add_argument("--keep", action="store_true",
                      help="keep earlier grading results instead of starting afresh")
    demo.set_defaults(func=cmd_demo)
    return parser


def quiet_nbgrader_internals() -> None:
    """nbgrader 0.9's own SQLAlchemy session handling warns on every submission it reads;
    the warning is about nbgrader's code, not the instructor's data."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)


INTERRUPTED = "interrupted: run the same command again to resume"


@contextlib.contextmanager
def _signals_interrupt() -> Iterator[None]:
    """While the command runs, SIGINT and SIGTERM raise `Interrupted`. Afterwards the previous
    handlers come back — unless it was interrupted: then the process is about to exit, and the
    signals stay ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    forget()
    previous = {stop: signal.signal(stop, interrupt) for stop in STOP_SIGNALS}
    try:
        yield
    except (KeyboardInterrupt, Interrupted):
        previous = dict.fromkeys(STOP_SIGNALS, signal.SIG_IGN)
        raise
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command. Ctrl-C or SIGTERM stops it and everything it started within seconds,
    printing one line instead of a traceback, with exit status 130 (Ctrl-C) or 143 (SIGTERM);
    an interrupted `grade` resumes where it stopped when run again."""
    args = build_parser().parse_args(argv)
    quiet_nbgrader_internals()
    started = time.perf_counter()
    try:
        with _signals_interrupt():
            try:
                code = args.func(args)
            except (FileNotFoundError, ValueError, RuntimeError):
                raise_if_interrupted()  # nbgrader turned the interrupt into a failure
                raise
            raise_if_interrupted()
    except (KeyboardInterrupt, Interrupted) as stop:
        print(INTERRUPTED, file=sys.stderr, flush=True)
        return 128 + getattr(stop, "signum", signal.SIGINT)
    except (FileNotFoundError, ValueError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.command != "demo":
        print(f"({time.perf_counter() - started:.1f} s)")
    return code
    if args.command != "demo":
        print(f"({time.perf_counter() - started:.1f} s)")
    return code
