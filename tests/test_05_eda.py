"""Topic 05 graded end to end: solution, release, known facts, realistic mistakes, adversaries."""

from __future__ import annotations


import pytest
from helpers import EXERCISES, SOLUTIONS, grade, lost, mutate, notebook_from_code

from autograder.checks import test_05_eda as checks
from autograder.mutants.m05_eda import ADVERSARIES, FUNCTIONS, MUTANTS
from autograder.notebook import load_cells
from autograder.submission import Submission

TOPIC = "05-eda"
SOLUTION = SOLUTIONS / TOPIC / f"{TOPIC}.ipynb"


def test_solution_scores_full_marks():
    result = grade(TOPIC, SOLUTION)
    assert result.max == 20
    assert result.score == result.max, [c.message for c in result.checks if not c.passed]


def test_released_exercise_scores_zero():
    result = grade(TOPIC, EXERCISES / TOPIC / f"{TOPIC}.ipynb")
    assert result.score == 0
    assert all("not written yet" in c.message for c in result.checks), \
        [c.message for c in result.checks]


# --- the facts the issue names, reproduced by the solution's own functions -----------------

@pytest.fixture(scope="module")
def solution():
    submission = Submission(TOPIC, SOLUTION, load_cells(SOLUTION), load_timeout=60)
    yield submission
    submission.close()


def run(submission, name, *cases):
    """The solution's plain outputs for (run, spec, args) cases, via the grader's own helper."""
    payload = [{"run": r, "spec": spec, "args": list(args)} for r, spec, args in cases]
    outcomes = submission.helper("autograder.sandboxed.eda:evaluate", name, payload, 10.0,
                                 timeout=60)
    assert all(o["status"] == "ok" for o in outcomes), outcomes
    return [o["value"] for o in outcomes]


def test_solution_reproduces_the_known_facts(solution):
    (loaded,) = run(solution, "load_data", ("load", None, ()))
    assert loaded["shape"] == [1309, 14]
    assert round(loaded["survived_mean"], 3) == 0.382
    assert {k: v for k, v in loaded["missing"].items() if v} == {
        "age": 263, "cabin": 1014, "embarked": 2, "fare": 1, "boat": 823, "body": 1188,
        "home.dest": 564}

    (report,) = run(solution, "missing_report", ("frame", None, ()))
    assert dict(zip(report["index"], report["data"]["count"])) == {
        "body": 1188, "cabin": 1014, "boat": 823, "home.dest": 564, "age": 263, "embarked": 2,
        "fare": 1}
    assert report["index"][0] == "body" and round(report["data"]["percent"][0], 1) == 90.8

    by_sex, by_class = run(solution, "survival_rate_by", ("series", None, ("sex",)),
                           ("series", None, ("pclass",)))
    assert dict(zip(by_sex["index"], [round(v, 3) for v in by_sex["values"]])) == {
        "female": 0.727, "male": 0.191}
    assert dict(zip(by_class["index"], [round(v, 3) for v in by_class["values"]])) == {
        1: 0.619, 2: 0.430, 3: 0.255}


def test_grader_reference_agrees_with_the_facts():
    real = checks.table(None)
    assert len(real) == 1309 and round(real["survived"].mean(), 3) == 0.382
    assert {k: round(v, 3) for k, v in checks.ref_rates(real, "sex").items()} == {
        "female": 0.727, "male": 0.191}
    assert {k: round(v, 3) for k, v in checks.ref_rates(real, "pclass").items()} == {
        1.0: 0.619, 2.0: 0.430, 3.0: 0.255}
    assert {k: n for k, (n, _) in checks.ref_missing(real).items()} == {
        "age": 263, "cabin": 1014, "embarked": 2, "fare": 1, "boat": 823, "body": 1188,
        "home.dest": 564}


# --- the hidden variants ------------------------------------------------------------------------

@pytest.mark.parametrize("spec", [checks.SHUFFLED, checks.SAMPLE, checks.HOLES, checks.RELABELED],
                         ids=lambda s: "+".join(s["steps"]))
