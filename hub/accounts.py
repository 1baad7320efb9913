"""The demo's system accounts and their generated passwords.

`make hub` creates one instructor and a few students as system users with their own home
folders (mode 0700: no one reads another's), marked by their comment field so that
`make hub-clean` removes these and never anyone else's. A real deployment keeps its own users
and authenticator (README, "Running the course on JupyterHub").

Passwords are generated at every start, printed once, and stored only as scrypt hashes in a
file only root reads (`hub.authenticator` checks them).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import pwd
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hub.layout import write_private

MARKER = "Learning-Rate Lab hub demo account"
"""The comment (GECOS) field of every account the demo creates: what hub-clean removes."""

SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32}


class AccountError(RuntimeError):
    """An account the demo cannot create or remove (the message says why and what to do)."""


@dataclass(frozen=True)
class Account:
    """One person on the hub: a system user, a role and this start's password."""

    name: str
    role: str  # "instructor" or "student"
    password: str


def is_demo_account(name: str) -> bool:
    try:
        return pwd.getpwnam(name).pw_gecos == MARKER
    except KeyError:
        return False


def demo_accounts() -> list[str]:
    """Every system user the demo created (on any start, with any prefix)."""
    return sorted(entry.pw_name for entry in pwd.getpwall() if entry.pw_gecos == MARKER)


def ensure_system_user(name: str) -> Path:
    """Create `name` with a private home folder, or reuse it if the demo made it; its home."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        entry = None
    if entry is not None and entry.pw_gecos != MARKER:
        raise AccountError(f"a user named {name} already exists and is not one of the demo's "
                           "accounts; choose other names with --prefix.")
    if entry is None:
        subprocess.run(["useradd", "--create-home", "--user-group", "--shell", "/bin/bash",
                        "--comment", MARKER, name], check=True, capture_output=True)
        entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    home.chmod(0o700)
    return home


def remove_system_user(name: str) -> None:
    """Remove a demo account, its home and its group (its processes must have ended)."""
    if not is_demo_account(name):
        raise AccountError(f"{name} is not one of the demo's accounts; it is left alone.")
    result = subprocess.run(["userdel", "--remove", name], capture_output=True, text=True)
    if result.returncode not in (0, 12):  # 12: the home folder was already gone
        raise AccountError(f"userdel could not remove {name} (exit status "
                           f"{result.returncode}); stop its processes and run hub-clean again.")


def new_accounts(instructor: str, students: list[str]) -> list[Account]:
    """This start's accounts, each with a fresh password."""
    people = [(instructor, "instructor")] + [(name, "student") for name in students]
    return [Account(name, role, secrets.token_urlsafe(12)) for name, role in people]


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)


def write_password_file(path: Path, accounts: list[Account]) -> None:
    """Store a salted scrypt hash of each password, readable by root only."""
    entries = {}
    for account in accounts:
        salt = os.urandom(16)
        entries[account.name] = {"salt": salt.hex(),
                                 "hash": hash_password(account.password, salt).hex()}
    write_private(path, json.dumps(entries, indent=2))


def check_password(path: str | Path, name: str, password: str) -> bool:
    """Whether `password` is this start's password of `name`."""
    try:
        entry = json.loads(Path(path).read_text())[name]
    except (OSError, ValueError, KeyError):
        return False
    computed = hash_password(password, bytes.fromhex(entry["salt"]))
    return hmac.compare_digest(computed, bytes.fromhex(entry["hash"]))
