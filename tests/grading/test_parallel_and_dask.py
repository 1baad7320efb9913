"""Parallel and distributed grading give exactly the grades of serial grading.

One small class (the solution, a blank notebook, two mistakes) is graded serially, with a local
process pool, on a Dask LocalCluster of two worker processes — once with a worker killed while
it executes a notebook — and on a cluster of the real `dask scheduler` and two `dask worker`
commands, with TLS, whose workers cannot see the course: as on machines without a shared disk,
they get only the grader's environment (a mount namespace covers the course and the rest of
the repository; no course secret in their environment). Every run must produce the same score
for every test of every student, with each submission in the gradebook exactly once; the
cluster's processes are all gone afterwards.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from conftest import (
    REPO,
    collect_samples,
    expected_autograded_score,
    make_course_copy,
    processes_marked,
)

from autograder.course import Course
from autograder.dask_tls import CA_FILE, client_security, role_files, write_certificates
from autograder.execution import PHASES
from autograder.executors import Executor
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment

pytestmark = pytest.mark.grading
ASSIGNMENT = "ps01_constant_lr"
CLASS = ("s01_solution", "s02_blank", "s04_no_zero_grad", "s07_no_log_scale")


def prepared_course(root) -> Course:
    course = Course(make_course_copy(root))
    release_assignment(course, ASSIGNMENT)
    collect_samples(course, ASSIGNMENT, CLASS, root / "inbox")
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
    started = time.perf_counter()
    statuses = grade_assignment(course, ASSIGNMENT,
                                options=GradingOptions(workers=1, progress=False), phases=phases)
    print(f"\n{len(CLASS)} notebooks graded serially in {time.perf_counter() - started:.1f} s")
    assert all(s.status == "graded" for s in statuses)
    # where the time went is measured for every phase (benchmarks/bench_grading.py prints it)
    assert all(phases[name] > 0 for name in ("prepare", *PHASES, "score")), phases
    return gradebook_snapshot(course)


def test_serial_grades_are_the_expected_ones(serial_grades):
    assert set(serial_grades) == set(CLASS)
    assert sum(serial_grades["s01_solution"].values()) == expected_autograded_score(
        ASSIGNMENT, "s01_solution")
    assert sum(serial_grades["s02_blank"].values()) == 0


def test_process_pool_equals_serial(serial_grades, tmp_path):
    course = prepared_course(tmp_path / "course")
    grade_assignment(course, ASSIGNMENT, options=GradingOptions(workers=2, progress=False))
    assert gradebook_snapshot(course) == serial_grades


def test_dask_local_cluster_equals_serial(serial_grades, tmp_path):
    course = prepared_course(tmp_path / "course")
    grade_assignment(course, ASSIGNMENT,
                     options=GradingOptions(workers=2, progress=False, use_dask=True))
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
        statuses = grade_assignment(course, ASSIGNMENT,
                                    options=GradingOptions(progress=False,
                                                           scheduler=cluster.scheduler_address))
        thread.join(timeout=5)
        watcher.close()
    finally:
        cluster.close()
    assert killed, "no worker was killed: the test did not exercise a lost worker"
    assert [s.status for s in statuses] == ["graded"] * len(CLASS), [s.message for s in statuses]
    assert gradebook_snapshot(course) == serial_grades


class _RunsCodeWhenUnpickled:
    """What a compromised worker could send back: unpickling it creates `folder`."""

    def __init__(self, folder: str) -> None:
        self.folder = folder

    def __reduce__(self):  # noqa: ANN204
        return (os.mkdir, (self.folder,))


def _return_a_pickle_trap(folder: str) -> _RunsCodeWhenUnpickled:
    return _RunsCodeWhenUnpickled(folder)


def test_a_local_cluster_speaks_tls_and_never_unpickles_what_a_worker_sends(tmp_path):
    trap = tmp_path / "code ran in the grading process"
    with Executor(_return_a_pickle_trap, workers=1, use_dask=True) as executor:
        executor.submit(str(trap))
        with pytest.raises(TypeError, match="only able to deserialize data with"):
            while executor.pending:
                executor.collect(block=True)
        address = executor._client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        from distributed import Client

        with pytest.raises(OSError):  # no one else can submit work to its workers
            Client(address.replace("tls://", "tcp://"), timeout=3)
    assert not trap.exists()


MARKER = "LC_LRLAB_DASK_CLUSTER_TEST"
"""In the environment of every process of the cluster (an `LC_` variable, the kind the
sandbox's clean environment passes on, so the sandboxes and kernels carry it too)."""
ENVIRONMENT_PARTS = (".venv", "autograder", "lrchecks", "lrcore")
"""What a worker machine has of this repository: the grader's installation (the editable
install points into the repository for the three packages)."""
WITHOUT_THE_COURSE = r"""
set -eu
repo="$1"; course="$2"; keep="$3"; shift 3
# keep the grader's environment aside, cover the repository and the course, put it back
mount -t tmpfs -o mode=0700,size=1m lrlab-keep "$keep"
for part in $PARTS; do mkdir "$keep/$part"; mount --bind "$repo/$part" "$keep/$part"; done
mount -t tmpfs -o mode=0755,size=1m lrlab-no-course "$repo"
for part in $PARTS; do
  mkdir "$repo/$part"; mount --bind "$keep/$part" "$repo/$part"
  mount -o remount,bind,ro "$repo/$part"
done
mount -o remount,ro "$repo"
mount -t tmpfs -o mode=0755,size=1m,ro lrlab-no-course "$course"
exec "$@"
"""
STOP_SECONDS = 30.0


def _marked(token: str) -> dict[int, str]:
    """The live processes of the cluster under test (they carry the marker `token`)."""
    return processes_marked(MARKER, token)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _role_folder(certs: Path, target: Path, role: str) -> Path:
    """What one machine of the cluster gets: the authority's certificate and its role's pair."""
    target.mkdir(mode=0o700)
    for path in (certs / CA_FILE, *role_files(certs, role)):
        shutil.copy2(path, target / path.name)
    return target


def _without_the_course(course: Course, keep: Path, command: list[str]) -> list[str]:
    """`command` in a mount namespace of its own in which the course and the repository are
    covered but for the grader's environment."""
    keep.mkdir()
    return ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
            WITHOUT_THE_COURSE, "sh", str(REPO), str(course.root), str(keep), *command]


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="mount namespaces and the sandbox need root")
def test_a_tls_cluster_of_dask_commands_without_the_course_equals_serial(serial_grades,
                                                                         tmp_path):
    from distributed import Client, get_task_stream

    course = prepared_course(tmp_path / "course")
    certs = tmp_path / "certs"
    write_certificates(certs)
    dask = str(Path(sys.executable).parent / "dask")
    port, token = _free_port(), secrets.token_hex(6)
    address = f"tls://127.0.0.1:{port}"
    env = {name: value for name, value in os.environ.items() if name != "LRLAB_COURSE_SECRET"}
    env.update({MARKER: token, "PARTS": " ".join(ENVIRONMENT_PARTS)})
    scheduler_certs = _role_folder(certs, tmp_path / "scheduler-certs", "scheduler")
    commands = [_without_the_course(course, tmp_path / "scheduler-keep", [
        dask, "scheduler", "--protocol", "tls", "--host", "127.0.0.1", "--port", str(port),
        "--no-dashboard", "--tls-ca-file", str(scheduler_certs / CA_FILE),
        "--tls-cert", str(scheduler_certs / "scheduler.pem"),
        "--tls-key", str(scheduler_certs / "scheduler.key")])]
    for name in ("w1", "w2"):
        worker_certs = _role_folder(certs, tmp_path / f"{name}-certs", "worker")
        commands.append(_without_the_course(course, tmp_path / f"{name}-keep", [
            dask, "worker", address, "--name", name, "--host", "127.0.0.1", "--nworkers", "1",
            "--nthreads", "1", "--no-dashboard", "--death-timeout", "120",
            "--local-directory", str(tmp_path / name),
            "--tls-ca-file", str(worker_certs / CA_FILE),
            "--tls-cert", str(worker_certs / "worker.pem"),
            "--tls-key", str(worker_certs / "worker.key")]))
    logs = [(tmp_path / f"process-{number}.log").open("w") for number in range(len(commands))]
    processes = [subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                  stderr=subprocess.STDOUT, env=env, start_new_session=True)
                 for command, log in zip(commands, logs, strict=True)]
    left: dict[int, str] = {}
    try:
        client_certs = _role_folder(certs, tmp_path / "client-certs", "client")
        deadline = time.monotonic() + 120
        while True:  # the scheduler takes a few seconds to listen
            try:
                probe = Client(address, security=client_security(client_certs), timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "process-0.log").read_text()
                time.sleep(1)
        with probe:
            probe.wait_for_workers(2, timeout=600)
            # the workers see the grader's environment and nothing of the course
            everywhere = probe.run
            assert set(everywhere(os.path.isdir, str(REPO / "lrchecks")).values()) == {True}
            for path in (course.root / "nbgrader_config.py", course.submitted_dir,
                         REPO / "source", REPO / "nbgrader_config.py", REPO / "hidden_cases"):
                assert set(everywhere(os.path.exists, str(path)).values()) == {False}, path
            assert set(everywhere(os.getenv, "LRLAB_COURSE_SECRET").values()) == {None}
            # nobody without the cluster's certificates gets in
            with pytest.raises(OSError):
                Client(f"tcp://127.0.0.1:{port}", timeout=5)
            write_certificates(tmp_path / "stranger")
            with pytest.raises(OSError):
                Client(address, security=client_security(tmp_path / "stranger"), timeout=5)
            with get_task_stream(client=probe) as stream:
                started = time.perf_counter()
                statuses = grade_assignment(course, ASSIGNMENT,
                                            options=GradingOptions(progress=False,
                                                                   scheduler=address,
                                                                   tls_dir=client_certs))
                seconds = time.perf_counter() - started
            notebooks = [record for record in stream.data
                         if "execute_with_retries" in str(record.get("key"))]
            ran_on = {record["worker"] for record in notebooks}
        executing = sum(part["stop"] - part["start"] for record in notebooks
                        for part in record.get("startstops", ()) if part["action"] == "compute")
        print(f"\n{len(CLASS)} notebooks graded on 2 TLS workers in {seconds:.1f} s "
              f"({executing:.1f} s executing on the workers)")
        assert [s.status for s in statuses] == ["graded"] * len(CLASS), [
            s.message for s in statuses]
        assert gradebook_snapshot(course) == serial_grades
        assert len(ran_on) == 2, ran_on  # both workers executed notebooks
    finally:
        for process in processes:
            with contextlib.suppress(OSError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        while _marked(token) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = _marked(token)
        for pid in left:  # whatever the assertions found, leave nothing running
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for process in processes:
            process.wait(timeout=STOP_SECONDS)
        for log in logs:
            log.close()
    assert not left, f"still running {STOP_SECONDS:g} s after SIGTERM: {left}"
