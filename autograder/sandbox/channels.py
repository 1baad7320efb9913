"""The worker's kernel client: it waits for the kernel's messages in short slices.

Why: nbclient waits for a cell's reply with one `poll` of the shell socket lasting the whole
cell timeout. pyzmq's asyncio poll is woken by the socket's file descriptor, which signals
*edges*; when a wake-up is missed, the message waits in the socket until the poll times out —
and then arrives, because the timeout ends with a last non-blocking check. Nothing fails; the
cell just takes the whole timeout. Grading 8 ps05 notebooks two at a time, 1 to 4 of them
waited 59 s after the reply of their last cell (an explorer widget) had been sent — the
kernel's own timestamps said 1 s.

`SlicedPollChannel.get_msg` polls in slices of `POLL_SLICE` seconds up to the same deadline: a
missed wake-up costs at most one slice, and a message, a timeout (`Empty`) and the order of
messages are exactly as before.
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type

__all__ = ["POLL_SLICE", "SlicedPollChannel", "SlicedPollKernelClient"]

POLL_SLICE = 0.25
"""Seconds: the longest a message can wait in the socket unnoticed."""


class SlicedPollChannel(AsyncZMQSocketChannel):
    """`get_msg` with the same contract, waiting in slices of `POLL_SLICE` seconds."""

    async def get_msg(self, timeout: float | None = None) -> dict[str, Any]:
        assert self.socket is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            remaining = POLL_SLICE if deadline is None else deadline - time.monotonic()
            if await self.socket.poll(int(1000 * max(0.0, min(POLL_SLICE, remaining)))):
                return await self._recv()
            if deadline is not None and time.monotonic() >= deadline:
                raise Empty


class SlicedPollKernelClient(AsyncKernelClient):
    """The asynchronous kernel client with `SlicedPollChannel` for every ZMQ channel."""

    shell_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
    iopub_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
    stdin_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
    control_channel_class = Type(SlicedPollChannel)  # type: ignore[assignment]
