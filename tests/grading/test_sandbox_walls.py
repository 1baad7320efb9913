"""The sandbox's walls, tried from inside a graded notebook, as a student would try them.

One ps01 class is graded through the real pipeline (`grade_assignment`, two workers). Its
course directory and the grader's home are under /var/tmp — outside the sandbox's private
/tmp, so that only the sandbox's allowlist of mounts hides them. Beside the instructor's
solution (`s01_solution`, an honest classmate who must lose nothing) sit:

- `w01_prober`: the solution plus one cell that tries every wall and prints what it found as
  one line of JSON — it reads the course's secrets (gradebook, `source/`, `release/`, another
  student's submission, `.grading/`, the hidden-case pools), the grader's samples (complete
  solutions) and home, `/etc/shadow` and every private file it can find; looks for the course
  secret in its environment, in every process's, in every file name and non-system file, and in
  its own memory; connects to unix sockets the test listens on (a path in /var/tmp, one in
  /dev/shm, an abstract one) and to a TCP port on 127.0.0.1; writes to /var/tmp, /dev/shm, the
  environment, /etc and the course; and says who it runs as and who owns what it creates;
- `w02_runner_killer`: writes a sentence to its standard output and error (the worker's log)
  and then kills the worker, its parent;
- `w03_stubborn_loop` and `w04_slow_cell`: a cell whose first line is a sentence, that ignores
  the interrupt and runs forever (failed), or that is stopped by the cell timeout (graded).

None of the sentences may reach a status message, the ledger or the export: a reason is made
of the grader's own words (`autograder/sandbox/outcome.py`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import secrets
import shutil
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from conftest import REPO, function_test_points, make_course_copy

from autograder.course import Course
from autograder.export import export_csv
from autograder.grade import GradingOptions, grade_assignment
from autograder.release import release_assignment
from autograder.results import grade_rows
from autograder.samples import Sample, build_notebook, samples_for
from autograder.sandbox import SandboxSettings
from autograder.sandbox.bwrap import ETC_ENTRIES, exposed_paths

pytestmark = [pytest.mark.grading, pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox user needs a root grader")]

ASSIGNMENT = NOTEBOOK = "ps01_constant_lr"
SOLUTION, PROBER, KILLER, STUBBORN, SLOW = (
    "s01_solution", "w01_prober", "w02_runner_killer", "w03_stubborn_loop", "w04_slow_cell")
POLICY = SandboxSettings(memory_bytes="2 GiB", wall_seconds=300, cell_timeout=60)
"""A walk of every file the kernel sees takes seconds: the cell limit leaves room for a loaded
machine."""
SECRET_PREFIX = "lrlab-walls-secret-"
"""Both course secrets are this prefix and 32 random hex digits. The probe knows only the prefix
and the secrets' SHA-256: it finds the prefix (its own copies included) and hashes what follows,
so it cannot find a secret because the test told it."""
SENTENCE = "Grader note: full marks approved by the instructor"
"""What a hostile notebook would like the instructor to read as the reason of its failure."""

PROBE = r'''
import ctypes, hashlib, json, os, socket, stat, subprocess
T = json.loads(@TARGETS@)
report = {"ids": [os.getuid(), os.geteuid(), os.getgid(), os.getegid(), os.getgroups()],
          "id_u": subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip()}

def attempt_read(path):
    try:
        if os.path.isdir(path):
            return "LISTED " + ",".join(sorted(os.listdir(path))[:5])
        with open(path, "rb") as handle:
            handle.read(1 << 16)
        return "READ"
    except OSError as error:
        return type(error).__name__

def attempt_write(path):
    try:
        with open(path, "w") as handle:
            handle.write("pwned")
        return "WROTE"
    except OSError as error:
        return type(error).__name__

def attempt_connect(address, family):
    try:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            sock.settimeout(3)
            sock.connect(address)
        return "CONNECTED"
    except OSError as error:
        return type(error).__name__

def listing(path):
    try:
        return sorted(os.listdir(path))
    except OSError as error:
        return type(error).__name__

report["reads"] = {path: attempt_read(path) for path in T["read"]}
report["listings"] = {path: listing(path) for path in T["listings"]}
report["writes"] = {path: attempt_write(path) for path in T["write"]}
report["sockets"] = {path: attempt_connect(path, socket.AF_UNIX) for path in T["unix"]}
report["sockets"]["abstract"] = attempt_connect("\0" + T["abstract"], socket.AF_UNIX)
report["sockets"]["tcp"] = attempt_connect(("127.0.0.1", T["tcp"]), socket.AF_INET)
print("WALLS " + json.dumps(report))
# --- next cell ---
report = {}

prefix = T["prefix"].encode()
def secrets_in(data):
    found, at = 0, data.find(prefix)
    while at >= 0:
        candidate = data[at:at + len(prefix) + 32]
        found += hashlib.sha256(candidate).hexdigest() in T["digests"]
        at = data.find(prefix, at + 1)
    return found

found = []
if any(secrets_in(value.encode()) for value in os.environ.values()):
    found.append("os.environ")
for pid in (p for p in os.listdir("/proc") if p.isdigit()):
    try:
        with open(f"/proc/{pid}/environ", "rb") as handle:
            if secrets_in(handle.read()):
                found.append(f"/proc/{pid}/environ")
    except OSError:
        pass
system = tuple(T["system"])
private_but_read, files_seen = [], 0
for parent, folders, files in os.walk("/"):
    if parent == "/":
        folders[:] = [f for f in folders if f not in ("proc", "sys", "dev")]
    for name in files:
        path = os.path.join(parent, name)
        files_seen += 1
        if name.endswith(".secret") or name in T["names"]:
            found.append(path)
        try:
            info = os.lstat(path)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        readable = False
        if info.st_uid != os.getuid() and not info.st_mode & stat.S_IROTH:
            try:
                open(path, "rb").close()
                private_but_read.append(path)
            except OSError:
                pass
        if info.st_size < (1 << 20) and not path.startswith(system):
            try:
                with open(path, "rb") as handle:
                    if secrets_in(handle.read()):
                        found.append(path)
            except OSError:
                pass
report["files_seen"], report["private_but_read"], report["secret_found"] = (
    files_seen, private_but_read, found)
print("WALLS " + json.dumps(report))
# --- next cell ---
report, found = {}, []

class IoVec(ctypes.Structure):
    _fields_ = [("base", ctypes.c_void_p), ("length", ctypes.c_size_t)]
libc = ctypes.CDLL(None, use_errno=True)
chunk = 1 << 22
buffer = ctypes.create_string_buffer(chunk + 64)
scanned = 0
with open("/proc/self/maps") as maps:
    regions = [line.split() for line in maps]
for fields in regions:
    if not fields[1].startswith("rw") or (len(fields) > 5 and not fields[5].startswith("[")):
        continue
    start, end = (int(x, 16) for x in fields[0].split("-"))
    for at in range(start, end, chunk):
        size = min(chunk + 64, end - at)
        local, remote = IoVec(ctypes.addressof(buffer), size), IoVec(at, size)
        got = libc.process_vm_readv(os.getpid(), ctypes.byref(local), 1, ctypes.byref(remote), 1, 0)
        if got > 0:
            scanned += got
            if secrets_in(buffer.raw[:got]):
                found.append(f"memory at {at:#x}")
report["memory_scanned"], report["secret_found_in_memory"] = scanned, found

with open("/tmp/made-by-the-kernel.txt", "w") as handle:
    handle.write("mine")
report["created_owner"] = os.stat("/tmp/made-by-the-kernel.txt").st_uid
print("WALLS " + json.dumps(report))
'''

KILL_THE_RUNNER = f'''
import os, signal
sentence = {SENTENCE!r}
for fd in (1, 2):
    os.write(fd, (sentence + "\\n").encode())
for name in ("/proc/self/fd/1", "/proc/self/fd/2"):
    try:
        with open(name, "a") as log:
            log.write(sentence + "\\n")
    except OSError:
        pass
os.kill(os.getppid(), signal.SIGKILL)  # the kernel's parent: the worker
'''
STUBBORN_LOOP = f'''# {SENTENCE}
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
'''
SLOW_CELL = f'''# {SENTENCE}
import time
time.sleep(600)
'''


class Listener:
    """A listening socket of the host's that no notebook may reach; counts connections."""

    def __init__(self, family: int, address: object) -> None:
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.bind(address)
        self.sock.listen()
        self.sock.settimeout(0.2)
        self.connections = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stopped.set()
        self.thread.join()
        self.sock.close()


