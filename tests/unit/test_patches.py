"""Contract tests of `autograder.patches`: each patch takes effect on the installed versions of
the library it reaches into, and the version gate switches a speed patch off (one log line) or
refuses to grade (one sentence) outside the tested versions."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_in_fresh_python
from nbformat.v4 import new_code_cell, new_notebook

from autograder.patches import gate
from autograder.patches.gate import PATCH_MODULES, UntestedVersion


@pytest.fixture(autouse=True)
def fresh_gate():
    """`gate.enabled` and `gate.decision` remember their answers for the process: forget them
    around each test."""
    gate.enabled.cache_clear()
    gate.decision.cache_clear()
    yield
    gate.enabled.cache_clear()
    gate.decision.cache_clear()


def fake_versions(monkeypatch: pytest.MonkeyPatch, **versions: str | None) -> None:
    """The gate sees `versions` (distribution → version, None: not installed) instead of the
    installed ones for these packages."""
    real = gate.installed_version
    monkeypatch.setattr(gate, "installed_version",
                        lambda package: versions[package] if package in versions
                        else real(package))


# --- the declarations -------------------------------------------------------------------------

@pytest.mark.parametrize("name", PATCH_MODULES)
def test_every_patch_declares_what_why_its_kind_and_holds_on_the_installed_versions(name):
    patch = gate.declared(name)
    assert patch.name == name and patch.title and patch.patches and patch.why and patch.tested
    assert patch.kind in (gate.SPEED, gate.INTEGRITY)
    assert gate.outside_range(patch) is None, "the installed versions are the tested ones"
    assert gate.enabled(name)


def test_only_the_scoring_stages_are_an_integrity_patch():
    kinds = {name: gate.declared(name).kind for name in PATCH_MODULES}
    assert [name for name, kind in kinds.items() if kind == gate.INTEGRITY] == [
        "autograde_stages"]


def test_a_version_is_in_range_from_the_lowest_up_to_not_including_the_next_minor():
    tested = gate.TestedRange("nbgrader", "0.9.6", "0.10")
    assert [tested.holds(v) for v in ("0.9.6", "0.9.12", "0.9.5", "0.10.0", "0.10.0rc1",
                                      "1.0", "nonsense")] == [
        True, True, False, False, False, False, False]


# --- the gate's decisions ---------------------------------------------------------------------

def test_in_range_the_gate_neither_logs_nor_refuses(caplog):
    with caplog.at_level(logging.DEBUG, logger="autograder.patches"):
        gate.check_patches()
    assert caplog.records == []


def test_a_speed_patch_outside_its_range_is_switched_off_with_one_log_line(monkeypatch, caplog):
    fake_versions(monkeypatch, jupyter_client="8.11.0")
    with caplog.at_level(logging.WARNING, logger="autograder.patches"):
        gate.check_patches()
    touching = [n for n in PATCH_MODULES
                if any(t.package == "jupyter_client" for t in gate.declared(n).tested)]
    assert sorted(touching) == ["kernel_client", "kernel_fork", "kernel_wait"]
    assert len(caplog.records) == len(touching)  # one line per switched-off patch
    for record in caplog.records:
        line = record.getMessage()
        assert "\n" not in line
        assert "jupyter_client 8.11.0" in line and "8.10.0 to below 8.11" in line
        assert "switched off" in line
    assert not any(gate.enabled(n) for n in touching)
    assert gate.enabled("nbgrader_fast_paths") and gate.enabled("autograde_stages")


def test_a_switched_off_kernel_patch_leaves_jupyter_clients_own_classes(monkeypatch):
    from jupyter_client.asynchronous.client import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager

    from autograder.patches.kernel_client import SlicedPollKernelClient
    from autograder.patches.kernel_wait import QuickReapKernelManager
    from autograder.sandbox.worker import grading_kernel_manager

    fake_versions(monkeypatch, jupyter_client="9.0.0")
    manager = grading_kernel_manager()
    assert not issubclass(manager, QuickReapKernelManager)
    assert manager._async_wait is AsyncKernelManager._async_wait
    client = manager().client()
    assert type(client) is AsyncKernelClient and not isinstance(client, SlicedPollKernelClient)


def test_the_gradebook_fast_paths_are_off_outside_their_range(monkeypatch, caplog):
    fake_versions(monkeypatch, sqlalchemy="2.2.0")
    with caplog.at_level(logging.WARNING, logger="autograder.patches"):
        gate.check_patches()
    assert not gate.enabled("nbgrader_fast_paths")
    assert not gate.enabled("grades_in_one_transaction")
    assert [r.getMessage().split(" is outside")[0] for r in caplog.records] == [
        "sqlalchemy 2.2.0"] * 2  # one line for each of the two gradebook speed patches
    assert "gradebook fast paths" in caplog.records[0].getMessage()
    assert "one gradebook transaction per notebook" in caplog.records[1].getMessage()


def test_an_integrity_patch_outside_its_range_refuses_to_grade_in_one_sentence(monkeypatch,
                                                                              caplog):
    fake_versions(monkeypatch, nbgrader="0.10.1")
    with caplog.at_level(logging.DEBUG, logger="autograder.patches"), pytest.raises(
            UntestedVersion) as refused:
        gate.check_patches()
    assert caplog.records == []  # the refusal alone, not the speed-ups it would switch off
    sentence = str(refused.value)
    assert sentence.startswith("refusing to grade: nbgrader 0.10.1 is outside the versions "
                               "tested for the scoring stages (0.9.6 to below 0.10)")
    assert "grading would not be safe" in sentence and sentence.endswith(".")
    assert sentence.count(". ") == 0 and "\n" not in sentence


def test_a_missing_package_is_outside_every_range(monkeypatch):
    fake_versions(monkeypatch, nbgrader=None)
    with pytest.raises(UntestedVersion, match="nbgrader not installed is outside"):
        gate.check_patches()


def test_grading_refuses_before_anything_runs(monkeypatch):
    """`grade_assignments` asks the gate before it reads the course (here: none at all)."""
    from autograder.grade import grade_assignments

    fake_versions(monkeypatch, nbgrader="0.10.0")
    with pytest.raises(UntestedVersion):
        grade_assignments(None, ["ps01"])  # type: ignore[arg-type]


# --- nbgrader's own path: `nbgrader autograde` through SandboxedExecute -----------------------

class _PastTheGate(Exception):
    """Raised where SandboxedExecute starts reading the course: the gate let the notebook in."""


def _autograde_notebooks(monkeypatch: pytest.MonkeyPatch, count: int,
                         outcome: type[Exception] = _PastTheGate, match: str | None = None) -> None:
    """Hand `count` submissions to the `SandboxedExecute` that nbgrader's `autograde` runs with
    this course's configuration; each must end in `outcome` — `_PastTheGate`, where the
    preprocessor starts reading the course, or the gate's refusal."""
    import autograder.preprocessors as preprocessors
    from autograder.preprocessors import SandboxedExecute

    def stop(config: object) -> None:
        raise _PastTheGate

    monkeypatch.setattr(preprocessors, "_course_root", stop)
    execute = SandboxedExecute()
    resources = {"nbgrader": {"assignment": "ps01", "student": "s1", "notebook": "ps01"}}
    for _ in range(count):
        with pytest.raises(outcome, match=match):
            execute.preprocess(new_notebook(), resources)


