"""`python -m autograder collect` against an inbox built by an attacker.

Each test hands the real command (`autograder.cli.main`) a folder or a zip as a student could
shape it — symbolic links to a classmate's notebook, into `source/`, to `/etc/passwd`; zip
entries that climb out or are links; names that are globs, formulas or terminal escapes; a file
nested too deeply or too large — next to honest classmates, and checks that nothing is read
through a link, every entry not collected is listed with its reason, every id is safe, and the
honest students are collected whatever sits beside them.
"""

from __future__ import annotations

import json
import os
import stat
import zipfile
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_markdown_cell, new_notebook

from autograder.cli import main
from autograder.student_ids import is_safe_id

ASSIGNMENT = "ps01_constant_lr"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
PASSWD_LINE = "root:x:0:0"


def notebook_bytes(words: str) -> bytes:
    return nbformat.writes(new_notebook(cells=[new_markdown_cell(words)])).encode()


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def collect(course, inbox, capsys) -> tuple[int, str]:
    code = main(["--course", str(course.root), "collect", ASSIGNMENT, str(inbox)])
    return code, capsys.readouterr().out


def skipped_lines(out: str) -> dict[str, str]:
    """`skipped   <name>: <reason>` lines of collect's output, by name."""
    lines = [line.removeprefix("skipped   ") for line in out.splitlines()
             if line.startswith("skipped   ")]
    return dict(line.split(": ", 1) for line in lines)


def collected_students(course) -> list[str]:
    folder = course.submitted_dir
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def everything_in_submitted(course) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(course.submitted_dir.rglob("*"))
                    if p.is_file())


def test_links_in_a_folder_are_listed_and_never_followed(course_copy, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    honest = write(inbox / "alice" / NOTEBOOK, notebook_bytes("alice's own work"))
    (inbox / "mallory").mkdir()
    (inbox / "mallory" / NOTEBOOK).symlink_to(Path("..") / "alice" / NOTEBOOK)
    (inbox / "sourcer").mkdir()
    (inbox / "sourcer" / NOTEBOOK).symlink_to(course_copy.source_dir / ASSIGNMENT / NOTEBOOK)
    (inbox / "passwd").mkdir()
    (inbox / "passwd" / NOTEBOOK).symlink_to("/etc/passwd")
    (inbox / "folderlink").symlink_to(inbox / "alice", target_is_directory=True)
    (inbox / "flat_passwd.ipynb").symlink_to("/etc/passwd")
    os.mkfifo(inbox / "blocker.ipynb")  # opening it for reading would wait forever

    code, out = collect(course_copy, inbox, capsys)

    assert code == 0
    assert collected_students(course_copy) == ["alice"]
    assert (course_copy.submitted_dir / "alice" / ASSIGNMENT / NOTEBOOK).read_bytes() == \
        honest.read_bytes()
    assert PASSWD_LINE.encode() not in everything_in_submitted(course_copy)
    assert b"BEGIN SOLUTION" not in everything_in_submitted(course_copy)
    skipped = skipped_lines(out)
    for name in (f"mallory/{NOTEBOOK}", f"sourcer/{NOTEBOOK}", f"passwd/{NOTEBOOK}",
                 "folderlink", "flat_passwd.ipynb"):
        assert "symbolic link" in skipped[name], out
    assert "not a regular file" in skipped["blocker.ipynb"]
    assert "1 notebooks collected, 6 files skipped." in out


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, str]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # unix: the mode bits below are read
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target


