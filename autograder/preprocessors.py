"""The course's nbgrader preprocessors, and nbgrader's own pipelines with them in place.

`nbgrader_config.py` installs these into nbgrader's converters, so every nbgrader entry point —
`nbgrader generate_assignment` / `autograde`, the Formgrader's *Generate* and *Autograde*
buttons, and this project's `python -m autograder release` / `grade` — goes through the same
steps:

- releasing (`GenerateAssignment`): `RequireJudgedTestCells` refuses a test cell that is
  anything but judged check calls (an `assert` cell would silently score 0 — only the judge
  scores), `BuildHiddenCasePools` builds and validates the assignment's hidden-case pools, and
  `StampRuntimeVersion` records the student runtime the release was made for;
- autograding (`Autograde`): nbgrader's `Execute` is replaced by `SandboxedExecute` — the
  notebook runs in the sandbox and the judge decides every test cell
  (`autograder.execution.execute_and_judge`), or grading refuses in one sentence (no sandbox,
  no course secret, no pools, a package outside the versions an integrity patch was tested
  with: `autograder.patches.gate`, asked once per process as `grade` asks it, which also logs
  each speed patch it switches off). `grade` runs nbgrader's two stages apart and uses
  `ReplayExecution` in the scoring stage instead (`scoring_preprocessors`).

Each list is derived from nbgrader's own defaults, so an nbgrader upgrade that adds a step keeps
it.
"""

from __future__ import annotations

import ast
import logging
import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

try:  # nbgrader's base class: enabled by default, configurable like its own steps
    from nbgrader.preprocessors import NbGraderPreprocessor
except ImportError:  # pragma: no cover - nbgrader is a dependency
    NbGraderPreprocessor = object  # type: ignore[assignment,misc]

__all__ = ["SandboxedExecute", "RequireJudgedTestCells", "RequireSharedConstantsAgree",
           "FillClaims",
           "shared_constant_problems", "BuildHiddenCasePools",
           "StampRuntimeVersion", "generate_assignment_preprocessors", "autograde_preprocessors",
           "scoring_preprocessors", "undecidable_test_cells", "student_runtime_version",
           "RUNTIME_DISTRIBUTION", "METADATA_KEY", "runtime_note"]

RUNTIME_DISTRIBUTION = "learning-rate-lab-student"
METADATA_KEY = "lrlab"
EXECUTE = "nbgrader.preprocessors.execute.Execute"


REFUSALS = ("autograder.hidden.secret.MissingSecret", "autograder.hidden.MissingPools",
            "autograder.sandbox.SandboxUnavailable", "autograder.patches.gate.UntestedVersion")
"""Why grading refuses to start; nbgrader logs any preprocessor's exception with its traceback,
but these are sentences for the instructor, not bugs."""
NBGRADER_APPS = ("AutogradeApp", "NbGraderApp", "NbGraderAPI")


class _RefusalsInOneSentence(logging.Filter):
    """Turn nbgrader's logged traceback of one of `REFUSALS` into its sentence."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        if "Traceback (most recent call last)" not in text:
            return True
        last = text.strip().splitlines()[-1]
        for refusal in REFUSALS:
            if last.startswith(refusal + ": "):
                sentence = last[len(refusal) + 2:].removeprefix("refusing to grade: ")
                record.msg, record.args = "refusing to grade: %s", (sentence,)
        return True


def refusals_in_one_sentence() -> None:
    """Install `_RefusalsInOneSentence` on nbgrader's application loggers (once)."""
    for name in NBGRADER_APPS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RefusalsInOneSentence) for f in logger.filters):
            logger.addFilter(_RefusalsInOneSentence())


