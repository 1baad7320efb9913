"""The claims of the course-level texts: the syllabus (`course/README.md`) and the instructor
guide (`course/instructor_guide.md`).

These files are read as they are — no release fills them — so a course claim's `sentence` is the
text exactly as the file writes it, with `{}` where the claim's written value stands: the test
(`tests/claims/test_course.py`) finds `sentence.format(write(value))` in the file (whitespace
and line breaks aside), checks what must hold, and then finds no other number in the file's prose
that a claim or an `Exemption` does not account for (`uncovered_in`). Fenced code blocks and code
spans are commands and names, not prose; the version numbers they hold that a reader relies on
(the student wheel, the torch pin, the secret's mode) are claims of their own.
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from nbformat.v4 import new_markdown_cell, new_notebook

from autograder.claims import Claim, Exemption, uncovered_numbers

__all__ = ["CLAIMS", "EXEMPT", "FILES", "ROOT", "claim_text", "claims_in", "uncovered_in"]

ROOT = Path(__file__).resolve().parents[2]
README, GUIDE = "course/README.md", "course/instructor_guide.md"
FILES = (README, GUIDE)

FENCE = re.compile(r"^```.*?^```", re.M | re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
TABLE_ROW = re.compile(r"^\| (ps\d\d) \|[^|\n]*\|[^|\n]*\| (\d+)(?:–(\d+))? h \|$", re.M)


@cache
def _text(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


def _hours() -> dict[str, tuple[int, int]]:
    """assignment → (fewest, most) hours, from the syllabus's table."""
    rows = TABLE_ROW.findall(_text(README))
    return {name: (int(low), int(high or low)) for name, low, high in rows}


def _assignments() -> list[str]:
    return sorted(path.name.split("_")[0] for path in (ROOT / "source").iterdir()
                  if path.is_dir() and re.fullmatch(r"ps\d\d_\w+", path.name))


def _total_hours() -> dict[str, Any]:
    hours = _hours()
    fewest = sum(low for low, _ in hours.values())
    most = sum(high for _, high in hours.values())
    return {"range": (fewest, most), "rows": sorted(hours), "assignments": _assignments()}


def _gradient_step() -> list[tuple[float, float]]:
    """One step of gradient descent on a·x² from x = 3 divided by x, against 1 − 2a·lr."""
    from lrcore import quadratic

    return [(float(quadratic.gradient_descent(lr, 1, 3.0, a)[0] / 3.0), 1 - 2 * a * lr)
            for a in (0.5, 1.0, 4.0) for lr in (0.01, 0.1, 0.3)]


def _divergence_threshold() -> list[tuple[float, bool, bool]]:
    """(a, diverges just above 1/a, converges just below it) for a few curvatures."""
    from lrcore import quadratic

    found = []
    for a in (0.5, 1.0, 4.0):
        above = abs(quadratic.gradient_descent(1.01 / a, 200, 1.0, a)[-1])
        below = abs(quadratic.gradient_descent(0.99 / a, 200, 1.0, a)[-1])
        found.append((a, above > 1.0, below < 1.0))
    return found


def _regime(lr: float) -> str:
    """What a constant lr does on x² (ps01's opening problem)."""
    from lrcore import quadratic

    return quadratic.classify_lr(lr)


def _cell_timeout() -> int | None:
    """The per-cell time limit in force: the course's nbgrader configuration, through the
    sandbox policy (which may override nbgrader's Execute.timeout)."""
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.sandbox.policy import sandbox_settings

    config = PyFileConfigLoader("nbgrader_config.py", path=str(ROOT)).load_config()
    return sandbox_settings(config).cell_timeout_for(config.Execute.timeout)


def _project_version(pyproject: str) -> str:
    return tomllib.loads((ROOT / pyproject).read_text(encoding="utf-8"))["project"]["version"]


def _torch_pin() -> set[str]:
    """The torch version each distribution pins (`torch==…`)."""
    pins = set()
    for pyproject in ("pyproject.toml", "student/pyproject.toml"):
        dependencies = tomllib.loads((ROOT / pyproject).read_text(encoding="utf-8"))["project"][
            "dependencies"]
        pins |= {d.split("==", 1)[1] for d in dependencies if d.startswith("torch==")}
    return pins


def _secret_mode() -> int:
    """The mode `secret --create` gives the secret file (written by the command itself)."""
    import tempfile

    from autograder.hidden.secret import create_secret

    with tempfile.TemporaryDirectory() as folder:
        path = create_secret(Path(folder) / "course.secret")
        return stat.S_IMODE(path.stat().st_mode)


