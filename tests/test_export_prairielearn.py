"""The PrairieLearn question, its entry point run in a temporary /grade tree (topic 01)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.runner import check_infos
from autograder.topics import get_topic
from week4.export import prairielearn
from week4.grading.demo import answered, release, solution_sources

TOPIC = "01-virtualenv"
PYTHON = sys.executable
FULL = sum(i.points for i in check_infos(get_topic(TOPIC)))


def week4(*args, env=None):
    return subprocess.run([PYTHON, "-m", "week4.cli", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300, check=False)


@pytest.fixture(scope="module")
def question(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pl")
    key = tmp / "grading.key"
    assert week4("key", "new", str(key)).returncode == 0
    out = tmp / "question"
    proc = week4("export", "prairielearn", TOPIC, "--out", str(out), "--key", str(key))
    assert proc.returncode == 0, proc.stderr
    return out


def grade(question: Path, base: Path, notebook: str | None) -> dict:
    """What PrairieLearn's grader does: question tests/ at /grade/tests, the upload at
    /grade/student, then the entry point."""
    shutil.rmtree(base, ignore_errors=True)
    shutil.copytree(question / "tests", base / "tests")
    (base / "student").mkdir(parents=True)
    (base / "data").mkdir()
    (base / "data" / "data.json").write_text(json.dumps({"variant_seed": 7}))
    if notebook is not None:
        (base / "student" / f"{TOPIC}.ipynb").write_text(notebook, encoding="utf-8")
    proc = subprocess.run([str(base / "tests" / "run.sh")], capture_output=True, text=True,
                          env={**os.environ, "PL_GRADE_ROOT": str(base), "WEEK4_PYTHON": PYTHON},
                          timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads((base / "results" / "results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def graded(question, tmp_path_factory):
    base = tmp_path_factory.mktemp("grade")
    return {"solution": grade(question, base / "s",
                              json.dumps(answered(release(TOPIC), solution_sources(TOPIC)))),
            "exercise": grade(question, base / "e", json.dumps(release(TOPIC))),
            "broken": grade(question, base / "b", '{"cells": [{"cell_type": "code", "sou'),
            "missing": grade(question, base / "m", None)}


def validate(data: dict) -> None:
    assert set(data) <= prairielearn.RESULT_FIELDS, set(data) - prairielearn.RESULT_FIELDS
    assert isinstance(data["gradable"], bool)
    assert 0 <= data["score"] <= 1
    assert isinstance(data["message"], str) and isinstance(data["format_errors"], list)
    for test in data["tests"]:
        assert set(test) <= prairielearn.TEST_FIELDS
        assert {"name", "points", "max_points", "message"} <= set(test)
        assert 0 <= test["points"] <= test["max_points"]


def test_info_json_asks_for_external_grading_without_network(question):
    info = json.loads((question / "info.json").read_text())
    options = info["externalGradingOptions"]
    assert info["gradingMethod"] == "External" and info["type"] == "v3"
    assert options["enabled"] is True and options["enableNetworking"] is False
    assert options["entrypoint"] == "/grade/tests/run.sh" and options["image"]
    assert options["timeout"] == 600
    assert os.access(question / "tests" / "run.sh", os.X_OK)
    assert (question / "tests" / "grading.key").stat().st_mode & 0o077 == 0
    assert 'file-names="01-virtualenv.ipynb"' in (question / "question.html").read_text()
    dockerfile = (question / "image" / "Dockerfile").read_text()
    assert "bubblewrap" in dockerfile and "uv sync --frozen" in dockerfile
    assert (question / "image" / "project" / "autograder" / "runner.py").is_file()
    assert not (question / "image" / "project" / "grading.key").exists()


def test_solution_scores_one_and_exercise_zero(graded):
    for name in ("solution", "exercise"):
        validate(graded[name])
        assert graded[name]["gradable"] is True
    assert graded["solution"]["score"] == 1
    assert sum(t["points"] for t in graded["solution"]["tests"]) == FULL
    assert graded["exercise"]["score"] == 0
    assert [t["name"] for t in graded["exercise"]["tests"]] == \
        [i.id for i in check_infos(get_topic(TOPIC))]
    assert "grading mode" in graded["solution"]["output"]


def test_an_invalid_notebook_is_not_gradable_rather_than_zero(graded):
    for name in ("broken", "missing"):
        data = graded[name]
        validate(data)
        assert data["gradable"] is False and data["format_errors"] and not data["tests"]
    assert "cannot be graded" in graded["broken"]["format_errors"][0]
    assert "no 01-virtualenv.ipynb" in graded["missing"]["format_errors"][0]


def test_bad_input_is_one_line(tmp_path):
    for args in (["export", "prairielearn", "nope", "--out", str(tmp_path / "q")],
                 ["export", "prairielearn", TOPIC, "--out", str(tmp_path / "q"), "--key",
                  str(tmp_path / "missing.key")],
                 ["export", "prairielearn", TOPIC, "--out", str(tmp_path / "q"),
                  "--timeout", "0"]):
        proc = week4(*args, env={"WEEK4_KEY": ""})
        assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
