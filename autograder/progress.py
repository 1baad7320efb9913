"""A one-line progress bar on stderr for batches of students (no dependency)."""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

__all__ = ["ProgressBar"]


class ProgressBar:
    """`with ProgressBar(total, "grading") as bar: bar.advance("alice")`."""

    def __init__(self, total: int, label: str, stream: TextIO | None = None, width: int = 28):
        self.total, self.label, self.width = max(total, 0), label, width
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.perf_counter()

    def __enter__(self) -> ProgressBar:
        self._draw("")
        return self

    def advance(self, note: str = "") -> None:
        self.done += 1
        self._draw(note)

    def _draw(self, note: str) -> None:
        filled = int(self.width * self.done / self.total) if self.total else self.width
        elapsed = time.perf_counter() - self.started
        bar = "█" * filled + "·" * (self.width - filled)
        line = f"{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s {note}"
        # the whole name when it fits the terminal; the line is cleared, so nothing stays behind
        columns = shutil.get_terminal_size((120, 24)).columns
        if len(line) >= columns:
            line = line[: max(columns - 2, 20)] + "…"
        self.stream.write("\r\x1b[2K" + line if self.stream.isatty() else "\r" + line)
        self.stream.flush()

    def __exit__(self, *exc: object) -> None:
        self.stream.write("\n")
        self.stream.flush()
