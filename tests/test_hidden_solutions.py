"""The solutions of topics 02-04 score full marks under 30 random keys (issue 12).

A whole grading costs 5-30 s for these topics (a server, moto and gunicorn, a model), so the
30 keys are met where each key is cheap, always by the checks' own code in grading mode:

- 02: the solution's app.py (our code, so it may run here) through Flask's test client, a
  fresh database per key (hidden.InProcessApi), every check;
- 03: one sandbox of the solution and one moto server for all keys (the per-grading cache
  cleared between keys), every check but gunicorn-serves, whose inputs do not depend on the
  key (graded by the whole-notebook tests);
- 04: one sandbox of the solution and one clean sandbox for all keys. The first key trains,
  saves and serves; the other keys reuse that model and app (the steps are the notebook's
  functions, not drawn) while each key draws its own splits, passengers, requests and orders.
  train-accuracy (five model fits per key: the second and third split of the key, and the
  key's reference pipeline on all three) and api-matches-pipeline (324 single requests) cost
  seconds per key, so they run under every sixth key (5 of the 30): measured on the shared
  2-core machine, all checks under all 30 keys took 488 s.

The mutants under these keys: tests/test_hidden_inputs.py.
"""

from __future__ import annotations

import logging
import tempfile
import types
from pathlib import Path

from helpers import SOLUTIONS
from hidden import (
    N_KEYS,
    InProcessApi,
    check_functions,
    random_keys,
    run_checks,
    submission,
)

from autograder.checking import CheckFailed
from autograder.keys import Inputs

KEYS = random_keys(N_KEYS)


def solution(topic):
    return SOLUTIONS / topic / f"{topic}.ipynb"


def test_02_solution_in_process_under_30_keys(tmp_path):
    import autograder.mutants.m02_flask_rest as m02

    source = m02.solution_app()
    logging.disable(logging.ERROR)
    try:
        for index, key in enumerate(KEYS):
            api = InProcessApi(source, tmp_path / f"k{index}",
                               Inputs(key, f"student{index}", "02-flask-rest"))
            lost = {}
            for func in check_functions("02-flask-rest"):
                try:
                    func(api)
                except CheckFailed as exc:
                    lost[func.check_info.id] = str(exc)
            assert not lost, (index, lost)
    finally:
        logging.disable(logging.NOTSET)


def test_03_solution_on_one_sandbox_under_30_keys(tmp_path):
    import autograder.checks.test_03_cloud as checks

    topic = "03-cloud"
    sub = submission(topic, solution(topic))
    factory = types.SimpleNamespace(mktemp=lambda name: Path(tempfile.mkdtemp(
        prefix=name, dir=tmp_path)))
    moto = checks.moto.__wrapped__(sub, factory)  # the check module's own fixture
    try:
        server = next(moto)
        for index, key in enumerate(KEYS):
            folder = tmp_path / f"k{index}"
            folder.mkdir()
            lost = run_checks(sub, key, f"student{index}", skip={"gunicorn-serves"},
                              fixtures={"moto": server, "tmp_path": folder},
                              reset=lambda _: checks._cache.clear())
            assert not lost, (index, lost)
        assert "gunicorn-serves" in {f.check_info.id for f in check_functions(topic)}
    finally:
        moto.close()
        sub.close()
        checks._cache.clear()


# Each costs seconds per key (a few model fits; 324 single HTTP requests): every sixth key.
EXPENSIVE_04 = {"train-accuracy", "api-matches-pipeline"}


def test_04_solution_on_one_sandbox_under_30_keys():
    import autograder.checks.test_04_serving as checks
    from autograder.sandbox import Sandbox

    topic = "04-serving"
    sub = submission(topic, solution(topic))
    clean = Sandbox([], None, timeout=60.0)  # as Lab._start_clean makes it, once for all keys
    (clean.scratch / "io").mkdir()
    labs: list = []

    def lab(nb):
        fresh = checks.Lab(nb)
        fresh._clean = clean
        if labs:  # the model and app of the first key: see the module's docstring
            first = labs[0]
            fresh.done, fresh.pid, fresh.metrics = dict(first.done), first.pid, first.metrics
        labs.append(fresh)
        return {"lab": fresh}

    try:
        for index, key in enumerate(KEYS):
            skip = set() if index % 6 == 0 else EXPENSIVE_04
            lost = run_checks(sub, key, f"student{index}", fixtures=lab, skip=skip)
            assert not lost, (index, lost)
            assert labs[-1].restarts == 0  # one child served every key
        assert len({tuple(lab.test_rows[:5]) for lab in labs}) == N_KEYS  # the keys' own splits
    finally:
        sub.close()
        clean.close()


def test_03_file_and_aws_mutants_lose_exactly_their_points_under_cycling_keys(tmp_path):
    """The mutants that are not pure functions (files, S3, EC2, credentials, plots, gunicorn
    settings), each on its own sandbox and moto server under one key, the keys cycling (the
    pure ones: tests/test_hidden_inputs.py, in this process)."""
    from helpers import mutate
    from hidden import PURE_03

    import autograder.checks.test_03_cloud as checks
    from autograder.mutants import catalogue

    topic = "03-cloud"
    mutants = {name: m for name, m in catalogue(topic).MUTANTS.items()
               if not set(m[0]) <= set(PURE_03)}
    assert len(mutants) >= 9
    for index, (name, (replacements, expected)) in enumerate(mutants.items()):
        sub = submission(topic, mutate(topic, replacements, tmp_path / f"m{index}"))
        factory = types.SimpleNamespace(mktemp=lambda prefix: Path(tempfile.mkdtemp(
            prefix=prefix, dir=tmp_path)))
        moto = checks.moto.__wrapped__(sub, factory)
        try:
            server = next(moto)
            folder = tmp_path / f"w{index}"
            folder.mkdir()
            lost = run_checks(sub, KEYS[(index + 7) % N_KEYS], f"student{index}",
                              skip={"gunicorn-serves"},
                              fixtures={"moto": server, "tmp_path": folder},
                              reset=lambda _: checks._cache.clear())
            assert set(lost) == expected - {"gunicorn-serves"}, (name, lost)
        finally:
            moto.close()
            sub.close()
            checks._cache.clear()
