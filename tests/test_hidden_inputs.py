"""Grading mode (issue 12): hidden inputs generated from a secret key, per student and topic.

- the generators and the grader's reference answers agree with the solution under 30 random
  keys per topic (checks run directly on one loaded sandbox: cheap);
- every mutant of autograder/mutants/ loses exactly its points in grading mode, the keys
  cycling across mutants so that all 30 are used;
- a lookup table recorded from practice mode (the solution's answers to every practice input)
  scores 0 in grading mode, whatever it answers for inputs it has not seen;
- the released exercise scores 0 under a fresh key.

A regrade with the same key is identical and grading-mode output carries no input or expected
value, every topic: tests/test_hidden_outputs.py. The solutions of 02-04 under 30 keys, and
03's mutants that are not pure functions: tests/test_hidden_solutions.py.

Topics 02-04 cost 5-20 s per grading (a server, moto and gunicorn, a model), so their 30 keys
are proven where that is cheap: 02's generators (names, prices, filters, bodies, fuzz corpus)
and 03's pure-function checks with their reference answers (in this process, on the
solution's own cells), 04's passengers and splits; the solution of 02 on one loaded sandbox
under a few keys; the mutants with the keys cycling (02 and 03's pure ones in this process,
some others as whole notebooks); and whole notebooks (solution, exercise, lookup tables) under
one key each.
"""

from __future__ import annotations

import http.client
import json
import random
from urllib.parse import urlsplit

import pytest
from helpers import EXERCISES, SOLUTIONS, mutate, notebook_from_code
from hidden import (
    N_KEYS,
    PURE_03_CHECKS,
    InProcessApi,
    lookup_source,
    pure_functions_03,
    random_keys,
    read_records,
    record_exchanges,
    recording_notebook,
    replay_source,
    run_checks,
    run_pure_03,
    submission,
)

from autograder.keys import Inputs
from autograder.mutants import catalogue
from autograder.runner import grade_topic

# Checks whose inputs do not depend on the key and that cost seconds (a real venv, a real
# gunicorn): graded once per notebook by the whole-notebook tests, not per key.
SLOW = {"01-virtualenv": {"venv-create"}}
# Topics whose checks draw their inputs from the key in grading mode.
GENERATED = ["01-virtualenv", "02-flask-rest", "03-cloud", "04-serving", "05-eda"]
# Topics whose checks run many times on one loaded sandbox (the others: see their own tests).
ON_ONE_SANDBOX = ["01-virtualenv", "05-eda"]
# Whole-notebook runs per mutant cost a sandbox start each; the keys cycle across mutants so
# that, summed over the mutants of a topic, at least this many keys are used.
MUTANT_KEYS = N_KEYS
KEYS = random_keys(N_KEYS)


def solution(topic):
    return SOLUTIONS / topic / f"{topic}.ipynb"


@pytest.mark.parametrize("topic", ON_ONE_SANDBOX)
def test_solution_passes_under_30_keys(topic):
    sub = submission(topic, solution(topic))
    try:
        for index, key in enumerate(KEYS):
            lost = run_checks(sub, key, f"student{index}", skip=SLOW.get(topic, ()))
            assert not lost, (index, lost)
    finally:
        sub.close()


@pytest.mark.parametrize("topic", ON_ONE_SANDBOX)
def test_every_mutant_loses_exactly_its_points_under_the_keys(topic, tmp_path):
    """One key per mutant (a sandbox load each), the keys cycling across the mutants; the
    solution has already met all 30 keys on the same checks."""
    for index, (name, (replacements, expected)) in enumerate(catalogue(topic).MUTANTS.items()):
        sub = submission(topic, mutate(topic, replacements, tmp_path / f"m{index}"))
        try:
            lost = run_checks(sub, KEYS[index % N_KEYS], f"student{index}",
                              skip=SLOW.get(topic, ()))
            assert set(lost) == expected - SLOW.get(topic, set()), (name, lost)
        finally:
            sub.close()


@pytest.mark.parametrize("topic", ON_ONE_SANDBOX)
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
    key = KEYS[0] if default.startswith("raise") else KEYS[1]  # two keys over the defaults
    graded = grade_topic(topic, notebook, key=key, student="mallory")
    assert graded.score == 0, [c.id for c in graded.checks if c.passed]