def _claim(claim_id: str, path: str, sentence: str, compute: Callable[[], Any],
           write: Callable[[Any], str] = str,
           holds: Callable[[Any], bool] = lambda value: True) -> tuple[str, Claim]:
    return path, Claim(f"course.{claim_id}", sentence, compute, write, holds)


_PLACED: tuple[tuple[str, Claim], ...] = (
    _claim("total_hours", README, "Plan **{} hours** in all", _total_hours,
           write=lambda v: f"{v['range'][0]}–{v['range'][1]}",
           holds=lambda v: v["rows"] == v["assignments"]),
    _claim("gradient_step", README, "x_{{t+1}} = x_t·({} − 2a·lr)", _gradient_step,
           write=lambda v: "1", holds=lambda v: all(abs(x - f) < 1e-12 for x, f in v)),
    _claim("divergence_threshold", README, "or diverge (lr > {}/a)", _divergence_threshold,
           write=lambda v: "1", holds=lambda v: all(up and down for _, up, down in v)),
    _claim("rescued_lr", README, "converge from lr = {}, where that constant lr diverges",
           lambda: 1.05, holds=lambda lr: _regime(lr) == "divergence"),
    _claim("cell_timeout", GUIDE, "a cell over the {} s timeout", _cell_timeout,
           holds=lambda seconds: seconds == 60),
    _claim("student_wheel", GUIDE, "learning_rate_lab_student-{}-py3-none-any.whl",
           lambda: _project_version("student/pyproject.toml"),
           holds=lambda version: version == _project_version("pyproject.toml")),
    _claim("torch_pin", GUIDE, "pip install torch=={} ./student", _torch_pin,
           write=lambda pins: next(iter(sorted(pins))), holds=lambda pins: len(pins) == 1),
    _claim("secret_mode", GUIDE, "learning-rate-lab.secret ({})", _secret_mode,
           write=lambda mode: f"{mode:04o}", holds=lambda mode: mode == 0o600),
)

CLAIMS: tuple[Claim, ...] = tuple(claim for _, claim in _PLACED)
_FILE_OF = {claim.id: path for path, claim in _PLACED}

EXEMPT: tuple[Exemption, ...] = (
    Exemption("1", "the number of an item of a numbered list (a goal, a step)"),
    *(Exemption(str(n), "the number of an item of a numbered list, or an assignment's planned "
                "hours in the syllabus's table (estimates: their total is a claim)")
      for n in (2, 3, 4)),
    Exemption("5", "the number of an item of a numbered list (a goal, a step)"),
    Exemption("6", "the number of an item of a numbered list (a step)"),
    Exemption("0", "a score of 0: what a failed or unconfirmed test earns, not a measurement"),
    Exemption("1951", "the year of Robbins & Monro's paper, a citation"),
    Exemption("2003", "the year of Even-Dar & Mansour's paper, a citation"),
    Exemption("2015", "the year of Smith's paper on the range test, a citation"),
    Exemption("2017", "the year of Goyal et al.'s paper, a citation"),
    Exemption("2022", "the year of Malladi et al.'s paper, a citation"),
)
"""Numbers of the course texts that are no measurement."""


def claims_in(path: str) -> list[Claim]:
    """The claims whose sentence stands in `path`."""
    return [claim for claim in CLAIMS if _FILE_OF[claim.id] == path]


def _pattern(text: str) -> str:
    """`text` as a regular expression in which any run of whitespace matches any other."""
    return r"\s+".join(re.escape(word) for word in text.split())


def claim_text(claim: Claim, value: Any) -> re.Pattern[str]:
    """Where the claim's sentence, with its written value, stands in its file (the value is the
    group "value")."""
    before, after = claim.sentence.split("{}")
    before, after = before.replace("{{", "{").replace("}}", "}"), after.replace(
        "{{", "{").replace("}}", "}")
    return re.compile(_pattern(before) + r"\s*(?P<value>" + re.escape(claim.write(value))
                      + r")\s*" + _pattern(after))


def uncovered_in(path: str, values: dict[str, Any]) -> list[str]:
    """Numbers of the file's prose that no claim (its value, found in its sentence), structure
    or exemption accounts for — `autograder.claims.uncovered_numbers` on the file without its
    code blocks and spans, each claimed value taken out."""
    text = _text(path)
    for claim in claims_in(path):
        match = claim_text(claim, values[claim.id]).search(text)
        if match:
            text = text[:match.start("value")] + " " + text[match.end("value"):]
    prose = CODE_SPAN.sub(" ", FENCE.sub(" ", text))
    return uncovered_numbers(new_notebook(cells=[new_markdown_cell(prose)]), EXEMPT)