def test_nbgraders_autograde_refuses_outside_an_integrity_patchs_range(monkeypatch, caplog):
    """Each submission fails with the gate's sentence before the course is read or anything
    runs (nbgrader records the failure for that submission; nothing is scored)."""
    fake_versions(monkeypatch, nbgrader="0.10.1")
    with caplog.at_level(logging.DEBUG, logger="autograder.patches"):
        _autograde_notebooks(monkeypatch, 2, UntestedVersion,  # decided once, refused twice
                             match="^refusing to grade: nbgrader 0.10.1 is outside the versions "
                             "tested for the scoring stages")
    assert caplog.records == []


def test_nbgraders_autograde_switches_a_speed_patch_off_with_one_line_once(monkeypatch,
                                                                          caplog):
    fake_versions(monkeypatch, jupyter_client="8.11.0")
    with caplog.at_level(logging.WARNING, logger="autograder.patches"):
        _autograde_notebooks(monkeypatch, 3)
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 3  # kernel_client, kernel_wait, kernel_fork: once for three notebooks
    assert all("jupyter_client 8.11.0" in line and "switched off" in line for line in lines)
    assert not gate.enabled("kernel_client") and gate.enabled("autograde_stages")


def test_nbgraders_logged_refusal_is_the_gates_one_sentence():
    """nbgrader logs a failed submission's traceback; its application loggers show the
    refusal's sentence instead (`refusals_in_one_sentence`)."""
    from autograder.preprocessors import _RefusalsInOneSentence

    sentence = gate._refusal(gate.declared("autograde_stages"),
                             gate.TestedRange("nbgrader", "0.9.6", "0.10"), "0.10.1")
    traceback = ("Traceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
                 f"autograder.patches.gate.UntestedVersion: {sentence}")
    record = logging.LogRecord("AutogradeApp", logging.ERROR, __file__, 1, traceback, None,
                               None)
    assert _RefusalsInOneSentence().filter(record)
    assert record.getMessage() == sentence