@pytest.mark.parametrize("topic", GENERATED)
def test_whole_notebooks_under_a_fresh_key(topic):
    key = KEYS[0]
    full = grade_topic(topic, solution(topic), key=key, student="alice")
    assert full.score == full.max > 0, [c.message for c in full.checks if not c.passed]
    empty = grade_topic(topic, EXERCISES / topic / f"{topic}.ipynb", key=key, student="alice")
    assert empty.score == 0


def test_inputs_depend_on_key_student_and_topic():
    a, b = KEYS[:2]
    seeds = {Inputs(a, "s", "01-virtualenv").seed("x"), Inputs(b, "s", "01-virtualenv").seed("x"),
             Inputs(a, "t", "01-virtualenv").seed("x"), Inputs(a, "s", "05-eda").seed("x"),
             Inputs(a, "s", "01-virtualenv").seed("y")}
    assert len(seeds) == 5
    assert Inputs(a, "s", "01-virtualenv").seed("x") == Inputs(a, "s", "01-virtualenv").seed("x")


# --- topic 02: the coffee-menu API ----------------------------------------------------------

def draws_02(key: bytes, student: str):
    """The 02 check module and a Draw factory over a stand-in for ApiServer (no server)."""
    import types

    import autograder.checks.test_02_flask_rest as checks

    api = types.SimpleNamespace(nb=types.SimpleNamespace(inputs=Inputs(key, student,
                                                                       "02-flask-rest")),
                                memo={})
    return checks, api, (lambda check_id: checks.Draw(api, check_id))


def test_02_generators_under_30_keys():
    """Names (unicode included) unique and 1-100 characters, prices in range, every invalid
    filter and body invalid by the solution's rules, fuzz requests sendable over HTTP and a
    corpus of their own, per key and student."""
    practice = None
    for index, key in enumerate(KEYS):
        checks, _, draw = draws_02(key, f"student{index}")
        names = []
        for check_id in ("post-created", "put-replace", "concurrent-posts", "restart"):
            d = draw(check_id)
            names += [d.name("Menu") for _ in range(25)]
            assert all(500 <= d.price(4800) < 100_000 for _ in range(20))
        assert len(set(names)) == len(names)
        assert all(1 <= len(n) <= 100 and n.encode("utf-8") for n in names)
        assert any(not n.isascii() for n in names)
        d = draw("post-bad-values")
        assert len(d.longest("Lungo")) == 100
        for raw in checks.invalid_filters(draw("list-filter-invalid")):
            try:
                assert int(raw) < 0, raw  # the solution's rule: int(), then >= 0
            except ValueError:
                pass
        for body in checks.malformed_bodies(draw("post-invalid-json")):
            with pytest.raises(ValueError):
                json.loads(body)
        seed = random.Random(draw("no-5xx-fuzz").rng.getrandbits(64))
        corpus = checks.fuzz_requests(seed, 7, tuple(draw("fuzz").name("F") for _ in range(8)))
        for spec in corpus:  # http.client sends only what a URL may hold
            http.client.HTTPConnection("127.0.0.1")._validate_path(spec["path"])
            spec["path"].encode("ascii")
            assert urlsplit(spec["path"]).path.startswith("/")
        practice = practice or checks.fuzz_requests(random.Random(checks.FUZZ_SEED), 7)
        assert corpus != practice


def test_02_solution_on_one_sandbox_under_keys():
    """The solution's app, served in the sandbox, passes under a few keys (fresh database and
    server process for each: the checks expect a new database)."""
    from autograder.http_api import ApiServer

    topic = "02-flask-rest"
    sub = submission(topic, solution(topic))
    try:
        for index, key in enumerate(KEYS[:3]):
            sub.sandbox.kill()
            api = ApiServer(sub, database_name=f"key{index}.sqlite")
            lost = run_checks(sub, key, f"student{index}", fixtures={"api": api})
            assert not lost, (index, lost)
    finally:
        sub.close()


def test_02_every_mutant_loses_exactly_its_points_in_process(tmp_path):
    """Each mutant's app.py (our own code, so it may run here) through Flask's test client,
    one key per mutant, the keys cycling; the solution as the control under one more."""
    import logging

    import autograder.mutants.m02_flask_rest as m02

    logging.disable(logging.ERROR)  # the mutants' 500s log tracebacks
    try:
        # len-ids loses concurrent-posts through truly parallel requests: a real server only
        # (test_02_mutants_whole_notebook_under_a_key)
        cases = [("solution", m02.solution_app(), set())] + \
            [(name, source, loses) for name, (source, loses) in m02.mutants().items()
             if name != "len-ids"]
        for index, (name, source, expected) in enumerate(cases):
            key = KEYS[index % N_KEYS]
            api = InProcessApi(source, tmp_path / f"m{index}", Inputs(key, f"s{index}",
                                                                       "02-flask-rest"))
            lost = _run_02(api)
            assert set(lost) == expected, (name, lost)
    finally:
        logging.disable(logging.NOTSET)


