"""autograder.own_code: the judge follows a student's function through the notebook's sources.

Each attack hides the course's reference behind something the kernel-side guard could miss (or
be switched off for); each must be refused from the sources alone. Honest notebooks — the
samples of every assignment — must not be.
"""

from __future__ import annotations

import ast

import nbformat
import pytest
from conftest import REPO

from autograder.course import Course
from autograder.own_code import NotebookCode, instructor_cells, own_code_problem
from autograder.samples import build_notebook, samples_for

SETUP = "import numpy as np\nfrom lrcore.regression import SWEEP_LRS, linear_regression_data\n"

ATTACKS = {
    "an import of the reference": (
        "from lrcore.quadratic import gradient_descent\n"
        "def solve(lr, n, x0, a=1.0):\n    return gradient_descent(lr, n, x0, a)\n",
        "imports lrcore.quadratic"),
    "a default argument": (
        "import lrcore.quadratic\n"
        "def solve(lr, n, x0, a=1.0, _f=lrcore.quadratic.gradient_descent):\n"
        "    return _f(lr, n, x0, a)\n", "imports lrcore.quadratic"),
    "an import inside a factory": (
        "def make():\n    from lrcore import quadratic\n    return quadratic.optimize\n"
        "solve = make()\n", "imports lrcore"),
    "the guard patched first": (
        "import lrchecks.calls\nlrchecks.calls.reachable_reference = lambda f: None\n"
        "from lrcore.quadratic import gradient_descent as g\n"
        "def solve(*args):\n    return g(*args)\n", "imports lrcore.quadratic"),
    "importlib by name": (
        "def solve(lr, n, x0):\n    import importlib\n"
        "    m = importlib.import_module('lrcore.' + 'quadratic')\n"
        "    return getattr(m, 'opt' + 'imize')(lr, n, x0)\n", "importlib"),
    "__import__": ("def solve(*a):\n    return __import__('lrcore').quadratic.optimize(*a)\n",
                   "__import__"),
    "exec of a string": ("exec('from lrcore.quadratic import optimize as solve')\n", "exec"),
    "globals written": ("import lrcore.quadratic as q\nglobals()['solve'] = q.optimize\n",
                        "globals"),
    "a legit def, then rebound by exec elsewhere": (
        "def solve(lr, n, x0):\n    return [x0 * (1 - 2 * lr) ** (k + 1) for k in range(n)]\n"
        "exec('solve = __import__(\"lrcore.quadratic\").quadratic.optimize')\n", "exec"),
    "%time binding the name": (
        "from lrcore.quadratic import optimize\n%time solve = optimize\n", "imports lrcore"),
    "IPython's shell": ("get_ipython().run_cell('import lrcore.quadratic as solve')\n",
                        "IPython"),
    "sys.modules": ("import sys\ndef solve(*a):\n    return sys.modules['lrcore.quadratic']"
                    ".optimize(*a)\n", "sys.modules"),
    "a provided tool's globals": (
        "def solve(*a):\n    return linear_regression_data.__globals__['np']\n", "__globals__"),
    "a helper two steps away": (
        "import lrcore as L\nTABLE = {'f': L}\ndef helper(*a):\n    return TABLE['f'](*a)\n"
        "def solve(*a):\n    return helper(*a)\n", "imports lrcore"),
    "a computed getattr": ("import numpy\ndef solve(name):\n    return getattr(numpy, name)\n",
                           "getattr"),
}


@pytest.mark.parametrize("how", list(ATTACKS), ids=list(ATTACKS))
def test_a_reference_behind_the_students_code_is_refused(how):
    source, words = ATTACKS[how]
    code = NotebookCode.from_cells(["x = 1", source, "solve(0.1, 3, 5.0)"], [SETUP])
    problem = own_code_problem(code, "solve")
    assert problem is not None and words in problem


def test_the_notebooks_own_tools_helpers_and_comprehensions_are_fine():
    code = NotebookCode.from_cells([
        "import torch\nimport math\n",
        "def step(x, lr):\n    return x - lr * 2 * x\n",
        "def solve(lr, n, x0):\n    xs = [x0]\n    for _ in range(n):\n"
        "        xs.append(step(xs[-1], lr))\n    X, y = linear_regression_data()\n"
        "    return np.array(xs[1:]), math.pi, torch.tensor(SWEEP_LRS)\n",
        "print({name: len(name) for name in vars(np)}, globals().get('solve'))\n",  # reads
    ], [SETUP])
    assert own_code_problem(code, "solve") is None


