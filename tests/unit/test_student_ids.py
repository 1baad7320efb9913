"""autograder.student_ids: names from an inbox made safe; ids from anyone else checked, never
rewritten — and no id can be a glob, a path or a spreadsheet formula."""

from __future__ import annotations

import glob
import re

import pytest

from autograder.student_ids import is_safe_id, normalise_student_id, validate_student_id

HOSTILE_NAMES = ["name[1]", "*", "?", "[a-z]*", "=1+2", "+cmd", "-rf", "@SUM(A1)", "..",
                 "../../etc", "a/b", ".hidden", "a\\b", "tab\there", "new\nline", "\x1b[31mred",
                 "\u202eevil", "", "   ", "李华", "Ωμέγα", "x" * 300, "a,b",
                 "Dave Smith - ps02 (1)"]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_every_normalised_id_is_safe_and_valid(name):
    student = normalise_student_id(name, "ps02_schedulers")
    assert is_safe_id(student), student
    assert validate_student_id(student) is None
    assert not glob.has_magic(student)
    assert not student.startswith(("=", "+", "-", "@", "."))


@pytest.mark.parametrize(("name", "student"), [
    ("Dave Smith - ps02 (1)", "Dave_Smith"), ("Chloé Müller", "Chloe_Muller"),
    ("Straße", "Strasse"), ("name[1]", "name_1"), ("=1+2", "1_2"), ("Copy of alice", "alice"),
    ("bob - Copy", "bob"), ("ps02_schedulers_eve", "eve"), ("alice", "alice"),
    ("a.b-c_d", "a.b-c_d"),
])
def test_names_are_transliterated_and_cleaned(name, student):
    assert normalise_student_id(name, "ps02_schedulers") == student


def test_names_without_latin_letters_get_distinct_traceable_ids():
    first, second = normalise_student_id("李华"), normalise_student_id("王芳")
    assert re.fullmatch(r"student_[0-9a-f]{8}", first) and first != second
    assert normalise_student_id("李华") == first  # the same name always gives the same id
    assert normalise_student_id("*") != normalise_student_id("?")


@pytest.mark.parametrize("student", ["alice", "chloé", "李华", "a.b-c_d@x", "_x", "s01_solution",
                                     "h33_ünïcødé_学生", "12345"])
def test_ids_a_roster_may_hold_are_accepted_as_they_are(student):
    assert validate_student_id(student) is None


@pytest.mark.parametrize("student", ["name[1]", "*", "?", "a*", "x?", "=1+2", "@x", "-x", "+x",
                                     ".hidden", "..", "../up", "a/b", "a\\b", "", " pad", "pad ",
                                     "a b", "a,b", "new\nline", "\x1b[31m", "e\u0301",
                                     "\u202eevil", "x" * 65, 42, None])
def test_dangerous_ids_are_refused_with_a_sentence_that_does_not_repeat_them(student):
    problem = validate_student_id(student)
    assert problem and problem.endswith(".") and "\n" not in problem
    if isinstance(student, str) and len(student) > 1:
        assert student.strip() not in problem


def test_the_ledger_never_writes_outside_its_folder(tmp_path):
    from autograder.status import GRADED, GradingStatus, write_status

    for student in ("../escaped", "/etc/passwd", "..", "a/b"):
        with pytest.raises(ValueError, match="no ledger entry"):
            write_status(tmp_path / ".grading", GradingStatus(student, "ps01", GRADED))
    assert not (tmp_path / "escaped.json").exists()
    write_status(tmp_path / ".grading", GradingStatus("alice", "ps01", GRADED))
    assert (tmp_path / ".grading" / "status" / "ps01" / "alice.json").is_file()