def _run_02(api) -> dict:
    from hidden import check_functions

    from autograder.checking import CheckFailed

    lost = {}
    for func in check_functions("02-flask-rest"):
        try:
            func(api)
        except CheckFailed as exc:
            lost[func.check_info.id] = str(exc)
    return lost


@pytest.mark.parametrize("name", ["len-ids", "huge-id-500"])
def test_02_mutants_whole_notebook_under_a_key(name, tmp_path):
    """Mutants whose loss needs a real server (parallel requests) or the drawn fuzz corpus."""
    mutants = catalogue("02-flask-rest").MUTANTS
    replacements, expected = mutants[name]
    index = list(mutants).index(name)
    graded = grade_topic("02-flask-rest", mutate("02-flask-rest", replacements, tmp_path),
                         key=KEYS[(index + 11) % N_KEYS], student=f"student{index}")
    assert {c.id for c in graded.checks if not c.passed} == expected, \
        [c.message for c in graded.checks if not c.passed]


@pytest.mark.parametrize("default", [(500, "text/html", "<h1>Internal Server Error</h1>"),
                                     (200, "application/json", "null")])
def test_02_http_replay_of_practice_scores_zero_in_grading_mode(default, monkeypatch, tmp_path):
    """An app that replays every exchange practice mode made (in order, surviving restarts)
    earns points in practice mode and none in grading mode."""
    topic = "02-flask-rest"
    exchanges = record_exchanges(monkeypatch, topic, solution(topic))
    notebook = notebook_from_code(topic, replay_source(exchanges, default), folder=tmp_path)
    practice = grade_topic(topic, notebook)
    assert practice.score > practice.max / 2  # the replay does answer practice mode...
    key = KEYS[0] if default[0] == 500 else KEYS[1]
    graded = grade_topic(topic, notebook, key=key, student="mallory")
    assert graded.score == 0, [c.id for c in graded.checks if c.passed]


# --- topic 03: cloud --------------------------------------------------------------------------

def test_03_pure_checks_under_30_keys():
    """The checks of service_model, deployment_model, instances_needed and scaling_costs, with
    their reference answers, against the solution's own cells under 30 keys (and practice)."""
    functions = pure_functions_03()
    for index, key in enumerate([None] + KEYS):
        assert not run_pure_03(functions, key, f"student{index}"), index


def test_03_pure_mutants_lose_exactly_their_points_under_cycling_keys():
    pure = {"instances_needed", "scaling_costs", "service_model", "deployment_model"}
    used = 0
    for name, (replacements, expected) in catalogue("03-cloud").MUTANTS.items():
        if not set(replacements) <= pure:
            continue
        functions = pure_functions_03(replacements)
        for _ in range(3):
            lost = run_pure_03(functions, KEYS[used % N_KEYS], f"student{used}")
            used += 1
            assert set(lost) == expected & set(PURE_03_CHECKS), (name, lost)
    assert used >= 15


def record_03(functions: dict) -> tuple[dict, dict]:
    """The pure functions wrapped to record {name: {call key: pickled answer}} as hidden.py's
    recording cell does in a notebook; (wrapped functions, table)."""
    import base64
    import pickle

    table: dict[str, dict[str, str]] = {}

    def wrap(name, func):
        def wrapper(*args, **kwargs):
            result = func(*args, **kwargs)
            key = repr(([repr(a) for a in args], sorted((k, repr(v)) for k, v in kwargs.items())))
            table.setdefault(name, {})[key] = base64.b64encode(pickle.dumps(result)).decode()
            return result
        return wrapper
    return {name: wrap(name, func) for name, func in functions.items()}, table