# --- nbgrader_fast_paths: one engine per URL, tables created once, the schema checked once -----

def test_inside_the_fast_paths_gradebooks_share_one_engine_and_create_their_tables_once(
        tmp_path, monkeypatch):
    import sqlalchemy
    from nbgrader.api import Gradebook

    from autograder.course import ensure_environment_on_path
    from autograder.patches.nbgrader_fast_paths import nbgrader_fast_paths

    ensure_environment_on_path()  # a new gradebook runs nbgrader's `alembic`
    created = []
    real_create_all = sqlalchemy.MetaData.create_all

    def counted_create_all(metadata, bind=None, *args, **kwargs):
        created.append(bind)
        return real_create_all(metadata, bind, *args, **kwargs)

    monkeypatch.setattr(sqlalchemy.MetaData, "create_all", counted_create_all)
    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_student("s1")
    created.clear()
    engines = []
    with nbgrader_fast_paths():
        for _ in range(3):
            with Gradebook(url) as gradebook:
                engines.append(gradebook.engine)
                assert [s.id for s in gradebook.students] == ["s1"]
    assert len(set(map(id, engines))) == 1
    assert len(created) == 1
    with Gradebook(url) as gradebook:  # outside: nbgrader's own behaviour again
        assert gradebook.engine is not engines[0]
    assert len(created) == 2


def test_inside_the_fast_paths_nbgraders_cell_schema_is_checked_once(monkeypatch):
    import jsonschema
    from nbgrader.nbgraderformat.v3 import MetadataValidatorV3

    from autograder.patches.nbgrader_fast_paths import nbgrader_fast_paths

    checks = []
    schema_class = jsonschema.validators.validator_for(MetadataValidatorV3().schema)
    real_check = schema_class.check_schema

    def counted_check(cls, schema, *args, **kwargs):
        checks.append(schema)
        return real_check(schema, *args, **kwargs)

    monkeypatch.setattr(schema_class, "check_schema", classmethod(counted_check))
    cells = [new_code_cell("assert True", metadata={"nbgrader": {
        "grade": True, "solution": False, "locked": True, "points": 1, "grade_id": f"c{i}",
        "schema_version": 3}}) for i in range(20)]
    with nbgrader_fast_paths():
        MetadataValidatorV3().validate_nb(new_notebook(cells=cells))
    assert len(checks) == 1


# --- autograde_stages: each stage is exactly one of nbgrader's two ------------------------------

@pytest.fixture
def stage_config(tmp_path):
    from traitlets.config import Config

    config = Config()
    config.CourseDirectory.root = str(tmp_path)
    config.CourseDirectory.assignment_id = "ps01"
    config.CourseDirectory.student_id = "s1"
    return config


def _converter(converter_class: type, config):
    """A converter of nbgrader's as `NbGraderAPI` makes one, with its exporter."""
    from nbgrader.coursedir import CourseDirectory

    converter = converter_class(coursedir=CourseDirectory(config=config), config=config)
    converter.exporter = converter.exporter_class(parent=converter, config=config)
    return converter


