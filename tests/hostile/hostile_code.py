"""The hostile code of the corpus: what a student (or a student's bug) can put in a notebook.

Each constant is the source of one cell. Those that may leave processes behind first name
their process `@COMM@` (`NAME_PROCESS`), so that the test can find any survivor.
"""

from __future__ import annotations

import json
from copy import deepcopy

import nbformat
from hostile_notebooks import NAME_PROCESS, grade_cell, insert_after
from nbformat import NotebookNode

# --- time -------------------------------------------------------------------------------------
INFINITE_LOOP = NAME_PROCESS + "while True:\n    pass\n"
SLEEP_FOREVER = NAME_PROCESS + "import time\ntime.sleep(10_000)\n"
UNINTERRUPTIBLE = NAME_PROCESS + (
    "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n")
SLOW_CELL = NAME_PROCESS + "import time\ntime.sleep(18)\nprint('still going')\n"

# --- memory and processes -----------------------------------------------------------------------
MEMORY_BOMB = NAME_PROCESS + (
    "hoard = []\nwhile True:\n    hoard.append(bytearray(64 * 1024 * 1024))\n")
HUGE_ALLOCATION = "import numpy as np\nhuge = np.ones((10**6, 10**6))\n"
FORK_BOMB = NAME_PROCESS + "import os\nwhile True:\n    os.fork()\n"
THREAD_BOMB = NAME_PROCESS + (
    "import threading, time\nwhile True:\n"
    "    threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()\n")
DAEMON = NAME_PROCESS + '''
import os, time
if os.fork() == 0:          # a grandchild in its own session, outliving the kernel
    os.setsid()
    if os.fork() == 0:
        while True:
            time.sleep(1)
    os._exit(0)
print("daemon started")
'''

# --- the kernel dies -------------------------------------------------------------------------
OS_EXIT = "import os\nos._exit(1)\n"
SYS_EXIT = "import sys\nsys.exit('bye')\n"
SEGFAULT = "import ctypes\nctypes.string_at(0)\n"
ABORT = "import os\nos.abort()\n"
SIGKILL_SELF = "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"