def test_zip_links_and_escaping_paths_are_listed_and_never_extracted(course_copy, tmp_path,
                                                                    capsys):
    archive = tmp_path / "class.zip"
    outside = tmp_path / "escape.ipynb"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(f"alice/{NOTEBOOK}", notebook_bytes("alice's own work"))
        zf.writestr(*symlink_entry(f"mallory/{NOTEBOOK}", f"../alice/{NOTEBOOK}"))
        zf.writestr(*symlink_entry(f"passwd/{NOTEBOOK}", "/etc/passwd"))
        zf.writestr(*symlink_entry(f"sourcer/{NOTEBOOK}",
                                   str(course_copy.source_dir / ASSIGNMENT / NOTEBOOK)))
        zf.writestr("../escape.ipynb", notebook_bytes("climbs out"))
        zf.writestr("eve/../../escape.ipynb", notebook_bytes("climbs out too"))
        zf.writestr("/tmp/absolute.ipynb", notebook_bytes("absolute"))
        zf.writestr("C:\\Users\\eve\\windows.ipynb", notebook_bytes("a drive letter"))
        zf.writestr(f"__MACOSX/alice/._{NOTEBOOK}", b"\x00\x05\x16\x07 resource fork")
        zf.writestr(f"bob/.ipynb_checkpoints/{ASSIGNMENT}-checkpoint.ipynb",
                    notebook_bytes("autosave"))
        zf.writestr("bob/notes.txt", b"a text file")

    code, out = collect(course_copy, archive, capsys)

    assert code == 0
    assert collected_students(course_copy) == ["alice"]
    assert not outside.exists() and not Path("/tmp/absolute.ipynb").exists()
    assert PASSWD_LINE.encode() not in everything_in_submitted(course_copy)
    skipped = skipped_lines(out)
    for name in (f"mallory/{NOTEBOOK}", f"passwd/{NOTEBOOK}", f"sourcer/{NOTEBOOK}"):
        assert "symbolic link" in skipped[name]
    assert "climbs out" in skipped["../escape.ipynb"]
    assert "climbs out" in skipped["eve/../../escape.ipynb"]
    assert "absolute path" in skipped["/tmp/absolute.ipynb"]
    assert "absolute path" in skipped["C:\\Users\\eve\\windows.ipynb"]
    assert "__MACOSX" in skipped[f"__MACOSX/alice/._{NOTEBOOK}"]
    assert "checkpoint" in skipped[f"bob/.ipynb_checkpoints/{ASSIGNMENT}-checkpoint.ipynb"]
    assert "not a .ipynb notebook" in skipped["bob/notes.txt"]
    assert len(skipped) == 10  # every entry but alice's notebook is listed


def test_glob_and_formula_names_become_safe_ids_and_spare_the_classmate(course_copy, tmp_path,
                                                                       capsys):
    inbox = tmp_path / "inbox"
    classmate = notebook_bytes("name1's own work")
    write(inbox / "name1" / NOTEBOOK, classmate)
    for attacker in ("name[1]", "*", "?", "=1+2", "[n]ame1"):
        write(inbox / attacker / NOTEBOOK, notebook_bytes(f"attacker {attacker}"))

    code, out = collect(course_copy, inbox, capsys)

    assert code == 0
    students = collected_students(course_copy)
    assert len(students) == 6 and all(is_safe_id(s) for s in students)
    assert not any(s.startswith(("=", "+", "-", "@")) for s in students)
    assert {"name1", "name_1", "1_2", "n_ame1"} <= set(students)
    assert (course_copy.submitted_dir / "name1" / ASSIGNMENT / NOTEBOOK).read_bytes() == classmate
    kept = course_copy.grading_dir / "ids" / f"{ASSIGNMENT}.json"
    mapping = json.loads(kept.read_text(encoding="utf-8"))
    assert mapping["name_1"] == "name[1]" and mapping["1_2"] == "=1+2"
    assert mapping["name1"] == "name1"
    assert "student ids made from names" in out and "name_1  <-  name[1]" in out
    assert "collected as name_1" in out


