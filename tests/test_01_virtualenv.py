"""Topic 01 graded end to end: solution, release, realistic mistakes, adversaries."""

from __future__ import annotations


import pytest

from helpers import EXERCISES, SOLUTIONS, grade, lost, mutate, notebook_from_code

TOPIC = "01-virtualenv"


def test_solution_scores_full_marks():
    result = grade(TOPIC, SOLUTIONS / TOPIC / f"{TOPIC}.ipynb")
    assert result.max > 0
    assert result.score == result.max, [c.message for c in result.checks if not c.passed]


def test_released_exercise_scores_zero():
    result = grade(TOPIC, EXERCISES / TOPIC / f"{TOPIC}.ipynb")
    assert result.score == 0
    assert all("not written yet" in c.message for c in result.checks), \
        [c.message for c in result.checks]


from autograder.mutants.m01_virtualenv import ADVERSARIES, MUTANTS


@pytest.mark.parametrize("name", list(MUTANTS))
def test_realistic_mistake_loses_exactly_its_points(name, tmp_path):
    replacements, expected_lost = MUTANTS[name]
    result = grade(TOPIC, mutate(TOPIC, replacements, tmp_path))
    assert lost(result) == expected_lost, {c.id: c.message for c in result.checks if not c.passed}
    assert result.score == result.max - sum(c.max for c in result.checks if c.id in expected_lost)


@pytest.mark.parametrize("name", list(ADVERSARIES))
def test_adversarial_submission_scores_zero_without_hanging(name, tmp_path):
    # Returning at all is the "without hanging": the grader's own call limits and topic
    # budget end a loop (tests/test_sandbox.py proves both without a clock).
    source, _ = ADVERSARIES[name]
    result = grade(TOPIC, notebook_from_code(TOPIC, source, folder=tmp_path))
    assert result.score == 0, {c.id: c.message for c in result.checks if c.passed}
    assert all(c.message for c in result.checks)  # every failure says why