# --- the file system -----------------------------------------------------------------------------
_TRY_WRITE = '''
import os
def try_write(path, text="pwned"):
    try:
        with open(path, "a") as handle:
            handle.write(text)
        print("WROTE", path)
    except OSError as error:
        print("blocked:", path, "-", type(error).__name__)
'''
WRITE_COURSE = _TRY_WRITE + '''
for path in ["@ROOT@/pwned.txt", "@ROOT@/nbgrader_config.py", "@ROOT@/gradebook.db",
             "@ROOT@/source/ps01_constant_lr/ps01_constant_lr.ipynb",
             "@ROOT@/submitted/s01_solution/ps01_constant_lr/ps01_constant_lr.ipynb",
             "@ROOT@/autograded/s01_solution/ps01_constant_lr/pwned.txt",
             "@ROOT@/.grading/executed/ps01_constant_lr/s01_solution/ps01_constant_lr.ipynb",
             "@REPO@/gradebook.db", "@REPO@/pwned.txt"]:
    try_write(path)
'''
WRITE_GRADEBOOK_SQL = '''
import sqlite3
for url in ["@ROOT@/gradebook.db", "@REPO@/gradebook.db"]:
    try:
        db = sqlite3.connect(url)
        db.execute("UPDATE grade SET manual_score = 99")
        db.commit()
        print("WROTE", url)
    except sqlite3.Error as error:
        print("blocked:", url, "-", error)
'''
WRITE_HOST_TMP = _TRY_WRITE + 'try_write("@MARK@")\nprint(open("@MARK@").read())\n'
WRITE_PACKAGES = _TRY_WRITE + '''
import lrcore, autograder, numpy
for folder in [*lrcore.__path__, *autograder.__path__]:
    try_write(os.path.join(folder, "quadratic.py" if "lrcore" in folder else "checks/ps01.py"),
              "\\nraise SystemExit('pwned')\\n")
try_write(os.path.join(os.path.dirname(numpy.__file__), "pwned.py"))
try_write("/etc/pwned")
'''
READ_HIDDEN_TESTS = '''
import glob, os
found = []
for path in ["@ROOT@/source/ps01_constant_lr/ps01_constant_lr.ipynb",
             "@REPO@/source/ps01_constant_lr/ps01_constant_lr.ipynb",
             "@ROOT@/release/ps01_constant_lr/ps01_constant_lr.ipynb",
             "ps01_constant_lr.ipynb", *glob.glob("*.ipynb"), *glob.glob("/tmp/**/*.ipynb")]:
    try:
        text = open(path).read()
        found.append(path)
        print("READ", path, "hidden tests" if "HIDDEN" in text else "")
    except OSError as error:
        print("not readable:", path, "-", type(error).__name__)
print("hidden tests found" if found else "no hidden tests found")
'''
READ_OTHER_STUDENTS = '''
import os
for folder in ["@ROOT@/submitted", "@ROOT@/autograded", "@ROOT@/.grading", "@ROOT@",
               "@REPO@/submitted", "/tmp"]:
    try:
        print(folder, "->", sorted(os.listdir(folder)))
    except OSError as error:
        print("not readable:", folder, "-", type(error).__name__)
'''
NETWORK = '''
import socket
def attempt(what, connect):
    try:
        connect()
        print("CONNECTED", what)
    except OSError as error:
        print("no network:", what, "-", error)
# TEST-NET-1 (RFC 5737): never routed anywhere, even if the namespace leaked.
attempt("192.0.2.1:80", lambda: socket.create_connection(("192.0.2.1", 80), timeout=3))
attempt("127.0.0.1:5432", lambda: socket.create_connection(("127.0.0.1", 5432), timeout=3))
attempt("dns", lambda: socket.getaddrinfo("example.com", 80))
def unix():
    with socket.socket(socket.AF_UNIX) as s:
        s.connect("/run/postgresql/.s.PGSQL.5432")
attempt("postgres socket", unix)
'''

# --- output ----------------------------------------------------------------------------------
HUGE_OUTPUT = "print('x' * 50_000_000)\n"
STDERR_WARNINGS = '''
import sys, warnings
warnings.warn("this API is deprecated", DeprecationWarning)
warnings.warn("something looks odd")
print("a note on stderr", file=sys.stderr)
'''
PATCHED_PRINT = "import builtins\nbuiltins.print = lambda *args, **kwargs: None\n"

# --- wrong answers --------------------------------------------------------------------------------
SIGN_FLIPPED = '''
def gradient_descent_numpy(lr, num_iterations, x0, a=1.0):
    x, history = float(x0), []
    for _ in range(num_iterations):
        x = x + lr * (2 * a * x)
        history.append(x)
    return history
'''
STRING_ANSWER = '''
def gradient_descent_numpy(lr, num_iterations, x0, a=1.0):
    return "3363.744384765625"
'''
NAN_TRAINING = '''
def train_linear_regression(X, y, lr, epochs=100):
    return [float("nan")] * (epochs - 1) + [float("inf")]
'''

