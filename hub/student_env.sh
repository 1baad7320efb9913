#!/usr/bin/env bash
# Build the students' environment of the hub (`make hub`): the student runtime and JupyterLab
# with nbgrader's student extensions, nothing of the grader.
#   usage: hub/student_env.sh VENV all       everything, from a new environment
#          hub/student_env.sh VENV runtime   only the student runtime again (lrcore, lrchecks)
# Run from the repository root; the Makefile runs `all` when its packages' inputs change and
# `runtime` when only the course's sources do.
#
# - Debian's Python (/usr/bin/python3, package python3-venv): the students' accounts cannot
#   enter /root, where the grader's Python lives.
# - torch first and alone (the CPU wheel, as in .venv), then the student distribution's
#   dependencies with its `lab` extra and JupyterHub's single-user server, at constraints.txt's
#   versions — except soupsieve, whose pinned release needs Python >= 3.11.5 (Debian 12 has
#   3.11.2; only nbconvert's HTML parser uses it).
# - The student runtime is installed from a copy of student/, lrcore/ and lrchecks/ (no build
#   folder in the checkout), as a student's image would: not editable, not the checkout.
# - JupyterLab: the course's overrides.json; nbgrader's instructor parts (Formgrader, Create
#   Assignment, Course List) switched off — students get Assignment List and Validate.
set -euo pipefail
venv="${1:?usage: hub/student_env.sh VENV all|runtime}"
what="${2:-all}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
grep -v '^soupsieve==' constraints.txt > "$work/constraints.txt"
pip=("$venv/bin/python" -m pip --disable-pip-version-check --quiet)
mkdir -p "$work/src"
cp -r student lrcore lrchecks "$work/src/"
find "$work/src" -name __pycache__ -prune -exec rm -rf {} +

if [ "$what" = "runtime" ]; then
  "${pip[@]}" install --no-deps --force-reinstall "$work/src/student"
  chmod -R a+rX "$venv"
  exit 0
fi

rm -rf "$venv"
/usr/bin/python3 -m venv "$venv"
"${pip[@]}" install -c "$work/constraints.txt" torch==2.13.0
"${pip[@]}" install -c "$work/constraints.txt" "$work/src/student[lab]" jupyterhub

install -D -m 644 jupyterlab/overrides.json "$venv/share/jupyter/lab/settings/overrides.json"
jupyter=("$venv/bin/jupyter")
for extension in formgrader course_list; do
  "${jupyter[@]}" server extension disable --sys-prefix "nbgrader.server_extensions.$extension" \
    >/dev/null 2>&1
done
for plugin in formgrader create-assignment course-list; do
  "${jupyter[@]}" labextension disable --level=sys_prefix "@jupyter/nbgrader:$plugin" >/dev/null
done
chmod -R a+rX "$venv"
