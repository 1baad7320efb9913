"""Worker and kernel forked from the template (`autograder.sandbox.zygote`): confined exactly
like a worker started by bubblewrap, and executing notebooks exactly like it.

Each test executes a small notebook through `run_worker` — the real sandbox — once forked and,
where the two are compared, once started the ordinary way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from ast import literal_eval
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.sandbox import SandboxSettings
from autograder.sandbox.notebook_runner import run_worker
from autograder.sandbox.zygote import HOLDER, Zygote

REPO = Path(__file__).resolve().parents[2]
FORKED = SandboxSettings(memory_bytes="1.5 GiB", wall_seconds=120)
ORDINARY = FORKED.replace(preforked_kernels=False)

pytestmark = pytest.mark.filterwarnings("ignore::nbformat.warnings.MissingIDFieldWarning")


def execute(sources: list[str], policy: SandboxSettings, tmp_path: Path) -> list[str]:
    """Run the cells in the sandbox; each cell's outputs as one text (errors as `ename: …`)."""
    nb = new_notebook(cells=[new_code_cell(source) for source in sources],
                      metadata={"kernelspec": {"name": "python3", "language": "python",
                                               "display_name": "Python 3"}})
    files = tmp_path / f"files-{policy.preforked_kernels}"
    files.mkdir()
    (files / "data.txt").write_text("the student's file\n")
    (files / "helper.py").write_text("GREETING = 'a module beside the notebook'\n")
    task = {"notebook": nbformat.writes(nb), "config": {"Execute": {"timeout": 60}},
            "cell_timeout": 60, "max_output_chars": 100_000}
    run = run_worker(task, files, REPO, policy)
    assert run.result is not None and "notebook" in run.result, (run.result, run.log_tail)
    executed = nbformat.reads(run.result["notebook"], as_version=4)
    texts = []
    for cell in executed.cells:
        parts = []
        for output in cell.outputs:
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type == "error":
                parts.append(f"{output.ename}: {output.evalue} | {len(output.traceback)} lines")
            else:
                parts.append(" ".join(sorted(output.get("data", {}))))
        texts.append("".join(parts).strip())
    return texts


PROBE = [
    "import sys\nprint(sorted(m for m in ('torch', 'numpy', 'ipykernel') if m in sys.modules))",
    "import os\nstatus = open('/proc/self/status').read().splitlines()\n"
    "print([line.split()[1] for line in status if line.startswith(('Cap', 'NoNewPrivs'))])",
    "print(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()), os.getpid())",
    "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 80), timeout=2)\n"
    "    print('network')\nexcept OSError:\n    print('no network')",
    "print(os.uname().nodename, os.getcwd(), open('data.txt').read().strip())",
    f"print(os.path.exists({str(REPO / 'source')!r}), sorted(os.listdir({str(REPO)!r})))",
    "print(sorted(k for k in os.environ if 'PASSWORD' in k or 'DATABASE' in k))",
    "import helper\nprint(helper.GREETING, sys.path.index('') < len(sys.path) - 1, "
    "sys.dont_write_bytecode, sys.flags.isolated, sys.flags.safe_path)",
    "print(os.getuid(), os.getgid(), os.getgroups(), sorted(os.listdir('/')), "
    "sorted(os.listdir('/etc')), sorted(os.listdir(os.environ['HOME'])))",
    # what each descriptor is open on; the log, an unlinked temporary file, by that name only
    # (its inode differs from run to run)
    "kinds = set()\nfor fd in os.listdir('/proc/self/fd'):\n    try:\n"
    "        link = os.readlink(f'/proc/self/fd/{fd}')\n"
    "    except OSError:\n        continue\n"
    "    kinds.add('deleted file' if link.endswith('(deleted)') else link.split(':')[0])\n"
    "print(sorted(kinds))",
]