@pytest.mark.parametrize("default", ["raise ValueError(name)", "return None"])
def test_03_practice_lookup_table_scores_zero_in_grading_mode(default, tmp_path):
    """Every answer practice mode got from the solution's functions, as a table: it passes the
    pure checks in practice mode, and no check of the whole notebook in grading mode."""
    topic = "03-cloud"
    recording, table = record_03(pure_functions_03())
    assert not run_pure_03(recording, None)
    namespace: dict = {}
    exec(lookup_source(table, default), namespace)  # noqa: S102 (our table)
    lookup = {name: namespace[name] for name in table}
    # the table answers practice mode (a raised error it cannot record: the default's)...
    assert set(run_pure_03(lookup, None)) <= {"service-model-invalid"}
    key = KEYS[0] if default.startswith("raise") else KEYS[1]
    assert set(run_pure_03(lookup, key, "mallory")) == set(PURE_03_CHECKS)  # ...and no more
    notebook = notebook_from_code(topic, lookup_source(table, default), folder=tmp_path)
    graded = grade_topic(topic, notebook, key=key, student="mallory")
    assert graded.score == 0, [c.id for c in graded.checks if c.passed]


# --- topic 04: serving ----------------------------------------------------------------------

def test_04_passengers_and_splits_under_30_keys():
    """Grading mode's passengers are valid requests, none is its shipped row, the splits are
    stratified and the key's own."""
    import pandas as pd

    from autograder.sandboxed.serving import holdout_split, perturbed
    from week4.data import load_titanic

    data = load_titanic()
    labels = [int(v) for v in data["survived"]]
    shipped = {tuple(None if pd.isna(v) else v for v in row)
               for row in data[["pclass", "sex", "age", "sibsp", "parch", "fare",
                                "embarked"]].itertuples(index=False)}
    seen = set()
    for index, key in enumerate(KEYS):
        inputs = Inputs(key, f"student{index}", "04-serving")
        jitter = perturbed(data, inputs.rng("passengers"))
        train, test = holdout_split(labels, inputs.rng("splits").getrandbits(64))
        assert sorted(train + test) == list(range(len(labels)))
        assert abs(sum(labels[i] for i in test) / len(test) - sum(labels) / len(labels)) < 0.01
        seen.add(tuple(test[:10]))
        same = 0
        for row in test:
            r, moved = data.loc[row], jitter[row]
            age = moved.get("age", r["age"])
            fare = moved.get("fare", r["fare"])
            port = moved.get("embarked", r["embarked"])
            assert pd.isna(age) or age >= 0.5
            assert pd.isna(fare) or fare >= 0
            assert pd.isna(port) or port in ("C", "Q", "S")
            if not pd.isna(r["age"]):
                assert age != r["age"]
            record = (r["pclass"], r["sex"], None if pd.isna(age) else age, r["sibsp"],
                      r["parch"], None if pd.isna(fare) else fare,
                      None if not isinstance(port, str) else port)
            same += record in shipped
        assert same <= len(test) * 0.02, same  # a few may meet another passenger by chance
    assert len(seen) == N_KEYS


def test_04_memorised_labels_stay_below_the_bar_honest_models_clear():
    """The reference side of train-accuracy: labels looked up in load_titanic() agree with the
    reference pipeline less than MIN_AGREEMENT, a different honest model (the course's logistic
    regression) more, on the mean of the three drawn splits (as the check scores)."""
    import numpy as np

    from autograder.checks.test_04_serving import MIN_AGREEMENT
    from autograder.sandboxed import serving
    from week4.data import load_titanic
    from week4.serving.train import model_input, table_rows
    from week4.serving.train import train as course_train

    data = load_titanic()
    labels = np.array([int(v) for v in data["survived"]])
    for index, key in enumerate(KEYS[:2]):
        inputs = Inputs(key, f"student{index}", "04-serving")
        jitter = serving.perturbed(data, inputs.rng("passengers"))
        seeds = [inputs.rng("splits").getrandbits(64) for _ in range(3)]
        honest, memorised = [], []
        for seed in seeds:
            train, test = serving.holdout_split(labels, seed)
            changes = [[p, c, v] for p, r in enumerate(test) for c, v in jitter[r].items()]
            truth = np.array(serving.reference(None, train, test, changes)["survived"])
            model = course_train(data.loc[train].reset_index(drop=True))
            frame = serving._frame(model, test, "serving", None, changes)
            honest.append(np.mean(model.predict(model_input(table_rows(frame))) == truth))
            memorised.append(np.mean(labels[test] == truth))
        assert np.mean(memorised) < MIN_AGREEMENT <= np.mean(honest), (memorised, honest)


# 04's mutants under keys: in process, every mutant in both modes and every pair of them
# (tests/test_mutant_pairs.py); as whole notebooks, the ones test_04_serving_grading.py grades
# under a key (UNDER_A_KEY). Each mutant is graded in a sandbox once.


