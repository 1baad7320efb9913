"""What happened to a notebook, in plain words for the instructor's grade table.

A notebook either ran to the end — then it is scored, with a note when a cell was stopped by
the per-cell timeout or an output was cut — or it did not, and the reason is one sentence:
"the notebook used more than 2 GiB of memory", "the kernel died (segmentation fault) in cell
7", "the whole notebook took longer than 300 s", …

Every word of a reason is the grader's own. What the notebook can write — the worker's log (the
kernel shares its stdout and stderr), the text of an exception its code raised, a cell's source
or metadata — never enters one: a reason is chosen from the sentences below by facts the
notebook cannot phrase (the limit the runner watched, exit statuses, the type of the error the
worker caught, cell positions), each checked to be what it claims before it is used.
"""

from __future__ import annotations

import re
import signal

from autograder.sandbox.notebook_runner import SandboxRun
from autograder.sandbox.policy import SandboxSettings

__all__ = ["kernel_death", "failure_message", "completion_note", "KERNEL_START_FAILURES"]

KERNEL_START_FAILURES = (
    "Kernel died before replying to kernel_info",
    "Kernel didn't respond",
    "Address already in use",
    "Timeout waiting for kernel_info reply",
)
"""jupyter_client's words for a kernel that did not start — a failure of the grading machinery,
which `autograder.grade` retries; a reason quotes the sign it matched, never the message."""
MAX_CELL = 100_000
ERROR_TYPE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def kernel_death(status: int | None, policy: SandboxSettings) -> str:
    """Why the kernel process ended, from its exit status (negative: the signal).

    >>> kernel_death(-11, SandboxSettings())
    'the kernel died (segmentation fault)'
    >>> kernel_death(1, SandboxSettings())
    'the kernel exited with status 1 (os._exit() or a crash in a library)'
    """
    if not isinstance(status, int) or isinstance(status, bool):
        return "the kernel died"
    if status == 0:
        return "the kernel was shut down by the notebook (exit() or quit())"
    if status > 0:
        return f"the kernel exited with status {status} (os._exit() or a crash in a library)"
    number = -status
    if number == signal.SIGXCPU:
        return f"the kernel used more than {policy.cpu_seconds} s of CPU time"
    if number == signal.SIGKILL:
        return "the kernel was killed (SIGKILL)"
    try:
        name = signal.strsignal(number) or signal.Signals(number).name
    except ValueError:
        name = f"signal {number}"
    return f"the kernel died ({name[0].lower() + name[1:]})"


def _cell_number(value: object) -> int | None:
    """A cell position the worker reported, if it is one (anything else is ignored)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_CELL:
        return value
    return None


def _in_cell(value: object) -> str:
    number = _cell_number(value)
    return f" in cell {number}" if number else ""


def _runner_stopped(returncode: int | None) -> str:
    """The runner ended without a result: how, from its exit status alone."""
    if not isinstance(returncode, int) or isinstance(returncode, bool):
        how = "no exit status"
    elif returncode < 0:
        how = f"killed by {_signal_name(-returncode)}"
    elif 128 < returncode <= 128 + 64:  # how a shell or bwrap reports a signal
        how = f"exit status {returncode}, as after {_signal_name(returncode - 128)}"
    else:
        how = f"exit status {returncode}"
    return (f"the notebook runner stopped before it reported a result ({how}); "
            "the notebook may have killed it")


def _worker_error(error: dict, policy: SandboxSettings, cell_timeout: int | None) -> str:
    """A failure the worker caught, named from its kind (the message is never quoted)."""
    kind = error.get("type")
    kind = kind if isinstance(kind, str) and ERROR_TYPE.fullmatch(kind) else ""
    if kind == "DeadKernelError":
        return kernel_death(error.get("exit_status"), policy) + _in_cell(error.get("cell"))
    if kind in {"CellTimeoutError", "TimeoutError"}:
        number = _cell_number(error.get("cell"))
        where = f" (cell {number})" if number else ""
        return f"a cell ran longer than {cell_timeout} s and could not be stopped{where}"
    message = error.get("message")
    message = message if isinstance(message, str) else ""
    for sign in KERNEL_START_FAILURES:
        if sign in message:
            return f"the kernel did not start ({sign})"
    named = f" ({kind})" if kind else ""
    return f"the notebook could not be executed: the grader's runner failed{named}"


def failure_message(run: SandboxRun, policy: SandboxSettings, cell_timeout: int | None) -> str:
    """Why the notebook did not run to the end ("" when it did), in the grader's words only:
    `run.log_tail` and the worker's error message are for debugging and never quoted."""
    if run.limit:
        return run.limit
    if run.left_behind:
        return "processes of the notebook could not be stopped"
    if not isinstance(run.result, dict):
        return _runner_stopped(run.returncode)
    error = run.result.get("error")
    if not error:
        return ""
    if not isinstance(error, dict):
        return "the notebook could not be executed: the grader's runner failed"
    return _worker_error(error, policy, cell_timeout)


def completion_note(result: dict, cell_timeout: int | None, policy: SandboxSettings) -> str:
    """What the instructor should know about a notebook that ran to the end ("" if nothing)."""
    notes = []
    stopped = result.get("timed_out_cells")
    numbers = [n for n in (stopped if isinstance(stopped, list) else []) if _cell_number(n)]
    if numbers:
        cells = ", ".join(str(n) for n in numbers[:10]) + (", …" if len(numbers) > 10 else "")
        notes.append(f"a cell ran longer than {cell_timeout} s and was stopped "
                     f"({'cell' if len(numbers) == 1 else 'cells'} {cells}), the rest of the "
                     "notebook was graded")
    cut = result.get("outputs_cut")
    if isinstance(cut, int) and not isinstance(cut, bool) and cut > 0:
        notes.append(f"{cut} output(s) longer than {policy.max_output_chars:,} characters "
                     "were cut")
    return "; ".join(notes)
