"""Shared fixtures: the repository's course, and throw-away copies of it for grading."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parent.parent
TEST_COURSE_SECRET = "lrlab-test-secret-0123456789abcdef"
"""The course secret every test grades with (grading refuses without one): fixed, so the hidden
cases the tests draw are the same on every run."""
os.environ.setdefault("LRLAB_COURSE_SECRET", TEST_COURSE_SECRET)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


def make_course_copy(target: Path) -> Path:
    """A fresh course directory with the repository's source/ and configuration (no release,
    no gradebook), so a test can release and grade without touching the repository."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy2(REPO / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(REPO / "source", target / "source",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return target


def source_cells(assignment: str) -> list:
    """The cells of the assignment's source notebooks, in order."""
    import nbformat

    return [cell for path in sorted((REPO / "source" / assignment).glob("*.ipynb"))
            for cell in nbformat.read(path, as_version=4).cells]


def autograded_tests(assignment: str) -> dict[str, float]:
    """grade_id → points of every autograded test cell, from the source notebooks."""
    from autograder.judge import is_autograded_test

    return {cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"]["points"])
            for cell in source_cells(assignment) if is_autograded_test(cell)}


def total_points(assignment: str) -> float:
    """The points of every graded cell (autograded tests and written answers)."""
    return sum(float(cell.metadata["nbgrader"]["points"]) for cell in source_cells(assignment)
               if cell.metadata.get("nbgrader", {}).get("grade"))


def expected_autograded_score(assignment: str, student: str) -> float:
    """The autograded points a sample student should get: every test's points but those of its
    `failing_tests` (none for a blank notebook) — so a test never hard-codes a total the
    notebook's tasks can change."""
    from autograder.samples import samples_for

    (sample,) = [s for s in samples_for(assignment) if s.student == student]
    if sample.blank:
        return 0.0
    return sum(points for name, points in autograded_tests(assignment).items()
               if name not in set(sample.failing_tests))


def function_test_points(assignment: str) -> dict[str, float]:
    """grade_id → points of the test cells that pass the checks a function the student writes
    (a name the notebook's answer cells `def`ine): those the judge cannot confirm in a notebook
    whose code it cannot follow (exec, importlib, ctypes…: `autograder/own_code.py`)."""
    import ast

    from autograder.judge import is_autograded_test

    cells = source_cells(assignment)
    functions = {node.name for cell in cells
                 if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution")
                 for node in ast.walk(ast.parse(cell.source))
                 if isinstance(node, ast.FunctionDef)}
    return {cell.metadata["nbgrader"]["grade_id"]: float(cell.metadata["nbgrader"]["points"])
            for cell in cells if is_autograded_test(cell)
            and any(isinstance(node, ast.Name) and node.id in functions
                    for node in ast.walk(ast.parse(cell.source)))}


