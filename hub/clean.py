"""`make hub-clean`: remove the demo's accounts (with their homes) and the hub's folder.

    python3 -m hub.clean [--hub-dir DIR] [--accounts NAME ... | --all]

Removes the accounts this hub's starts made (listed in its folder), or those given, or with
`--all` every account any start made — only accounts the demo created, whose comment field says
so (hub.accounts.MARKER); then the folder, only if it is a hub's (it has hub/settings.json or
the course and exchange folders). Refuses while that hub is running. Standard library only, so
it works without the project's environment.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import shutil
import signal
import sys
import time
from pathlib import Path

from hub import accounts
from hub.layout import DEFAULT_HUB_DIR, HubLayout


def running_hub(layout: HubLayout) -> int | None:
    """The pid of this folder's JupyterHub if it is running."""
    try:
        pid = int((layout.state / "jupyterhub.pid").read_text().strip())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    return pid


def processes_of(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("Uid:") and int(line.split()[1]) == uid:
                        found.append(int(entry.name))
    return found


def end_processes_of(name: str) -> None:
    """SIGKILL what a demo account still runs (a kernel left by a killed hub): userdel
    refuses a user with processes."""
    uid = pwd.getpwnam(name).pw_uid
    for pid in processes_of(uid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while processes_of(uid) and time.monotonic() < deadline:
        time.sleep(0.1)


def is_hub_folder(path: Path) -> bool:
    layout = HubLayout(path)
    return layout.settings.exists() or (layout.course.is_dir() and layout.exchange.is_dir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make hub-clean", description=__doc__.split("\n")[0])
    parser.add_argument("--hub-dir", default=os.environ.get("LRLAB_HUB_DIR", DEFAULT_HUB_DIR))
    parser.add_argument("--accounts", nargs="*", default=None,
                        help="these demo accounts (default: those this hub's starts made)")
    parser.add_argument("--all", action="store_true",
                        help="every demo account, whichever hub made it")
    args, _ignored = parser.parse_known_args(argv)  # make hub's HUB_ARGS are accepted too
    if os.geteuid() != 0:
        print("make hub-clean must run as root: it removes system accounts.", file=sys.stderr)
        return 2
    layout = HubLayout(Path(args.hub_dir))
    pid = running_hub(layout)
    if pid is not None:
        print(f"the hub in {layout.root} is running (pid {pid}): stop it with Ctrl-C first.",
              file=sys.stderr)
        return 2
    if args.all:
        names = accounts.demo_accounts()
    elif args.accounts is not None:
        names = args.accounts
    else:
        names = layout.recorded_accounts()
    for name in names:
        if not accounts.is_demo_account(name):
            print(f"{name} is not one of the demo's accounts; left alone.", file=sys.stderr)
            continue
        end_processes_of(name)
        accounts.remove_system_user(name)
        print(f"removed the account {name} and its home folder")
    if layout.root.exists():
        if not is_hub_folder(layout.root):
            print(f"{layout.root} does not look like a hub's folder; left alone.",
                  file=sys.stderr)
            return 1
        shutil.rmtree(layout.root)
        print(f"removed {layout.root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
