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

`SlicedPollKernelClient.wait_for_ready` also ends its start-up wait as soon as the kernel is
ready: jupyter_client's, after the `kernel_info_reply`, drains IOPub until it has been silent
for 0.2 s — a fixed 0.2 s of idle waiting per notebook. Here the drain stops at the kernel's
`idle` status for the answered `kernel_info_request` (the kernel publishes it after the reply),
which says the same thing — IOPub is connected and holds nothing more of the start-up — without
the wait. A message of any other request that arrives later is ignored by nbclient, which reads
only the messages of the cell it executes.

The client's sockets retry a refused connection after `RECONNECT_INTERVAL_MS` instead of
ZeroMQ's 100 ms. The client connects as soon as the kernel is launched, and a forked kernel binds
its ports tens of milliseconds later, while it initialises: the first attempt is refused, and
the kernel_info request waited for the next one — 0.13 s of idle waiting per notebook, measured
from the kernel's and the worker's timestamps (kernel_info sent at 0.04 s, kernel running at
0.09 s, its reply at 0.23 s; 0.09 s with the short interval).

The channel reads with the channel's private `_recv`; the client overrides jupyter_client's
private `_async_wait_for_ready` and `_context_default` and calls its `_handle_kernel_info_reply`
and `_async_is_alive`. A speed patch (`PATCH`): outside its tested versions the worker's kernel
manager keeps jupyter_client's own client (`autograder.sandbox.worker.grading_kernel_manager`).
"""

from __future__ import annotations

import time
from queue import Empty
from typing import Any

import zmq
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.channels import AsyncZMQSocketChannel
from traitlets import Type, default

from autograder.patches.gate import SPEED, Patch, TestedRange

__all__ = ["PATCH", "POLL_SLICE", "IOPUB_WAIT", "RECONNECT_INTERVAL_MS", "SlicedPollChannel",
           "SlicedPollKernelClient"]

PATCH = Patch(
    name="kernel_client",
    title="the kernel client",
    patches="the worker's kernel client (jupyter_client's AsyncKernelClient._async_wait_for_ready "
            "and AsyncZMQSocketChannel.get_msg over its _recv)",
    why="a missed wake-up of the shell socket made a cell wait its whole timeout, and the "
        "start-up waited 0.2 s of IOPub silence and 0.1 s reconnections per notebook",
    kind=SPEED,
    tested=(TestedRange("jupyter_client", "8.10.0", "8.11"),),
)

POLL_SLICE = 0.25
"""Seconds: the longest a message can wait in the socket unnoticed."""
IOPUB_WAIT = 0.2
"""Seconds without an IOPub message after which IOPub counts as not (yet) connected — the
kernel_info request is then sent again (jupyter_client's figure)."""
KERNEL_INFO_WAIT = 1.0
"""Seconds to wait for a kernel_info reply before asking again (jupyter_client's figure)."""
RECONNECT_INTERVAL_MS = 5
"""Milliseconds between a client socket's connection attempts while the kernel is not yet
listening (ZeroMQ's `ZMQ_RECONNECT_IVL`, 100 by default)."""


class SlicedPollChannel(AsyncZMQSocketChannel):
    """`get_msg` with the same contract, waiting in slices of `POLL_SLICE` seconds."""

    # jupyter_client's own AsyncZMQSocketChannel overrides the synchronous get_msg the same way
    async def get_msg(  # type: ignore[override]
            self, timeout: float | None = None) -> dict[str, Any]:
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

    @default("context")
    def _context_default(self) -> zmq.asyncio.Context:
        """jupyter_client's own context, whose sockets retry every `RECONNECT_INTERVAL_MS`."""
        context = super()._context_default()
        context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_INTERVAL_MS)
        return context

    async def _idle_after(self, request_id: str | None) -> bool:
        """Read IOPub up to the kernel's `idle` status for `request_id`; False if IOPub stays
        silent for `IOPUB_WAIT` seconds first (not connected yet)."""
        while True:
            try:
                message = await self.iopub_channel.get_msg(timeout=IOPUB_WAIT)
            except Empty:
                return False
            if (message.get("msg_type") == "status"
                    and message.get("content", {}).get("execution_state") == "idle"
                    and message.get("parent_header", {}).get("msg_id") == request_id):
                return True

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        """Ask for kernel_info until the kernel answers on the shell channel and IOPub carries
        its status; raises RuntimeError (jupyter_client's messages) if the kernel dies or the
        `timeout` passes first."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=KERNEL_INFO_WAIT)
            except Empty:
                reply = None
            if reply is not None and reply.get("msg_type") == "kernel_info_reply" and (
                    await self._idle_after(reply.get("parent_header", {}).get("msg_id"))):
                self._handle_kernel_info_reply(reply)
                return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    wait_for_ready = _async_wait_for_ready
