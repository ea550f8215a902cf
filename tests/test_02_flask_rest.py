"""Topic 02 grading: the solution scores full marks, the exercise 0, each realistic wrong
solution loses exactly the checks about its mistake, and hostile submissions score 0 fast.

All gradings run once, in parallel subprocesses (`python -m autograder`, the same grader the
notebook's check cells use), and the tests below judge their results.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from helpers import EXERCISES, ROOT, mutate, notebook_from_code, week4

TOPIC = "02-flask-rest"
WORKERS = int(os.environ.get("WEEK4_TEST_PARALLEL", "3"))  # gradings at once


from autograder.mutants.m02_flask_rest import all_checks, mutants  # noqa: E402


# --- hostile submissions: notebook cells; all must score 0, and the grading must end ---------------

FLASK_APP = '''%%writefile app.py
import time
from flask import Flask


def create_app(config=None):
    app = Flask(__name__)

    @app.route("/<path:anything>", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    @app.route("/", defaults={"anything": ""}, methods=["GET", "POST", "PUT", "DELETE"])
    def handler(anything):
        BODY
    return app
'''

ADVERSARIAL = {
    "create-app-loops": ["def create_app(config=None):\n    while True:\n        pass\n"],
    "create-app-exits": ["import sys\n\ndef create_app(config=None):\n    sys.exit(0)\n"],
    "create-app-os-exit": ["import os\n\ndef create_app(config=None):\n    os._exit(0)\n"],
    "not-flask": ["def create_app(config=None):\n"
                  "    return lambda environ, start_response: [b'[]']\n"],
    "exit-at-load": ["import sys\nsys.exit(0)\n", "raise SystemExit(3)\n"],
    "handlers-sleep": [FLASK_APP.replace("BODY", "time.sleep(3600)")],
    "handlers-spin": [FLASK_APP.replace("BODY", "while True:\n            pass")],
    "handlers-os-exit": [FLASK_APP.replace("BODY", "import os; os._exit(0)")],
}


# --- grading them all, in parallel ---------------------------------------------------------

def grade_file(path: Path) -> tuple[dict, float]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "autograder", TOPIC, str(path)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout), time.monotonic() - start


def grade_cli(folder: Path) -> tuple[dict, float]:
    start = time.monotonic()
    proc = week4("check", TOPIC, "--submission", str(folder), "--json", timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)["topics"][TOPIC], time.monotonic() - start


def without_run_leftovers(notebook: Path) -> Path:
    """Drop files that running the solution notebook in place leaves (its app.py is the
    solution), so that a submission is graded on its own cells only."""
    for leftover in [notebook.parent / "app.py", *notebook.parent.glob("*.db")]:
        leftover.unlink(missing_ok=True)
    return notebook


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> dict[str, tuple[dict, float]]:
    jobs = {}
    for name, sources in ADVERSARIAL.items():  # the slow ones first
        folder = tmp_path_factory.mktemp(f"adv-{name}")
        notebook = notebook_from_code(TOPIC, *sources, folder=folder)
        jobs[f"adversarial:{name}"] = (grade_file, without_run_leftovers(notebook))
    for name, (source, _) in mutants().items():
        folder = tmp_path_factory.mktemp(f"mut-{name}")
        notebook = mutate(TOPIC, {"app": source}, folder=folder)
        jobs[f"mutant:{name}"] = (grade_file, without_run_leftovers(notebook))
    jobs["solutions"] = (grade_cli, ROOT / "solutions")
    jobs["exercises"] = (grade_cli, EXERCISES)
    before = orphaned_children()  # other processes' business, not ours
    with ThreadPoolExecutor(WORKERS) as pool:
        futures = {key: pool.submit(func, arg) for key, (func, arg) in jobs.items()}
        results = {key: future.result() for key, future in futures.items()}
    results["orphans before"] = before
    return results


def lost(result: dict) -> set[str]:
    return {c["id"] for c in result["checks"] if not c["passed"]}


def test_solution_scores_full_marks(graded):
    result, _ = graded["solutions"]
    failures = {c["id"]: c["message"] for c in result["checks"] if not c["passed"]}
    assert not failures
    assert result["score"] == result["max"] == sum(all_checks().values())


def test_exercise_scores_zero(graded):
    result, _ = graded["exercises"]
    assert result["score"] == 0
    assert result["max"] == sum(all_checks().values())


@pytest.mark.parametrize("name", list(mutants()))
def test_mutant_loses_exactly_its_checks(graded, name):
    result, _ = graded[f"mutant:{name}"]
    expected = mutants()[name][1]
    assert lost(result) == expected, {c["id"]: c["message"] for c in result["checks"]
                                      if not c["passed"] or c["id"] in expected}
    points = all_checks()
    assert result["score"] == sum(points.values()) - sum(points[i] for i in expected)


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_hostile_submission_scores_zero_without_hanging(graded, name):
    # Returning at all is the "without hanging" (the grader's limits end every loop).
    result, _ = graded[f"adversarial:{name}"]
    assert result["score"] == 0, [c["id"] for c in result["checks"] if c["passed"]]


def test_failure_messages_quote_request_and_response(graded):
    result, _ = graded["mutant:created-200"]
    message = next(c["message"] for c in result["checks"] if c["id"] == "post-created")
    assert "POST /menus" in message and '"price": 4800' in message  # the request sent
    assert "200 OK" in message and "201" in message                # found and expected


def test_hostile_messages_say_what_happened(graded):
    def first(name):
        return graded[f"adversarial:{name}"][0]["checks"][0]["message"]

    assert "did not finish within" in first("create-app-loops")
    assert "sys.exit(0)" in first("create-app-exits")
    assert "stopped the grading process" in first("create-app-os-exit")
    assert "must return the Flask app" in first("not-flask")
    assert "got no answer within" in first("handlers-sleep")
    assert "connection failed" in first("handlers-os-exit")


def orphaned_children() -> set[tuple[str, str]]:
    """Sandbox children still running in a sandbox folder that closing the sandbox deleted."""
    found = set()
    for proc in Path("/proc").iterdir():
        try:
            args = (proc / "cmdline").read_bytes()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if b"autograder.sandboxed.runtime" in args and "week4-sandbox-" in cwd and cwd.endswith("(deleted)"):
            found.add((proc.name, cwd))
    return found


@pytest.mark.skipif(not Path("/proc/self/cwd").exists(), reason="needs Linux /proc")
def test_no_grader_server_outlives_grading(graded):
    """Every sandbox child (and so every server it ran) is gone once its grading ends."""
    assert orphaned_children() <= graded["orphans before"]


def test_error_location_is_the_students_own_app_py(graded):
    """'Where' names the line of the student's app.py that failed (register_blueprint in
    create_app), never a library's app.py (flask/sansio/app.py)."""
    result, _ = graded["mutant:duplicate-view-name"]
    message = result["checks"][0]["message"]
    source = mutants()["duplicate-view-name"][0].splitlines()[1:]  # app.py without %%writefile
    line = next(n for n, text in enumerate(source, 1) if "app.register_blueprint(bp)" in text)
    assert f"(app.py, line {line})" in message, message
