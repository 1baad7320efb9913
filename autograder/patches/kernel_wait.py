"""The worker's kernel manager looks for a killed kernel's exit every few milliseconds.

jupyter_client's `AsyncKernelManager._async_wait` (private) polls a killed kernel every 0.1 s;
a SIGKILLed kernel is gone within milliseconds, so that sleep was paid on every notebook.
`QuickReapKernelManager` passes a shorter interval to the same method. A speed patch
(`PATCH`): outside its tested versions the worker's manager waits as jupyter_client does.
"""

from __future__ import annotations

from jupyter_client.manager import AsyncKernelManager

from autograder.patches.gate import SPEED, Patch, TestedRange

__all__ = ["PATCH", "KILLED_POLL", "QuickReapKernelManager"]

PATCH = Patch(
    name="kernel_wait",
    title="the quick reaping of a killed kernel",
    patches="the killed kernel's reaping (jupyter_client's KernelManager._async_wait)",
    why="jupyter_client sleeps 0.1 s between looks at a killed kernel, paid on every notebook",
    kind=SPEED,
    tested=(TestedRange("jupyter_client", "8.10.0", "8.11"),),
)

KILLED_POLL = 0.005
"""Seconds between checks that a killed kernel has exited."""


class QuickReapKernelManager(AsyncKernelManager):
    """Waits for a killed kernel looking every `KILLED_POLL` seconds."""

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        """Wait until the killed kernel is gone, looking every `KILLED_POLL` seconds instead of
        jupyter_client's 0.1 s."""
        await super()._async_wait(pollinterval=min(pollinterval, KILLED_POLL))
