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

help:
	@echo "make demo     release, grade sample submissions, print grades (the main job)"
	@echo "make test     set up if needed, then run the whole test suite"
	@echo "make release  regenerate release/ from source/ with nbgrader"
	@echo "make lab      open JupyterLab on the course"
	@echo "make lint     ruff"
	@echo "make bench    run the benchmarks in benchmarks/"

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
	$(PIP) install -c constraints.txt -e ./student -e ".[dev]" --no-build-isolation
	@install -D -m 644 jupyterlab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $(STAMP)

test: $(STAMP) system-deps
	$(PY) -m ruff check .
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

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean-grading:
	rm -rf submitted autograded feedback gradebook.db reports exports demo_inbox