def test_a_forked_notebook_is_confined_like_a_started_one(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADEBOOK_DATABASE_PASSWORD", "secret")  # never reaches the sandbox
    forked = execute(PROBE, FORKED, tmp_path)
    assert forked[0] == "['ipykernel', 'numpy', 'torch']"  # imported before the notebook ran
    assert forked[1] == str(["0" * 16] * 5 + ["1"])  # no capability at all, no new privileges
    pids, me = forked[2].rsplit(" ", 1)
    assert len(json.loads(pids)) <= 4 and int(me) <= 4  # its own pid namespace
    assert forked[3] == "no network"
    assert forked[4] == "sandbox /tmp/submission the student's file"
    # the course is not there: only what is bound for the kernel
    assert forked[5] == "False ['.venv', 'autograder', 'lrchecks', 'lrcore']"
    assert forked[6] == "[]"
    ordinary = execute(PROBE, ORDINARY, tmp_path)
    assert ordinary[0] == "['ipykernel']"  # a new Python has imported only the kernel
    assert forked[7] == "a module beside the notebook True True 0 False"  # as `python -m`
    uid, gid, groups, *_ = forked[8].split(" ", 3)
    assert (int(uid), int(gid), groups) == (FORKED.sandbox_uid, FORKED.sandbox_uid, "[]")
    assert ordinary[1:9] == forked[1:9]  # and the same capabilities (none), user and mounts
    # nothing open but what a started kernel has (and stdin on /dev/null instead of a pipe)
    assert set(literal_eval(forked[9])) <= set(literal_eval(ordinary[9])) | {"/dev/null"}


NOTEBOOK = [
    "import numpy as np, torch\nimport matplotlib.pyplot as plt\ntorch.manual_seed(0)",
    "x = torch.tensor([3.0], requires_grad=True)\nopt = torch.optim.Adam([x], lr=0.1)\n"
    "for _ in range(20):\n    opt.zero_grad()\n    (x ** 2).sum().backward()\n    opt.step()\n"
    "print(repr(x.item()), torch.randn(2).tolist())",
    "plt.plot([1, 2, 3])\nplt.title('lr')",
    "from lrchecks import CheckFailed\nraise CheckFailed('the lr is too large')",
    "print('after the failure')",
]


def test_a_forked_kernel_executes_a_notebook_like_a_new_one(tmp_path):
    forked = execute(NOTEBOOK, FORKED, tmp_path)
    ordinary = execute(NOTEBOOK, ORDINARY, tmp_path)
    assert forked == ordinary
    assert "image/png" in forked[2]  # the inline backend still draws into the notebook
    # the checks' one-line failure, hooked into the kernel's shell after the fork
    assert forked[3] == "CheckFailed: the lr is too large | 1 lines"


def test_every_fork_draws_its_own_unseeded_randomness(tmp_path):
    source = ["import numpy as np\nprint(np.random.rand())"]
    draws = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        draws.append(execute(source, FORKED, folder))
    assert draws[0] != draws[1]


def test_the_template_is_started_once_per_process_and_restarted_when_it_dies(tmp_path):
    from autograder.sandbox.notebook_runner import worker_environment

    env = worker_environment(FORKED)
    template = Zygote.shared(env)
    assert template is not None and Zygote.shared(env) is template
    template.process.kill()
    template.process.wait()
    assert execute(["print(6 * 7)"], FORKED, tmp_path) == ["42"]
    replacement = Zygote.shared(env)
    assert replacement is not None and replacement is not template


def test_a_forked_worker_and_kernel_start_without_importing_or_compiling_anything(tmp_path):
    """Whatever the worker imports to run `Execute`, and whatever `IPKernelApp.initialize`
    imports, is imported once, by the template, not once per notebook by each fork (debugpy
    alone is ≈ 0.06 s of CPU, nbgrader.utils ≈ 0.05 s); so is the notebook schema the worker
    validates the notebook against when it reads and writes it (≈ 0.04 s), whichever version of
    the format the notebook has."""
    report = tmp_path / "imported.json"
    probe = f"""
import os, sys, json
import nbformat
from nbformat.validator import validators
from nbformat.v4 import new_code_cell, new_notebook
from autograder.sandbox import zygote
zygote._preload()
before = set(sys.modules)
schemas = len(validators)
for minor in (4, 5):
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.nbformat_minor = minor
    if minor < 5:
        del nb.cells[0]["id"]
    nbformat.writes(nbformat.reads(nbformat.writes(nb), as_version=4))
assert len(validators) == schemas, sorted(validators)
from autograder.sandbox import worker
worker.execute_class()
from nbgrader.utils import setenv
from traitlets.config import Config
from ipykernel.kernelapp import IPKernelApp
app = IPKernelApp.instance()
app.initialize(["-f", {str(tmp_path / "kernel.json")!r}, "--HistoryManager.hist_file=:memory:",
                "--IPKernelApp.log_level=CRITICAL"])
with open({str(report)!r}, "w") as out:  # the kernel's stdout and stderr are its own now
    json.dump(sorted(set(sys.modules) - before), out)
os._exit(0)
"""
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Debugger warning" not in result.stderr
    assert json.loads(report.read_text()) == []


def test_a_forked_kernel_collects_its_own_garbage_but_never_walks_the_templates_imports(
        tmp_path):
    """The template freezes what it imported (`gc.freeze`): a kernel's collections skip those
    ≈ 400,000 objects, and do not copy the pages it shares with the template by writing to
    them; what the student's code creates is collected as usual."""
    cells = ["import gc\nprint(gc.get_freeze_count() > 100_000)",
             "import weakref\nclass Node:\n    pass\nnode = Node()\nnode.itself = node\n"
             "alive = weakref.ref(node)\ndel node\ngc.collect()\nprint(alive() is None)"]
    assert execute(cells, FORKED, tmp_path) == ["True", "True"]
    assert execute(cells, ORDINARY, tmp_path) == ["False", "True"]


def test_the_sandbox_holder_lives_while_its_runner_holds_the_lifeline_and_no_longer():
    """The sandbox's pid 1 exits once the runner's end of its lifeline is closed — as it is
    when the grader is killed outright, even before bwrap's --die-with-parent took effect."""
    lifeline, holder_end = os.pipe()
    holder = subprocess.Popen([sys.executable, "-I", "-S", "-c", HOLDER, str(holder_end)],
                              pass_fds=(holder_end,))
    os.close(holder_end)
    try:
        assert os.read(lifeline, 1) == b"R"
        time.sleep(1.5)  # past a whole poll period of the holder
        assert holder.poll() is None, "the holder left while its runner was alive"
        os.close(lifeline)
        assert holder.wait(timeout=10) == 0
    finally:
        holder.kill()
        holder.wait()


def test_the_sandbox_holder_reaps_the_orphans_a_notebook_leaves(tmp_path):
    """A student's processes whose parent ended are the holder's (pid 1) to reap: a notebook
    that leaves orphans behind leaves no zombie in its sandbox (each would hold a pid of the
    sandbox's limit until the notebook ends)."""
    leave_orphans = (
        "import os, time\n"
        "for _ in range(5):\n"
        "    child = os.fork()\n"
        "    if child == 0:\n"
        "        if os.fork() == 0:\n"
        "            os._exit(0)\n"
        "        time.sleep(0.2)\n"  # the grandchild has ended: a zombie, soon an orphan
        "        os._exit(0)\n"
        "    os.waitpid(child, 0)\n"
        "time.sleep(0.5)\n")
    count_zombies = (
        "import os\n"
        "def state(pid):\n"
        "    try:\n"
        "        return open(f'/proc/{pid}/stat').read().rsplit(')', 1)[1].split()[0]\n"
        "    except OSError:\n"
        "        return '?'\n"
        "print(sum(state(p) == 'Z' for p in os.listdir('/proc') if p.isdigit()))")
    assert execute([leave_orphans, count_zombies], FORKED, tmp_path) == ["", "0"]
