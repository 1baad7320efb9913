"""Grading a class through a real PostgreSQL gradebook (nbgrader's `db_url`).

The test starts its own PostgreSQL server (Debian's `postgresql` package, installed by the
project's set-up) on 127.0.0.1 in a temporary data directory, grades sample submissions through
it with parallel workers, checks the scores, and stops and removes the server.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import collect_samples, expected_autograded_score, make_course_copy, total_points

from autograder.course import Course
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment
from autograder.results import grade_rows
from autograder.samples import samples_for

pytestmark = pytest.mark.grading
ASSIGNMENT = "ps01_constant_lr"


def postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert versions, "PostgreSQL is not installed: run `make system-deps`"
    return versions[-1].parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_postgres(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server as Debian's `postgres` user then."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def postgres_url():
    binaries = postgres_bin()
    home = Path(tempfile.mkdtemp(prefix="lrlab-pg-"))
    data = home / "data"
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
    port = free_port()
    subprocess.run(as_postgres([str(binaries / "initdb"), "-D", str(data), "-A", "trust",
                                "-U", "lrlab", "--no-sync"]), check=True, capture_output=True)
    options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w",
                                "-l", str(home / "server.log"), "start"]),
                   check=True, capture_output=True)
    try:
        subprocess.run([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port),
                        "-U", "lrlab", "gradebook"], check=True, capture_output=True)
        yield f"postgresql://lrlab@127.0.0.1:{port}/gradebook"
    finally:
        subprocess.run(as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m",
                                    "immediate", "stop"]), capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def test_a_class_is_graded_through_postgresql(postgres_url, tmp_path):
    course = Course(make_course_copy(tmp_path / "course"), db_url=postgres_url)
    assert course.gradebook_url.startswith("postgresql://")
    release_assignment(course, ASSIGNMENT)
    chosen = {s.student: s for s in samples_for(ASSIGNMENT)
              if s.student in {"s01_solution", "s02_blank", "s07_no_log_scale"}}
    collect_samples(course, ASSIGNMENT, chosen, tmp_path / "inbox")
    statuses = {s.student: s for s in grade_assignment(course, ASSIGNMENT,
                                                       options=GradingOptions(workers=2,
                                                                              progress=False))}
    assert {s: st.score for s, st in statuses.items()} == {
        student: expected_autograded_score(ASSIGNMENT, student) for student in chosen}
    assert not (course.root / "gradebook.db").exists(), "grading must not fall back to SQLite"
    rows = {row.student: row for row in grade_rows(course, [ASSIGNMENT])}
    assert rows["s07_no_log_scale"].score == expected_autograded_score(
        ASSIGNMENT, "s07_no_log_scale")
    assert rows["s07_no_log_scale"].max_score == total_points(ASSIGNMENT)