MEMORISER = '''
from week4.data import load_titanic

FEATURES = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"]


def _key(row):
    return tuple(None if v != v else v for v in row)


class Memoriser:
    """Answers `survived` from the shipped table for every passenger it finds there."""
    classes_ = [0, 1]

    def __init__(self):
        table = load_titanic()
        self.table = {_key(r): s for r, s in zip(table[FEATURES].itertuples(index=False),
                                                 table["survived"])}

    def predict_proba(self, X):
        out = []
        for row in X[FEATURES].itertuples(index=False):
            label = self.table.get(_key(row))
            if label is None:
                DEFAULT
            out.append([1.0 - label, float(label)])
        return out

    def predict(self, X):
        return [int(p[1] > 0.5) for p in self.predict_proba(X)]


def train(df):
    return Memoriser()
'''


@pytest.mark.parametrize("default", ["raise KeyError('not in the table')", "label = 0"])
def test_04_memorised_survival_earns_nothing_in_grading_mode(default, tmp_path):
    """train(df) returns a 'model' that looks every passenger up in load_titanic(): in
    practice mode it earns train-accuracy; in grading mode no check about the model."""
    topic = "04-serving"
    notebook = notebook_from_code(topic, MEMORISER.replace("DEFAULT", default),
                                  folder=tmp_path)
    practice = grade_topic(topic, notebook)
    assert "train-accuracy" in {c.id for c in practice.checks if c.passed}
    key = KEYS[0] if default.startswith("raise") else KEYS[1]
    graded = grade_topic(topic, notebook, key=key, student="mallory")
    assert {c.id for c in graded.checks if c.passed} == set(), \
        [c.id for c in graded.checks if c.passed]


# --- topic 05: leakage_columns(df) on renamed columns -----------------------------------------

def test_05_leakage_cases_under_30_keys():
    """Grading mode's leakage tables: columns renamed from one word list (no shipped name but
    survived), reordered, some left out, at least one case with a single leak; the reference
    finds exactly the kept leaks under their new names, and the shipped names answer none."""
    from autograder.checks import test_05_eda as checks

    sizes = set()
    for index, key in enumerate(KEYS):
        nb = type("NB", (), {})()
        nb.inputs = Inputs(key, f"student{index}", "05-eda")
        cases = checks.generated(nb)["leakage_columns"].cases
        assert len(cases) == 3 and all(c.hidden for c in cases)
        single = False
        for case in cases:
            pairs = case.spec["columns"]
            given = checks.table(case.spec)
            renamed = dict(pairs)
            assert list(given.columns) == [new for _, new in pairs]
            assert set(given.columns) & set(checks.COLUMNS) == {"survived"}
            expected = checks.ref_leaks(given)
            assert expected == sorted(renamed[c] for c in checks.LEAKS if c in renamed)
            single |= len(expected) == 1
            sizes.add(len(given.columns))
        assert single, index
    assert len(sizes) > 1  # honest columns are left out too


def test_05_leak_rule_finds_the_two_leaks_and_the_page_says_so():
    """On the shipped table the rule names boat and body; the shares the page quotes for the
    honest columns and the leaks are the data's."""
    import re

    from helpers import ROOT

    from autograder.checks import test_05_eda as checks

    real = checks.table(None)
    assert checks.ref_leaks(real) == ["boat", "body"]
    shares = {c: real.loc[real[c].notna(), "survived"].mean() for c in real.columns
              if c != "survived"}
    honest = [v for c, v in shares.items() if c not in checks.LEAKS]
    pct = lambda x: f"{round(100 * x)}%"
    page = " ".join((ROOT / "docs" / "topics" / "05-eda.md").read_text(encoding="utf-8").split())
    assert (f"the honest columns stay between {pct(min(honest))} (those always known) and "
            f"{pct(max(honest))} (`cabin`) survived where known, while `boat` reaches "
            f"{pct(shares['boat'])} and `body` {pct(shares['body'])}") in page
    assert max(honest) == shares["cabin"]
    assert f"a {round(100 * checks.LEAK_SHARE)}% bar either way" in page
    ko = " ".join((ROOT / "docs" / "ko" / "topics" / "05-eda.md").read_text(
        encoding="utf-8").split())
    assert re.search(rf"{pct(min(honest))}\(늘 값이 있는 열\)에서 {pct(max(honest))}\(`cabin`\)", ko)
    assert f"`boat`는 {pct(shares['boat'])}, `body`는 {pct(shares['body'])}예요" in ko
