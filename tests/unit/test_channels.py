"""The worker's kernel client polls in slices (`autograder.sandbox.channels`): a wake-up of the
socket that never comes costs one slice, not the whole cell timeout."""

from __future__ import annotations

import asyncio
import time
from queue import Empty

import pytest

from autograder.sandbox.channels import POLL_SLICE, SlicedPollChannel, SlicedPollKernelClient
from autograder.sandbox.kernel_fork import ForkingKernelManager
from autograder.sandbox.worker import WatchedKernelManager


class MissedWakeUps:
    """A socket whose message is there from the start, but whose poll only notices it when
    the poll times out — what a missed edge of ZMQ's file descriptor looks like."""

    def __init__(self, noticed_after_polls: int | None) -> None:
        self.noticed_after = noticed_after_polls
        self.polls: list[int] = []

    async def poll(self, timeout_ms: int) -> int:
        self.polls.append(timeout_ms)
        await asyncio.sleep(timeout_ms / 1000)
        return int(self.noticed_after is not None and len(self.polls) > self.noticed_after)


def channel_on(socket: MissedWakeUps) -> SlicedPollChannel:
    channel = SlicedPollChannel.__new__(SlicedPollChannel)
    channel.socket = socket  # type: ignore[assignment]

    async def receive() -> dict:
        return {"msg_type": "execute_reply"}

    channel._recv = receive  # type: ignore[method-assign]
    return channel


def test_a_message_arrives_after_one_slice_not_after_the_timeout():
    socket = MissedWakeUps(noticed_after_polls=0)
    started = time.monotonic()
    message = asyncio.run(channel_on(socket).get_msg(timeout=60))
    assert message == {"msg_type": "execute_reply"}
    assert socket.polls == [int(1000 * POLL_SLICE)]
    assert time.monotonic() - started < 5 * POLL_SLICE


def test_the_timeout_still_raises_empty_at_its_deadline():
    socket = MissedWakeUps(noticed_after_polls=None)
    started = time.monotonic()
    with pytest.raises(Empty):
        asyncio.run(channel_on(socket).get_msg(timeout=0.6))
    waited = time.monotonic() - started
    assert 0.6 <= waited < 0.6 + 2 * POLL_SLICE
    assert max(socket.polls) <= 1000 * POLL_SLICE and len(socket.polls) >= 3


def test_every_kernel_manager_of_the_worker_uses_the_sliced_client():
    for manager in (WatchedKernelManager(), ForkingKernelManager()):
        client = manager.client()
        assert isinstance(client, SlicedPollKernelClient)
        assert all(isinstance(channel, SlicedPollChannel) for channel in
                   (client.shell_channel, client.iopub_channel, client.stdin_channel,
                    client.control_channel))