def processes_marked(variable: str, token: str) -> dict[int, str]:
    """The live (not zombie) processes whose environment holds `variable=token` — what a test
    gave the command it started, inherited by everything that command starts — with their
    command lines."""
    needle, found = f"{variable}={token}".encode(), {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
        except OSError:
            continue
        if state != "Z":
            found[int(entry.name)] = command
    return found


@pytest.fixture
def recorded(monkeypatch) -> list:
    """Run checks as in a grading kernel; returns the records they published."""
    from lrchecks import evidence

    published: list = []
    monkeypatch.setenv(evidence.ENVIRONMENT_SWITCH, "1")
    monkeypatch.setattr(evidence, "_publish", published.append)
    return published


def assert_the_judge_confirms(solution: dict, cases: dict, recorded: list, monkeypatch) -> None:
    """Run every check of a correct `solution` ({check: answer}), visible and hidden on the drawn
    `cases`, as a graded kernel does (`recorded` collects the records; each check only asks
    there, leaving the decision to the judge), then replay each record
    as the judge does (its own code, its own drawn cases): every check passes and is confirmed —
    and no check called the course's code on the student's behalf with something that is not
    data (the judge refuses such answers)."""
    from lrchecks import evidence, student_calls
    from lrchecks.encoding import encode, is_data
    from lrchecks.hidden import HIDDEN_CASES_VARIABLE, drawn_cases

    asked = []
    original = student_calls.student_call

    def watching(function, name, args, kwargs):
        asked.append((function, [name, encode(list(args)), encode(kwargs)]))
        return original(function, name, args, kwargs)

    monkeypatch.setattr(student_calls, "student_call", watching)
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, json.dumps(cases))
    for check, answer in solution.items():
        for hidden in (False, True):
            check(answer, hidden=hidden)
    assert len(recorded) == 2 * len(solution) and not any(record["failed"] for record in recorded)
    assert all(record["asked"] for record in recorded), "a grading kernel decided a check itself"
    assert asked and not any(evidence._is_reference(function) and not is_data(question)
                             for function, question in asked)
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, "{}")  # the judge does not read the kernel's
    with drawn_cases(cases):
        for record, (check, hidden) in zip(
                recorded, [(c, h) for c in solution for h in (False, True)], strict=True):
            assert evidence.replay_check(check, record, {"hidden": hidden})


def assert_a_grading_kernel_only_asks(calls: list[tuple], cases: dict, recorded: list,
                                      monkeypatch, capsys) -> None:
    """Run each (check, positional arguments, keyword arguments) of `calls` as a grading kernel
    does, with `cases` drawn: nothing is printed, and each check stops at `asked` (its record
    says so) without failing; then the judge's replay of each record passes it with one `✓`
    line."""
    import json

    from lrchecks import evidence
    from lrchecks.hidden import HIDDEN_CASES_VARIABLE, drawn_cases

    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, json.dumps(cases))
    capsys.readouterr()
    for check, args, kwargs in calls:
        check(*args, **kwargs)
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err == ""
    assert len(recorded) == len(calls)
    assert all(record["asked"] and not record["failed"] for record in recorded)
    monkeypatch.setenv(HIDDEN_CASES_VARIABLE, "{}")  # the judge does not read the kernel's
    with drawn_cases(cases):
        for record, (check, _, kwargs) in zip(recorded, calls, strict=True):
            lines = evidence.replay_check(check, record, kwargs)
            assert len(lines) == 1 and lines[0].startswith("✓"), (check.__name__, lines)


def collect_samples(course, assignment: str, students: Iterable[str], inbox: Path) -> None:
    """Hand in the sample submissions of `students` only (`autograder.samples`) through
    `inbox`, and collect them into the course (already released)."""
    from autograder.collect import collect_submissions
    from autograder.samples import write_inbox

    chosen = set(students)
    write_inbox(course, assignment, inbox)
    for folder in inbox.iterdir():
        if folder.name not in chosen:
            shutil.rmtree(folder)
    collect_submissions(course, assignment, inbox)


def run_cli(course, *args: str, capsys) -> tuple[int, str, str]:
    """`python -m autograder --course <course> <args>` in this process: exit code, stdout,
    stderr."""
    from autograder.cli import main

    code = main(["--course", str(course.root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def lab_session_module():
    """tests/browser/lab_session.py: how the suite starts JupyterLab and Debian's Chromium."""
    folder = str(REPO / "tests" / "browser")
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import lab_session as session

    return session


def lab_session_with_chromium():
    """`lab_session_module()`, where Chromium is installed: the test is skipped without it
    (and fails on CI, where it must be)."""
    session = lab_session_module()
    if session.chromium_path() is None:
        message = "no chromium on PATH: run `make system-deps`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return session


def run_in_fresh_python(probe: str, timeout: float = 300) -> str:
    """Run `probe` in a new Python (nothing imported yet) from the repository; its stdout.
    Fails the test, with the probe's stderr, if the probe fails."""
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, timeout=timeout)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def course_copy(tmp_path: Path):
    from autograder.course import Course

    return Course(make_course_copy(tmp_path / "course"))
