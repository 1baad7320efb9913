"""The course's JupyterHub started as `make hub` starts it, for the end-to-end test.

`running_hub` runs `make hub` with its own folder, port and accounts (prefix `lrlab-e2e-`, so a
`make hub` of someone else keeps its own), reads the address and the passwords it prints, and on
exit stops it with SIGINT, as Ctrl-C would, then runs `make hub-clean` for these accounts and
this folder — also when the test failed. Every process is ended by its id.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import select
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
PREFIX = "lrlab-e2e-"
INSTRUCTOR = "instructor"
STUDENTS = ("alice", "mallory")
BANNER_END = "Ctrl-C stops the hub"
READY = re.compile(r"ready at (http://127\.0\.0\.1:\d+/) \(login page after ([\d.]+) s\)")
ACCOUNT = re.compile(r"^\s+(\S+)\s+(instructor|student)\s+(\S+)\s*$")


@dataclass
class Hub:
    """A running `make hub`: its address, accounts and folder."""

    url: str
    hub_dir: Path
    process: subprocess.Popen
    passwords: dict[str, str]
    seconds_to_login_page: float
    output: list[str] = field(default_factory=list)

    @property
    def instructor(self) -> str:
        return PREFIX + INSTRUCTOR

    def student(self, name: str) -> str:
        return PREFIX + name

    @property
    def course(self) -> Path:
        return self.hub_dir / "course"

    @property
    def exchange(self) -> Path:
        return self.hub_dir / "exchange"


def account_names() -> list[str]:
    return [PREFIX + INSTRUCTOR, *(PREFIX + name for name in STUDENTS)]


def hub_args(hub_dir: Path, port: int) -> str:
    return (f"--hub-dir {hub_dir} --port {port} --prefix {PREFIX} --instructor {INSTRUCTOR} "
            f"--students {' '.join(STUDENTS)}")


def _read_banner(process: subprocess.Popen, timeout: float, output: list[str]) -> None:
    deadline = time.monotonic() + timeout
    buffer = ""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if not ready:
            if process.poll() is not None:
                break
            continue
        chunk = os.read(process.stdout.fileno(), 65536).decode(errors="replace")
        if not chunk:
            break
        buffer += chunk
        *lines, buffer = buffer.split("\n")
        output.extend(lines)
        if any(BANNER_END in line for line in lines):
            return
    raise RuntimeError("make hub did not print its banner:\n" + "\n".join(output[-40:]))


@contextlib.contextmanager
def running_hub(port: int, timeout: float = 1800.0) -> Iterator[Hub]:
    """`make hub` (which builds .venv-student first if its inputs changed: hence the long
    timeout on a fresh machine), stopped and cleaned on exit."""
    hub_dir = Path(tempfile.mkdtemp(prefix="lrlab-hub-e2e-", dir="/tmp"))
    command = ["make", "-s", "hub", f"HUB_ARGS={hub_args(hub_dir, port)}"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("LRLAB_")}
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, start_new_session=True)
    output: list[str] = []
    try:
        _read_banner(process, timeout, output)
        text = "\n".join(output)
        url, _ = READY.search(text).groups()
        passwords = {m.group(1): m.group(3) for line in output if (m := ACCOUNT.match(line))}
        yield Hub(url, hub_dir, process, passwords, time.monotonic() - started, output)
    finally:
        stop(process)
        clean(hub_dir)


def stop(process: subprocess.Popen, grace: float = 60.0) -> int:
    """SIGINT to `make hub`'s process group, as Ctrl-C in its terminal; SIGKILL if it hangs."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=grace)
    return process.returncode


def clean(hub_dir: Path) -> subprocess.CompletedProcess:
    """`make hub-clean` for this test's accounts and folder."""
    args = f"--hub-dir {hub_dir} --accounts {' '.join(account_names())}"
    return subprocess.run(["make", "-s", "hub-clean", f"HUB_ARGS={args}"], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def processes_of_accounts() -> list[str]:
    """Processes still running as one of the test's accounts."""
    uids = set()
    for name in account_names():
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(name).pw_uid)
    found = []
    for process in psutil.process_iter(["pid", "uids", "cmdline"]):
        if process.info["uids"] and process.info["uids"].real in uids:
            found.append(f"{process.info['pid']}: {' '.join(process.info['cmdline'] or [])}")
    return found


def processes_of_hub(hub_dir: Path) -> list[str]:
    """JupyterHub, its proxy and the Formgrader of this hub, if still running."""
    found = []
    for process in psutil.process_iter(["pid", "cmdline", "environ"]):
        with contextlib.suppress(psutil.Error):
            command = " ".join(process.info["cmdline"] or [])
            environ = process.info["environ"] or {}
            if str(hub_dir) in command or environ.get("LRLAB_HUB_DIR") == str(hub_dir) \
                    or str(hub_dir) in environ.get("JUPYTER_CONFIG_PATH", ""):
                found.append(f"{process.info['pid']}: {command[:160]}")
    return found
