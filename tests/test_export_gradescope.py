"""The Gradescope bundle, run as Gradescope would, in a temporary /autograder tree.

One bundle is built and set up per module; the solution, the exercise and a mutant are each
graded once (topic 01, the fastest) and shared by the tests.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.mutants import catalogue
from autograder.runner import check_infos
from autograder.topics import get_topic
from week4.export import gradescope
from week4.export.common import hidden_checks
from week4.grading.demo import answered, release, solution_sources

ROOT = Path(__file__).resolve().parents[1]
TOPIC = "01-virtualenv"
PYTHON = sys.executable
POINTS = {i.id: i.points for i in check_infos(get_topic(TOPIC))}
FULL = sum(POINTS.values())
MUTANT, (REPLACEMENTS, LOSES) = next(iter(catalogue(TOPIC).MUTANTS.items()))


def week4(*args, cwd=None, env=None):
    return subprocess.run([PYTHON, "-m", "week4.cli", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, **(env or {})}, timeout=300)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("gradescope")
    key = tmp / "grading.key"
    assert week4("key", "new", str(key)).returncode == 0
    out = tmp / "autograder.zip"
    proc = week4("export", "gradescope", TOPIC, "--key", str(key), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, key


def install(bundle_zip: Path, base: Path) -> Path:
    """Unpack as Gradescope does (/autograder/source) and run setup.sh's Python part."""
    source = base / "source"
    source.mkdir(parents=True)
    with zipfile.ZipFile(bundle_zip) as zf:
        zf.extractall(source)
        for info in zf.infolist():  # zipfile drops the modes: restore them like unzip does
            os.chmod(source / info.filename, (info.external_attr >> 16) & 0o777)
    shutil.copy(source / "run_autograder", base / "run_autograder")
    proc = subprocess.run(["bash", str(source / "setup.sh")], capture_output=True, text=True,
                          env={**os.environ, "AUTOGRADER_ROOT": str(base),
                               "WEEK4_SETUP_SYSTEM": "0", "WEEK4_PYTHON": PYTHON},
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "isolation:" in proc.stdout
    return base


def run_autograder(base: Path, notebook: dict | str | None, student: str = "s-001",
                   env: dict | None = None) -> dict:
    submission = base / "submission"
    shutil.rmtree(submission, ignore_errors=True)
    submission.mkdir()
    if notebook is not None:
        text = notebook if isinstance(notebook, str) else json.dumps(notebook)
        (submission / f"{TOPIC}.ipynb").write_text(text, encoding="utf-8")
    (base / "submission_metadata.json").write_text(json.dumps(
        {"users": [{"sid": student, "email": "kim@example.org", "name": "Kim"}]}))
    results = base / "results" / "results.json"
    results.unlink(missing_ok=True)
    proc = subprocess.run([str(base / "run_autograder")], capture_output=True, text=True,
                          env={**os.environ, "AUTOGRADER_ROOT": str(base),
                               "WEEK4_PYTHON": PYTHON, **(env or {})}, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(results.read_text(encoding="utf-8"))


def solution() -> dict:
    return answered(release(TOPIC), solution_sources(TOPIC))


@pytest.fixture(scope="module")
def tree(bundle, tmp_path_factory):
    return install(bundle[0], tmp_path_factory.mktemp("autograder"))


@pytest.fixture(scope="module")
def graded(tree):
    mutant = answered(release(TOPIC), {**solution_sources(TOPIC), **REPLACEMENTS})
    return {"solution": run_autograder(tree, solution()),
            "exercise": run_autograder(tree, release(TOPIC)),
            "mutant": run_autograder(tree, mutant)}


def validate(data: dict) -> None:
    """results.json against the field list of Gradescope's autograder specification."""
    assert set(data) <= gradescope.RESULT_FIELDS, set(data) - gradescope.RESULT_FIELDS
    assert isinstance(data["score"], (int, float))
    assert isinstance(data["execution_time"], (int, float)) and data["execution_time"] >= 0
    assert isinstance(data["output"], str) and data["output"]
    assert data["visibility"] in gradescope.VISIBILITIES
    assert data["stdout_visibility"] in gradescope.VISIBILITIES
    assert isinstance(data["tests"], list) and data["tests"]
    for test in data["tests"]:
        assert set(test) <= gradescope.TEST_FIELDS, set(test) - gradescope.TEST_FIELDS
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["number"], str)
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert test["visibility"] in gradescope.VISIBILITIES
    assert data["score"] == sum(t["score"] for t in data["tests"])


def test_the_zip_has_setup_and_run_autograder_at_its_root(bundle):
    with zipfile.ZipFile(bundle[0]) as zf:
        names = {i.filename: i for i in zf.infolist()}
    for script in ("setup.sh", "run_autograder"):
        assert (names[script].external_attr >> 16) & 0o111, f"{script} is not executable"
    assert (names["grading.key"].external_attr >> 16) & 0o777 == 0o600
    assert "pyproject.toml" in names and "autograder/runner.py" in names
    assert "week4/export/gradescope.py" in names
    assert not any("__pycache__" in n or n.startswith(("solutions/", "exercises/", "tests/"))
                   for n in names)
    if (ROOT / "uv.lock").exists():
        assert "uv.lock" in names
    manifest = json.loads(zipfile.ZipFile(bundle[0]).read("week4-export.json"))
    assert manifest["topic"] == TOPIC and set(manifest["hidden_checks"]) == hidden_checks(TOPIC)


def test_setup_installs_bubblewrap_and_the_locked_dependencies(bundle):
    text = zipfile.ZipFile(bundle[0]).read("setup.sh").decode()
    assert "apt-get install" in text and "bubblewrap" in text
    assert "uv sync --frozen" in text and "uv.lock" in text
    assert 'WEEK4_SETUP_SYSTEM:-1}" != "0"' in text  # the system part can be skipped


def test_results_follow_the_specification(graded):
    for data in graded.values():
        validate(data)
        assert [t["number"] for t in data["tests"]] == list(POINTS)
        assert {t["number"]: t["max_score"] for t in data["tests"]} == POINTS


def test_solution_full_marks_exercise_zero_mutant_its_exact_loss(graded):
    assert graded["solution"]["score"] == FULL
    assert all(t["status"] == "passed" for t in graded["solution"]["tests"])
    assert graded["exercise"]["score"] == 0
    lost = {t["number"] for t in graded["mutant"]["tests"] if t["status"] == "failed"}
    assert lost == set(LOSES), MUTANT
    assert graded["mutant"]["score"] == FULL - sum(POINTS[c] for c in LOSES)


def test_hidden_checks_wait_for_publication(graded):
    hidden = hidden_checks(TOPIC)
    assert hidden and hidden < set(POINTS)
    assert "venv-create" not in hidden  # no hidden input: it creates a venv where it is told
    for data in graded.values():
        for test in data["tests"]:
            expected = "after_published" if test["number"] in hidden else "visible"
            assert test["visibility"] == expected, test["number"]


def test_what_students_see_before_publication_gives_nothing_hidden_away(graded):
    data = graded["mutant"]
    hidden = hidden_checks(TOPIC)
    shown = [t for t in data["tests"] if t["visibility"] == "visible"]
    shown_points = sum(t["score"] for t in shown)
    assert f"{shown_points:g}/{sum(t['max_score'] for t in shown):g} points" in data["output"]
    assert f"{data['score']:g}/" not in data["output"] or data["score"] == shown_points
    assert "publishes the grades" in data["output"]
    for test in data["tests"]:
        assert "hint:" in test["output"] and "read: http://127.0.0.1:8000/topics/" in test["output"]
        if test["status"] == "failed" and test["number"] in hidden:
            # grading mode: the rule, never an input or an expected value
            assert "expected" not in test["output"] and "input:" not in test["output"]
    assert data["extra_data"]["student"] == "s-001"
    assert data["extra_data"]["key_id"] and data["extra_data"]["isolation"]


def test_missing_or_broken_notebook_still_gives_results(tree):
    data = run_autograder(tree, None)
    validate(data)
    assert data["score"] == 0 and "no 01-virtualenv.ipynb" in data["output"]
    data = run_autograder(tree, '{"cells": [')
    validate(data)
    assert data["score"] == 0 and "not graded" in data["output"]


def test_the_unprivileged_grading_child_runs_as_the_user_and_cannot_be_traced():
    if os.geteuid() != 0:
        pytest.skip("needs root, as on Gradescope")
    from autograder.results import CheckResult, TopicResult

    prctl = ctypes.CDLL(None, use_errno=True).prctl

    def work():
        note = f"uid={os.getuid()} euid={os.geteuid()} groups={os.getgroups()}"
        dumpable = prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
        return TopicResult(TOPIC, [CheckResult("c", 1, 1, True, "", "h", "d")],
                           notes=[note, f"dumpable={dumpable}"])

    import pwd

    result = gradescope.grade_unprivileged("nobody", work)
    nobody = pwd.getpwnam("nobody").pw_uid
    assert result.notes == [f"uid={nobody} euid={nobody} groups=[]", "dumpable=0"]
    assert result.checks[0].points == 1
    with pytest.raises(KeyError):
        gradescope.grade_unprivileged("no-such-user-week4", work)


def test_without_bubblewrap_the_whole_grading_drops_root(tree):
    """No sandbox (WEEK4_NO_BWRAP=1): the grader drops to the unprivileged user first."""
    if os.geteuid() != 0:
        pytest.skip("needs root, as on Gradescope")
    probe = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                            PYTHON, "-c", "import sys, pandas; print(sys.base_prefix)"],
                           capture_output=True, text=True)
    if probe.returncode != 0 or probe.stdout.strip() != sys.base_prefix:
        pytest.skip("this machine's Python is not readable by 'nobody' (Gradescope's is: "
                    "setup.sh installs it world-readable)")
    for path in [tree, *tree.parents]:  # pytest's temporary folders are private to root
        if path == Path("/tmp") or path == Path(path.anchor):
            break
        os.chmod(path, os.stat(path).st_mode | 0o055)
    data = run_autograder(tree, solution(), env={"WEEK4_NO_BWRAP": "1",
                                                 "WEEK4_GRADER_USER": "nobody"})
    validate(data)
    assert data["extra_data"]["grader_user"] == "nobody"
    assert data["extra_data"]["isolation"] == "process"
    assert data["score"] == FULL


def test_bad_input_is_one_line(tmp_path, bundle):
    for args in (["export", "gradescope", "no-such-topic", "--key", str(bundle[1]), "--out",
                  str(tmp_path / "a.zip")],
                 ["export", "gradescope", TOPIC, "--key", str(tmp_path / "missing.key"),
                  "--out", str(tmp_path / "a.zip")],
                 ["export", "gradescope", TOPIC, "--key", str(bundle[1]), "--out",
                  str(tmp_path / "a.tar")]):
        proc = week4(*args, env={"WEEK4_KEY": ""})
        assert proc.returncode == 2
        assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
        assert "Traceback" not in proc.stderr
