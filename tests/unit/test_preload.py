"""The imports a grading process makes once, before its first notebook (`autograder.preload`)."""

from __future__ import annotations

import gc
import operator
from pathlib import Path

from conftest import run_in_fresh_python

from autograder.executors import Executor
from autograder.preload import THIRD_PARTY, WITHOUT_IRI_GRAMMAR, grading_modules

REPO = Path(__file__).resolve().parents[2]


def test_every_module_of_lrcore_and_of_the_checks_is_listed_but_not_the_widgets():
    names = grading_modules()
    assert names[0] == WITHOUT_IRI_GRAMMAR  # before anything imports jsonschema
    assert names[1: len(THIRD_PARTY) + 1] == list(THIRD_PARTY)  # then the heavy libraries
    lrcore_files = {
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in (REPO / "lrcore").rglob("*.py") if "widgets" not in path.parts}
    assert lrcore_files <= set(names)
    assert {"lrcore.optim.adam", "lrcore.rl.q_learning", "lrchecks.ps05",
            "lrchecks.evidence", "autograder.judge"} <= set(names)
    assert not [name for name in names if name.startswith("lrcore.widgets")]
    assert len(names) == len(set(names))


def test_listing_imports_nothing_and_warming_up_imports_everything():
    probe = (
        "import sys\n"
        "from autograder.preload import grading_modules, warm_up\n"
        "names = grading_modules()\n"
        "print(any(n in sys.modules for n in ('torch', 'lrcore', 'lrchecks')))\n"
        "count = warm_up()\n"
        "print(count == len(names), all(n in sys.modules for n in names))\n"
        "print('lrcore.widgets' in sys.modules)\n"
        "import gc\n"
        "print(gc.get_freeze_count() > 100_000)\n"  # the judge's collections skip them
        "print(sys.modules['rfc3987_syntax'] is None)\n"  # jsonschema's IRI grammar kept out
        "import nbformat\n"
        "print(nbformat.reads(nbformat.writes(nbformat.v4.new_notebook()), 4).nbformat)\n"
    )
    assert run_in_fresh_python(probe).split() == ["False", "True", "True", "False", "True",
                                                  "True", "4"]


def test_the_local_pools_workers_collect_around_the_imports_they_inherit():
    """Each pool worker freezes what the fork server imported: a full collection walked
    ≈ 600,000 objects, about half of the judge's time spent rebuilding a figure."""
    with Executor(operator.call, workers=2) as executor:
        executor.submit(gc.get_freeze_count)
        frozen = []
        while executor.pending:
            frozen += executor.collect(block=True)
    assert len(frozen) == 1 and frozen[0] > 100_000


def test_the_local_pools_fork_server_keeps_jsonschemas_iri_grammar_out():
    """The fork server imports the preload list and nothing else: its first module keeps the
    grammar (≈1.5 s of CPU before any worker can start) out of the server and its workers."""
    import functools
    import importlib.util

    installed = "import importlib.util; print(importlib.util.find_spec('rfc3987_syntax') is None)"
    assert run_in_fresh_python(installed).split() == ["False"]  # there is a grammar to keep out
    with Executor(operator.call, workers=2) as executor:
        executor.submit(functools.partial(importlib.util.find_spec, "rfc3987_syntax"))
        specs = []
        while executor.pending:
            specs += executor.collect(block=True)
    assert specs == [None]  # sys.modules holds None for it: blocked