def test_a_messy_file_name_gives_a_clean_id_with_a_warning(course_copy, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    write(inbox / "Dave Smith - ps01 (1).ipynb", notebook_bytes("Dave's work"))
    code, out = collect(course_copy, inbox, capsys)
    assert code == 0 and collected_students(course_copy) == ["Dave_Smith"]
    assert "warning   Dave Smith - ps01 (1): not usable as a student id as it is; collected as " \
           "Dave_Smith." in out


def test_two_names_for_one_id_are_both_listed_and_neither_overwrites(course_copy, tmp_path,
                                                                    capsys):
    last_week = notebook_bytes("collected last week")
    earlier = write(course_copy.submitted_dir / "chloe" / ASSIGNMENT / NOTEBOOK, last_week)
    inbox = tmp_path / "inbox"
    write(inbox / "chloé.ipynb", notebook_bytes("one student"))
    write(inbox / "chloe.ipynb", notebook_bytes("another student"))
    write(inbox / "zoe.ipynb", notebook_bytes("zoe"))

    code, out = collect(course_copy, inbox, capsys)

    assert code == 0
    skipped = skipped_lines(out)
    assert "2 different names give the student id chloe" in skipped["chloé.ipynb"]
    assert "2 different names give the student id chloe" in skipped["chloe.ipynb"]
    assert earlier.read_bytes() == last_week
    assert "collected zoe" in out


def test_one_hostile_file_never_stops_the_others(course_copy, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    write(inbox / "alice.ipynb", notebook_bytes("alice"))
    write(inbox / "bob.ipynb", b"[" * 200_000 + b"]" * 200_000)  # RecursionError in json
    write(inbox / "carol.ipynb", b"\xff\xfe" + notebook_bytes("carol"))
    write(inbox / "dan.ipynb", json.dumps({"nbformat": 5, "cells": []}).encode())
    write(inbox / "erin.ipynb", notebook_bytes("erin"))

    code, out = collect(course_copy, inbox, capsys)

    assert code == 0
    assert collected_students(course_copy) == ["alice", "bob", "carol", "dan", "erin"]
    assert f"warning   bob.ipynb: {NOTEBOOK} nests its JSON more than 100 levels deep" in out
    assert f"warning   carol.ipynb: {NOTEBOOK} is not UTF-8 text" in out
    assert f"warning   dan.ipynb: {NOTEBOOK} is saved in notebook format 5" in out


def test_a_file_over_the_limit_is_refused_before_it_is_read(course_copy, tmp_path, capsys):
    with (course_copy.root / "nbgrader_config.py").open("a") as config:
        config.write("\nc.SubmissionLimits.max_notebook_bytes = 64 * 1024\n")
    inbox = tmp_path / "inbox"
    write(inbox / "alice.ipynb", notebook_bytes("alice"))
    with (inbox / "huge.ipynb").open("wb") as sparse:  # a hole: nothing to read, 1 byte over
        sparse.truncate(64 * 1024 + 1)
    archive = tmp_path / "more.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.ipynb", b" " * (1024 * 1024))  # 1 MiB that compresses to 1 KiB
        zf.writestr("zed.ipynb", notebook_bytes("zed"))

    code, out = collect(course_copy, inbox, capsys)
    assert code == 0 and collected_students(course_copy) == ["alice"]
    assert skipped_lines(out)["huge.ipynb"] == (
        "huge.ipynb is 65,537 bytes, over the 65,536-byte limit for a notebook; ask for it "
        "again with its outputs cleared.")

    code, out = collect(course_copy, archive, capsys)
    assert code == 0 and collected_students(course_copy) == ["alice", "zed"]
    assert "over the 64 KiB limit" in skipped_lines(out)["bomb.ipynb"]


def test_terminal_escapes_in_names_reach_no_terminal(course_copy, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    write(inbox / "\x1b]52;c;cHduZWQ=\x07evil.ipynb", notebook_bytes("clipboard"))
    write(inbox / "\x1b[2J\u202egnp.txt", b"clear screen")
    code, out = collect(course_copy, inbox, capsys)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\\x1b]52;c;cHduZWQ=\\x07evil" in out
    assert all(is_safe_id(s) for s in collected_students(course_copy))


@pytest.mark.parametrize("command", ["grade", "feedback"])
@pytest.mark.parametrize("student", ["name[1]", "*", "=1+2", "../alice"])
def test_a_student_option_that_is_not_an_id_is_refused(course_copy, capsys, command, student):
    code = main(["--course", str(course_copy.root), command, ASSIGNMENT, "--student", student])
    err = capsys.readouterr().err
    assert code == 2
    assert "--student is refused: The student id" in err and student not in err