@dataclass
class Walls:
    course: Course
    statuses: dict
    report: dict
    targets: dict
    listeners: dict
    host_shm_marker: Path


def _secret() -> str:
    return SECRET_PREFIX + secrets.token_hex(16)


def _insert_after_setup(nb: nbformat.NotebookNode, source: str) -> None:
    index = next(i for i, cell in enumerate(nb.cells)
                 if cell.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    nb.cells.insert(index + 1, nbformat.v4.new_code_cell(source))


def _submit(course: Course, student: str, extra: str = "") -> None:
    """The instructor's solution, with `extra` as cells of the student's after the setup cell
    (split at `# --- next cell ---`)."""
    folder = course.submitted_dir / student / ASSIGNMENT
    folder.mkdir(parents=True)
    solution = next(s for s in samples_for(ASSIGNMENT) if s.student == SOLUTION)
    nb = build_notebook(course, ASSIGNMENT, NOTEBOOK, Sample(student, "", cells=solution.cells))
    for source in reversed(extra.split("# --- next cell ---\n") if extra else []):
        _insert_after_setup(nb, source)
    nbformat.write(nb, folder / f"{NOTEBOOK}.ipynb")


def _from_the_host(folder: str, names: list[str]) -> list[str]:
    """The names of a listing that may come from the host. The sandbox's /tmp is its own tmpfs,
    holding the notebook's working files; when the checkout lives under /tmp (a clone in a
    temporary folder) /tmp is also on the way to the exposed environment, and only names the
    host's /tmp has could be a leak."""
    if folder != "/tmp":
        return names
    return [name for name in names if (Path("/tmp") / name).exists()]


def _listings(exposed: list[Path]) -> dict[str, list[str]]:
    """What each folder on the way to an exposed path must hold in the sandbox: only the next
    step towards exposed paths (and, at the top, the system's own folders)."""
    expected: dict[str, set[str]] = {
        "/": {"bin", "dev", "etc", "lib", "lib32", "lib64", "libx32", "proc", "sbin", "tmp", "usr"},
        "/etc": {Path(entry).name for entry in ETC_ENTRIES}}
    for path in exposed:
        for parent, child in zip(reversed(path.parents), [*reversed(path.parents)][1:] + [path],
                                 strict=True):
            expected.setdefault(str(parent), set()).add(child.name)
    return {folder: sorted(names) for folder, names in expected.items()}


@pytest.fixture(scope="module")
def walls() -> Walls:
    base = Path(tempfile.mkdtemp(prefix="lrlab-walls-", dir="/var/tmp"))
    shm = Path(tempfile.mkdtemp(prefix="lrlab-walls-", dir="/dev/shm"))
    saved = {name: os.environ.get(name) for name in ("HOME", "LRLAB_COURSE_SECRET")}
    listeners: dict[str, Listener] = {}
    try:
        env_secret, file_secret = _secret(), _secret()
        home = base / "home"
        secret_file = home / ".config" / "learning-rate-lab" / "learning-rate-lab.secret"
        secret_file.parent.mkdir(parents=True)
        secret_file.write_text(file_secret + "\n")
        secret_file.chmod(0o600)
        stray = base / "stray-copy.secret"  # the secret kept somewhere unusual
        stray.write_text(file_secret + "\n")
        stray.chmod(0o600)
        os.environ["HOME"] = str(home)
        os.environ["LRLAB_COURSE_SECRET"] = env_secret  # what the grader uses
        course = Course(make_course_copy(base / "course"))
        release_assignment(course, ASSIGNMENT)

        token = secrets.token_hex(4)
        for name, family, address in [
                ("var_tmp", socket.AF_UNIX, str(base / "host.sock")),
                ("dev_shm", socket.AF_UNIX, str(shm / "host.sock")),
                ("abstract", socket.AF_UNIX, f"\0lrlab-walls-{token}"),
                ("tcp", socket.AF_INET, ("127.0.0.1", 0))]:
            listeners[name] = Listener(family, address)
            if family == socket.AF_UNIX and not address.startswith("\0"):
                os.chmod(address, 0o777)  # anyone may connect, as PostgreSQL's socket allows
        classmate = course.submitted_dir / SOLUTION / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        import autograder.samples

        samples_dir = Path(*autograder.samples.__path__)
        venv = Path(sys.prefix)
        host_shm_marker = Path("/dev/shm") / f"lrlab-walls-{token}-pwned"
        targets = {
            "read": [
                "/etc/shadow", "/etc/passwd", str(secret_file), str(stray), str(home),
                str(course.root / "gradebook.db"), str(course.root / "nbgrader_config.py"),
                str(course.source_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb"),
                str(course.release_dir / ASSIGNMENT / f"{NOTEBOOK}.ipynb"),
                str(classmate), str(course.root / ".grading"), str(course.root / "hidden_cases"),
                str(course.root), str(samples_dir / "ps01.py"), str(samples_dir),
                str(REPO / "autograder" / "grade.py"), str(REPO / "autograder" / "hidden"),
                str(REPO / "source"), str(REPO / "gradebook.db"), str(base),
                "/proc/1/environ", "/var/tmp", "/run", "/home", "/sys", "/mnt", "/opt",
                "/srv", "/srv/lrlab-hub/exchange"],  # the homes and the exchange of `make hub`
            "listings": _listings(exposed_paths()),
            "write": [str(base / "pwned"), str(host_shm_marker),
                      str(venv / "lib" / "pwned.py"), "/etc/pwned", str(REPO / "pwned.txt"),
                      str(course.root / "pwned.txt")],
            "unix": [str(base / "host.sock"), str(shm / "host.sock")],
            "abstract": f"lrlab-walls-{token}",
            "tcp": listeners["tcp"].sock.getsockname()[1],
            "prefix": SECRET_PREFIX,
            "digests": [hashlib.sha256(s.encode()).hexdigest()
                        for s in (env_secret, file_secret)],
            "names": [secret_file.name],
            "system": ["/usr/", f"{sys.prefix}/", f"{sys.base_prefix}/"],
        }
        _submit(course, SOLUTION)
        _submit(course, PROBER, PROBE.replace("@TARGETS@", repr(json.dumps(targets))))
        _submit(course, KILLER, KILL_THE_RUNNER)
        _submit(course, STUBBORN, STUBBORN_LOOP)
        _submit(course, SLOW, SLOW_CELL)
        statuses = {s.student: s for s in grade_assignment(
            course, ASSIGNMENT, options=GradingOptions(workers=2, progress=False, sandbox=POLICY))}
        executed = nbformat.read(course.grading_dir / "executed" / ASSIGNMENT / PROBER
                                 / f"{NOTEBOOK}.ipynb", as_version=4)
        printed = [o.get("text", "") for cell in executed.cells for o in cell.get("outputs", [])]
        lines = [line for text in printed for line in text.splitlines()
                 if line.startswith("WALLS ")]
        assert len(lines) == 3, printed
        report = {}
        for line in lines:
            report.update(json.loads(line[len("WALLS "):]))
        yield Walls(course, statuses, report, targets, listeners, host_shm_marker)
    finally:
        for listener in listeners.values():
            listener.close()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(base, ignore_errors=True)
        shutil.rmtree(shm, ignore_errors=True)


def test_the_kernel_is_neither_root_nor_the_grader_nor_anyone_on_the_host(walls):
    import pwd

    uid, euid, gid, egid, groups = walls.report["ids"]
    assert uid == euid == gid == egid == POLICY.sandbox_uid and groups == []
    assert walls.report["id_u"] == str(POLICY.sandbox_uid)
    assert walls.report["created_owner"] == POLICY.sandbox_uid != os.getuid()
    with pytest.raises(KeyError):
        pwd.getpwuid(walls.report["created_owner"])  # files it creates belong to no host user


def test_no_secret_of_the_course_or_the_grader_can_be_read(walls):
    reads = walls.report["reads"]
    assert not {path: what for path, what in reads.items()
                if what == "READ" or what.startswith("LISTED")}, reads
    listings = walls.report["listings"]  # on the way to what is exposed, only the way to it
    assert {folder: names for folder, names in listings.items()
            if not set(_from_the_host(folder, names)) <= set(walls.targets["listings"][folder])
            } == {}
    assert walls.report["private_but_read"] == []  # no other user's private file opens
    assert walls.report["files_seen"] > 1000  # it did walk the system and the environment


def test_the_course_secret_is_nowhere_in_the_notebooks_reach(walls):
    """Neither the secret the grader uses (LRLAB_COURSE_SECRET) nor the one in the grader's home:
    not in any environment, file name, file or the kernel's own memory."""
    assert walls.report["secret_found"] == []
    assert walls.report["secret_found_in_memory"] == []
    assert walls.report["memory_scanned"] > 10 * 2**20  # it did read its heap


def test_no_host_socket_can_be_reached(walls):
    sockets = walls.report["sockets"]
    assert set(sockets) == {*walls.targets["unix"], "abstract", "tcp"}
    assert "CONNECTED" not in sockets.values(), sockets
    assert all(listener.connections == 0 for listener in walls.listeners.values())


def test_nothing_outside_the_sandbox_is_written(walls):
    writes = walls.report["writes"]
    # /dev/shm inside is the sandbox's own (a private tmpfs): the write may succeed there,
    # and must not reach the host's
    outside = {path: what for path, what in writes.items()
               if path != str(walls.host_shm_marker)}
    assert "WROTE" not in outside.values(), writes
    assert not walls.host_shm_marker.exists()
    assert not any(Path(path).exists() for path in outside)


def test_an_honest_classmate_and_the_prober_are_graded_normally(walls):
    """The classmate keeps every autograded point. The prober — a solution whose extra cell
    scans memory through ctypes — is graded too, and loses exactly the tests whose checks are
    given one of its functions: the judge cannot follow code that reaches into the interpreter
    (autograder/own_code.py), so it confirms none of them."""
    solution, prober = walls.statuses[SOLUTION], walls.statuses[PROBER]
    assert solution.status == prober.status == "graded", (solution.message, prober.message)
    source = nbformat.read(REPO / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", as_version=4)
    autograded = sum(float(cell.metadata["nbgrader"]["points"]) for cell in source.cells
                     if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade"))
    assert solution.score == autograded > 0  # every autograded point
    unfollowed = function_test_points(ASSIGNMENT)
    assert 0 < prober.score == autograded - sum(unfollowed.values())


def test_a_notebook_that_kills_its_runner_fails_with_the_graders_words_only(walls):
    status = walls.statuses[KILLER]
    assert status.status == "failed" and status.score is None
    assert status.message.endswith(
        "the notebook runner stopped before it reported a result (exit status 137, as after "
        "SIGKILL); the notebook may have killed it")


def test_cells_are_named_by_position_never_by_what_the_student_wrote(walls):
    stubborn, slow = walls.statuses[STUBBORN], walls.statuses[SLOW]
    assert stubborn.status == "failed"
    assert "a cell ran longer than 60 s and could not be stopped (cell " in stubborn.message
    assert slow.status == "graded"
    assert "a cell ran longer than 60 s and was stopped (cell " in slow.message


def test_no_sentence_of_a_notebook_reaches_the_ledger_the_table_or_the_export(walls, tmp_path):
    messages = [status.message for status in walls.statuses.values()]
    rows = grade_rows(walls.course, [ASSIGNMENT])
    export = tmp_path / "grades.csv"
    export_csv(walls.course, export, [ASSIGNMENT])
    with export.open(newline="") as handle:
        exported = [" ".join(row) for row in csv.reader(handle)]
    for text in [*messages, *(row.message for row in rows), *exported]:
        assert SENTENCE not in text and "Grader note" not in text, text


def test_what_the_prober_saw(walls, capsys):
    """Not a wall: the prober's findings and the class's statuses, printed for a reader."""
    report = walls.report
    lines = [f"the prober ran as {report['ids'][0]}, saw {report['files_seen']:,} files, read "
             f"{report['memory_scanned'] / 2**20:.0f} MiB of its memory"]
    for kind in ("reads", "writes", "sockets"):
        lines += [f"  {kind[:-1]:<7} {what:<24} {path}" for path, what in report[kind].items()]
    lines += [f"  listing {folder}: {names}" for folder, names in report["listings"].items()]
    lines += [f"  {s.student:<18} {s.status:<7} {s.score} {s.message}"
              for s in walls.statuses.values()]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert {"reads", "writes", "sockets", "listings"} <= set(report)
