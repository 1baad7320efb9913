"""`report`: the grade distribution and per-test pass rates, as PNG figures and one HTML page.

A per-test pass rate far below the others usually means an unclear task or a broken test —
look at it before releasing grades.

Student ids and messages are escaped, and the page declares a Content-Security-Policy: it runs
no script and loads nothing but its own figures (files beside it).
"""

from __future__ import annotations

import html
from pathlib import Path

from autograder.course import Course
from autograder.results import NOT_GRADED, GradeRow, PassRate, grade_rows, pass_rates_per_test

__all__ = ["write_report", "CONTENT_SECURITY_POLICY"]

CONTENT_SECURITY_POLICY = ("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                           "base-uri 'none'; form-action 'none'")


def _distribution_figure(rows: list[GradeRow], assignment: str, path: Path) -> None:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    graded = [r for r in rows if r.assignment == assignment and r.score is not None]
    figure = Figure(figsize=(6, 3.5))
    ax = figure.subplots()
    if graded:
        max_score = max(r.max_score or 0 for r in graded)
        ax.hist([r.score or 0 for r in graded],
 bins=min(20, max(int(max_score), 1)),
                range=(0, max_score), color="C0", edgecolor="white")
        ax.set_xlim(0, max_score)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # students come whole
    ax.set(xlabel="score", ylabel="students", title=f"{assignment}: grade distribution")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def notebook_order(course: Course, assignment: str) -> dict[str, int]:
    """Each grade id's place in the assignment's notebooks, as a student meets the tests."""
    import nbformat

    order: dict[str, int] = {}
    for notebook in course.notebooks(assignment):
        path = course.source_dir / assignment / f"{notebook}.ipynb"
        for cell in nbformat.read(path, as_version=4).cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id:
                order.setdefault(grade_id, len(order))
    return order


def _pass_rate_figure(rates: list[PassRate], assignment: str, path: Path,
                      order: dict[str, int]) -> None:
    from matplotlib.figure import Figure

    chosen = sorted((r for r in rates if r.assignment == assignment),
                    key=lambda r: (order.get(r.test, len(order)), r.test))
    figure = Figure(figsize=(7, 0.35 * max(len(chosen), 3) + 1.2))
    ax = figure.subplots()
    ax.barh([r.test for r in chosen], [100 * r.rate for r in chosen], color="C2")
    ax.invert_yaxis()
    ax.set(xlim=(0, 100), xlabel="% of graded submissions with full points",
           title=f"{assignment}: pass rate per test")
    figure.tight_layout()
    figure.savefig(path, dpi=100)


def write_report(course: Course, folder: Path, assignments: list[str] | None = None) -> Path:
    """Write `<folder>/report.html` with its PNG figures; returns the HTML path."""
    folder.mkdir(parents=True, exist_ok=True)
    chosen = assignments or course.assignments()
    rows = grade_rows(course, chosen)
    rates = pass_rates_per_test(course, chosen)
    parts = ["<!doctype html><meta charset='utf-8'>",
             f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">',
             "<title>Learning-Rate Lab — grades</title>",
             "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}"
             "td,th{padding:2px 8px;text-align:left}</style>",
             "<h1>Learning-Rate Lab — grading report</h1>"]
    for assignment in chosen:
        mine = [r for r in rows if r.assignment == assignment]
        if not mine:
            continue
        distribution = folder / f"{assignment}_distribution.png"
        pass_rates = folder / f"{assignment}_pass_rates.png"
        _distribution_figure(rows, assignment, distribution)
        order = notebook_order(course, assignment)
        _pass_rate_figure(rates, assignment, pass_rates, order)
        failed = [r for r in mine if r.status == "failed"]
        not_graded = [r for r in mine if r.status == NOT_GRADED]
        scores = [r.score for r in mine if r.score is not None]
        mean = sum(scores) / len(scores) if scores else float("nan")
        parts.append(f"<h2>{html.escape(assignment)}</h2><p>{len(mine)} submissions, "
                     f"mean score {mean:.2f}, {len(failed)} failed to grade, "
                     f"{len(not_graded)} not graded yet.</p>")
        parts.append(f"<img src='{html.escape(distribution.name)}' alt='grade distribution'> "
                     f"<img src='{html.escape(pass_rates.name)}' alt='pass rate per test'>")
        parts.append("<table><tr><th>test</th><th>points</th><th>passed</th></tr>")
        for rate in sorted((r for r in rates if r.assignment == assignment),
                           key=lambda r: (order.get(r.test, len(order)), r.test)):
            parts.append(f"<tr><td>{html.escape(rate.test)}</td><td>{rate.points:g}</td>"
                         f"<td>{rate.passed}/{rate.graded} ({100 * rate.rate:.0f} %)</td></tr>")
        parts.append("</table>")
        for title, listed in (("Failed to grade", failed), ("Not graded yet", not_graded)):
            if listed:
                parts.append(f"<h3>{title}</h3><ul>")
                parts.extend(f"<li>{html.escape(r.student)}: {html.escape(r.message)}</li>"
                             for r in listed)
                parts.append("</ul>")
    page = folder / "report.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page
