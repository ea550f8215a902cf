"""exercises/ is exactly what nbgrader generates from solutions/: the two cannot drift."""

from __future__ import annotations

import json

import pytest

from autograder.checking import checks_in
from autograder.runner import check_module
from autograder.topics import TOPICS
from helpers import EXERCISES, ROOT, SOLUTIONS
from week4.release import generate

# Nothing here is volatile today (nbgrader's checksums are content hashes); the list names
# what may legitimately differ between two generations if nbgrader ever adds such metadata.
VOLATILE_NOTEBOOK_METADATA = ("widgets",)


def normalised(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.get("metadata", {}).pop(key, None)
    return nb


@pytest.fixture(scope="module")
def fresh_release(tmp_path_factory):
    out = tmp_path_factory.mktemp("release")
    generate(sorted(TOPICS), into=out)
    return out


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_committed_exercise_matches_generated(topic, fresh_release):
    generated = sorted(p.relative_to(fresh_release / topic)
                       for p in (fresh_release / topic).rglob("*") if p.is_file())
    committed = sorted(p.relative_to(EXERCISES / topic)
                       for p in (EXERCISES / topic).rglob("*") if p.is_file())
    assert committed == generated, "run 'make release' and commit exercises/"
    for rel in generated:
        new, old = fresh_release / topic / rel, EXERCISES / topic / rel
        if rel.suffix == ".ipynb":
            assert normalised(old) == normalised(new), f"{rel} drifted: run 'make release'"
        else:
            assert old.read_bytes() == new.read_bytes(), f"{rel} drifted: run 'make release'"


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_release_strips_every_solution(topic):
    text = (EXERCISES / topic / f"{topic}.ipynb").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "raise NotImplementedError()" in text


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_test_cells_match_the_checks_one_to_one(topic):
    """Each check has exactly one nbgrader test cell, worth the same points, calling it."""
    nb = json.loads((SOLUTIONS / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))
    cells = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            source = "".join(cell["source"])
            assert f'check("{topic}", "{meta["grade_id"]}")' in source, source
            cells[meta["grade_id"]] = meta["points"]
    checks = {info.id: info.points for info in checks_in(check_module(TOPICS[topic]))}
    assert cells == checks


def test_config_points_nbgrader_at_solutions_and_exercises():
    text = (ROOT / "nbgrader_config.py").read_text()
    assert 'source_directory = "solutions"' in text
    assert 'release_directory = "exercises"' in text
    assert 'course_id = "week4"' in text
    assert ".nbgrader" in text and ".nbgrader/" in (ROOT / ".gitignore").read_text()
