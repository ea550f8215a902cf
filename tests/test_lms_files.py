"""Canvas and Moodle import files from grading results, with and without a roster."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from week4.export import lms
from week4.export.common import ExportError


def result(student, assignment, score, maximum=15):
    return {"student": student, "assignment": assignment, "score": score, "max": maximum,
            "checks": []}


RESULTS = {(s, a): result(s, a, p, m) for s, a, p, m in [
    ("kim", "01-virtualenv", 15, 15), ("kim", "05-eda", 7.5, 30),
    ("lee", "01-virtualenv", 0, 15), ("park", "05-eda", 30, 30)]}


def rows(path: Path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_canvas_has_the_gradebook_identity_columns_then_one_per_assignment(tmp_path):
    path, missing = lms.write(RESULTS, tmp_path, "canvas")
    table = rows(path)
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                        "01-virtualenv", "05-eda"]
    assert table[1][0].strip() == "Points Possible" and table[1][5:] == ["15", "30"]
    assert table[2] == ["kim", "", "kim", "", "", "15", "7.5"]
    assert table[4] == ["park", "", "park", "", "", "", "30"]  # not submitted: blank, not 0
    assert missing == [] and path.name == "grades-canvas.csv"


def test_canvas_with_a_roster_lists_who_is_missing(tmp_path):
    path, missing = lms.write(RESULTS, tmp_path, "canvas", roster(tmp_path, (
        "student,Student,ID,SIS User ID,SIS Login ID,Section\n"
        "kim,\"Kim, Mina\",101,2024001,mina,A\nlee,Lee Jun,102,2024002,jun,B\n")))
    table = rows(path)
    assert table[2] == ["Kim, Mina", "101", "2024001", "mina", "A", "15", "7.5"]
    assert table[3] == ["Lee Jun", "102", "2024002", "jun", "B", "0", ""]
    assert len(table) == 4 and missing == ["park"]
    assert (tmp_path / "roster-missing-canvas.txt").read_text() == "park\n"


def test_moodle_has_one_identifier_column_then_one_per_grade_item(tmp_path):
    path, _ = lms.write(RESULTS, tmp_path, "moodle")
    assert rows(path)[0] == ["ID number", "01-virtualenv", "05-eda"]
    assert rows(path)[1] == ["kim", "15", "7.5"]
    path, missing = lms.write(RESULTS, tmp_path, "moodle", roster(tmp_path, (
        "student,Email address\nkim,kim@example.org\nlee,lee@example.org\n"
        "park,park@example.org\n")))
    assert rows(path)[0] == ["Email address", "01-virtualenv", "05-eda"]
    assert rows(path)[3] == ["park@example.org", "", "30"]
    assert missing == [] and not (tmp_path / "roster-missing-moodle.txt").exists()


@pytest.mark.parametrize("text, fmt, words", [
    ("Email address\nkim@example.org\n", "moodle", "no 'student' column"),
    ("student\nkim\n", "moodle", "only the 'student' column"),
    ("student,Email\nkim,k@example.org\n", "canvas", "none of Canvas's"),
])
def test_unusable_rosters_say_why(tmp_path, text, fmt, words):
    with pytest.raises(ExportError, match=words):
        lms.write(RESULTS, tmp_path, fmt, roster(tmp_path, text))


def test_grade_checks_format_and_roster_before_grading(tmp_path):
    submissions = tmp_path / "submitted" / "kim" / "01-virtualenv"
    submissions.mkdir(parents=True)
    env = {**os.environ, "WEEK4_KEY": ""}
    for extra in (["--roster", str(tmp_path / "none.csv"), "--format", "canvas"],
                  ["--roster", str(roster(tmp_path, "student,Email\nkim,k@x\n"))],
                  ["--format", "excel"]):
        proc = subprocess.run([sys.executable, "-m", "week4.cli", "grade", "--submissions",
                               str(tmp_path / "submitted"), "--out", str(tmp_path / "out"),
                               "--allow-unisolated", *extra], capture_output=True, text=True,
                              env=env, timeout=120, check=False)
        assert proc.returncode == 2, proc.stdout
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "results").exists()  # refused before grading anything
