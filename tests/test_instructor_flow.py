"""docs/instructors.md shows week4/demos/instructor_flow.sh; this runs that exact file."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess

import pytest

from helpers import BIN, ROOT
from week4.grading.demo import build

TOPIC = "01-virtualenv"
HIDDEN = ["my-venv", "plan9", "Zope.Interface", "course_tools-0.2", "/srv/shop/env"]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("flow") / "course"
    expected = build(root, students=16, assignments=[TOPIC])
    keep = {"correct": 1, "empty": 1, "mutant": 3}
    for student in list(expected):
        role = expected[student][TOPIC]["role"].split(":")[0]
        if keep.get(role, 0) > 0:
            keep[role] -= 1
        else:
            shutil.rmtree(root / "submitted" / student)
            del expected[student]
    with open(root / "students.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([["id"]] + [[s] for s in expected])
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run(["bash", str(ROOT / "week4/demos/instructor_flow.sh"), TOPIC], cwd=root,
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return root, expected


def test_export_and_week4_grade_agree_with_the_expected_scores(course):
    root, expected = course
    with open(root / "nbgrader-grades.csv", newline="") as fh:
        nbgrader = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(fh)}
    with open(root / "week4-grading" / "grades.csv", newline="") as fh:
        ours = {r["student"]: float(r[TOPIC]) for r in csv.DictReader(fh)}
    want = {s: float(expected[s][TOPIC]["score"]) for s in expected}
    assert nbgrader == ours == want


def test_feedback_does_not_reveal_hidden_inputs_or_expected_values(course):
    root, expected = course
    pages = list((root / "feedback").rglob("*.html"))
    assert len(pages) == len(expected)
    text = "\n".join(p.read_text() for p in pages)
    assert "FAIL" in text  # the mutants' failures are explained...
    for secret in HIDDEN:  # ...without the hidden inputs
        assert secret not in text
    assert "; expected " not in text  # the expected/found detail stays out of feedback


def test_shard_script_merges_to_the_same_grades(course):
    root, expected = course
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run(["bash", str(ROOT / "week4/demos/grade_shards.sh")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with open(root / "class-grades" / "grades.csv", newline="") as fh:
        merged = {r["student"]: float(r[TOPIC]) for r in csv.DictReader(fh)}
    assert merged == {s: float(expected[s][TOPIC]["score"]) for s in expected}
