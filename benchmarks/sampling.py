"""A measurement taken in a background thread every few milliseconds while a block runs.

    class Peak(PeriodicSampler):
        def sample(self) -> None: ...   # called every `interval` seconds in the thread

    with Peak(0.2) as peak:
        work()

Used by `tree_memory.py` (the memory of `bench_grading.py`'s process tree) and
`bench_kernel_split.py` (the running stack). The first sample is taken one interval after the
block starts."""

from __future__ import annotations

import threading
from typing import Self


class PeriodicSampler:
    """Calls `sample()` every `interval` seconds in a daemon thread, from the `with` block's
    start to its end."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
