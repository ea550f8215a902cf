"""Topic 04 grading: the solution scores full marks, the release 0, each realistic mistake
costs exactly its checks, and adversarial notebooks score nothing.

Every notebook is graded once, by the same command the notebook's test cells run
(`python -m autograder 04-serving NOTEBOOK`), four at a time: a grading trains a model and
then mostly waits for HTTP answers, so several can share the two cores of the CI machine.
The mutants whose practice-mode messages test_messages_explain_the_mistake does not read are
graded in grading mode instead (UNDER_A_KEY, a key file and a student id, as `week4 grade`
runs it): each mutant costs one whole grading, and each mode is proven on whole notebooks.
Every mutant in both modes, and every pair of them: tests/test_mutant_pairs.py (in process).
The mistakes and adversaries come from the topic's catalogue (autograder/mutants/m04_serving.py),
which the demo class uses too.
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

from autograder.mutants import m04_serving as catalogue
from helpers import EXERCISES, ROOT, SOLUTIONS, mutate, notebook_from_code
from hidden import course_key

TOPIC = "04-serving"
ALL_CHECKS = {
    "train-accuracy", "no-leakage", "save-metadata", "save-skops", "load-roundtrip",
    "load-rejects-tampered", "load-rejects-untrusted", "http-health", "http-model",
    "http-predict", "api-matches-pipeline", "invalid-missing", "invalid-values",
    "invalid-extra", "invalid-body", "invalid-nonfinite", "batch-order", "batch-limit",
    "batch-invalid",
}


MUTANTS = catalogue.MUTANTS  # {name: ({grade_id: new source}, the checks it loses)}
ADVERSARIES = catalogue.ADVERSARIES  # {name: (notebook code, seconds it may take at most)}
# Graded under a key (the others in practice mode): the mutants whose messages no test reads.
UNDER_A_KEY = {"lenient-input", "missing-field-500", "model-at-import"}


def grade_file(notebook: Path, *options: str) -> dict:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "autograder", TOPIC, str(notebook), *options],
                          capture_output=True, text=True, timeout=400, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {**json.loads(proc.stdout), "seconds": time.monotonic() - start}


@pytest.fixture(scope="session")
def graded(tmp_path_factory) -> dict[str, dict]:
    """Every notebook of this module, graded once: {name: the grader's JSON}."""
    base = tmp_path_factory.mktemp("serving")
    key = course_key(base, "04-mutants")
    options = {f"mutant:{name}": ("--key", str(key), "--student", f"student{i}")
               for i, name in enumerate(sorted(UNDER_A_KEY))}
    notebooks = {"solution": SOLUTIONS / TOPIC / f"{TOPIC}.ipynb",
                 "release": EXERCISES / TOPIC / f"{TOPIC}.ipynb"}
    for name, (cells, _) in MUTANTS.items():
        notebooks[f"mutant:{name}"] = mutate(TOPIC, cells, base / name)
    for i, (name, (source, _)) in enumerate(ADVERSARIES.items()):
        notebooks[f"adversarial:{name}"] = notebook_from_code(TOPIC, source,
                                                               folder=base / f"adversary{i}")
    # The slowest first, so that the workers finish together.
    order = sorted(notebooks, key=lambda n: (not n.startswith("adversarial:infinite"), n))
    with ThreadPoolExecutor(max_workers=int(os.environ.get("WEEK4_TEST_PARALLEL", "4"))) as pool:
        results = dict(zip(order, pool.map(
            lambda n: grade_file(notebooks[n], *options.get(n, ())), order)))
    return results


def failed(result: dict) -> set[str]:
    return {c["id"] for c in result["checks"] if not c["passed"]}


def test_solution_scores_full_marks(graded):
    result = graded["solution"]
    assert {c["id"] for c in result["checks"]} == ALL_CHECKS
    assert result["score"] == result["max"] == 31, failed(result)


def test_release_scores_zero(graded):
    result = graded["release"]
    assert result["score"] == 0, [c["id"] for c in result["checks"] if c["passed"]]
    assert "NotImplementedError" in result["checks"][0]["message"]


@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_mutant_loses_exactly_its_checks(graded, name):
    result = graded[f"mutant:{name}"]
    assert result.get("mode", "practice") == ("grading" if name in UNDER_A_KEY else "practice")
    expected = MUTANTS[name][1]
    assert failed(result) == expected, {c["id"]: c["message"] for c in result["checks"]
                                        if not c["passed"]}
    lost = sum(c["max"] for c in result["checks"] if c["id"] in expected)
    assert result["score"] == result["max"] - lost


@pytest.mark.parametrize("name", list(ADVERSARIES))
def test_adversarial_scores_zero_without_hanging(graded, name):
    result = graded[f"adversarial:{name}"]
    assert result["score"] == 0, [c["id"] for c in result["checks"] if c["passed"]]
    assert all(c["message"] for c in result["checks"])  # every failure says why
    # Returning at all is the "without hanging" (the grader's limits end every loop).


def test_messages_explain_the_mistake(graded):
    """The failures say what went wrong in words a student can act on."""
    def message(name, check_id):
        return next(c["message"] for c in graded[f"mutant:{name}"]["checks"] if c["id"] == check_id)

    assert "1 minus the right one" in message("wrong-class-probability", "api-matches-pipeline")
    assert "null fields" in message("server-preprocessing", "api-matches-pipeline")
    assert "boat" in message("leaky-features", "no-leakage")
    assert "after the sinking" in message("leaky-features", "no-leakage")
    assert "not a skops file" in message("plain-pickle", "save-skops")
    assert "sha256" in message("plain-pickle", "load-rejects-tampered")
    assert "posix.system" in message("trust-everything", "load-rejects-untrusted")
    assert "413" in message("no-batch-limit", "batch-limit")
    assert "input order" in message("batch-shuffled", "batch-order")
    looping = graded["adversarial:infinite loop in every function"]["checks"][0]["message"]
    assert "within 20 s" in looping