def student_runtime_version() -> str:
    """The installed student runtime's version ("unknown" if it is not installed)."""
    try:
        return version(RUNTIME_DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def _dotted(preprocessor: Any) -> str:
    if isinstance(preprocessor, str):
        return preprocessor
    return f"{preprocessor.__module__}.{preprocessor.__qualname__}"


def _nbgrader_default(converter: Any, trait: str) -> list[str]:  # an nbgrader converter class
    return [_dotted(p) for p in converter.class_traits()[trait].make_dynamic_default()]


def _replaced(preprocessors: list[str], replacement: str) -> list[str]:
    names = [replacement if name == EXECUTE else name for name in preprocessors]
    if replacement not in names:
        raise RuntimeError(f"nbgrader's autograde pipeline has no {EXECUTE} to replace: "
                           "this nbgrader version is not supported")
    return names


def autograde_preprocessors() -> list[str]:
    """nbgrader's `Autograde.autograde_preprocessors`, `Execute` replaced by `SandboxedExecute`."""
    from nbgrader.converters import Autograde

    return _replaced(_nbgrader_default(Autograde, "autograde_preprocessors"),
                     "autograder.preprocessors.SandboxedExecute")


def scoring_preprocessors() -> list[str]:
    """nbgrader's `Autograde.autograde_preprocessors`, `Execute` replaced by `ReplayExecution`
    (the notebook was executed and judged by a worker of `grade`), and `SaveAutoGrades` by
    `SaveAutoGradesAtOnce` (one gradebook transaction per notebook) where that speed patch is
    enabled (`autograder.patches.grades_in_one_transaction`)."""
    from nbgrader.converters import Autograde

    from autograder.patches import grades_in_one_transaction as once
    from autograder.patches.gate import enabled

    names = _replaced(_nbgrader_default(Autograde, "autograde_preprocessors"),
                      "autograder.replay_execution.ReplayExecution")
    if not enabled(once.PATCH.name):
        return names
    return [once.OURS if name == once.NBGRADERS else name for name in names]


def generate_assignment_preprocessors() -> list[str]:
    """nbgrader's `GenerateAssignment.preprocessors`, with ours first: the checks on the test
    cells and the pools run on the instructor's source, before anything is written."""
    from nbgrader.converters import GenerateAssignment

    ours = ["autograder.preprocessors.RequireJudgedTestCells",
            "autograder.preprocessors.RequireSharedConstantsAgree",
            "autograder.preprocessors.FillClaims",
            "autograder.preprocessors.BuildHiddenCasePools",
            "autograder.preprocessors.StampRuntimeVersion"]
    return ours + _nbgrader_default(GenerateAssignment, "preprocessors")


def _course_root(config: Any) -> Path:
    from nbgrader.coursedir import CourseDirectory

    return Path(CourseDirectory(config=config).root).resolve()


class SandboxedExecute(NbGraderPreprocessor):
    """nbgrader's `Execute`, confined and judged: the notebook runs in the sandbox with the
    student's drawn hidden cases, and the judge writes every test cell's outputs."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        from autograder.course import Course
        from autograder.execution import execute_and_judge, notebook_fingerprint
        from autograder.hidden import cases_for
        from autograder.own_code import instructor_cells
        from autograder.patches.gate import check_patches_once
        from autograder.sandbox import sandbox_settings

        check_patches_once()  # `grade`'s version gate, decided before this process's first notebook
        info = resources["nbgrader"]
        course = Course(_course_root(self.config))
        policy = sandbox_settings(self.config)
        cases = cases_for(course, info["assignment"], info["student"], notebook_fingerprint(nb))
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        notebooks = {f"{name}.ipynb" for name in course.notebooks(info["assignment"])}
        source = course.source_dir / info["assignment"] / f"{info['notebook']}.ipynb"
        judged = execute_and_judge(nb, folder, course.root,
                                   notebooks | {f"{info['notebook']}.ipynb"}, self.config,
                                   policy, cases, instructor_cells(source))
        if judged.note:
            self.log.warning("%s/%s: %s", info["student"], info["assignment"], judged.note)
        return judged.notebook, resources


def _judged_check(module: str, name: str) -> bool:
    from autograder.judge import _judged_function

    return _judged_function(module, name) is not None


def _statement_problem(node: ast.stmt, names: Any) -> str | None:
    from autograder.judge import CHECK_PACKAGE

    if isinstance(node, ast.ImportFrom):
        if node.level == 0 and node.module and node.module.split(".")[0] == CHECK_PACKAGE and all(
                _judged_check(node.module, alias.name) for alias in node.names):
            return None
        return "it imports something other than checks from lrchecks"
    if isinstance(node, ast.Import):
        if all(alias.name.split(".")[0] == CHECK_PACKAGE for alias in node.names):
            return None
        return "it imports a module other than lrchecks"
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
        call = node.value
        if names.resolve(call.func) is None:
            return f"`{ast.unparse(call.func)}(…)` is not a check from lrchecks"
        for keyword in call.keywords:
            try:
                ast.literal_eval(keyword.value) if keyword.arg else None
            except ValueError:
                return (f"the keyword argument {keyword.arg}= of `{ast.unparse(call.func)}` is "
                        "not a literal value")
            if keyword.arg is None:
                return f"`{ast.unparse(call.func)}` is called with **keyword arguments"
        return None
    return f"`{ast.unparse(node).splitlines()[0][:60]}` is not a call of a check"


def undecidable_test_cells(nb: NotebookNode) -> list[str]:
    """Why some autograded test cells of a source notebook cannot be judged (one sentence
    each): a test cell may only import checks from lrchecks and call them with the student's
    objects and literal options — anything else would score 0, since only the judge scores."""
    from autograder.judge import _Names, _python_source, is_autograded_test

    names = _Names()
    problems = []
    for cell in nb.cells:
        if not is_autograded_test(cell):
            continue
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "?")
        try:
            tree = ast.parse(_python_source(cell.source))
        except SyntaxError as error:
            problems.append(f"test cell {grade_id!r} is not valid Python ({error.msg}).")
            continue
        names.learn(tree)
        calls = 0
        for node in tree.body:
            problem = _statement_problem(node, names)
            if problem:
                problems.append(f"test cell {grade_id!r}: {problem} — a test cell may only "
                                "import checks from lrchecks and call them (the judge replays "
                                "them; anything else would score 0).")
                break
            calls += isinstance(node, ast.Expr)
        else:
            if calls == 0:
                problems.append(f"test cell {grade_id!r} calls no check: it would score 0.")
    return problems


class RequireJudgedTestCells(NbGraderPreprocessor):
    """Refuse to release a notebook with a test cell the judge cannot decide."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        problems = undecidable_test_cells(nb)
        if problems:
            raise ValueError(f"{resources['nbgrader']['notebook']}.ipynb cannot be released: "
                             + " ".join(problems))
        return nb, resources


def _cell_constants(nb: NotebookNode) -> list[tuple[str, str, Any]]:
    """(cell label, NAME, value) of every top-level `NAME = …` of the notebook's code cells, in
    order; values evaluated with numpy and the constants before them (the instructor's source)."""
    import numpy as np

    namespace: dict[str, Any] = {"np": np}
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {index + 1}"
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and node.targets[0].id.isupper()):
                name = node.targets[0].id
                try:
                    value = eval(compile(ast.Expression(node.value), "<cell>", "eval"),
                                 namespace)  # the instructor's own source notebook
                except Exception:
                    continue
                namespace[name] = value
                found.append((label, name, value))
    return found


