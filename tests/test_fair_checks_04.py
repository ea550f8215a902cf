"""Fair checks in topic 04 (issue 13, "Fair checks"): each check run alone gives the verdict of
the full run, for the solution and every mutant (autograder/mutants/m04_serving.py, MUTANTS),
as tests/test_fair_checks.py shows for 01, 03 and 05 and tests/test_02_fair_inprocess.py for 02.

The harness is test_mutant_pairs' (lost_04): the Lab of the checks on our own cells run in this
process, the app made and served as in the sandbox (requests to its WSGI callable), trainings
made once per train() source and rows and each grading given its own copy, the grader's
reference answers made once per key. Each run
alone is a grading of its own: the notebook run again into a new namespace, a new Lab and
working folder, a new app, and the serving helpers' state emptied, as in a new child.

Every check, api-matches-pipeline and batch-order too (they judge single POST /predict of the
skew set: all 324, about 2.5 CPU-s, for the first run alone; the 64 of its batch for the second;
most of the module's time). m04_serving has
no catalogue of realistic wrong notebooks (FAIR) for in-process runs; its ADVERSARIES (endless
loops, os._exit) would stop this process and are graded in sandboxes by the topic's tests.
"""

from __future__ import annotations

import importlib

import pytest
import test_mutant_pairs as pairs
from hidden import check_functions
from test_fair_checks import KEY

from autograder.mutants import m04_serving as m04

TOPIC = "04-serving"


@pytest.fixture(autouse=True)
def in_tmp(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the notebook's functions write into the working folder


def variants() -> list[tuple[str, dict[str, str], set[str], bytes | None]]:
    """(name, cells, checks it loses, key): the solution in practice mode and under a key, then
    the mutants (and any catalogue) in turn in each mode, so that each mode sees several."""
    catalogue = {**m04.MUTANTS, **getattr(m04, "FAIR", {})}
    runs = [("solution", {}, set(), None), ("solution", {}, set(), KEY)]
    for i, name in enumerate(sorted(catalogue)):
        cells, loses = catalogue[name]
        runs.append((name, cells, set(loses), KEY if i % 2 else None))
    return runs


def test_04_each_check_alone_agrees(monkeypatch):
    """A check's verdict must not depend on which checks ran before it in the same grading
    (a step, a cache or the app they share): run alone on a fresh grading, each check passes
    or fails as in the full run, for the solution and every mutant, in both modes."""
    serving = importlib.import_module("autograder.sandboxed.serving")
    ids = {f.check_info.id for f in check_functions(TOPIC)}
    graded = sorted(ids)
    assert not pairs.SKIP_04 and len(graded) >= 17

    def grade(cells, key, only=None) -> dict[str, str]:
        serving._state.clear()  # a new child: no pipeline kept from an earlier grading
        with monkeypatch.context() as patch:  # lost_04 leaves out SKIP_04: all but `only`
            if only is not None:
                patch.setattr(pairs, "SKIP_04", frozenset(ids - {only}))
            return pairs.lost_04(cells, key)

    runs = variants()
    assert len(runs) == len(m04.MUTANTS) + 2
    wrong_full, mismatches = [], []
    for name, cells, loses, key in runs:
        mode = "grading" if key else "practice"
        full = grade(cells, key)
        if set(full) != loses:
            wrong_full.append((name, mode, sorted(full), sorted(loses)))
        for check in graded:
            alone = grade(cells, key, only=check)
            assert set(alone) <= {check}, (name, mode, check, alone)  # only that check ran
            if (check in alone) != (check in full):
                mismatches.append((name, mode, check, "lost" if check in full else "passed",
                                   alone.get(check, "passed")[:200]))
    assert wrong_full == []
    assert mismatches == []
