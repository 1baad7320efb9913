"""`roster import`: the class list into nbgrader's gradebook (issue 20, item 3).

The roster is the instructor's file, but it comes from other systems and carries what people
typed: ids are checked and never rewritten, names and emails are checked, one bad row costs no
other row, no sentence repeats what a row holds, and the file is made owner-only.
"""

from __future__ import annotations

import os
import stat

import pytest

from autograder.cli import main
from autograder.roster import import_roster, parse_roster, read_roster

HEADER = "id,first name,last name,email\n"


def test_a_roster_with_a_header_in_any_order_and_extra_columns():
    roster = parse_roster("Email Address,Surname,Given Name,Section,Username\n"
                          "ada@uni.example,Lovelace,Ada,A,ada\n"
                          "alan@uni.example,Turing,Alan,B,aturing\n")
    assert roster.problems == []
    assert [(e.student_id, e.first_name, e.last_name, e.email) for e in roster.entries] == [
        ("ada", "Ada", "Lovelace", "ada@uni.example"),
        ("aturing", "Alan", "Turing", "alan@uni.example")]


def test_a_roster_without_a_header_is_id_first_last_email():
    roster = parse_roster("ada,Ada,Lovelace,ada@uni.example\nchloe,Chloé,Müller,\n")
    assert [(e.student_id, e.first_name, e.last_name, e.email) for e in roster.entries] == [
        ("ada", "Ada", "Lovelace", "ada@uni.example"), ("chloe", "Chloé", "Müller", None)]


@pytest.mark.parametrize("student_id", [
    "../../etc", "a/b", "*", "stu?ent", "name[1]", "-rf", ".hidden", "=HYPERLINK(\"x\")",
    "+cmd", "@SUM(1)", "has space", "a" * 65, "",
])
def test_an_id_nbgrader_would_glob_or_a_spreadsheet_would_run_is_refused_never_rewritten(
        student_id):
    roster = parse_roster(HEADER + f'"{student_id}",Eve,Attacker,eve@uni.example\n'
                          "ada,Ada,Lovelace,ada@uni.example\n")
    assert [e.student_id for e in roster.entries] == ["ada"]  # the other row still comes in
    (problem,) = roster.problems
    assert problem.startswith("row 2 refused: the id")
    if student_id:
        assert student_id not in problem  # never echoes what the row holds
    assert "Eve" not in problem and "Attacker" not in problem


@pytest.mark.parametrize("row, reason", [
    ("eve,Eve\x1b]8;;https://evil.example\x1b\\,Attacker,eve@uni.example", "first name"),
    ("eve,Eve,Att\u202eacker,eve@uni.example", "last name"),
    ("eve,Eve," + "A" * 101 + ",eve@uni.example", "last name"),
    ("eve,Eve,Attacker,not-an-address", "email"),
    ("eve,Eve,Attacker,eve@uni.example <script>", "email"),
])
def test_a_name_or_email_with_controls_or_nonsense_refuses_its_row(row, reason):
    roster = parse_roster(HEADER + row + "\nada,Ada,Lovelace,\n")
    assert [e.student_id for e in roster.entries] == ["ada"]
    (problem,) = roster.problems
    assert problem.startswith("row 2 refused:") and reason in problem
    assert "Attacker" not in problem and "evil" not in problem


def test_two_rows_with_one_id_are_both_refused():
    roster = parse_roster(HEADER + "ada,Ada,Lovelace,\nbob,Bob,B,\nada,Eve,Impostor,\n")
    assert [e.student_id for e in roster.entries] == ["bob"]
    assert roster.problems == ["rows 2, 4 refused: they give the same id; keep one."]


def test_a_file_that_is_not_utf8_or_too_large_is_refused_in_a_sentence(tmp_path):
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("ada,Chlo\xe9,M\xfcller,\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8"):
        read_roster(latin1)
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(11 * 1024 * 1024)
    with pytest.raises(ValueError, match="larger than"):
        read_roster(big)
    bom = tmp_path / "excel.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + HEADER.encode() + b"ada,Ada,Lovelace,\n")
    assert [e.student_id for e in read_roster(bom).entries] == ["ada"]


def _names(course) -> dict[str, tuple]:
    with course.gradebook() as gradebook:
        return {s.id: (s.first_name, s.last_name, s.email) for s in gradebook.students}


def test_import_adds_and_updates_students_and_makes_the_roster_owner_only(course_copy,
                                                                           tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "ada,Ada,Lovelace,ada@uni.example\n../x,Eve,E,\n")
    os.chmod(roster, 0o644)
    with course_copy.gradebook() as gradebook:
        gradebook.update_or_create_student("bob")  # collected before the roster came
        gradebook.update_or_create_student("ada", first_name="A.")
    done = import_roster(course_copy, roster)
    assert (done.added, done.updated, done.made_private) == (0, 1, True)
    assert len(done.problems) == 1
    assert stat.S_IMODE(roster.stat().st_mode) == 0o600
    assert _names(course_copy) == {"ada": ("Ada", "Lovelace", "ada@uni.example"),
                                   "bob": (None, None, None)}


def test_the_command_prints_what_it_did_and_fails_when_a_row_was_refused(course_copy, tmp_path,
                                                                           capsys):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "ada,Ada,Lovelace,ada@uni.example\nalan,Alan,Turing,\n")
    code = main(["--course", str(course_copy.root), "roster", "import", str(roster)])
    out = capsys.readouterr().out
    assert code == 0
    assert "imported 2 students into the gradebook (2 new, 0 updated)." in out
    assert _names(course_copy)["alan"] == ("Alan", "Turing", None)
    roster.write_text(HEADER + "=cmd,Eve,E,\n")
    assert main(["--course", str(course_copy.root), "roster", "import", str(roster)]) == 1
    assert "row 2 refused" in capsys.readouterr().out
    assert main(["--course", str(course_copy.root), "roster", "import",
                 str(tmp_path / "missing.csv")]) == 2
    assert "There is no roster file" in capsys.readouterr().err


def test_the_formgrader_api_lists_the_imported_names(course_copy, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(HEADER + "ada,Ada,Lovelace,ada@uni.example\n")
    import_roster(course_copy, roster)
    (student,) = course_copy.api.get_students()
    assert (student["first_name"], student["last_name"], student["email"]) == (
        "Ada", "Lovelace", "ada@uni.example")