def test_variant_is_reproducible_and_survives_the_csv_round_trip(spec, tmp_path):
    from autograder.sandboxed import variants
    from week4.data import load_titanic

    table = variants.build(spec)
    assert table.equals(variants.build(spec))  # the child and the grader build the same table
    path = tmp_path / "variant.csv"
    table.to_csv(path, index=False, na_rep="?")  # what load_data gets in the child
    assert load_titanic(path).equals(table.reset_index(drop=True))
    # Each step changes what a typed-in or order-dependent answer would get wrong.
    real = checks.table(None)
    if "shuffle" in spec["steps"]:
        assert table["name"].tolist() != real["name"].tolist()
    if {"sample", "relabel"} & set(spec["steps"]):
        assert checks.ref_rates(table, "sex") != checks.ref_rates(real, "sex")
    if "holes" in spec["steps"]:
        assert table["age"].isna().sum() > real["age"].isna().sum()
    if "sample" in spec["steps"]:
        assert len(table) == 916 and table.index.tolist() != list(range(916))


# --- realistic wrong solutions (autograder/mutants/m05_eda.py) ------------------------------
# Each replaces one solution cell and must lose exactly the listed checks. Every check reads
# only one function (test_mutants_only_touch_their_own_checks), so mutants of different
# functions can share one notebook: that keeps the suite fast without blurring who lost what.

def batches(mutants: dict) -> list[list[str]]:
    """Group mutants so that no two in a group replace the same cell."""
    groups: list[list[str]] = []
    for name, (replacements, _) in mutants.items():
        for group in groups:
            if not any(set(replacements) & set(mutants[other][0]) for other in group):
                group.append(name)
                break
        else:
            groups.append([name])
    return groups


def reads(test) -> str:
    """The one student function a check reads: the function name its code mentions."""
    (name,) = [n for n in checks.FUNCTIONS if n in test.__code__.co_consts]
    return name


CHECK_FUNCTION = {f.check_info.id: reads(f) for f in vars(checks).values()
                  if hasattr(f, "check_info")}


def test_catalogue_names_the_graded_functions():
    assert FUNCTIONS == list(checks.FUNCTIONS)


def test_mutants_only_touch_their_own_checks():
    for name, (replacements, expected) in MUTANTS.items():
        assert expected, name
        assert {CHECK_FUNCTION[c] for c in expected} <= set(replacements), name


@pytest.mark.parametrize("group", batches(MUTANTS), ids=lambda g: " + ".join(g))
def test_realistic_mistakes_lose_exactly_their_points(group, tmp_path):
    replacements = {k: v for name in group for k, v in MUTANTS[name][0].items()}
    expected = set().union(*(MUTANTS[name][1] for name in group))
    result = grade(TOPIC, mutate(TOPIC, replacements, tmp_path))
    assert lost(result) == expected, {c.id: c.message for c in result.checks if not c.passed}
    assert result.score == result.max - sum(c.max for c in result.checks if c.id in expected)


def test_failure_messages_name_the_variant(tmp_path):
    replacements, _ = MUTANTS["survival rates hard-coded from the full data"]
    result = grade(TOPIC, mutate(TOPIC, replacements, tmp_path))
    (rate,) = [c for c in result.checks if c.id == "rate-by-group"]
    assert "hidden variant" in rate.message and "renamed" in rate.message, rate.message
    assert "expected" in rate.message  # the grader's own message shows expected vs found
    assert "expected" not in rate.public_message  # ...the public one (nbgrader feedback) not


# --- adversarial submissions: none may earn a point, crash the grader or hang it ----------------

@pytest.mark.parametrize("name", list(ADVERSARIES))
def test_adversarial_submission_scores_zero_without_hanging(name, tmp_path):
    # Returning at all is the "without hanging": the grader's own call limits and topic
    # budget end a loop (tests/test_sandbox.py proves both without a clock).
    source, _ = ADVERSARIES[name]
    result = grade(TOPIC, notebook_from_code(TOPIC, source, folder=tmp_path))
    assert result.score == 0, {c.id: c.message for c in result.checks if c.passed}
    assert all(c.message for c in result.checks)  # every failure says why


def test_a_case_limit_is_cpu_time_so_a_crowded_machine_changes_no_grade():
    """A function computing past its case's wall period on a crowded machine (a fifth of the
    CPU, here) still answers; one that blocks or loops is stopped (autograder/sandboxed/eda.py)."""
    import time

    import pytest

    from autograder.sandboxed.eda import TimeUp, time_limit

    def crowded(seconds: float) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            t = time.process_time()
            while time.process_time() - t < 0.02:
                pass
            time.sleep(0.08)
        return "done"

    with time_limit(1.0):
        assert crowded(2.0) == "done"  # 0.4 s of CPU over twice the wall period
    with pytest.raises(TimeUp), time_limit(0.5):
        time.sleep(30)  # blocked: stopped at the period
    with pytest.raises(TimeUp), time_limit(0.5):
        while True:  # a loop: stopped at its CPU limit
            pass
