"""Grader code for topic 04 (serving) that runs inside a sandbox child.

The checks in `checks/test_04_serving.py` call these through `nb.helper(...)`. They run
next to the student's functions, call them, and hand back plain data only: predictions as
lists of numbers, a port number, the text of an error. The grader's process never loads a
model the submission produced; it judges these lists, files' bytes and HTTP responses.

Two kinds of child use this module:

- the student's child (the notebook's code is loaded): `fit`, `fit_more`, `predict`, `save`,
  `serve`, `compare_loaded`, `try_load`;
- a clean child with no notebook code at all: `audit` (what a skops file holds) and
  `make_untrusted` (a model file that references `os.system`).

The split helpers at the bottom are plain NumPy and are imported by the grader as well, so
both sides agree on which rows are held out.
"""

from __future__ import annotations

import logging
import math
import os
import threading

import numpy as np

FEATURES = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"]
TARGET = "survived"
LEAKS = ["boat", "body"]

# What this child keeps between requests: the pipeline the student's train() returned
# (for the in-process side of the skew check) and the running HTTP server.
_state: dict = {}


def _data():
    from week4.data import load_titanic

    return load_titanic()  # a fresh copy: student code may have changed an earlier one


def _describe(exc: BaseException) -> dict:
    from autograder.sandboxed.runtime import describe

    return describe(exc)


# --- training ---------------------------------------------------------------------------------

def fit(child, train_index: list[int]) -> dict:
    """Call the student's train() on the training rows; keep the pipeline for later requests."""
    train = child.function("train")
    frame = _data().loc[train_index].reset_index(drop=True)
    pipeline = train(frame)
    if pipeline is None or not callable(getattr(pipeline, "predict_proba", None)):
        raise TypeError("train(df) must return the fitted pipeline (an object with "
                        f"predict_proba), but it returned {type(pipeline).__name__}")
    _state["pipeline"] = pipeline
    return {"type": f"{type(pipeline).__module__}.{type(pipeline).__qualname__}",
            "columns": _columns_of(pipeline)}


def fit_more(child, train_index: list[int], test_index: list[int],
             changes: list | None = None) -> dict:
    """Train another pipeline on another split and predict its held-out rows (accuracy only)."""
    pipeline = child.function("train")(_data().loc[train_index].reset_index(drop=True))
    return _predictions(pipeline, _frame(pipeline, test_index, "serving", None, changes))


def _columns_of(pipeline) -> list[str] | None:
    names = getattr(pipeline, "feature_names_in_", None)
    if names is None:
        return None
    return [str(n) for n in list(names)]


def _frame(pipeline, rows: list[int], variant: str, blanks: list | None = None,
           changes: list | None = None):
    """The held-out rows as the pipeline gets them.

    `serving`: only what a request carries (the 7 features); any other column the pipeline
    asks for is passed as missing, as a server that fills absent columns would.
    `full`: the same, but with the real `boat` and `body` (known only after the sinking).
    `blanks`: [[position, column], ...] cells to make missing, as a request with null does.
    `changes`: [[position, column, value], ...] grading mode's perturbed passengers (applied
    before `blanks`): the rows are then passengers that the shipped table does not hold.
    """
    import pandas as pd

    data = _data()
    part = data.loc[rows].drop(columns=[TARGET]).reset_index(drop=True)
    for column in part.columns:
        if column not in FEATURES and not (variant == "full" and column in LEAKS):
            part[column] = data[column].iloc[:0].reindex(part.index)  # all missing, same dtype
    for position, column, value in changes or []:
        part.loc[position, column] = np.nan if value is None else value
    for position, column in blanks or []:
        part.loc[position, column] = np.nan
    wanted = _columns_of(pipeline)
    if wanted is None:
        return part[FEATURES]
    for column in wanted:
        if column not in part.columns:
            part[column] = pd.Series(np.nan, index=part.index)
    return part[wanted]


def _predictions(pipeline, frame) -> dict:
    proba = np.asarray(pipeline.predict_proba(frame), dtype=float)
    labels = np.asarray(pipeline.predict(frame)).tolist()
    classes = np.asarray(getattr(pipeline, "classes_", [0, 1])).tolist()
    if 1 not in classes or proba.ndim != 2 or proba.shape != (len(frame), len(classes)):
        raise ValueError(f"predict_proba returned shape {proba.shape} for classes {classes}; "
                         "expected one column per class, with class 1 = survived")
    return {"survived": [int(v) for v in labels],
            "probability": proba[:, classes.index(1)].tolist()}


def predict(child, rows: list[int], variant: str = "serving", blanks: list | None = None,
            changes: list | None = None) -> dict:
    """In-process predictions of the kept pipeline for held-out rows."""
    pipeline = _state["pipeline"]
    return _predictions(pipeline, _frame(pipeline, rows, variant, blanks, changes))


# --- saving and loading -----------------------------------------------------------------------

def save(child, model_dir: str, metrics: dict) -> None:
    child.function("save_model")(_state["pipeline"], model_dir, metrics)


def compare_loaded(child, model_dir: str, rows: list[int]) -> dict:
    """load_model(model_dir), then predict the rows with it and with the trained pipeline."""
    loaded = child.function("load_model")(model_dir)
    if not callable(getattr(loaded, "predict_proba", None)):
        raise TypeError("load_model(model_dir) must return the pipeline (an object with "
                        f"predict_proba), but it returned {type(loaded).__name__}")
    return {"loaded": _predictions(loaded, _frame(loaded, rows, "serving")),
            "trained": predict(child, rows)}


