# Learning-Rate Lab — every command sets up .venv first if it needs to.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check
STAMP := $(VENV)/.lrlab-installed
TORCH_PIN := torch==2.13.0
PYTEST_ARGS ?=

.PHONY: setup system-deps test demo release lab lint bench clean-grading help
.PHONY: hub hub-clean

help:
	@echo "make demo     release, grade a sample class in demo/, print grades (the main job)"
	@echo "make test     set up if needed, then ruff, mypy and the whole test suite"
	@echo "make release  regenerate release/ from source/ with nbgrader"
	@echo "make lab      open JupyterLab on the course"
	@echo "make lint     ruff and mypy"
	@echo "make bench    run the benchmarks in benchmarks/"
	@echo "make clean-grading  delete everything grading made: submissions, gradebook, .grading/, demo/"
	@echo "make hub      the course on a JupyterHub on 127.0.0.1 (as root; Ctrl-C stops it)"
	@echo "make hub-clean  remove the hub's demo accounts and folder"

setup: $(STAMP)

# Debian packages (bubblewrap, chromium, postgresql), installed only when missing.
system-deps:
	@bash .ci/system-deps.sh test

# torch first and alone: an unpinned torch pulled in by another package would bring CUDA.
# jupyterlab/overrides.json: JupyterLab's defaults for this course (see its README section).
$(STAMP): constraints.txt pyproject.toml student/pyproject.toml jupyterlab/overrides.json
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null \
		|| $(PIP) install -c constraints.txt $(TORCH_PIN)
	$(PIP) install -c constraints.txt -e ./student -e ".[dev,hub]" --no-build-isolation
	@install -D -m 644 jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

# The tests' matplotlib configuration and font cache belong to this checkout: the one in
# ~/.cache/matplotlib is shared by every checkout and virtualenv on the machine, and one that
# was being deleted can leave it listing no bundled font — then every notebook the tests run
# prints "findfont: … not found" on stderr.
test: export MPLCONFIGDIR := $(CURDIR)/$(VENV)/matplotlib
test: $(STAMP) system-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest $(PYTEST_ARGS)

release: $(STAMP)
	$(PY) -m autograder release --all

demo: $(STAMP)
	@bash .ci/system-deps.sh grading
	$(PY) -m autograder demo

lab: $(STAMP)
	$(VENV)/bin/jupyter lab --ServerApp.root_dir="$(CURDIR)" $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Everything grading creates (all git-ignored): the submissions, the gradebook, the ledger and
# executed notebooks (.grading/), feedback, exports, reports and the demo's course. Never
# source/, release/ or hidden_cases/, which are committed.
GRADING_OUTPUTS := submitted autograded feedback gradebook.db gradebook.db-journal \
	gradebook.db-wal gradebook.db-shm .grading reports exports demo demo_inbox nbgrader.log

clean-grading:
	@for path in $(GRADING_OUTPUTS) .release-staging-*; do \
		if [ -e "$$path" ] || [ -L "$$path" ]; then echo "removing $$path"; rm -rf -- "$$path"; fi; \
	done

# The course on JupyterHub (README, "Running the course on JupyterHub"; hub/). The students'
# servers run from STUDENT_VENV (hub/student_env.sh: the student runtime and JupyterLab with
# nbgrader's student extensions, nothing of the grader): rebuilt when its packages' inputs
# change, only the student runtime reinstalled when only lrcore/ or lrchecks/ changed.
STUDENT_VENV ?= .venv-student
STUDENT_PACKAGES := $(STUDENT_VENV)/.lrlab-packages
STUDENT_STAMP := $(STUDENT_VENV)/.lrlab-installed
STUDENT_INPUTS := $(shell find lrcore lrchecks -name '*.py' -not -path '*/__pycache__/*')
HUB_ARGS ?=

$(STUDENT_PACKAGES): constraints.txt student/pyproject.toml jupyterlab/overrides.json \
		hub/student_env.sh
	@bash .ci/system-deps.sh hub
	bash hub/student_env.sh $(STUDENT_VENV) all
	@touch $(STUDENT_PACKAGES)

$(STUDENT_STAMP): $(STUDENT_PACKAGES) $(STUDENT_INPUTS)
	bash hub/student_env.sh $(STUDENT_VENV) runtime
	@touch $(STUDENT_STAMP)

hub: $(STAMP) $(STUDENT_STAMP)
	@bash .ci/system-deps.sh hub
	$(PY) -m hub.run --student-venv $(STUDENT_VENV) $(HUB_ARGS)

hub-clean:
	$(PYTHON) -m hub.clean $(HUB_ARGS)