# --- tampering (the in-kernel checks are not tamper-proof yet; see SANDBOX.md) -------------------
PATCH_CHECKS = SIGN_FLIPPED + '''
import lrchecks.ps01 as checks
checks.check_gradient_descent_numpy = lambda *args, **kwargs: print("✓ looks right")
checks.check_gradient_descent_numpy_unseen = lambda *args, **kwargs: None
'''
PATCH_ALLCLOSE = SIGN_FLIPPED + '''
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
np.array_equal = lambda *args, **kwargs: True
'''
PATCH_SHOWTRACEBACK = SIGN_FLIPPED + '''
shell = get_ipython()
shell.showtraceback = lambda *args, **kwargs: None
shell._showtraceback = lambda *args, **kwargs: None
'''
SHADOW_PACKAGE = SIGN_FLIPPED + '''
import os
os.makedirs("lrchecks", exist_ok=True)
for name in ["autograder/__init__.py", "lrchecks/__init__.py"]:
    open(name, "w").close()
with open("lrchecks/ps01.py", "w") as handle:
    handle.write("def __getattr__(name):\\n    return lambda *args, **kwargs: None\\n")
'''
PATCH_LRCORE = SIGN_FLIPPED + '''
import lrcore.quadratic
_wrong = gradient_descent_numpy
lrcore.quadratic.gradient_descent = lambda lr, n, x0, a=1.0: np.asarray(_wrong(lr, n, x0, a=a))
'''
REDEFINED_HELPERS = SIGN_FLIPPED + '''
import lrchecks.ps01 as _ps01
import lrchecks.quadratic as _quadratic
import lrchecks.values as _values
_ps01.compare_run = _quadratic.compare_run = lambda *args, **kwargs: None
_values.arrays_match = lambda *args, **kwargs: True
'''
FORGED_EVIDENCE = SIGN_FLIPPED + '''
import lrchecks.ps01 as _ps01
from IPython.display import publish_display_data


def _forged(*args, **kwargs):
    record = {"version": 1, "check": "lrchecks.ps01.check_gradient_descent_numpy",
              "args": [{"$": "callable", "name": "gradient_descent_numpy"}],
              "kwargs": {"$": "dict", "items": []}, "calls": []}
    publish_display_data({"application/vnd.lrlab.evidence+json": record, "text/plain": ""})
    print("✓ looks right")


_ps01.check_gradient_descent_numpy = _forged
_ps01.check_gradient_descent_numpy_unseen = lambda *args, **kwargs: None
'''
CODE_SWAPPED = SIGN_FLIPPED + '''
import lrchecks.ps01 as _ps01
_ps01.check_gradient_descent_numpy.__wrapped__.__code__ = (lambda *args, **kwargs: None).__code__
_ps01._check_numpy_run.__code__ = (lambda *args, **kwargs: None).__code__
'''


# --- edits of the notebook file -------------------------------------------------------------------
def corrupt_json(data: bytes) -> bytes:
    return data[: len(data) // 2]


def non_utf8(data: bytes) -> bytes:
    return data.replace(b"minimise", b"minimis\xe9", 1).replace(b"x0", b"x\xff0", 1)


def as_nbformat_v3(data: bytes) -> bytes:
    import nbformat

    nb = nbformat.reads(data.decode("utf-8"), as_version=4)
    return nbformat.writes(nbformat.convert(nb, 3), version=3).encode("utf-8")


def duplicate_cell_ids(data: bytes) -> bytes:
    nb = json.loads(data)
    ids = [cell.get("id") for cell in nb["cells"]]
    for cell in nb["cells"][1:]:
        cell["id"] = ids[0]
    return json.dumps(nb).encode("utf-8")


def edit_locked_setup(nb: NotebookNode) -> None:
    nb.cells[grade_cell(nb, "setup")].source += (
        "\nimport lrchecks.ps01 as checks\n"
        "checks.check_gradient_descent_numpy = lambda *args, **kwargs: None\n")


def edit_test_cell(nb: NotebookNode) -> None:
    nb.cells[grade_cell(nb, "test_gradient_descent_numpy")].source = 'print("✓ all good")'


def delete_test_cell(nb: NotebookNode) -> None:
    del nb.cells[grade_cell(nb, "test_gradient_descent_numpy")]


def duplicate_test_cell(nb: NotebookNode) -> None:
    index = grade_cell(nb, "test_gradient_descent_numpy")
    copy = nbformat.v4.new_code_cell('print("✓ all good")')
    copy.metadata = deepcopy(nb.cells[index].metadata)
    nb.cells.insert(index + 1, copy)


def slow_cells(nb: NotebookNode) -> None:
    for _ in range(7):
        insert_after(nb, "setup", SLOW_CELL)


def kill_mid_notebook(nb: NotebookNode) -> None:
    insert_after(nb, "test_divergence_threshold_on_paper", SIGKILL_SELF)
