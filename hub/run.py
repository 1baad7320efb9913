"""`make hub`: start the course's JupyterHub on 127.0.0.1; Ctrl-C stops everything.

    .venv/bin/python -m hub.run [--hub-dir DIR] [--port 8000] [--prefix lrlab-]
                                [--instructor instructor] [--students alice bob carol]

Run as root (it creates the demo's system accounts and starts each person's server as them):
lays out the hub's folder (hub.layout), creates the accounts (hub.accounts) with new passwords,
starts JupyterHub with hub/jupyterhub_config.py, waits until its login page answers, then
prints the address and every account's password. On Ctrl-C (or SIGTERM) it asks JupyterHub to
stop — JupyterHub stops the proxy, the Formgrader and every user's server — and then ends,
by process id, whatever of that is still running.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from hub import accounts
from hub.layout import DEFAULT_HUB_DIR, HubLayout, HubSettings, prepare

REPO = Path(__file__).resolve().parent.parent
STUDENT_VENV = REPO / ".venv-student"
PROXY = "/usr/bin/configurable-http-proxy"
DEBIAN_NODE_MODULES = "/usr/share/nodejs"
"""Where Debian's node-* packages live; nodejs builds other than Debian's do not look there."""
STOP_GRACE = 30.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make hub", description=__doc__.split("\n")[0])
    parser.add_argument("--hub-dir", default=os.environ.get("LRLAB_HUB_DIR", DEFAULT_HUB_DIR),
                        help=f"the hub's folder (default {DEFAULT_HUB_DIR})")
    parser.add_argument("--port", type=int, default=8000, help="the hub's port on 127.0.0.1")
    parser.add_argument("--prefix", default="lrlab-", help="prefix of the accounts' names")
    parser.add_argument("--instructor", default="instructor")
    parser.add_argument("--students", nargs="+", default=["alice", "bob", "carol"])
    parser.add_argument("--student-venv", default=str(STUDENT_VENV))
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def refusal(args: argparse.Namespace) -> str | None:
    """Why the hub cannot start here, in one sentence, or None."""
    if os.geteuid() != 0:
        return ("make hub must run as root: it creates the demo's system accounts and starts "
                "each person's server as them (run it with sudo).")
    if not Path(PROXY).exists():
        return ("Debian's configurable-http-proxy is missing: run `bash .ci/system-deps.sh hub`"
                " (package node-configurable-http-proxy).")
    if not (Path(args.student_venv) / "bin" / "jupyterhub-singleuser").exists():
        return (f"the students' environment {args.student_venv} is missing: `make hub` builds "
                "it (hub/student_env.sh).")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        if sock.connect_ex(("127.0.0.1", args.port)) == 0:
            return (f"port {args.port} on 127.0.0.1 is taken: stop what uses it or choose "
                    "another with HUB_ARGS='--port N'.")
    return None


def hub_environment(hub_dir: Path) -> dict[str, str]:
    """JupyterHub's environment: nothing of the caller's (no course secret, no database URL)."""
    grader_bin = Path(sys.prefix) / "bin"
    return {
        "PATH": f"{grader_bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "HOME": str(HubLayout(hub_dir).state),
        "LRLAB_HUB_DIR": str(hub_dir),
        "NODE_PATH": DEBIAN_NODE_MODULES,
    }


def wait_for_login_page(url: str, hub: subprocess.Popen, log: Path, timeout: float,
                        stopping: dict) -> bool:
    """Until JupyterHub's login page answers with its form (True), or a signal came (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stopping["signal"]:
            return False
        if hub.poll() is not None:
            raise RuntimeError(f"JupyterHub exited at start (exit status {hub.returncode}); "
                               f"its log is {log}:\n{_tail(log)}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200 and b'name="username"' in response.read():
                return True
        time.sleep(0.2)
    raise TimeoutError(f"the login page did not answer within {timeout:.0f} s; see {log}.")


def _tail(log: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    return ""


def descendants(pid: int) -> list:
    import psutil

    with contextlib.suppress(psutil.NoSuchProcess):
        return psutil.Process(pid).children(recursive=True)
    return []


def _wait_gone(processes: list, timeout: float) -> list:
    """Until every process has exited (a zombie counts: its parent reaps it); those left."""
    import psutil

    deadline = time.monotonic() + timeout
    while True:
        alive = []
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                    alive.append(process)
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def stop_hub(hub: subprocess.Popen, known: dict, names: list[str]) -> None:
    """Stop the servers, then JupyterHub, then whatever is left, each by process id.

    JupyterHub stops each server itself on SIGTERM, but first with SIGINT, which a Jupyter
    server without a terminal answers "resuming operation": each then waits out JupyterHub's
    timeouts (about 30 s). So the servers it started (the Formgrader and every user's) get
    SIGTERM first — they shut their kernels down — and JupyterHub, finding them ended, stops
    its proxy and exits. Whatever it started that is still there then — its process group,
    every process seen below it, any process of the demo's accounts — is killed."""
    import psutil

    for process in descendants(hub.pid):
        known[process.pid] = process
    servers = []
    with contextlib.suppress(psutil.NoSuchProcess):
        for child in psutil.Process(hub.pid).children():
            with contextlib.suppress(psutil.Error):
                if any("jupyterhub-singleuser" in part for part in child.cmdline()):
                    servers.append(child)
    for server in servers:
        with contextlib.suppress(psutil.NoSuchProcess):
            server.terminate()
    _wait_gone(servers, STOP_GRACE)
    with contextlib.suppress(ProcessLookupError):
        hub.send_signal(signal.SIGTERM)
    try:
        hub.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(hub.pid, signal.SIGKILL)
        hub.wait()
    uids = set()
    for name in names:
        with contextlib.suppress(KeyError):
            uids.add(pwd.getpwnam(name).pw_uid)
    leftovers = [p for p in known.values() if p.is_running()]
    for process in psutil.process_iter(["uids"]):
        if process.info["uids"] and process.info["uids"].real in uids:
            leftovers.append(process)
    for process in _wait_gone(leftovers, 5):
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    _wait_gone(leftovers, 5)


def readable_by_everyone(path: Path) -> bool:
    """Whether any account on the machine can read `path` (every folder on the way lets
    others in, and it lets others read)."""
    try:
        if not os.stat(path).st_mode & stat.S_IROTH:
            return False
        return all(os.stat(folder).st_mode & stat.S_IXOTH for folder in path.parents)
    except OSError:
        return False


def checkout_warning() -> str | None:
    """A sentence if the students' accounts can read this checkout: its source/ holds the
    solutions and the hidden tests (the hub's own course folder is private either way)."""
    if not readable_by_everyone(REPO / "source"):
        return None
    return (f"Warning: every account on this machine can read {REPO}/source (the solutions). "
            f"For a real class keep the students' environment outside the checkout "
            f"(make hub STUDENT_VENV=/opt/lrlab/venv-student) and run chmod o-rwx {REPO}.")


def print_banner(url: str, people: list[accounts.Account], seconds: float, log: Path) -> None:
    print(f"\nThe Learning-Rate Lab hub is ready at {url} (login page after {seconds:.1f} s).")
    print("Accounts (passwords are new at every start):")
    width = max(len(person.name) for person in people)
    for person in people:
        print(f"  {person.name:<{width}}  {person.role:<10}  {person.password}")
    print(f"The instructor grades at {url}services/formgrader/ ; the hub's log is {log}.")
    warning = checkout_warning()
    if warning:
        print(warning)
    print("Ctrl-C stops the hub and every server it started.", flush=True)


def main(argv: list[str] | None = None) -> int:
    started = time.monotonic()
    args = parse_args(argv)
    reason = refusal(args)
    if reason:
        print(reason, file=sys.stderr)
        return 2
    hub_dir = Path(args.hub_dir).resolve()
    layout = HubLayout(hub_dir)
    prepare(layout, REPO)
    instructor = args.prefix + args.instructor
    students = [args.prefix + name for name in args.students]
    layout.record_accounts([instructor, *students])
    try:
        for name in [instructor, *students]:
            accounts.ensure_system_user(name)
    except accounts.AccountError as error:
        print(error, file=sys.stderr)
        return 2
    people = accounts.new_accounts(instructor, students)
    accounts.write_password_file(layout.passwords, people)
    settings = HubSettings(
        hub_dir=str(hub_dir), repo=str(REPO), grader_venv=sys.prefix,
        student_venv=str(Path(args.student_venv).resolve()), instructor=instructor,
        students=students, port=args.port, hub_port=free_port(), proxy_api_port=free_port(),
        formgrader_port=free_port(), proxy_command=[PROXY],
    )
    settings.save()

    command = [str(Path(sys.prefix) / "bin" / "jupyterhub"),
               "-f", str(REPO / "hub" / "jupyterhub_config.py")]
    with layout.log.open("a") as log_file:
        hub = subprocess.Popen(command, cwd=layout.state, env=hub_environment(hub_dir),
                               stdout=log_file, stderr=subprocess.STDOUT,
                               start_new_session=True)  # Ctrl-C reaches it through us only
    known: dict = {}
    stopping = {"signal": 0}

    def on_signal(signum, _frame) -> None:
        stopping["signal"] = stopping["signal"] or signum

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    url = f"http://127.0.0.1:{args.port}/"
    try:
        if wait_for_login_page(url + "hub/login", hub, layout.log, 120, stopping):
            print_banner(url, people, time.monotonic() - started, layout.log)
        while not stopping["signal"] and hub.poll() is None:
            for process in descendants(hub.pid):
                known[process.pid] = process
            time.sleep(0.5)
    except (RuntimeError, TimeoutError) as error:
        print(error, file=sys.stderr)
        stop_hub(hub, known, [instructor, *students])
        return 1
    if hub.poll() is not None and not stopping["signal"]:
        print(f"JupyterHub stopped by itself (exit status {hub.returncode}); see {layout.log}.",
              file=sys.stderr)
        stop_hub(hub, known, [instructor, *students])
        return 1
    print("\nstopping the hub …", flush=True)
    stop_hub(hub, known, [instructor, *students])
    print("the hub and every server it started have stopped.", flush=True)
    return 128 + stopping["signal"]


if __name__ == "__main__":
    sys.exit(main())
