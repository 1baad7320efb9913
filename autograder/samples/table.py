"""An assignment's sample class read from its table (`autograder/samples/psNN.toml`).

The table lists the samples in order, one `[[sample]]` entry each, and names code by the name
of a constant of the assignment's module (`psNN.py`), where the code is written:

    [[sample]]
    kind = "solution"             # the instructor's solution
    written = "WRITTEN"           # its written answers: a dict constant (answer cell → text)

    [[sample]]
    kind = "blank"                # the release, untouched
    first_test = "test_…"         # the test whose feedback says `words`
    words = "…"                   # optional; NOT_WRITTEN_YET unless given

    [[sample]]
    kind = "mistake"              # a realistic mistake
    student = "s03_…"
    shows = "…"                   # what the mistake is, in a few words
    cells = { answer_cell = "CODE_CONSTANT" }
    feedback = { test_… = "words the test's feedback must contain" }
    also_failing = ["test_…"]     # optional: tests that also lose their points

    [[sample]]
    kind = "written_differently"  # correct, sharing no code with the instructor's
    student = "s07_…"
    cells = ["DIFFERENT_CELLS", "WRITTEN"]   # dict constants, merged in order

Each kind is built by its builder of `autograder.samples.build`, so a sample read from the table
is the same `Sample` the builder makes.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from autograder.samples.build import (
    NOT_WRITTEN_YET,
    Sample,
    blank,
    mistake,
    solution,
    written_differently,
)

__all__ = ["SampleTableError", "load_samples"]


class SampleTableError(ValueError):
    """A sample table that cannot be read: the message names the file, the entry and the fix."""


class _Entry:
    """One `[[sample]]` entry of a table, with the module's code constants to resolve its names
    against; every lookup that fails raises a SampleTableError naming the file and the entry."""

    def __init__(self, table: Path, number: int, fields: Mapping[str, Any],
                 code: Mapping[str, object]) -> None:
        self._table, self._fields, self._code = table, fields, code
        self._name = f"sample {number} ({fields.get('student', fields.get('kind', '?'))})"

    def fail(self, problem: str) -> SampleTableError:
        """The error for `problem`, a sentence about this entry."""
        return SampleTableError(f"{self._table.name}, {self._name}: {problem}")

    def text(self, key: str, default: str | None = None) -> str:
        """The entry's string field `key` (`default` if given and the field is absent)."""
        value = self._fields.get(key, default)
        if not isinstance(value, str):
            raise self.fail(f"give `{key}` as a string.")
        return value

    def texts(self, key: str) -> tuple[str, ...]:
        """The entry's optional list of strings `key` (empty if absent)."""
        value = self._fields.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.fail(f"give `{key}` as a list of strings.")
        return tuple(value)

    def words(self, key: str) -> dict[str, str]:
        """The entry's table of strings `key` (test or cell → string)."""
        value = self._fields.get(key)
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(f"give `{key}` as a table of strings.")
        return dict(value)

    def constant(self, name: str) -> object:
        """The module's code constant called `name`."""
        if name not in self._code:
            raise self.fail(f"{self._table.with_suffix('.py').name} defines no code constant "
                            f"named {name}; define it there or correct the name.")
        return self._code[name]

    def code(self, name: str) -> str:
        """The code text of the constant `name`."""
        value = self.constant(name)
        if not isinstance(value, str):
            raise self.fail(f"{name} is not code text; name a string constant.")
        return value

    def cells(self, name: str) -> dict[str, str]:
        """The cells of the dict constant `name` (answer cell → text)."""
        value = self.constant(name)
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(f"{name} is not a dict of cells; name a dict constant.")
        return dict(value)

    def merged_cells(self, key: str) -> dict[str, str]:
        """The dict constants named by the list `key`, merged in order (later ones win)."""
        merged: dict[str, str] = {}
        for name in self.texts(key):
            merged.update(self.cells(name))
        return merged


def _solution(entry: _Entry) -> Sample:
    return solution(entry.cells(entry.text("written")))


def _blank(entry: _Entry) -> Sample:
    return blank(entry.text("first_test"), entry.text("words", NOT_WRITTEN_YET))


def _mistake(entry: _Entry) -> Sample:
    cells = {cell: entry.code(name) for cell, name in entry.words("cells").items()}
    return mistake(entry.text("student"), entry.text("shows"), cells, entry.words("feedback"),
                   also_failing=entry.texts("also_failing"))


def _written_differently(entry: _Entry) -> Sample:
    return written_differently(entry.text("student"), entry.merged_cells("cells"))


_BUILDERS: dict[str, Callable[[_Entry], Sample]] = {
    "solution": _solution,
    "blank": _blank,
    "mistake": _mistake,
    "written_differently": _written_differently,
}


def load_samples(table: Path, code: Mapping[str, object]) -> tuple[Sample, ...]:
    """The samples of the table `table`, in its order, with the code constants of `code` (the
    assignment module's names, e.g. its `globals()`) resolved by name."""
    try:
        text = table.read_text(encoding="utf-8")
    except OSError:
        raise SampleTableError(f"{table.name} cannot be read; put the sample table beside its "
                               "module.") from None
    try:
        entries = tomllib.loads(text).get("sample", [])
    except tomllib.TOMLDecodeError as error:
        raise SampleTableError(f"{table.name} is not valid TOML ({error}); correct it.") from None
    samples = []
    for number, fields in enumerate(entries, start=1):
        entry = _Entry(table, number, fields, code)
        builder = _BUILDERS.get(entry.text("kind"))
        if builder is None:
            raise entry.fail(f"the kind must be one of {', '.join(_BUILDERS)}.")
        samples.append(builder(entry))
    return tuple(samples)
