"""The sandbox every notebook executes in while it is graded (see `autograder/SANDBOX.md`).

- `policy` — the on/off switch and the limits: `SandboxPolicy`, the traitlets `Configurable`
  `nbgrader_config.py` sets, and `SandboxSettings`, its values as frozen plain data;
- `bwrap` — the bubblewrap command line: an allowlist of read-only mounts, no network;
- `identity` — the user every notebook process runs as, which owns nothing on the host;
- `cgroups` — one cgroup per execution: memory and process limits, a kill that leaves nothing;
- `notebook_runner` — launches `worker` (the process inside) and enforces the wall limit;
- `outcome` — what happened, in plain words;
- `kernel_environment` — the names of the variables the kernel's checks read (the sandbox
  imports no check).
"""

from __future__ import annotations

import functools
import os

from autograder.sandbox.bwrap import probe_bwrap
from autograder.sandbox.identity import identity_problem
from autograder.sandbox.policy import SandboxPolicy, SandboxSettings, sandbox_settings

__all__ = ["SandboxPolicy", "SandboxSettings", "sandbox_settings", "SandboxUnavailable",
           "require_sandbox"]


class SandboxUnavailable(RuntimeError):
    """The policy asks for a sandbox and this machine cannot provide one."""


def require_sandbox(policy: SandboxSettings) -> None:
    """Refuse, loudly, to run student code unconfined unless the instructor opted out, or as a
    user that is somebody on this machine."""
    if not policy.enabled:
        return
    problem = probe_bwrap()
    if problem:
        raise SandboxUnavailable(
            f"refusing to grade: the sandbox for student code cannot start ({problem}). "
            "Install it with `make system-deps` (Debian: apt-get install bubblewrap). "
            "To grade without it — student code then runs with your permissions and can read "
            "the hidden tests and write the gradebook — pass --no-sandbox, or set "
            "c.SandboxPolicy.enabled = False in nbgrader_config.py."
        )
    taken = _known_identity(policy.sandbox_uid) if os.geteuid() == 0 else None
    if taken:  # only root changes the notebook's user
        raise SandboxUnavailable(
            f"refusing to grade: {taken}. Set c.SandboxPolicy.sandbox_uid in nbgrader_config.py "
            "to an id that no user, group or file on this machine uses.")


_known_identity = functools.cache(identity_problem)
