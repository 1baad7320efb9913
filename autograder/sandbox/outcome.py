"""What happened to a notebook, in plain words for the instructor's grade table.

A notebook either ran to the end — then it is scored, with a note when a cell was stopped by
the per-cell timeout or an output was cut — or it did not, and the reason is one sentence:
"the notebook used more than 2 GiB of memory", "the kernel died (segmentation fault) in cell
'optimize'", "the whole notebook took longer than 300 s", …
"""

from __future__ import annotations

import signal

from autograder.sandbox.policy import SandboxPolicy
from autograder.sandbox.runner import SandboxRun

__all__ = ["kernel_death", "failure_message", "completion_note"]


def kernel_death(status: int | None, policy: SandboxPolicy) -> str:
    """Why the kernel process ended, from its exit status (negative: the signal).

    >>> kernel_death(-11, SandboxPolicy())
    'the kernel died (segmentation fault)'
    >>> kernel_death(1, SandboxPolicy())
    'the kernel exited with status 1 (os._exit() or a crash in a library)'
    """
    if status is None:
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


def _in_cell(label: str | None) -> str:
    return f" in {label}" if label else ""


def failure_message(run: SandboxRun, policy: SandboxPolicy, cell_timeout: int | None) -> str:
    """Why the notebook did not run to the end ("" when it did)."""
    error = (run.result or {}).get("error")
    if run.limit:
        return run.limit
    if run.left_behind:
        return "processes of the notebook could not be stopped"
    if run.result is None:
        last = [line for line in run.log_tail.splitlines() if line.strip()][-1:]
        detail = f": {last[0].strip()[:200]}" if last else ""
        return f"the notebook runner stopped unexpectedly (exit status {run.returncode}){detail}"
    if not error:
        return ""
    kind, message, cell = error.get("type"), error.get("message", ""), error.get("cell")
    if kind == "DeadKernelError":
        return kernel_death(error.get("exit_status"), policy) + _in_cell(cell)
    if kind in {"CellTimeoutError", "TimeoutError"}:
        where = f": {cell}" if cell else ""
        return f"a cell ran longer than {cell_timeout} s and could not be stopped{where}"
    return f"{kind}: {message}".strip()


def completion_note(result: dict, cell_timeout: int | None, policy: SandboxPolicy) -> str:
    """What the instructor should know about a notebook that ran to the end ("" if nothing)."""
    notes = []
    stopped = result.get("timed_out_cells") or []
    if stopped:
        notes.append(f"a cell ran longer than {cell_timeout} s and was stopped "
                     f"({'; '.join(stopped)}), the rest of the notebook was graded")
    if result.get("outputs_cut"):
        notes.append(f"{result['outputs_cut']} output(s) longer than "
                     f"{policy.max_output_chars:,} characters were cut")
    return "; ".join(notes)
