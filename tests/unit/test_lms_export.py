"""Grade exports an LMS imports (Canvas, Moodle), the grade table's lateness columns, and
owner-only files (issue 20, item 3)."""

from __future__ import annotations

import csv
import os
import stat
from datetime import datetime

import pytest
import small_gradebook as sg
from small_gradebook import alembic_version_asked_once  # noqa: F401 (an autouse fixture)

from autograder.cli import main
from autograder.export import export_csv
from autograder.lms_export import CANVAS_IDENTITY, MOODLE_IDENTITY, export_lms

DUE = datetime(2027, 2, 1, 16, 0)


@pytest.fixture
def graded_course(course_copy):
    """ada: on time, complete (5/5); bob: 2 hours late, penalty 1 (4/5 → 3); eve: her written
    answer is not graded yet; mallory: a name a spreadsheet would run; zoe: on the roster only."""
    sg.build(course_copy, duedate=DUE)
    sg.submit(course_copy, "ada", written_score=2.0, timestamp=datetime(2027, 2, 1, 15, 0),
              first_name="Ada", last_name="Lovelace", email="ada@uni.example")
    sg.submit(course_copy, "bob", written_score=1.0, timestamp=datetime(2027, 2, 1, 18, 0),
              first_name="Bob", last_name="Byte", email="bob@uni.example", penalty=1.0)
    sg.submit(course_copy, "eve", written_score=None, timestamp=datetime(2027, 2, 1, 15, 0),
              first_name="Eve", last_name="Early", email="eve@uni.example")
    sg.submit(course_copy, "mallory", written_score=0.0, timestamp=datetime(2027, 2, 1, 15, 0),
              first_name="=HYPERLINK(\"https://evil.example\")", last_name="+cmd",
              email="@SUM(1+1)")
    with course_copy.gradebook() as gradebook:
        gradebook.update_or_create_student("zoe", first_name="Zoe", last_name="Zero")
    return course_copy


def _read(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_canvas_export_has_canvas_columns_points_possible_and_final_scores(graded_course,
                                                                          tmp_path):
    out = tmp_path / "exports" / "canvas.csv"
    students, pending = export_lms(graded_course, out, "canvas", ["ps01_constant_lr"])
    assert (students, pending) == (5, 1)
    header, points, *rows = _read(out)
    assert header == [*CANVAS_IDENTITY, "ps01_constant_lr"]
    assert points == ["Points Possible", "", "", "", "", "5"]
    by_login = {row[3]: row for row in rows}
    assert by_login["ada"] == ["Lovelace, Ada", "", "ada", "ada", "", "5"]
    assert by_login["bob"][-1] == "3"  # 4 points minus the late penalty
    assert by_login["eve"][-1] == ""  # not graded yet: an empty cell, never a 0
    assert by_login["zoe"][-1] == ""  # no submission
    assert by_login["mallory"][0] == "'+cmd, =HYPERLINK(\"https://evil.example\")"
    assert by_login["mallory"][-1] == "3"


def test_moodle_export_has_identifier_columns_and_one_column_per_grade_item(graded_course,
                                                                           tmp_path):
    out = tmp_path / "moodle.csv"
    export_lms(graded_course, out, "moodle", ["ps01_constant_lr"])
    header, *rows = _read(out)
    assert header == [*MOODLE_IDENTITY, "ps01_constant_lr"]
    by_id = {row[2]: row for row in rows}
    assert by_id["ada"] == ["Ada", "Lovelace", "ada", "ada@uni.example", "5"]
    assert by_id["mallory"][:4] == ["'=HYPERLINK(\"https://evil.example\")", "'+cmd", "mallory",
                                    "'@SUM(1+1)"]
    for row in rows:  # no text cell a spreadsheet would evaluate
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row[:4])
        assert row[4] == "" or float(row[4]) >= 0


def test_the_grade_table_flags_late_submissions_against_the_due_date(graded_course, tmp_path):
    out = tmp_path / "grades.csv"
    export_csv(graded_course, out, ["ps01_constant_lr"])
    rows = {row["student_id"]: row for row in csv.DictReader(out.open(newline=""))}
    assert (rows["ada"]["late"], rows["ada"]["hours_late"]) == ("no", "0")
    assert (rows["bob"]["late"], rows["bob"]["hours_late"], rows["bob"]["late_penalty"]) == (
        "yes", "2", "1")
    assert rows["eve"]["status"] == "needs manual grading"


def test_without_a_due_date_lateness_is_unknown_not_on_time(course_copy, tmp_path):
    sg.build(course_copy, duedate=None)
    sg.submit(course_copy, "ada", written_score=2.0, timestamp=datetime(2027, 2, 1, 15, 0))
    out = tmp_path / "grades.csv"
    export_csv(course_copy, out, ["ps01_constant_lr"])
    (row,) = csv.DictReader(out.open(newline=""))
    assert (row["late"], row["hours_late"]) == ("", "")


@pytest.mark.parametrize("lms", ["table", "canvas", "moodle"])
def test_exports_are_owner_only_files_in_owner_only_new_folders(graded_course, tmp_path, lms,
                                                                capsys):
    previous = os.umask(0o022)
    try:
        out = tmp_path / "shared" / "exports" / f"{lms}.csv"
        (tmp_path / "shared").mkdir(mode=0o755)
        code = main(["--course", str(graded_course.root), "export", "ps01_constant_lr",
                     "--format", lms, "--to", str(out)])
    finally:
        os.umask(previous)
    assert code == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "shared").stat().st_mode) == 0o755  # not ours to change
    assert [p.name for p in out.parent.iterdir()] == [out.name]  # no temporary file left
    if lms != "table":
        assert "1 submission(s) are not completely graded yet" in capsys.readouterr().out


def test_an_export_that_fails_leaves_the_previous_file(graded_course, tmp_path, monkeypatch):
    out = tmp_path / "canvas.csv"
    out.write_text("previous")
    import autograder.lms_export as lms_export

    def broken(*_args):
        raise RuntimeError("the gradebook went away")

    monkeypatch.setattr(lms_export, "canvas_table", broken)
    monkeypatch.setitem(lms_export.LMS_FORMATS, "canvas", broken)
    with pytest.raises(RuntimeError):
        export_lms(graded_course, out, "canvas", ["ps01_constant_lr"])
    assert out.read_text() == "previous"
