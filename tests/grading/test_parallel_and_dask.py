"""Parallel and distributed grading give exactly the grades of serial grading.

One small class (the solution, a blank notebook, two mistakes) is graded serially, with a local
process pool, and on a Dask LocalCluster of two worker processes — once with a worker killed
while it executes a notebook. Every run must produce the same score for every test of every
student, with each submission in the gradebook exactly once.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections import Counter

import pytest
from conftest import make_course_copy

from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.execution import PHASES
from autograder.grade import grade_assignment
from autograder.release import release_assignment
from autograder.samples import write_inbox

pytestmark = pytest.mark.grading
ASSIGNMENT = "ps01_constant_lr"
CLASS = ("s01_solution", "s02_blank", "s04_no_zero_grad", "s07_no_log_scale")


def prepared_course(root) -> Course:
    course = Course(make_course_copy(root))
    release_assignment(course, ASSIGNMENT)
    inbox = root / "inbox"
    write_inbox(course, ASSIGNMENT, inbox)
    for folder in inbox.iterdir():
        if folder.name not in CLASS:
            shutil.rmtree(folder)
    collect_submissions(course, ASSIGNMENT, inbox)
    return course


def gradebook_snapshot(course: Course) -> dict[str, dict[str, float]]:
    with course.gradebook() as gradebook:
        submissions = gradebook.assignment_submissions(ASSIGNMENT)
        students = [s.student.id for s in submissions]
        assert len(students) == len(set(students)), "a submission is in the gradebook twice"
        return {
            s.student.id: {g.name: g.score for nb in s.notebooks for g in nb.grades}
            for s in submissions
        }


@pytest.fixture(scope="module")
def serial_grades(tmp_path_factory):
    course = prepared_course(tmp_path_factory.mktemp("serial") / "course")
    phases = Counter()
    statuses = grade_assignment(course, ASSIGNMENT, workers=1, progress=False, phases=phases)
    assert all(s.status == "graded" for s in statuses)
    # where the time went is measured for every phase (benchmarks/bench_grading.py prints it)
    assert all(phases[name] > 0 for name in ("prepare", *PHASES, "score")), phases
    return gradebook_snapshot(course)


def test_serial_grades_are_the_expected_ones(serial_grades):
    assert set(serial_grades) == set(CLASS)
    assert sum(serial_grades["s01_solution"].values()) == 18
    assert sum(serial_grades["s02_blank"].values()) == 0


def test_process_pool_equals_serial(serial_grades, tmp_path):
    course = prepared_course(tmp_path / "course")
    grade_assignment(course, ASSIGNMENT, workers=2, progress=False)
    assert gradebook_snapshot(course) == serial_grades


def test_dask_local_cluster_equals_serial(serial_grades, tmp_path):
    course = prepared_course(tmp_path / "course")
    grade_assignment(course, ASSIGNMENT, workers=2, use_dask=True, progress=False)
    assert gradebook_snapshot(course) == serial_grades


def test_a_worker_lost_mid_task_is_retried_without_duplicates(serial_grades, tmp_path):
    from distributed import Client, LocalCluster

    course = prepared_course(tmp_path / "course")
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                           dashboard_address=None, host="127.0.0.1")
    killed: list[int] = []
    try:
        watcher = Client(cluster)

        def kill_a_busy_worker() -> None:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                busy = [address for address, keys in watcher.processing().items() if keys]
                if busy:
                    time.sleep(2.0)  # let the notebook get going inside its kernel
                    pids = watcher.run(os.getpid, workers=[busy[0]])
                    for pid in pids.values():
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                time.sleep(0.2)

        thread = threading.Thread(target=kill_a_busy_worker, daemon=True)
        thread.start()
        statuses = grade_assignment(course, ASSIGNMENT, scheduler=cluster.scheduler_address,
                                    progress=False)
        thread.join(timeout=5)
        watcher.close()
    finally:
        cluster.close()
    assert killed, "no worker was killed: the test did not exercise a lost worker"
    assert [s.status for s in statuses] == ["graded"] * len(CLASS), [s.message for s in statuses]
    assert gradebook_snapshot(course) == serial_grades
