"""Each check run alone gives the verdict of the full run (issue 13, "Fair checks"), for topics
01, 03 and 05: the solution in both modes, then every mutant (autograder/mutants/, MUTANTS)
and every realistic wrong notebook of the catalogue (FAIR), the modes in turn. A check must
not pass or fail because of what the checks before it did (a cache, a step, a file, a
server's state).

"Alone" is a grading of its own: the notebook's cells run again into a new namespace, a new
working folder and, for 03, an empty AWS (moto's in-process mock), with only that check. The
harnesses are the pair runs' (tests/test_mutant_pairs.py, tests/test_fair_checks.py); 01's
venv-create needs a real environment in a sandbox and is judged by the whole-notebook tests.
Topic 02: tests/test_02_fair_inprocess.py; topic 04: tests/test_fair_checks_04.py.
"""

from __future__ import annotations

import pytest
from hidden import check_functions
from test_fair_checks import KEY, SKIP_01, lost_01, lost_05
from test_mutant_pairs import LocalAws, lost_03

from autograder.mutants import m01_virtualenv as m01
from autograder.mutants import m03_cloud as m03
from autograder.mutants import m05_eda as m05


@pytest.fixture(autouse=True)
def in_tmp(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the notebook's functions write into the working folder


@pytest.fixture(scope="module")
def aws():
    with LocalAws() as local:
        yield local


def runs(module, topic: str) -> list[tuple[str, dict[str, str], set[str], bytes | None]]:
    """(name, cells, checks it loses, key): the solution in each mode, then the mutants and the
    catalogue with practice mode and the key in turn (a catalogue entry that loses None loses
    every check)."""
    every = {f.check_info.id for f in check_functions(topic)}
    notebooks = {**{f"mutant: {n}": v for n, v in module.MUTANTS.items()},
                 **{f"catalogue: {n}": v for n, v in getattr(module, "FAIR", {}).items()}}
    out = [("solution", {}, set(), None), ("solution", {}, set(), KEY)]
    for i, (name, (cells, loses)) in enumerate(notebooks.items()):
        out.append((name, cells, every if loses is None else set(loses), KEY if i % 2 else None))
    return out


def disagreements(topic: str, module, lost, skip=frozenset()) -> list:
    """[(notebook, mode, check, full-run verdict, alone verdict)] where a check alone differs
    from the full run; also checks that the full run loses what the catalogue says."""
    ids = sorted({f.check_info.id for f in check_functions(topic)} - skip)
    wrong = []
    for name, cells, loses, key in runs(module, topic):
        mode = "grading" if key else "practice"
        full = lost(cells, key, None)
        assert set(full) == loses - skip, (name, mode, sorted(full), sorted(loses - skip))
        for check in ids:
            alone = lost(cells, key, {check})
            assert set(alone) <= {check}, (name, mode, check, alone)  # only that check ran
            if (check in alone) != (check in full):
                wrong.append((name, mode, check, "lost" if check in full else "passed",
                              alone.get(check, "passed")[:200]))
    return wrong


def test_01_each_check_alone_agrees():
    assert len(runs(m01, "01-virtualenv")) == 2 + len(m01.MUTANTS) + len(m01.FAIR)
    assert disagreements("01-virtualenv", m01, lost_01, SKIP_01) == []


def test_03_each_check_alone_agrees(aws):
    """Every check, gunicorn-serves by the file it reads (test_mutant_pairs.gunicorn_verdict)."""
    def lost(cells, key, only):
        return lost_03(cells, key, aws, only)

    assert disagreements("03-cloud", m03, lost) == []


def test_05_each_check_alone_agrees():
    assert disagreements("05-eda", m05, lost_05) == []