def _same(a: Any, b: Any) -> bool:
    import numpy as np

    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except Exception:
        return a == b


def shared_constant_problems(nb: NotebookNode, assignment: str, notebook: str) -> list[str]:
    """A sentence for every constant a notebook's cell sets to another value than the
    assignment's checks (`lrchecks.<psNN>`) use: a student following the notebook would lose the
    points of every check that reads it."""
    import importlib

    try:
        checks = importlib.import_module(f"lrchecks.{assignment.split('_')[0]}")
    except ModuleNotFoundError:
        return []
    problems = []
    for label, name, value in _cell_constants(nb):
        if hasattr(checks, name) and not _same(value, getattr(checks, name)):
            problems.append(f"{name} is {value!r} in {label!r} of {notebook}.ipynb but "
                            f"{getattr(checks, name)!r} in {checks.__name__}: change both.")
    return problems


class RequireSharedConstantsAgree(NbGraderPreprocessor):
    """Refuse to release a notebook whose constants (RUN_LRS, …) differ from its checks'."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        info = resources["nbgrader"]
        problems = shared_constant_problems(nb, info["assignment"], info["notebook"])
        if problems:
            raise ValueError(" ".join(problems))
        return nb, resources


class FillClaims(NbGraderPreprocessor):
    """Write every `{{claim id}}` of the markdown cells as the claim's value
    (`autograder.claims`): the numbers the text states are computed, never typed."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        from autograder.claims import PLACEHOLDER, claims_for, fill_claims

        assignment = resources["nbgrader"]["assignment"]
        known = claims_for(assignment)
        for cell in nb.cells:
            if cell.cell_type != "markdown" or "{{claim" not in cell.source:
                continue
            unknown = sorted(set(PLACEHOLDER.findall(cell.source)) - set(known))
            if unknown:
                raise ValueError(f"{resources['nbgrader']['notebook']}.ipynb names claims that "
                                 f"autograder/claims/ does not define: {', '.join(unknown)}.")
            cell.source = fill_claims(cell.source, assignment)
        return nb, resources


class BuildHiddenCasePools(NbGraderPreprocessor):
    """Build and validate the assignment's hidden-case pools into `hidden_cases/`."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        from autograder.hidden import release_pools

        path = release_pools(_course_root(self.config), resources["nbgrader"]["assignment"])
        if path is not None:
            self.log.info("hidden-case pools written to %s", path)
        return nb, resources


_VERSION = re.compile(r"^[0-9]+(\.[0-9]+){1,3}$")


def runtime_note(nb: NotebookNode, notebook: str) -> str:
    """A note for the instructor when a submission was made from a release for another student
    runtime ("" when it matches). The stamp is the student's file's metadata, so it is only
    shown when it looks like a version."""
    stamp = nb.metadata.get(METADATA_KEY, {})
    made_for = stamp.get("student_runtime") if isinstance(stamp, dict) else None
    current = student_runtime_version()
    if made_for == current:
        return ""
    if not isinstance(made_for, str) or not _VERSION.match(made_for):
        return (f"{notebook}.ipynb does not say which student runtime it was released for "
                f"(graded with {current})")
    return (f"{notebook}.ipynb was released for student runtime {made_for}, graded with "
            f"{current}")


class StampRuntimeVersion(NbGraderPreprocessor):
    """Record in the notebook's metadata the student runtime this release was made for, so that
    grading can flag a submission made from another release."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        nb.metadata[METADATA_KEY] = {"student_runtime": student_runtime_version()}
        return nb, resources
