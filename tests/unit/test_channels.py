"""The worker's kernel client polls in slices (`autograder.patches.kernel_client`): a wake-up of the
socket that never comes costs one slice, not the whole cell timeout."""

from __future__ import annotations

import asyncio
import time
from queue import Empty

import pytest
import zmq

from autograder.patches.kernel_client import (
    POLL_SLICE,
    RECONNECT_INTERVAL_MS,
    SlicedPollChannel,
    SlicedPollKernelClient,
)
from autograder.sandbox.worker import grading_kernel_manager


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
    for manager in (grading_kernel_manager()(), grading_kernel_manager(pending=object())()):
        client = manager.client()
        assert isinstance(client, SlicedPollKernelClient)
        assert all(isinstance(channel, SlicedPollChannel) for channel in
                   (client.shell_channel, client.iopub_channel, client.stdin_channel,
                    client.control_channel))


def test_the_clients_sockets_retry_a_refused_connection_within_milliseconds():
    """The client connects as soon as the kernel is launched, and a forked kernel binds its
    ports while it initialises: with ZeroMQ's default of 100 ms between attempts, its first
    kernel_info request waited 0.1 s for the second attempt, on every notebook."""
    with zmq.Context() as context, context.socket(zmq.DEALER) as probe:
        assert probe.getsockopt(zmq.RECONNECT_IVL) == 100
    for manager in (grading_kernel_manager()(), grading_kernel_manager(pending=object())()):
        manager.write_connection_file()  # the kernel's ports, chosen but not yet listened on
        client = manager.client()
        # no heartbeat: its thread would still be creating its socket when the channels stop at
        # once, and jupyter_client's heartbeat then fails in that thread ("Too many open files")
        client.start_channels(hb=False)
        try:
            channels = (client.shell_channel, client.iopub_channel, client.stdin_channel,
                        client.control_channel)
            assert [channel.socket.getsockopt(zmq.RECONNECT_IVL) for channel in channels] == [
                RECONNECT_INTERVAL_MS] * 4
        finally:
            client.stop_channels()
            manager.cleanup_connection_file()


# --- start-up: ready at the idle status of the answered kernel_info request -----------------

def status(state: str, request_id: str) -> dict:
    return {"msg_type": "status", "content": {"execution_state": state},
            "parent_header": {"msg_id": request_id}}


class FakeShell:
    """Answers every kernel_info request (unless `silent`), remembering the requests."""

    def __init__(self, silent: bool = False) -> None:
        self.silent = silent
        self.requests: list[str] = []

    def send(self, message: dict) -> None:
        self.requests.append(message["header"]["msg_id"])

    async def get_msg(self, timeout: float | None = None) -> dict:
        if self.silent:
            raise Empty
        return {"msg_type": "kernel_info_reply", "parent_header": {"msg_id": self.requests[-1]},
                "content": {"status": "ok", "protocol_version": "5.3"}}


class FakeIOPub:
    """IOPub that says nothing for the first `silent_requests` requests (not connected yet),
    then publishes, per request, `before` + busy + idle + `after`."""

    def __init__(self, shell: FakeShell, silent_requests: int = 0, before: list | None = None,
                 after: list | None = None) -> None:
        self.shell, self.silent_requests = shell, silent_requests
        self.before, self.after = before or [], after or []
        self.queue: list[dict] = []
        self.published_for: set[str] = set()

    async def get_msg(self, timeout: float | None = None) -> dict:
        request = self.shell.requests[-1]
        if len(self.shell.requests) > self.silent_requests and request not in self.published_for:
            self.published_for.add(request)
            self.queue += [*self.before, status("busy", request), status("idle", request),
                           *self.after]
        if not self.queue:
            raise Empty
        return self.queue.pop(0)


def fake_client(shell: FakeShell, iopub: FakeIOPub, alive: bool = True) -> tuple:
    client = SlicedPollKernelClient()
    client._shell_channel, client._iopub_channel = shell, iopub
    handled: list[dict] = []

    async def is_alive() -> bool:
        return alive

    client._async_is_alive = is_alive  # type: ignore[method-assign]
    client._handle_kernel_info_reply = handled.append  # type: ignore[method-assign]
    return client, handled


def test_ready_at_the_idle_status_of_the_answered_request_leaving_later_messages():
    shell = FakeShell()
    later = {"msg_type": "stream", "parent_header": {"msg_id": "a cell's"}}
    iopub = FakeIOPub(shell, before=[status("idle", "an older request")], after=[later])
    client, handled = fake_client(shell, iopub)
    asyncio.run(client.wait_for_ready(timeout=10))
    assert len(shell.requests) == 1
    assert [m["msg_type"] for m in handled] == ["kernel_info_reply"]
    assert iopub.queue == [later]  # not drained: nbclient ignores it, nobody waits for it


def test_kernel_info_is_asked_again_while_iopub_is_not_connected():
    shell = FakeShell()
    client, handled = fake_client(shell, FakeIOPub(shell, silent_requests=2))
    asyncio.run(client.wait_for_ready(timeout=10))
    assert len(shell.requests) == 3 and len(handled) == 1


def test_a_kernel_that_dies_before_answering_is_reported_as_a_start_failure():
    from autograder.grade import KERNEL_START_FAILURES

    shell = FakeShell(silent=True)
    client, _ = fake_client(shell, FakeIOPub(shell), alive=False)
    with pytest.raises(RuntimeError) as raised:
        asyncio.run(client.wait_for_ready(timeout=10))
    assert any(sign in str(raised.value) for sign in KERNEL_START_FAILURES)


def test_a_kernel_that_never_answers_times_out_as_a_start_failure():
    from autograder.grade import KERNEL_START_FAILURES

    shell = FakeShell(silent=True)
    client, _ = fake_client(shell, FakeIOPub(shell))
    with pytest.raises(RuntimeError) as raised:
        asyncio.run(client.wait_for_ready(timeout=0))
    assert any(sign in str(raised.value) for sign in KERNEL_START_FAILURES)


def test_a_real_kernel_is_ready_runs_a_cell_and_is_killed_and_reaped():
    async def scenario() -> tuple[list[str], bool, int | None]:
        manager = grading_kernel_manager()()
        await manager.start_kernel()
        process = manager.provisioner.process  # type: ignore[union-attr]
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            request = client.execute("print(6 * 7)")
            texts = []
            while True:
                message = await client.get_iopub_msg(timeout=30)
                if message["parent_header"].get("msg_id") != request:
                    continue
                if message["msg_type"] == "stream":
                    texts.append(message["content"]["text"])
                if (message["msg_type"] == "status"
                        and message["content"]["execution_state"] == "idle"):
                    break
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)
        return texts, await manager.is_alive(), process.poll()

    texts, alive, returncode = asyncio.run(scenario())
    assert texts == ["42\n"]
    assert not alive and returncode is not None  # killed and reaped, not left running
