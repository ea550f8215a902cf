"""One submission, four graders, the same points: `week4 check --key`, `week4 grade --key`,
the Gradescope bundle and the PrairieLearn entry point, over a small demo class (topic 01:
a correct, an untouched and a mutant notebook), all with the same key and student ids."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from week4.grading.demo import build

TOPIC = "01-virtualenv"
PYTHON = sys.executable
ENV = {k: v for k, v in os.environ.items() if k != "WEEK4_KEY"}


def week4(*args, env=None):
    proc = subprocess.run([PYTHON, "-m", "week4.cli", *args], capture_output=True, text=True,
                          env={**ENV, **(env or {})}, timeout=900, check=False)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("same")
    expected = build(tmp / "class", students=17, assignments=[TOPIC])
    wanted = {}
    for role in ("correct", "empty", "mutant"):  # one student of each kind, the rest removed
        student = next(s for s, a in expected.items() if a[TOPIC]["role"].startswith(role))
        wanted[student] = expected[student][TOPIC]["score"]
    for folder in (tmp / "class" / "submitted").iterdir():
        if folder.name not in wanted:
            shutil.rmtree(folder)
    key = tmp / "grading.key"
    week4("key", "new", str(key))
    return tmp, key, wanted


def by_check(data_checks, id_key, points_key):
    return {c[id_key]: c[points_key] for c in data_checks}


@pytest.fixture(scope="module")
def points(demo):
    tmp, key, wanted = demo
    submitted = tmp / "class" / "submitted"
    found: dict[str, dict[str, dict]] = {name: {} for name in
                                         ("check", "grade", "gradescope", "prairielearn")}
    for student in wanted:
        report = json.loads(week4("check", TOPIC, "--submission", str(submitted / student),
                                  "--key", str(key), "--json").stdout)
        found["check"][student] = by_check(report["topics"][TOPIC]["checks"], "id", "points")

    week4("grade", "--submissions", str(submitted), "--assignment", TOPIC, "--key", str(key),
          "--out", str(tmp / "out"), "--jobs", "2", "--format", "canvas")
    for student in wanted:
        data = json.loads((tmp / "out" / "results" / TOPIC / f"{student}.json").read_text())
        found["grade"][student] = by_check(data["checks"], "id", "points")

    week4("export", "gradescope", TOPIC, "--key", str(key), "--out", str(tmp / "gs.zip"))
    base = tmp / "autograder"
    shutil.unpack_archive(tmp / "gs.zip", base / "source")
    subprocess.run(["bash", str(base / "source" / "setup.sh")], check=True, capture_output=True,
                   env={**ENV, "AUTOGRADER_ROOT": str(base), "WEEK4_SETUP_SYSTEM": "0",
                        "WEEK4_PYTHON": PYTHON}, timeout=300)
    week4("export", "prairielearn", TOPIC, "--key", str(key), "--out", str(tmp / "question"))
    for student in wanted:
        notebook = submitted / student / TOPIC / f"{TOPIC}.ipynb"
        shutil.rmtree(base / "submission", ignore_errors=True)
        (base / "submission").mkdir()
        shutil.copy(notebook, base / "submission")
        (base / "submission_metadata.json").write_text(json.dumps({"users": [{"sid": student}]}))
        subprocess.run(["bash", str(base / "source" / "run_autograder")], check=True,
                       capture_output=True, timeout=600,
                       env={**ENV, "AUTOGRADER_ROOT": str(base), "WEEK4_PYTHON": PYTHON})
        data = json.loads((base / "results" / "results.json").read_text())
        found["gradescope"][student] = by_check(data["tests"], "number", "score")

        grade_root = tmp / "grade" / student
        shutil.copytree(tmp / "question" / "tests", grade_root / "tests")
        (grade_root / "student").mkdir()
        shutil.copy(notebook, grade_root / "student")
        subprocess.run(["bash", str(grade_root / "tests" / "run.sh")], check=True,
                       capture_output=True, timeout=600,
                       env={**ENV, "PL_GRADE_ROOT": str(grade_root), "WEEK4_PYTHON": PYTHON,
                            "WEEK4_STUDENT": student})
        data = json.loads((grade_root / "results" / "results.json").read_text())
        found["prairielearn"][student] = by_check(data["tests"], "name", "points")
    return found


def test_every_grader_gives_the_same_points_per_check(points, demo):
    _, _, wanted = demo
    reference = points["check"]
    for grader, per_student in points.items():
        assert per_student == reference, grader
    for student, score in wanted.items():
        assert sum(reference[student].values()) == score, student


def test_the_canvas_file_carries_the_same_totals(points, demo):
    tmp, _, wanted = demo
    lines = (tmp / "out" / "grades-canvas.csv").read_text().splitlines()
    for student, score in wanted.items():
        assert any(line.startswith(f"{student},") and line.endswith(f",{score:g}")
                   for line in lines), student
