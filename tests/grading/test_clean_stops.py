"""Stopping a grading command leaves nothing behind, and says so in one line.

The real command (`python -m autograder grade` with a local pool of two workers, with a Dask
LocalCluster, and `demo`) runs on a small class in a session of its own. Once grading is under
way — a notebook's sandbox exists — it gets one signal: Ctrl-C (SIGINT, to its whole process
group, as a terminal sends it), SIGTERM or SIGKILL (to the command's process, as `kill` does).
Within `STOP_SECONDS` no process the command started may be left: not its workers, the fork
server, the kernel templates, the sandboxes or the kernels. After Ctrl-C or SIGTERM the output
ends with one line, without a traceback, and the exit status is 130 or 143.

Every process of the command is found by a marker in its environment: a variable named `LC_…`,
the only kind (with the locale's) that the sandbox's clean environment passes on
(`autograder.sandbox.notebook_runner.worker_environment`), so that the sandboxes, the worker
inside and the kernel carry it too.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_course_copy, processes_marked

from autograder.cli import INTERRUPTED
from autograder.collect import collect_submissions
from autograder.course import Course
from autograder.release import release_assignment
from autograder.samples import write_inbox

pytestmark = [pytest.mark.grading, pytest.mark.slow]
ASSIGNMENT = "ps01_constant_lr"
MARKER = "LC_LRLAB_STOP_TEST"
STOP_SECONDS = 15.0
"""The command's own exit (Python tearing down torch and matplotlib) takes seconds on a loaded
two-core machine; everything it started goes at once or with it."""
COURSE_SECRET = "stop-test-course-secret-0123456789abcdef"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Course:
    root = tmp_path_factory.mktemp("stops")
    course = Course(make_course_copy(root / "course"))
    release_assignment(course, ASSIGNMENT)
    write_inbox(course, ASSIGNMENT, root / "inbox")
    collect_submissions(course, ASSIGNMENT, root / "inbox")
    return course


def marked(token: str) -> dict[int, str]:
    """The live processes the command under test started (they carry the marker `token`)."""
    return processes_marked(MARKER, token)


def comm(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/comm").read_text().strip()
    return ""


def start(root: Path, args: list[str], token: str, output: Path) -> subprocess.Popen:
    env = {**os.environ, MARKER: token, "LRLAB_COURSE_SECRET": COURSE_SECRET}
    with output.open("w") as sink:
        return subprocess.Popen(
            [sys.executable, "-m", "autograder", "--course", str(root), *args],
            stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, env=env,
            start_new_session=True)


def wait_until_a_sandbox_runs(process: subprocess.Popen, token: str, output: Path,
                              timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the command ended first:\n{output.read_text()[-3000:]}"
        if any(comm(pid) == "bwrap" for pid in marked(token)):
            return
        time.sleep(0.2)
    raise AssertionError("no notebook started in time")


GRADE = ["grade", ASSIGNMENT, "--quiet", "--fresh", "--workers", "2"]
CASES = [
    ("pool", GRADE, signal.SIGINT, "group", 130),
    ("pool", GRADE, signal.SIGTERM, "process", 143),
    ("pool", GRADE, signal.SIGKILL, "process", -signal.SIGKILL),
    ("dask", [*GRADE, "--dask"], signal.SIGINT, "group", 130),
    ("dask", [*GRADE, "--dask"], signal.SIGTERM, "process", 143),
    ("dask", [*GRADE, "--dask"], signal.SIGKILL, "process", -signal.SIGKILL),
    ("demo", ["demo"], signal.SIGINT, "group", 130),
]


@pytest.mark.parametrize(("name", "args", "signum", "target", "status"), CASES,
                         ids=[f"{c[0]}-{signal.Signals(c[2]).name}" for c in CASES])
def test_a_stopped_command_leaves_no_process_behind(course, tmp_path, name, args, signum,
                                                    target, status):
    root = course.root
    if name == "demo":  # the demo makes its own class (all assignments) in the course given
        root = make_course_copy(tmp_path / "demo")
    token = secrets.token_hex(6)
    output = tmp_path / "output.txt"
    process = start(root, args, token, output)
    try:
        wait_until_a_sandbox_runs(process, token, output)
        if target == "group":
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        deadline = time.monotonic() + STOP_SECONDS
        while marked(token) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = marked(token)
        assert not left, f"still running {STOP_SECONDS:g} s after {signum!r}: {left}"
        assert process.wait(timeout=STOP_SECONDS) == status
        if signum != signal.SIGKILL:
            text = output.read_text()
            lines = [line for line in text.splitlines() if line.strip()]
            assert lines[-1] == INTERRUPTED, text[-3000:]
            assert "Traceback" not in text and "KeyboardInterrupt" not in text, text[-3000:]
    finally:
        for pid in marked(token):  # whatever the assertions found, leave nothing running
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
