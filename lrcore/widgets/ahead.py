"""Work done before the student asks: results by setting, computed ahead in the background.

An explorer whose settings take long to compute (a training run, a range test, a Q-learning
run) keeps its results in a `Results` store. The store computes a setting the first time it is
asked for — in the caller's thread, as a plain function would — and keeps it, so a setting seen
once is served again without recomputation.

Once a browser shows the explorer (never while a notebook is executed for grading, nor in
tests unless they ask), `start_ahead()` lets one background thread, shared by every explorer of
the kernel, compute ahead:

- `prefetch(settings)`: the settings the next slider moves would ask for, nearest first. Each
  call replaces the store's previous wish list: only the neighbourhood of the current setting
  matters.
- `request(setting, deliver)`: a setting that is needed now and is not ready: computed before
  any prefetch, then handed to `deliver(setting, result)` in the worker's thread (the explorer
  draws it under its figure's lock if it is still the one on screen). The slider callback
  itself returns at once, so the kernel stays free to take the next slider message: moving a
  slider faster than its settings compute skips the settings passed over.

The worker leaves the CPU to the slider callbacks: it starts no prefetch within `QUIET_SECONDS`
of the last one (`note_activity`), only requested settings, and a long computation ahead that
calls `give_way()` between its steps waits while a callback runs, and stops (`preempted()`,
`Preempted`, keeping what it did) when a requested setting waits. The worker is a daemon
thread that sleeps when it has nothing to do; it ends with the kernel.

The numbers are the ones the store's `compute` returns — lrcore's — in whichever thread.
"""

from __future__ import annotations

import atexit
import contextlib
import heapq
import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, Generic, TypeVar

from lrcore.widgets.common import slider_neighbours

__all__ = ["QUIET_SECONDS", "AheadExplorer", "Preempted", "Results", "give_way",
           "note_activity", "preempted", "worker_idle"]

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")

QUIET_SECONDS = 0.1
"""No prefetch starts within this time of a slider callback (requested settings do)."""

_URGENT, _AHEAD = 0, 1


class Preempted(Exception):  # noqa: N818 - a signal, not an error
    """Raised by a computation ahead that stopped to let a requested setting go first."""


class _Worker:
    """The one background thread: a priority queue of (store, setting) tasks — requests first,
    then the newest wish list (the explorer the student touched last), each in its order."""

    def __init__(self) -> None:
        self._tasks: list[tuple[int, int, int, int, Results, Any, Callable | None]] = []
        self._order = itertools.count()
        self._lists = itertools.count(-1, -1)  # newer wish lists rank first
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._quiet_until = 0.0
        self._busy = False
        self._stopping = False
        self._current: tuple | None = None

    def note_activity(self) -> None:
        self._quiet_until = time.monotonic() + QUIET_SECONDS

    def new_list(self) -> int:
        """The rank of a new wish list: before every older one."""
        with self._condition:
            return next(self._lists)

    def put(self, priority: int, rank: int, generation: int, store: Results, key: Any,
            deliver: Callable | None) -> None:
        with self._condition:
            heapq.heappush(self._tasks, (priority, rank, next(self._order), generation, store,
                                         key, deliver))
            if self._thread is None and not self._stopping:
                self._thread = threading.Thread(target=self._run, name="lrcore-explorers-ahead",
                                                daemon=True)
                self._thread.start()
                atexit.register(self.stop)
            self._condition.notify()

    def stop(self, timeout: float = 10.0) -> None:
        """End the thread after its current task (at exit: a thread still inside torch when
        the interpreter shuts down aborts the process)."""
        with self._condition:
            self._stopping = True
            self._tasks.clear()
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def preempted(self) -> bool:
        """In the worker, computing ahead, with a requested setting (another one) waiting."""
        if threading.current_thread() is not self._thread:
            return False
        with self._condition:
            current = self._current
            if current is None or current[0] != _AHEAD:
                return False
            return any(task[0] == _URGENT and self._wanted(task)
                       and (task[4], task[5]) != (current[4], current[5])
                       for task in self._tasks)

    def idle(self) -> bool:
        """Nothing queued (that is still wanted) and nothing being computed."""
        with self._condition:
            return not self._busy and not any(self._wanted(task) for task in self._tasks)

    @staticmethod
    def _wanted(task: tuple) -> bool:
        priority, _rank, _order, generation, store, key, _deliver = task
        if priority == _URGENT:  # only the store's latest request: the setting on screen
            return generation == store._requests
        return generation == store._generation and store.get(key) is None

    def _next(self) -> tuple | None:
        """The next task worth doing, waiting for one (and for quiet, before a prefetch)."""
        with self._condition:
            while not self._stopping:
                while self._tasks and not self._wanted(self._tasks[0]):
                    heapq.heappop(self._tasks)
                if not self._tasks:
                    self._busy = False
                    self._condition.wait()
                    continue
                wait = self._quiet_until - time.monotonic()
                if self._tasks[0][0] == _AHEAD and wait > 0:
                    self._condition.wait(wait)
                    continue
                self._busy = True
                self._current = heapq.heappop(self._tasks)
                return self._current
            return None

    def _run(self) -> None:
        while True:
            task = self._next()
            if task is None:
                return
            _priority, _rank, _order, _generation, store, key, deliver = task
            try:
                value = store.get(key)
                if value is None:
                    value = store(key)
            except Preempted:
                continue  # what it computed is kept; the explorer asks again if need be
            except Exception as error:  # noqa: BLE001 - handed to the explorer, never raised
                value = error
            if deliver is not None:
                with contextlib.suppress(Exception):  # the worker outlives any one explorer
                    deliver(key, value)


