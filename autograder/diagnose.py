"""Plain words for a submission that nbgrader could not even read.

When `nbgrader autograde` refuses a submission, its log ends in lines such as "Removing failed
assignment" or "Did you mean: …" — true, but not a reason. `describe_unreadable_submission`
looks at the submitted files the way nbgrader will and says what is wrong with them: nothing
submitted, no notebook of that name, not UTF-8, not JSON, two cells with one grade id.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

__all__ = ["describe_unreadable_submission"]


def _notebook_problem(path: Path) -> str | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return f"{path.name} is not UTF-8 text (byte {error.start} is {data[error.start]:#04x})"
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as error:
        return (f"{path.name} is not valid JSON (line {error.lineno}: {error.msg}); "
                "the file may be cut short or edited by hand")
    if not isinstance(nb, dict) or not isinstance(nb.get("cells", nb.get("worksheets")), list):
        return f"{path.name} is JSON but not a notebook"
    cells = nb.get("cells") or [c for sheet in nb.get("worksheets", []) for c in sheet["cells"]]
    ids = Counter(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                  for cell in cells if isinstance(cell, dict))
    repeated = sorted(str(grade_id) for grade_id, count in ids.items() if grade_id and count > 1)
    if repeated:
        return (f"{path.name} has several cells with the grade id {', '.join(repeated)} "
                "(a copied cell?)")
    return None


def describe_unreadable_submission(folder: Path, notebooks: list[str]) -> str | None:
    """What is wrong with the submission in `folder` (submitted/<student>/<assignment>/),
    given the assignment's notebook names; None if nothing obvious."""
    if not folder.is_dir():
        return "nothing was submitted"
    files = sorted(p.name for p in folder.iterdir() if p.name != "timestamp.txt")
    if not files:
        return "the submission folder is empty"
    for name in notebooks:
        path = folder / f"{name}.ipynb"
        if not path.is_file():
            others = [f for f in files if f.endswith(".ipynb")]
            found = f"found {', '.join(others)}" if others else f"found only {', '.join(files)}"
            return f"no notebook named {name}.ipynb was submitted ({found})"
        problem = _notebook_problem(path)
        if problem:
            return problem
    return None