def _record_conversions(monkeypatch) -> list[tuple[bool, str, list[str], str | None]]:
    """Replace nbgrader's `BaseConverter.convert_single_notebook` by a recorder of the stage it
    was asked to run: (sanitizing, input folder, preprocessors, NBGRADER_EXECUTION)."""
    from nbgrader.converters.base import BaseConverter

    seen = []

    def record(self, notebook_filename: str) -> None:
        seen.append((self._sanitizing, self._input_directory,
                     [type(p).__name__ for p in self.exporter._preprocessors],
                     os.environ.get("NBGRADER_EXECUTION")))

    monkeypatch.setattr(BaseConverter, "convert_single_notebook", record)
    return seen


def test_the_sanitising_stage_runs_nbgraders_sanitize_preprocessors_only(stage_config,
                                                                         monkeypatch):
    from nbgrader.converters import Autograde

    from autograder.patches.autograde_stages import SanitiseSubmission

    seen = _record_conversions(monkeypatch)
    converter = _converter(SanitiseSubmission, stage_config)
    converter.convert_single_notebook("submitted/s1/ps01/ps01.ipynb")
    expected = [p.__name__ for p in Autograde.class_traits()["sanitize_preprocessors"]
                .make_dynamic_default()]
    assert seen == [(True, converter.coursedir.submitted_directory, expected, None)]


def test_the_scoring_stage_runs_the_autograde_preprocessors_on_the_sanitised_notebook(
        stage_config, monkeypatch, tmp_path):
    from autograder.patches.autograde_stages import ScoreSanitised

    seen = _record_conversions(monkeypatch)
    stage_config.Autograde.autograde_preprocessors = [
        "nbgrader.preprocessors.OverwriteCells", "nbgrader.preprocessors.SaveAutoGrades"]
    converter = _converter(ScoreSanitised, stage_config)
    dest = tmp_path / "autograded" / "s1" / "ps01"
    assert converter._format_dest("ps01", "s1") == str(dest)
    with pytest.raises(Exception, match="was not sanitised"):
        converter.init_destination("ps01", "s1")
    dest.mkdir(parents=True)
    assert converter.init_destination("ps01", "s1") is True
    converter._sanitised_dir = str(dest)
    converter.convert_single_notebook("submitted/s1/ps01/ps01.ipynb")
    assert seen == [(False, converter.coursedir.autograded_directory,
                     ["OverwriteCells", "SaveAutoGrades"], "autograde")]
    assert converter._sanitizing is True  # back to nbgrader's resting state


# --- nbgrader_execute_import: Execute alone --------------------------------------------------

def test_the_worker_imports_nbgraders_own_execute_without_the_rest_of_nbgrader():
    """The class is the one `nbgrader autograde` runs; the gradebook code never loads."""
    probe = (
        "import sys\n"
        "from autograder.patches.nbgrader_execute_import import nbgrader_execute\n"
        "Execute = nbgrader_execute()\n"
        "import nbgrader.preprocessors.execute as module\n"
        "from nbconvert.preprocessors import ExecutePreprocessor\n"
        "assert Execute is module.Execute and issubclass(Execute, ExecutePreprocessor)\n"
        "assert Execute.__mro__[1].__module__ == 'nbgrader.preprocessors.base'\n"
        "print(sorted(m for m in ('nbgrader.api', 'nbgrader.apps', 'sqlalchemy',\n"
        "                         'nbgrader.server_extensions') if m in sys.modules))\n"
    )
    assert run_in_fresh_python(probe, timeout=120).strip() == "[]"


def test_execute_is_the_ordinary_class_when_nbgrader_is_already_imported():
    from nbgrader.preprocessors import Execute

    from autograder.patches.nbgrader_execute_import import nbgrader_execute

    assert nbgrader_execute() is Execute


# --- kernel_client, kernel_wait, kernel_fork: the worker's kernel manager ----------------------

