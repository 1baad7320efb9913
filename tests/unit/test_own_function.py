"""require_own_function: the reference cannot hide anywhere the student's function can reach it.

Each attack below is a way a student's notebook can hand the grader `lrcore`'s answer under
its own function's name; each must be refused, and honest functions — including ones that use
numpy, torch and their own helpers — must not be.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import lrcore.quadratic
from lrchecks.calls import reachable_reference, require_own_function
from lrchecks.report import CheckFailed

REFERENCE = lrcore.quadratic.gradient_descent


def _exec(source: str, **names: object) -> dict:
    """Define functions as a notebook does: in a namespace called __main__."""
    namespace = {"__name__": "__main__", "np": np, "lrcore": lrcore, **names}
    exec(compile(source, "<cell>", "exec"), namespace)
    return namespace


ATTACKS = {
    "a default argument": """
def solve(lr, n, x0, a=1.0, _ref=REF):
    return _ref(lr, n, x0, a)
""",
    "a keyword-only default": """
def solve(lr, n, x0, a=1.0, *, _ref=REF):
    return _ref(lr, n, x0, a)
""",
    "a closure": """
def make():
    ref = REF
    def solve(lr, n, x0, a=1.0):
        return ref(lr, n, x0, a)
    return solve
solve = make()
""",
    "a helper of the student's own": """
helper_table = {"gd": REF}
def helper(*args):
    return helper_table["gd"](*args)
def solve(lr, n, x0, a=1.0):
    return helper(lr, n, x0, a)
""",
    "a function attribute": """
def solve(lr, n, x0, a=1.0):
    return solve.backend(lr, n, x0, a)
solve.backend = REF
""",
    "a partial": """
import functools
solve = functools.partial(lambda f, *args: f(*args), REF)
""",
    "a bound method of the student's class": """
class Solver:
    engine = REF
    def __call__(self, lr, n, x0, a=1.0):
        return type(self).engine(lr, n, x0, a)
solve = Solver().__call__
""",
    "an instance attribute": """
class Box:
    pass
box = Box()
box.inner = [(1, REF)]
def solve(lr, n, x0, a=1.0):
    return box.inner[0][1](lr, n, x0, a)
""",
    "the module itself": """
def solve(lr, n, x0, a=1.0):
    return lrcore.quadratic.gradient_descent(lr, n, x0, a)
""",
}


@pytest.mark.parametrize("how", list(ATTACKS), ids=list(ATTACKS))
def test_a_reference_reachable_from_the_students_function_is_refused(how):
    namespace = _exec(ATTACKS[how].replace("REF", "_reference"), _reference=REFERENCE)
    namespace.pop("_reference")  # reachable only the way the attack hid it
    solve = namespace["solve"]
    assert np.allclose(solve(0.1, 3, 5.0), REFERENCE(0.1, 3, 5.0))  # it does answer right
    assert reachable_reference(solve) is not None
    with pytest.raises(CheckFailed, match="reference"):
        require_own_function(solve, "gradient_descent_numpy")


def test_the_reference_itself_and_a_partial_of_it_are_refused():
    for function in (REFERENCE, functools.partial(REFERENCE, a=1.0)):
        with pytest.raises(CheckFailed):
            require_own_function(function, "gradient_descent_numpy")


HONEST = """
import torch
SCALE = 2.0
def step(x, lr, a):
    return x - lr * SCALE * a * x
def solve(lr, n, x0, a=1.0, history=None):
    x = float(x0)
    out = np.empty(n)
    for i in range(n):
        x = step(x, lr, a)
        out[i] = x
    return torch.as_tensor(out).numpy()
"""


def test_an_honest_function_with_helpers_numpy_and_torch_is_accepted():
    solve = _exec(HONEST)["solve"]
    assert reachable_reference(solve) is None
    require_own_function(solve, "gradient_descent_numpy")


def test_a_cycle_of_the_students_own_objects_ends():
    namespace = _exec("""
items = []
items.append(items)
def solve(lr, n, x0, a=1.0):
    return items
""")
    require_own_function(namespace["solve"], "gradient_descent_numpy")


def test_a_hidden_case_never_repeats_a_name_the_student_made_up():
    from lrchecks.calls import call_student

    def leaky(lr, n, x0, a=1.0):
        raise type(f"Leak_{lr}_{n}_{x0}", (Exception,), {})("the inputs were {lr}")

    with pytest.raises(CheckFailed) as failure:
        call_student(leaky, "gradient_descent_numpy", 0.37, 11, -42.5)
    assert failure.value.diagnosis == "your function raised an exception of its own."
    with pytest.raises(CheckFailed) as failure:
        call_student(lambda *args: 1 / 0, "gradient_descent_numpy", 0.37, 11, -42.5)
    assert failure.value.diagnosis == "your function raised ZeroDivisionError."