def test_a_name_the_student_rebinds_is_followed_even_if_the_instructor_provided_it():
    code = NotebookCode.from_cells(
        ["from lrcore.quadratic import optimize as linear_regression_data\n",
         "def solve(*a):\n    return linear_regression_data(*a)\n"], [SETUP])
    assert "imports lrcore.quadratic" in own_code_problem(code, "solve")


def test_each_statement_is_examined_once_however_many_objects_are_followed(monkeypatch):
    """The judge follows every object a check is given: a notebook's statements are read once
    (when its cells are), not again for each object — and a statement's verdict is its own,
    even when a later cell's parse reuses the memory of an earlier, unbound statement."""
    from autograder import own_code

    examined: list[ast.stmt] = []
    original = own_code._problem_in
    monkeypatch.setattr(own_code, "_problem_in",
                        lambda statement: examined.append(statement) or original(statement))
    cells = [f"print({i})\nf{i} = lambda x: x * {i}\n" for i in range(30)]
    cells.append("from lrcore.quadratic import optimize as cheat\n"
                 "def solve(*a):\n    return cheat(*a)\n")
    code = NotebookCode.from_cells(cells, [SETUP])
    statements = len(examined)
    for _ in range(3):
        assert all(own_code_problem(code, f"f{i}") is None for i in range(30))
        assert "imports lrcore.quadratic" in own_code_problem(code, "solve")
    assert len(examined) == statements == 62


def test_the_instructors_cells_are_parsed_once_a_students_for_each_notebook(monkeypatch):
    """The instructor's locked cells are the same for a whole class: parsed once per process.
    A student's cells are parsed for each notebook, never kept from one to the next."""
    from autograder import own_code

    parsed: list[str] = []
    original = own_code._python
    monkeypatch.setattr(own_code, "_python", lambda source: parsed.append(source)
                        or original(source))
    own_code._instructor_names.cache_clear()
    setup = SETUP + "SECOND_TOOL = 2\n"
    student = ["def solve(lr, n, x0):\n    return [x0] * n\n", "x = solve(0.1, 3, 5.0)"]
    for _ in range(3):  # three students' notebooks of one class
        code = NotebookCode.from_cells(student, [setup])
        assert own_code_problem(code, "solve") is None
        assert {"linear_regression_data", "SECOND_TOOL"} <= code.instructor
    assert parsed.count(setup) == 1
    assert all(parsed.count(source) == 3 for source in student)


def test_a_source_notebook_is_parsed_once_per_content_and_again_when_it_changes(tmp_path):
    from nbformat.v4 import new_code_cell, new_notebook

    from autograder.own_code import _instructor_cells_of

    def locked(source: str, grade: bool = False) -> nbformat.NotebookNode:
        return new_code_cell(source, metadata={"nbgrader": {"locked": True, "grade": grade}})

    path = tmp_path / "ps.ipynb"
    nbformat.write(new_notebook(cells=[locked("import numpy as np"), locked("check(x)", True),
                                       new_code_cell("x = 1")]), path)
    _instructor_cells_of.cache_clear()
    assert [instructor_cells(path) for _ in range(3)] == [["import numpy as np"]] * 3
    assert _instructor_cells_of.cache_info().misses == 1
    nbformat.write(new_notebook(cells=[locked("import numpy as nq")]), path)
    assert instructor_cells(path) == ["import numpy as nq"]
    assert _instructor_cells_of.cache_info().misses == 2


@pytest.mark.parametrize("assignment", Course(REPO).assignments())
def test_every_samples_functions_are_the_students_own(assignment):
    course = Course(REPO)
    source = REPO / "source" / assignment / f"{assignment}.ipynb"
    instructor = instructor_cells(source)
    tested = set()
    for cell in nbformat.read(source, as_version=4).cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("grade") and not meta.get("solution"):
            tested |= {arg.id for node in ast.walk(ast.parse(cell.source))
                       if isinstance(node, ast.Call) for arg in node.args
                       if isinstance(arg, ast.Name)}
    assert tested
    for sample in samples_for(assignment):
        nb = build_notebook(course, assignment, assignment, sample)
        code = NotebookCode.from_cells(
            [c.source for c in nb.cells if c.cell_type == "code" and c.source not in instructor],
            instructor)
        problems = {name: own_code_problem(code, name) for name in tested
                    if name in code.student}  # a blank sample defines none
        assert not any(problems.values()), (sample.student, problems)