def test_the_workers_manager_hands_out_the_sliced_poll_client():
    from autograder.patches.kernel_client import SlicedPollChannel, SlicedPollKernelClient
    from autograder.sandbox.worker import grading_kernel_manager

    client = grading_kernel_manager()().client()
    assert isinstance(client, SlicedPollKernelClient)
    assert isinstance(client.shell_channel, SlicedPollChannel)
    assert client.wait_for_ready == client._async_wait_for_ready  # nbclient's call is ours


def test_the_clients_readiness_adopts_the_kernels_protocol_version():
    """`_handle_kernel_info_reply`, called by the sliced client's own `wait_for_ready`, still
    adapts the session to an older kernel's protocol."""
    from autograder.patches.kernel_client import SlicedPollKernelClient

    replies = [{"msg_type": "kernel_info_reply", "parent_header": {"msg_id": "k"},
                "content": {"protocol_version": "4.1"}}]
    statuses = [{"msg_type": "status", "parent_header": {"msg_id": "k"},
                 "content": {"execution_state": "idle"}}]

    class Channel:
        def __init__(self, messages: list[dict]) -> None:
            self.messages = messages

        async def get_msg(self, timeout: float | None = None) -> dict:
            return self.messages.pop(0)

    client = SlicedPollKernelClient()
    client._shell_channel = Channel(replies)  # type: ignore[assignment]
    client._iopub_channel = Channel(statuses)  # type: ignore[assignment]
    client.kernel_info = lambda: "k"  # type: ignore[method-assign]
    asyncio.run(client.wait_for_ready(timeout=5))
    assert client.session.adapt_version == 4


def test_a_killed_kernel_is_looked_for_every_few_milliseconds(monkeypatch):
    import jupyter_client.manager

    from autograder.patches.kernel_wait import KILLED_POLL
    from autograder.sandbox.worker import grading_kernel_manager

    manager = grading_kernel_manager()()
    alive = iter([True, True, True, False])
    slept: list[float] = []

    async def is_alive() -> bool:
        return next(alive)

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr(manager, "_async_is_alive", is_alive)
    monkeypatch.setattr(jupyter_client.manager.asyncio, "sleep", sleep)
    asyncio.run(manager._async_wait())
    assert slept == [KILLED_POLL] * 3


class StandInChild:
    """A pre-forked child stand-in: `start` runs a real process (it never becomes a kernel),
    as `PendingKernel.start` hands the forked child its command line."""

    def __init__(self) -> None:
        self.started: list[list[str]] = []
        self.process: subprocess.Popen | None = None

    def start(self, argv: list[str], env: dict[str, str], cwd: str):
        from autograder.patches.kernel_fork import ForkedKernel

        self.started.append(argv)
        self.process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                        start_new_session=True)
        return ForkedKernel(self.process.pid)

    def cancel(self) -> None:  # pragma: no cover - not called when the launch is forked
        raise AssertionError("the launch was not forked")


def test_the_provisioner_reports_signals_and_reaps_the_forked_kernel(tmp_path):
    from autograder.patches.kernel_fork import ForkedKernel
    from autograder.sandbox.worker import grading_kernel_manager

    child = StandInChild()
    manager_class = grading_kernel_manager(pending=child)

    async def scenario() -> tuple[bool, bool]:
        manager = manager_class()
        await manager.start_kernel(cwd=str(tmp_path))
        try:  # whatever was launched is shut down, even when the launch was not forked
            provisioner = manager.provisioner
            assert child.process is not None and child.started[0][0] == "-f"
            assert isinstance(provisioner.process, ForkedKernel)
            assert provisioner.pid == provisioner.pgid == child.process.pid
            assert provisioner.cwd == str(tmp_path)
            alive_before = await manager.is_alive()
        finally:
            await manager.shutdown_kernel(now=True)
        return alive_before, await manager.is_alive()

    try:
        alive_before, alive_after = asyncio.run(scenario())
    finally:
        if child.process is not None and child.process.poll() is None:
            child.process.kill()
    assert alive_before and not alive_after
    assert not Path(f"/proc/{child.process.pid}").exists()  # killed and reaped
    assert manager_class.pending is None  # one notebook, one forked child
