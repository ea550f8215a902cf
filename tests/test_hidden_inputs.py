"""Grading mode (issue 12): hidden inputs generated from a secret key, per student and topic.

- the generators and the grader's reference answers agree with the solution under 30 random
  keys per topic (checks run directly on one loaded sandbox: cheap);
- every mutant of autograder/mutants/ loses exactly its points in grading mode, the keys
  cycling across mutants so that all 30 are used;
- a lookup table recorded from practice mode (the solution's answers to every practice input)
  scores 0 in grading mode, whatever it answers for inputs it has not seen;
- the released exercise scores 0, a regrade with the same key is identical, and grading-mode
  messages carry no input or expected value.
"""

from __future__ import annotations

import json

import pytest

from autograder.keys import Inputs
from autograder.mutants import catalogue
from autograder.runner import grade_topic
from helpers import EXERCISES, SOLUTIONS, mutate, notebook_from_code
from hidden import (N_KEYS, random_keys, read_records, recording_notebook, lookup_source,
                    run_checks, submission)

# Checks whose inputs do not depend on the key and that cost seconds (a real venv, a real
# gunicorn): graded once per notebook by the whole-notebook tests, not per key.
SLOW = {"01-virtualenv": {"venv-create"}}
# Topics whose checks draw their inputs from the key in grading mode.
GENERATED = ["01-virtualenv", "05-eda"]
# Checks with no input at all: the one right answer is the same for everybody, so a table
# of practice answers passes them. leakage_columns() takes no argument (its notebook cell
# fixes the signature): see the report of issue 12.
CONSTANT = {"05-eda": {"leakage"}}
# Whole-notebook runs per mutant cost a sandbox start each; the keys cycle across mutants so
# that, summed over the mutants of a topic, at least this many keys are used.
MUTANT_KEYS = N_KEYS
KEYS = random_keys(N_KEYS)


def solution(topic):
    return SOLUTIONS / topic / f"{topic}.ipynb"


@pytest.mark.parametrize("topic", GENERATED)
def test_solution_passes_under_30_keys(topic):
    sub = submission(topic, solution(topic))
    try:
        for index, key in enumerate(KEYS):
            lost = run_checks(sub, key, f"student{index}", skip=SLOW.get(topic, ()))
            assert not lost, (index, lost)
    finally:
        sub.close()


@pytest.mark.parametrize("topic", GENERATED)
def test_every_mutant_loses_exactly_its_points_under_the_keys(topic, tmp_path):
    mutants = catalogue(topic).MUTANTS
    per_mutant = max(1, -(-MUTANT_KEYS // len(mutants)))  # the keys cycle across mutants
    used = 0
    for index, (name, (replacements, expected)) in enumerate(mutants.items()):
        sub = submission(topic, mutate(topic, replacements, tmp_path / f"m{index}"))
        try:
            for _ in range(per_mutant):
                key = KEYS[used % N_KEYS]
                used += 1
                lost = run_checks(sub, key, f"student{used}", skip=SLOW.get(topic, ()))
                assert set(lost) == expected - SLOW.get(topic, set()), (name, lost)
        finally:
            sub.close()
    assert used >= MUTANT_KEYS


@pytest.mark.parametrize("topic", GENERATED)
@pytest.mark.parametrize("default", ["raise ValueError(name)", "return None"])
def test_practice_lookup_table_scores_zero_in_grading_mode(topic, default, tmp_path):
    recorder = submission(topic, recording_notebook(topic, tmp_path / "rec"))
    try:
        assert not run_checks(recorder, None)  # practice mode: the solution passes everything
        table = read_records(recorder.workdir)
    finally:
        recorder.close()
    assert table
    notebook = notebook_from_code(topic, lookup_source(table, default), folder=tmp_path / "lk")
    practice = grade_topic(topic, notebook)
    assert practice.score > 0  # the table does answer practice mode...
    for key in KEYS[:2]:
        graded = grade_topic(topic, notebook, key=key, student="mallory")
        passed = {c.id for c in graded.checks if c.passed}
        assert passed <= CONSTANT.get(topic, set()), passed


@pytest.mark.parametrize("topic", GENERATED)
def test_whole_notebooks_under_a_fresh_key(topic):
    key = KEYS[0]
    full = grade_topic(topic, solution(topic), key=key, student="alice")
    assert full.score == full.max > 0, [c.message for c in full.checks if not c.passed]
    empty = grade_topic(topic, EXERCISES / topic / f"{topic}.ipynb", key=key, student="alice")
    assert empty.score == 0


@pytest.mark.parametrize("topic", ["01-virtualenv"])
def test_grading_mode_messages_carry_no_inputs(topic, tmp_path):
    """A mutant's failure in grading mode says the rule, not the inputs or expected values."""
    replacements, expected = next(iter(catalogue(topic).MUTANTS.values()))
    notebook = mutate(topic, replacements, tmp_path)
    key = KEYS[1]
    graded = grade_topic(topic, notebook, key=key, student="bob")
    failed = [c for c in graded.checks if not c.passed]
    assert {c.id for c in failed} == expected
    for c in failed:
        assert c.message == c.public_message
        assert "expected" not in c.message and "input" not in c.message.replace(
            "hidden inputs", ""), c.message


def test_inputs_depend_on_key_student_and_topic():
    a, b = KEYS[:2]
    seeds = {Inputs(a, "s", "01-virtualenv").seed("x"), Inputs(b, "s", "01-virtualenv").seed("x"),
             Inputs(a, "t", "01-virtualenv").seed("x"), Inputs(a, "s", "05-eda").seed("x"),
             Inputs(a, "s", "01-virtualenv").seed("y")}
    assert len(seeds) == 5
    assert Inputs(a, "s", "01-virtualenv").seed("x") == Inputs(a, "s", "01-virtualenv").seed("x")


@pytest.mark.parametrize("topic", ["01-virtualenv"])
def test_regrade_with_the_same_key_is_identical(topic, tmp_path):
    replacements, _ = next(iter(catalogue(topic).MUTANTS.values()))
    notebook = mutate(topic, replacements, tmp_path)
    first = grade_topic(topic, notebook, key=KEYS[2], student="carol").to_json()
    again = grade_topic(topic, notebook, key=KEYS[2], student="carol").to_json()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)