_worker = _Worker()


def note_activity() -> None:
    """Tell the worker a slider callback is running: no prefetch starts for a moment."""
    _worker.note_activity()


def give_way() -> None:
    """In the worker, computing ahead: wait while slider callbacks run (`note_activity`). A
    long computation calls it between its steps, so as not to share the interpreter with
    them."""
    current = _worker._current
    if threading.current_thread() is not _worker._thread or current is None \
            or current[0] != _AHEAD:
        return  # a requested setting: the student is waiting for it
    while not _worker._stopping and time.monotonic() < _worker._quiet_until:
        time.sleep(0.005)


def preempted() -> bool:
    """True when the caller is the worker computing ahead and a requested setting waits: a long
    computation checks it between its steps and raises `Preempted` (keeping what it did)."""
    return _worker.preempted()


def worker_idle() -> bool:
    """True when the worker has nothing left to compute (benchmarks and tests wait for it)."""
    return _worker.idle()


class Results(Generic[Key, Value]):
    """Results by setting (bounded, least recently used dropped first).

    Args:
        compute: setting → result; lrcore's numbers.
        lookup: optional setting → result or None, for stores that can serve a setting from
            another one's result (a run of 30 epochs holds the run of 10); by default a
            setting is served only from its own result.
        maxsize: how many results are kept.
    """

    def __init__(self, compute: Callable[[Key], Value],
                 lookup: Callable[[Key], Value | None] | None = None, maxsize: int = 256):
        self._compute = compute
        self._lookup = lookup
        self._maxsize = maxsize
        self._values: OrderedDict[Key, Value] = OrderedDict()
        self._lock = threading.Lock()
        self._generation = 0
        self._requests = 0
        self.computed = 0
        """How many settings were computed (not served from the store)."""
        self.ahead = False
        """Whether the background worker computes for this store (see `start_ahead`)."""

    def get(self, key: Key) -> Value | None:
        """The result of `key` if it is ready, else None (never computes)."""
        if self._lookup is not None:
            return self._lookup(key)
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def __call__(self, key: Key) -> Value:
        """The result of `key`: kept, or computed now in this thread and kept."""
        value = self.get(key)
        if value is not None:
            return value
        value = self._compute(key)
        with self._lock:
            self.computed += 1
            if self._lookup is None:
                self._values[key] = value
                while len(self._values) > self._maxsize:
                    self._values.popitem(last=False)
        return value

    def start_ahead(self) -> None:
        """From now on `prefetch` and `request` use the background worker."""
        self.ahead = True

    def prefetch(self, keys: Iterable[Key]) -> None:
        """Compute `keys` ahead, in this order, replacing the previous wish list. Without the
        worker (`start_ahead` not called): nothing."""
        if not self.ahead:
            return
        self._generation += 1
        rank = _worker.new_list()
        for key in keys:
            if self.get(key) is None:
                _worker.put(_AHEAD, rank, self._generation, self, key, None)

    def cancel_request(self) -> None:
        """Forget the pending request, if any (the slider moved to a setting that is ready)."""
        self._requests += 1

    def request(self, key: Key, deliver: Callable[[Key, Any], None]) -> None:
        """Compute `key` in the worker before any prefetch, then call `deliver(key, result)`
        (or `deliver(key, exception)`) in the worker's thread. A newer request of the same
        store supersedes it: a setting the slider has already left is not computed.
        Requires `start_ahead`."""
        if not self.ahead:
            raise RuntimeError("request() needs the background worker: call start_ahead()")
        self._requests += 1
        _worker.put(_URGENT, 0, self._requests, self, key, deliver)