def try_load(child, model_dir: str) -> dict:
    """Did load_model(model_dir) refuse? Returns the error as plain data."""
    try:
        loaded = child.function("load_model")(model_dir)
    except LookupError:
        raise
    except Exception as exc:  # refusing is the point: any exception counts as a refusal
        return {"raised": True, **_describe(exc)}
    return {"raised": False, "returned": type(loaded).__name__}


# --- serving ----------------------------------------------------------------------------------

def serve(child, model_dir: str) -> dict:
    """create_app(model_dir), served on 127.0.0.1 by a threaded WSGI server in this child."""
    from werkzeug.serving import make_server

    app = child.function("create_app")(model_dir)
    if not callable(app):
        raise TypeError(f"create_app(model_dir) must return the Flask app, but it returned "
                        f"{type(app).__name__}")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request in the log
    old = _state.pop("server", None)
    if old is not None:
        old.shutdown()
    from autograder.sandboxed.flask_server import listen_fd

    server = make_server("127.0.0.1", 0, app, threaded=True, fd=listen_fd())
    # shutdown() (a second serve, or the in-process test harness) waits up to one poll:
    # 0.05 s, not serve_forever's default 0.5 s
    threading.Thread(target=server.serve_forever, args=(0.05,), name="grader-http",
                     daemon=True).start()
    _state["server"] = server
    return {"port": server.socket.getsockname()[1], "pid": os.getpid()}


# --- the clean child --------------------------------------------------------------------------

def audit(child, path: str, trusted: list[str]) -> dict:
    """What the skops file at `path` holds, and whether it loads trusting only `trusted`.

    Runs in a child that holds no student code. get_untrusted_types reads the file's schema
    without building any object; load builds them, refusing every type outside `trusted`.
    """
    import skops.io as sio

    untrusted = [str(t) for t in sio.get_untrusted_types(file=path)]
    unknown = [t for t in untrusted if t not in trusted]
    result = {"untrusted": untrusted, "unknown": unknown, "loaded": None}
    if not unknown:
        obj = sio.load(path, trusted=[t for t in untrusted if t in trusted])
        result["loaded"] = f"{type(obj).__module__}.{type(obj).__qualname__}"
        result["predicts"] = callable(getattr(obj, "predict_proba", None))
    return result


def reference_pipeline():
    """The grader's own pipeline (the one the notebook documents): grading mode scores a
    submission by how often it agrees with this one on passengers no table holds."""
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder

    prepare = ColumnTransformer([
        ("numeric", SimpleImputer(strategy="median"), ["pclass", "age", "sibsp", "parch", "fare"]),
        ("categorical", make_pipeline(SimpleImputer(strategy="most_frequent"),
                                      OneHotEncoder(handle_unknown="ignore")), ["sex", "embarked"]),
    ])
    model = HistGradientBoostingClassifier(max_depth=3, learning_rate=0.05, random_state=0)
    return Pipeline([("prepare", prepare), ("model", model)])


def reference(child, train_index: list[int], test_index: list[int], changes: list) -> dict:
    """The reference pipeline's predictions (clean child: no student code)."""
    frame = _data().loc[train_index].reset_index(drop=True)
    pipeline = reference_pipeline().fit(frame[FEATURES], frame[TARGET])
    return _predictions(pipeline, _frame(pipeline, test_index, "serving", None, changes))


def make_untrusted(child, path: str) -> str:
    """Write a skops file whose pipeline references os.system; return that type's name."""
    import skops.io as sio
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    sio.dump(make_pipeline(FunctionTransformer(os.system), LogisticRegression()), path)
    return f"{os.system.__module__}.{os.system.__name__}"


# --- the grader's split (also imported by the grader) -----------------------------------------

SPLIT_SEEDS = (0, 1, 2)  # the first split is the main one: its model is saved and served
TEST_FRACTION = 0.25


def perturbed(data, rng) -> dict[int, dict]:
    """Grading mode's passengers: {row: {column: new value}} for every row of `data` (the
    shipped table), drawn with `rng` (a random.Random from the key). Each passenger keeps class,
    sex and family counts; a known age moves by up to 4 years (0.5 steps, at least 0.5), a
    known fare by -20 % to +20 % (0.01 steps, rounded from a non-zero base), and one in eight
    embarks at another port. No perturbed passenger is a row of the table, so a label looked
    up there is not the label the grader scores against (the reference pipeline's)."""
    ports = ["C", "Q", "S"]
    out: dict[int, dict] = {}
    ages, fares, embarked = data["age"].tolist(), data["fare"].tolist(), data["embarked"].tolist()
    for row in range(len(data)):
        change: dict = {}
        age, fare, port = ages[row], fares[row], embarked[row]
        if not math.isnan(age):
            step = rng.choice([-8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8]) / 2
            change["age"] = max(0.5, round(float(age) * 2) / 2 + step)
        if not math.isnan(fare):
            base = float(fare) if fare > 0 else rng.uniform(5, 15)
            change["fare"] = round(base * rng.uniform(0.8, 1.2), 2)
        if isinstance(port, str) and rng.random() < 0.125:
            change["embarked"] = rng.choice([p for p in ports if p != port])
        out[row] = change
    return out


def holdout_split(labels, seed: int, test_fraction: float = TEST_FRACTION):
    """Stratified train/test row positions for 0/1 `labels`, the same in every process."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    test: list[int] = []
    for label in (0, 1):
        rows = np.flatnonzero(labels == label)
        rng.shuffle(rows)
        test += rows[: round(len(rows) * test_fraction)].tolist()
    test_set = set(test)
    train = [i for i in range(len(labels)) if i not in test_set]
    return train, sorted(test)