class AheadExplorer:
    """What an explorer with a `Results` store does on every change (a base class).

    A subclass sets `live` (a `LiveFigure`), `status` (an HTML widget) and `results`, and
    defines `setting()` (the controls' current setting, hashable), `show(setting, result)`
    (draw it and write the status line), `neighbours(setting)` (what to compute ahead, nearest
    first) and `waiting_message(setting)`. It calls `self.compute_ahead_when_shown()` once its
    widget exists.
    """

    live: Any
    status: Any
    results: Results
    moved: tuple[Any, int] = (None, 0)
    """The control that moved last and the direction it moved in (+1, −1, or 0)."""

    def _on_change(self, change: dict) -> None:
        old, new = change.get("old"), change.get("new")
        direction = 0
        if isinstance(old, (int, float)) and isinstance(new, (int, float)):
            direction = (new > old) - (new < old)
        self.moved = (change.get("owner"), direction)
        self.update()

    def steps_for(self, control: Any) -> tuple[int, ...]:
        """Slider steps to compute ahead for `control`: onwards in the direction it last moved
        (three steps, and one back), or one step each way."""
        owner, direction = self.moved
        if owner is control and direction:
            return (direction, 2 * direction, -direction, 3 * direction)
        return (1, -1)

    def values_ahead(self, control: Any) -> list[Any]:
        """The values of `control` to compute ahead, nearest first: its slider positions
        `steps_for(control)` away from the current one (`common.slider_neighbours`)."""
        return slider_neighbours(control, self.steps_for(control))

    def setting(self) -> Hashable:
        raise NotImplementedError

    def result_key(self, setting: Any) -> Hashable:
        """What `results` is keyed by (by default the setting itself; an explorer whose
        settings share results — a range test re-smoothed for every β — keys them coarser)."""
        return setting

    def show(self, setting: Any, result: Any) -> None:
        raise NotImplementedError

    def neighbours(self, setting: Any) -> list:
        return []

    def waiting_message(self, setting: Any) -> str:
        return "computing …"

    def compute_ahead_when_shown(self) -> None:
        """Start computing ahead once a browser shows the figure."""
        self.live.when_shown(self._start_ahead)

    def _start_ahead(self) -> None:
        self.results.start_ahead()
        self._prefetch(self.setting())

    def _prefetch(self, setting: Any) -> None:
        keys = dict.fromkeys(self.result_key(s) for s in self.neighbours(setting))
        keys.pop(self.result_key(setting), None)
        self.results.prefetch(keys)

    def update(self) -> None:
        """Show the current setting: at once if its result is ready; otherwise computed now
        (no browser) or by the worker, which shows it when done (the figure keeps the last
        setting until then, and the status line says what is being computed)."""
        with self.live.lock:
            note_activity()
            setting = self.setting()
            key = self.result_key(setting)
            result = self.results.get(key)
            if result is None and self.results.ahead:
                self.status.value = self.waiting_message(setting)
                self.results.request(key, self._deliver)
                return
            if result is None:
                result = self.results(key)
            else:
                self.results.cancel_request()
            self.show(setting, result)
            self._prefetch(setting)
            note_activity()

    def _deliver(self, key: Any, result: Any) -> None:
        with self.live.lock:
            setting = self.setting()
            if key != self.result_key(setting):
                return  # the slider has moved on; its own request is queued
            try:
                if isinstance(result, Exception):
                    raise result
                self.show(setting, result)
            except Exception:  # noqa: BLE001 - the student reads a sentence, not a traceback
                self.status.value = ("This setting could not be computed; move a slider to "
                                     "another value.")
                return
            self._prefetch(setting)
