"""Checks for topic 04: serving a scikit-learn model as a REST API.

The notebook defines train(df), save_model(pipeline, model_dir, metrics), load_model(model_dir)
and create_app(model_dir). The grader holds out a quarter of the passengers (a fixed,
stratified split the notebook never sees) and, inside the sandbox child, trains with the
student's train() on the rest, saves into a scratch folder and serves create_app(model_dir)
on 127.0.0.1. Then it judges plain data only:

- predictions the pipeline makes in-process (lists of numbers a helper returns), scored
  against labels only the grader holds;
- the saved files' bytes and metadata.json, and what a *clean* child (no notebook code)
  finds in the skops file;
- real HTTP exchanges with the running app.

The grader's own process never loads the submitted model. Each check isolates one rule.

Practice mode (no key) holds out the fixed splits SPLIT_SEEDS and scores against the shipped
`survived`. Grading mode draws from the key: the three splits (64-bit seeds), the passengers
(every held-out passenger is perturbed, see `sandboxed.serving.perturbed`: age, fare and
sometimes the port change, so none is a row of the shipped table), which of them the skew,
prediction and validation checks send, and the order of the cases. The accuracy checks then
score agreement with the grader's reference pipeline (`sandboxed.serving.reference`, trained in
a clean child on the same rows) on those passengers: a label looked up in `load_titanic()`
agrees with it about 80 % of the time, below MIN_AGREEMENT, while honest models agree 87-100 %.
"""

from __future__ import annotations

import hashlib
import http.client
import importlib.metadata
import json
import random
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pytest

from autograder.checking import CheckFailed, check, short
from autograder.http_api import overall_deadline
from autograder.sandboxed.serving import (
    FEATURES,
    SPLIT_SEEDS,
    TARGET,
    holdout_split,
    perturbed,
)
from autograder.sandbox import Sandbox
from autograder.submission import read_student_file
from week4.data import load_titanic
from week4.trust import TRUSTED_TYPES

TOPIC = "04-serving"
DOCS = "docs/topics/04-serving.md"
HELPERS = "autograder.sandboxed.serving"

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
FEATURE_TYPES = {"pclass": "integer", "sex": "string", "age": "number", "sibsp": "integer",
                 "parch": "integer", "fare": "number", "embarked": "string"}
MIN_ACCURACY = 0.77
IMPLAUSIBLE_ACCURACY = 0.90   # honest models on these 7 features score about 0.75 to 0.85
USEFUL_ACCURACY = 0.70        # "everyone died" scores 0.62; leakage is judged on a real model
# Grading mode: agreement with the reference pipeline on perturbed passengers. A logistic
# regression agrees 0.87-0.94, labels memorised from load_titanic() 0.77-0.83, "everyone
# died" about 0.69.
MIN_AGREEMENT = 0.85
USEFUL_AGREEMENT = 0.75
MAX_BATCH = 10_000
SKEW_ROWS = 300
TOLERANCE = 1e-9              # JSON carries a float exactly; only rounding would differ
FIT_TIMEOUT = 20.0            # train(df) on ~980 rows; documented in the notebook
CALL_TIMEOUT = 30.0
HTTP_TIMEOUT = 10.0
BATCH_TIMEOUT = 30.0
MAX_RESTARTS = 2
MAX_FILE_BYTES = 1 << 20      # metadata.json larger than this is not metadata
MAX_FOLDER_BYTES = 200 << 20  # a model folder the grader is willing to copy
MAX_RESPONSE_BYTES = 64 << 20


# --- talking to the app ------------------------------------------------------------------------

@dataclass
class Response:
    status: int
    body: bytes
    content_type: str

    @property
    def data(self):
        """The parsed JSON body, or None when the body is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def show(self) -> str:
        text = self.body.decode("utf-8", "replace").strip().replace("\n", " ")
        return f"{self.status} {text[:240]}{'...' if len(text) > 240 else ''}"


def shown(payload, limit: int = 200) -> str:
    if isinstance(payload, bytes):
        text = payload.decode("utf-8", "replace")
    else:
        text = json.dumps(payload)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class Lab:
    """One graded submission: the trained model, its folder, the running app."""

    LEVELS = ("fit", "save", "serve")

    def __init__(self, nb):
        self.nb = nb
        self.data = load_titanic()
        self.labels = [int(v) for v in self.data[TARGET]]
        self.inputs = nb.inputs
        self.grading = nb.inputs.grading
        seeds = SPLIT_SEEDS
        self.jitter: dict[int, dict] = {}  # grading mode: {row: {column: perturbed value}}
        if self.grading:
            seeds = tuple(nb.inputs.rng("splits").getrandbits(64) for _ in SPLIT_SEEDS)
            self.jitter = perturbed(self.data, nb.inputs.rng("passengers"))
        self.splits = [holdout_split(self.labels, seed) for seed in seeds]
        self.train_rows, self.test_rows = self.splits[0]
        self.done: dict[str, dict] = {}
        self.failed: dict[str, CheckFailed] = {}
        self.pid: int | None = None
        self.restarts = 0
        self.timeouts = 0
        self.cache: dict = {}
        self._clean: Sandbox | None = None

    def close(self) -> None:
        if self._clean is not None:
            self._clean.close()

    # -- the steps every later check builds on -------------------------------------------------
    def ready(self, level: str) -> dict:
        """Train, save and serve as far as `level` needs, once (again only if the child died)."""
        self._notice_restart()
        info: dict = {}
        for step in self.LEVELS[: self.LEVELS.index(level) + 1]:
            if step in self.failed:
                raise self.failed[step].with_traceback(None)  # the old traceback only grows
            if step not in self.done:
                try:
                    self.done[step] = getattr(self, f"_{step}")()
                except CheckFailed as exc:
                    self.failed[step] = exc
                    raise
                if self.pid is None and self.nb.sandbox.proc is not None:
                    self.pid = self.nb.sandbox.proc.pid
            info.update(self.done[step])
        return info

    def _notice_restart(self) -> None:
        proc = self.nb.sandbox.proc
        if proc is not None and proc.poll() is not None:
            self.nb.sandbox.kill()  # it exited on its own (os._exit in a handler?)
            proc = None
        if self.pid is not None and (proc is None or proc.pid != self.pid):
            # A fresh child has none of the state, and its working folder was copied anew.
            self.restarts += 1
            self.pid = None
            self.done.clear()
            self.cache.clear()
            if self.restarts > MAX_RESTARTS:
                error = CheckFailed("the notebook's process died again and again during grading "
                                    "(os._exit, sys.exit in a request, or a crash?)")
                self.failed.update({step: error for step in self.LEVELS})

    def _fit(self) -> dict:
        return self.nb.helper(f"{HELPERS}:fit", self.train_rows, timeout=FIT_TIMEOUT,
                              shown="train(df)")

    def _save(self) -> dict:
        model_dir = self.nb.workdir / f"grader-model-{uuid.uuid4().hex[:8]}"
        self.metrics = {"accuracy": self.main_accuracy(), "n_validation": len(self.test_rows),
                        "validated_on": "the grader's held-out split"}
        self.nb.helper(f"{HELPERS}:save", str(model_dir), self.metrics, timeout=CALL_TIMEOUT,
                       shown="save_model(pipeline, model_dir, metrics)")
        return {"model_dir": model_dir}

    def _serve(self) -> dict:
        model_dir = self.done["save"]["model_dir"]
        return self.nb.helper(f"{HELPERS}:serve", str(model_dir), timeout=CALL_TIMEOUT,
                              shown="create_app(model_dir)")

    def main_accuracy(self) -> float | None:
        try:
            got = self.predict(self.test_rows)
            return accuracy(got["survived"], self.truth(0))
        except CheckFailed:
            return None

    # -- grading mode's inputs -----------------------------------------------------------------
    def changes(self, rows: list[int]) -> list:
        """[[position, column, value], ...]: the perturbed passengers at these positions."""
        return [[pos, column, value] for pos, row in enumerate(rows)
                for column, value in self.jitter.get(row, {}).items()]

    def draw(self, what: str):
        """A random.Random for one of grading mode's choices (None in practice mode)."""
        return self.inputs.rng(what) if self.grading else None

    def truth(self, split: int) -> list[int]:
        """What the held-out passengers of split `split` are scored against: the shipped
        labels (practice), or the reference pipeline's predictions for the perturbed
        passengers (grading), computed in a clean child."""
        train_rows, test_rows = self.splits[split]
        if not self.grading:
            return [self.labels[i] for i in test_rows]
        key = ("truth", split)
        if key not in self.cache:
            self.cache[key] = self.clean(
                "reference", train_rows, test_rows, self.changes(test_rows),
                shown_as="the grader's reference pipeline")["survived"]
        return self.cache[key]

    # -- in-process predictions ----------------------------------------------------------------
    def predict(self, rows: list[int], variant: str = "serving", blanks=None,
                shipped: bool = False) -> dict:
        """The kept pipeline's predictions; grading mode's passengers are perturbed unless
        `shipped` (the rows as the shipped table holds them)."""
        key = ("predict", tuple(rows), variant, json.dumps(blanks), shipped)
        if key not in self.cache:
            self.ready("fit")
            extra = (self.changes(rows),) if self.jitter and not shipped else ()
            got = self.nb.helper(f"{HELPERS}:predict", rows, variant, blanks, *extra,
                                 timeout=CALL_TIMEOUT, shown="pipeline.predict_proba(...)")
            self.cache[key] = got
        return self.cache[key]

    # -- HTTP ------------------------------------------------------------------------------------
    def http(self, method: str, path: str, payload=None, raw: bytes | None = None,
             timeout: float = HTTP_TIMEOUT) -> Response:
        port = self.ready("serve")["port"]
        if self.timeouts >= 2:
            raise CheckFailed("not tried: the app stopped answering earlier (two requests got "
                              "no answer in time)")
        remaining = self.nb.deadline - time.monotonic()
        if remaining <= 1:
            raise CheckFailed("grading time for this topic is used up (earlier requests timed out)")
        limit = min(timeout, remaining)
        body = raw if raw is not None else (None if payload is None else
                                            json.dumps(payload).encode("utf-8"))
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=limit)
        expired = None
        try:
            with overall_deadline(conn, limit) as expired:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read(MAX_RESPONSE_BYTES + 1)
            if expired.is_set():
                raise TimeoutError()  # cut by the overall deadline
            if len(data) > MAX_RESPONSE_BYTES:
                raise CheckFailed(f"{method} {path} answered with more than 64 MB")
            return Response(resp.status, data, resp.getheader("Content-Type", ""))
        except TimeoutError:
            self.timeouts += 1
            raise CheckFailed(f"{method} {path} got no answer within {limit:.0f} s "
                              "(an endless loop in the view?)") from None
        except (OSError, http.client.HTTPException) as exc:
            if expired is not None and expired.is_set():
                self.timeouts += 1
                raise CheckFailed(f"{method} {path} got no complete answer within {limit:.0f} s "
                                  "(an answer trickled byte by byte?)") from None
            raise CheckFailed(f"{method} {path} got no HTTP answer ({type(exc).__name__}: {exc}); "
                              "did the app's process exit?") from None
        finally:
            conn.close()

    # -- a child with no student code, for looking inside model files ----------------------------
    def clean(self, helper: str, *args, shown_as: str):
        """Run a helper in a sandbox with no student code. It sees none of the submission's
        files: the grader copies a file into `clean_file(...)`, and copies out what it writes."""
        self._start_clean()
        remaining = self.nb.deadline - time.monotonic()
        if remaining <= 1:
            raise CheckFailed("grading time for this topic is used up")
        reply = self._clean.helper(f"{HELPERS}:{helper}", *args, timeout=min(60.0, remaining))
        if not reply.ok:
            raise CheckFailed(f"{shown_as} {reply.explain()}")
        return reply.value

    def _start_clean(self) -> None:
        if self._clean is None:
            self._clean = Sandbox([], None, timeout=60.0)
            (self._clean.scratch / "io").mkdir()  # the clean sandbox's own writable folder
            self._clean.start()

    def clean_file(self, name: str, source: Path | None = None) -> Path:
        """A path in the clean sandbox's own folder; with `source`, a copy of that file."""
        self._start_clean()
        path = self._clean.scratch / "io" / name
        if source is not None:  # the bytes only, never through a link
            path.write_bytes(read_student_file(Path(source).parent, Path(source)) or b"")
        return path

    # -- passengers as requests ------------------------------------------------------------------
    def record(self, row: int, blanked=()) -> dict:
        r = self.data.loc[row]
        moved = self.jitter.get(row, {})

        def value(name, kind):
            v = moved.get(name, r[name])
            return None if name in blanked or pd.isna(v) else kind(v)

        return {"pclass": int(r["pclass"]), "sex": str(r["sex"]), "age": value("age", float),
                "sibsp": int(r["sibsp"]), "parch": int(r["parch"]), "fare": value("fare", float),
                "embarked": value("embarked", str)}

    def skew_set(self):
        """300 held-out passengers, then 24 of them again with fields set to null."""
        if "skew_set" not in self.cache:
            self.cache["skew_set"] = self._skew_set()
        return self.cache["skew_set"]

    def _skew_set(self):
        rows = self.test_rows[:SKEW_ROWS]
        extra = self.test_rows[:24]
        rng = self.draw("skew")
        if rng is not None:
            rows = rng.sample(self.test_rows, min(SKEW_ROWS, len(self.test_rows)))
            extra = rng.sample(rows, 24)
        patterns = [("age",), ("fare",), ("embarked",), ("age", "embarked"),
                    ("age", "fare", "embarked"), ("embarked",)]
        blanks, records = [], [self.record(r) for r in rows]
        for i, row in enumerate(extra):
            fields = patterns[i % len(patterns)]
            blanks += [[len(rows) + i, f] for f in fields]
            records.append(self.record(row, fields))
        return rows + extra, blanks, records

    def singles(self) -> list[Response]:
        """POST /predict for each passenger of the skew set (asked once, shared by checks)."""
        if "singles" not in self.cache:
            _, _, records = self.skew_set()
            self.cache["singles"] = [self.http("POST", "/predict", r) for r in records]
        return self.cache["singles"]


@pytest.fixture(scope="module")
def lab(nb):
    lab = Lab(nb)
    yield lab
    lab.close()


def accuracy(predicted: list, truth: list) -> float:
    return sum(int(p == t) for p, t in zip(predicted, truth)) / len(truth)


def sha256_of(path: Path) -> str:
    data = read_student_file(Path(path).parent, Path(path))  # never through a link
    return hashlib.sha256(data or b"").hexdigest()


def regular_file(path: Path, what: str) -> Path:
    """`path`, if it is a plain file: the grader never follows links out of the folder."""
    if path.is_symlink() or path.parent.is_symlink():
        raise CheckFailed(f"{what} or model_dir is a symbolic link; save_model must write real "
                          "files into the folder it is given")
    if not path.is_file():
        found = sorted(p.name for p in path.parent.iterdir()) if path.parent.is_dir() else \
            "no model_dir at all"
        raise CheckFailed(f"save_model did not write {what} into model_dir",
                          expected=sorted([MODEL_FILE, METADATA_FILE]), found=found)
    return path


def valid_prediction(data) -> bool:
    if not isinstance(data, dict) or set(data) != {"survived", "probability"}:
        return False
    survived, probability = data["survived"], data["probability"]
    return (type(survived) is int and survived in (0, 1)
            and type(probability) in (int, float) and 0.0 <= probability <= 1.0)


PREDICTION_SHAPE = ('{"survived": 0 or 1, "probability": a number in [0, 1]} '
                    "with no other keys")


# --- the model ------------------------------------------------------------------------------------

@check("train-accuracy", points=3, docs=f"{DOCS}#train",
       hint="Put every preprocessing step inside one Pipeline (ColumnTransformer with imputers "
            "and OneHotEncoder, then a classifier) and train on the 7 features. Tree ensembles "
            "such as HistGradientBoostingClassifier reach about 0.80.")
def test_train_accuracy(lab):
    scores = []
    main = lab.predict(lab.test_rows)
    scores.append(accuracy(main["survived"], lab.truth(0)))
    for split, (train_rows, test_rows) in enumerate(lab.splits[1:], start=1):
        extra = (lab.changes(test_rows),) if lab.grading else ()
        got = lab.nb.helper(f"{HELPERS}:fit_more", train_rows, test_rows, *extra,
                            timeout=FIT_TIMEOUT, shown="train(df) on another split")
        scores.append(accuracy(got["survived"], lab.truth(split)))
    mean = sum(scores) / len(scores)
    if lab.grading and mean < MIN_AGREEMENT:
        raise CheckFailed(
            f"the pipeline train(df) returns agrees with the grader's reference pipeline for "
            f"{mean:.1%} of held-out passengers it has not seen, below {MIN_AGREEMENT:.0%}",
            expected=f">= {MIN_AGREEMENT}", found=round(mean, 3), hidden=True)
    if not lab.grading and mean < MIN_ACCURACY:
        raise CheckFailed(
            f"the pipeline train(df) returns is right for {mean:.1%} of held-out passengers "
            f"(mean of {len(scores)} hidden splits: {', '.join(f'{s:.3f}' for s in scores)}), "
            f"below {MIN_ACCURACY:.0%}; they were sent as a request carries them: 7 features, "
            "no boat or body", expected=f">= {MIN_ACCURACY}", found=round(mean, 3))


@check("no-leakage", points=2, docs=f"{DOCS}#leakage",
       hint="Train on the 7 features only. `boat` and `body` were written down after the "
            "sinking: a model that uses them looks brilliant in validation and is useless for "
            "a passenger who has not sailed yet.")
def test_no_leakage(lab):
    info = lab.ready("fit")
    if TARGET in (info.get("columns") or []):
        raise CheckFailed("the pipeline takes `survived` itself as an input column: drop the "
                          "target from X before fitting")
    rows = lab.test_rows
    serving = lab.predict(rows, "serving")
    full = lab.predict(rows, "full")
    changed = [i for i in range(len(rows))
               if serving["survived"][i] != full["survived"][i]
               or abs(serving["probability"][i] - full["probability"][i]) > 1e-12]
    if changed:
        raise CheckFailed(
            f"the predictions change for {len(changed)} of {len(rows)} held-out passengers when "
            "the pipeline is also given their real `boat` and `body`: it uses columns recorded "
            "after the sinking (target leakage)",
            expected="the same predictions with or without boat/body", found=f"{len(changed)} differ")
    if lab.grading:  # implausible on the shipped rows; useful on the perturbed passengers
        shipped = lab.predict(rows, "serving", shipped=True)
        if accuracy(shipped["survived"], [lab.labels[i] for i in rows]) > IMPLAUSIBLE_ACCURACY:
            raise CheckFailed("held-out accuracy is implausibly high for these 7 features: the "
                              "model must be using information about the outcome", hidden=True)
        if accuracy(serving["survived"], lab.truth(0)) < USEFUL_AGREEMENT:
            raise CheckFailed("the model hardly learned anything, so leakage cannot be judged",
                              hidden=True)
        return
    score = accuracy(serving["survived"], [lab.labels[i] for i in rows])
    if score > IMPLAUSIBLE_ACCURACY:
        raise CheckFailed(
            f"held-out accuracy {score:.3f} is implausibly high for these 7 features (honest "
            "models score about 0.75 to 0.85): the model must be using information about the "
            "outcome", expected=f"<= {IMPLAUSIBLE_ACCURACY}", found=round(score, 3))
    if score < USEFUL_ACCURACY:
        raise CheckFailed(
            f"held-out accuracy is {score:.3f}, hardly better than predicting that everyone "
            "died (0.62): leakage can only be judged for a model that learned something",
            expected=f">= {USEFUL_ACCURACY}", found=round(score, 3))


# --- saving and loading ---------------------------------------------------------------------------

def read_metadata(model_dir: Path) -> dict:
    path = regular_file(model_dir / METADATA_FILE, METADATA_FILE)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CheckFailed(f"{METADATA_FILE} is larger than 1 MB; it should hold a few fields")
    try:
        meta = json.loads((read_student_file(model_dir, path) or b"").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckFailed(f"{METADATA_FILE} is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise CheckFailed(f"{METADATA_FILE} must hold a JSON object", found=meta)
    return meta


def model_file(model_dir: Path) -> Path:
    return regular_file(model_dir / MODEL_FILE, MODEL_FILE)


@check("save-metadata", points=2, docs=f"{DOCS}#metadata",
       hint="metadata.json holds model_file, sha256 (hashlib.sha256 of the model file's bytes), "
            "sklearn_version (sklearn.__version__), trained_at (datetime.now(timezone.utc)"
            ".isoformat()), features ([{'name': ..., 'type': ...}] in FEATURES order) and the "
            "metrics you were given.")
def test_save_metadata(lab):
    model_dir = lab.ready("save")["model_dir"]
    path = model_file(model_dir)
    meta = read_metadata(model_dir)
    missing = [k for k in ("model_file", "sha256", "sklearn_version", "trained_at", "features",
                           "metrics") if k not in meta]
    if missing:
        raise CheckFailed(f"{METADATA_FILE} lacks the keys {missing}", found=sorted(meta))
    if meta["model_file"] != MODEL_FILE:
        raise CheckFailed("metadata 'model_file' is not the model's file name",
                          expected=MODEL_FILE, found=meta["model_file"])
    if meta["sha256"] != sha256_of(path):
        raise CheckFailed(f"metadata 'sha256' is not the SHA-256 of {MODEL_FILE}'s bytes",
                          expected=sha256_of(path), found=meta["sha256"])
    version = importlib.metadata.version("scikit-learn")
    if meta["sklearn_version"] != version:
        raise CheckFailed("metadata 'sklearn_version' is not the installed scikit-learn version",
                          expected=version, found=meta["sklearn_version"])
    try:
        when = datetime.fromisoformat(str(meta["trained_at"]))
    except ValueError:
        raise CheckFailed("metadata 'trained_at' is not an ISO 8601 date and time",
                          expected="e.g. '2024-05-01T09:30:00+00:00'", found=meta["trained_at"]) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if abs(datetime.now(timezone.utc) - when) > timedelta(days=1):
        raise CheckFailed("metadata 'trained_at' is not the time save_model ran",
                          expected="now", found=meta["trained_at"])
    features = [{"name": n, "type": FEATURE_TYPES[n]} for n in FEATURES]
    if meta["features"] != features:
        raise CheckFailed("metadata 'features' is not the list of feature names and types",
                          expected=features, found=meta["features"])
    if meta["metrics"] != lab.metrics:
        raise CheckFailed("metadata 'metrics' is not the metrics dict save_model was given",
                          expected=lab.metrics, found=meta["metrics"])


@check("save-skops", points=2, docs=f"{DOCS}#serialization",
       hint="Save with skops.io.dump(pipeline, path): a skops file is a zip of JSON and arrays, "
            "and loading it builds only types you trust. pickle and joblib run code on load.")
def test_save_skops(lab):
    model_dir = lab.ready("save")["model_dir"]
    path = model_file(model_dir)
    if not zipfile.is_zipfile(path):
        raise CheckFailed(f"{MODEL_FILE} is not a skops file (a skops file is a zip archive; "
                          f"this one starts with {(read_student_file(path.parent, path) or b'')[:8]!r}: "
                          "pickle or joblib?)")
    audit = lab.clean("audit", str(lab.clean_file(MODEL_FILE, path)), TRUSTED_TYPES,
                      shown_as=f"reading {MODEL_FILE} with skops.io in a clean process")
    if audit["unknown"]:
        raise CheckFailed(f"{MODEL_FILE} needs types outside the course's allow-list "
                          "(week4.trust.TRUSTED_TYPES) to load",
                          expected=f"a subset of {TRUSTED_TYPES}", found=audit["unknown"])
    if not audit.get("predicts"):
        raise CheckFailed(f"{MODEL_FILE} loads, but into a {audit['loaded']}, which has no "
                          "predict_proba: save the fitted pipeline itself")


def try_load(lab, model_dir: Path, what: str) -> dict:
    return lab.nb.helper(f"{HELPERS}:try_load", str(model_dir), timeout=CALL_TIMEOUT,
                         shown=f"load_model({what})")


def copy_model_dir(lab, suffix: str) -> Path:
    model_dir = lab.ready("save")["model_dir"]
    model_file(model_dir)
    read_metadata(model_dir)
    size = sum(p.lstat().st_size for p in model_dir.rglob("*"))
    if size > MAX_FOLDER_BYTES:
        raise CheckFailed(f"model_dir holds {size >> 20} MB; a Titanic model needs far less")
    target = model_dir.parent / f"{model_dir.name}-{suffix}"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(model_dir, target, symlinks=True)  # links stay links: never followed
    return target


def untouched_loads(lab) -> None:
    """load_model must accept an unchanged copy, or refusing a bad one proves nothing."""
    if "untouched" not in lab.cache:
        lab.cache["untouched"] = try_load(lab, copy_model_dir(lab, "copy"), "a copy of model_dir")
    got = lab.cache["untouched"]
    if got["raised"]:
        raise CheckFailed(f"could not test this rule because load_model refuses even an unchanged "
                          f"copy of the saved folder: it "
                          f"raised {got.get('type')}: {short(got.get('message'))}")


@check("load-roundtrip", points=1, docs=f"{DOCS}#serialization",
       hint="load_model(model_dir) returns skops.io.load(path, trusted=...) after the checks: "
            "the very pipeline that was saved.")
def test_load_roundtrip(lab):
    model_dir = lab.ready("save")["model_dir"]
    model_file(model_dir)  # what is loaded must come from the files save_model wrote
    rows = lab.test_rows[:100]
    got = lab.nb.helper(f"{HELPERS}:compare_loaded", str(model_dir), rows, timeout=CALL_TIMEOUT,
                        shown="load_model(model_dir)")
    loaded, trained = got["loaded"], got["trained"]
    for i in range(len(rows)):
        if loaded["survived"][i] != trained["survived"][i] or \
                abs(loaded["probability"][i] - trained["probability"][i]) > TOLERANCE:
            raise CheckFailed("the pipeline load_model returns predicts differently from the one "
                              "that was saved", expected=trained["probability"][i],
                              found=loaded["probability"][i], hidden=True)


def tamper(path: Path) -> None:
    """Change the file's bytes while keeping it a valid file of its kind."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path, "a") as archive:
            archive.comment = b"changed after saving"
    else:
        with open(path, "ab") as fh:  # pickle and joblib ignore bytes after the end
            fh.write(b"\nchanged after saving\n")


@check("load-rejects-tampered", points=2, docs=f"{DOCS}#integrity",
       hint="Before loading, compare hashlib.sha256 of the model file's bytes with the sha256 "
            "in metadata.json, and raise if they differ.")
def test_load_rejects_tampered(lab):
    untouched_loads(lab)
    target = copy_model_dir(lab, "tampered")
    tamper(model_file(target))
    got = try_load(lab, target, "a copy whose model file was changed after saving")
    if not got["raised"]:
        raise CheckFailed(f"load_model loaded a {MODEL_FILE} whose bytes no longer match the "
                          f"sha256 in {METADATA_FILE} (the grader changed the file; it still "
                          "loads, so only the hash check can notice)",
                          expected="an exception", found=f"returned a {got.get('returned')}")


@check("load-rejects-untrusted", points=2, docs=f"{DOCS}#serialization",
       hint="Ask skops.io.get_untrusted_types(file=path) first; raise, naming them, if any is "
            "not in TRUSTED_TYPES. Never pass the whole list it returns as `trusted`.")
def test_load_rejects_untrusted(lab):
    untouched_loads(lab)
    target = copy_model_dir(lab, "untrusted")
    meta = read_metadata(target)
    made = lab.clean_file(f"untrusted-{uuid.uuid4().hex[:8]}.skops")
    evil = lab.clean("make_untrusted", str(made),
                     shown_as="writing a model file that references os.system")
    shutil.copyfile(made, target / MODEL_FILE)
    meta["sha256"] = sha256_of(target / MODEL_FILE)  # the hash matches: only the types are wrong
    (target / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    got = try_load(lab, target, "a folder whose model references os.system")
    if not got["raised"]:
        raise CheckFailed(f"load_model loaded a model file that references {evil} (a pipeline "
                          "with FunctionTransformer(os.system)): it trusts types it should refuse",
                          expected="an exception naming the untrusted type",
                          found=f"returned a {got.get('returned')}")
    if evil not in str(got.get("message", "")):
        raise CheckFailed(f"load_model raised, but not because of the untrusted type {evil}: "
                          f"{got.get('type')}: {short(got.get('message'))}",
                          expected=f"an error message that names {evil}")


# --- the HTTP API ---------------------------------------------------------------------------------

@check("http-health", points=1, docs=f"{DOCS}#health",
       hint="@app.get('/health') returns {'status': 'ok'}: a load balancer asks it to know the "
            "process is alive.")
def test_http_health(lab):
    resp = lab.http("GET", "/health")
    if resp.status != 200 or not isinstance(resp.data, dict) or resp.data.get("status") != "ok":
        raise CheckFailed("GET /health should answer 200 with JSON {\"status\": \"ok\"}",
                          expected='200 {"status": "ok"}', found=resp.show())


@check("http-model", points=1, docs=f"{DOCS}#health",
       hint="@app.get('/model') returns the metadata read from model_dir/metadata.json.")
def test_http_model(lab):
    model_dir = lab.ready("serve")["model_dir"]
    meta = read_metadata(model_dir)
    resp = lab.http("GET", "/model")
    if resp.status != 200 or resp.data != meta:
        raise CheckFailed("GET /model should answer 200 with the content of model_dir/"
                          f"{METADATA_FILE}", expected=meta, found=resp.show())


@check("http-predict", points=2, docs=f"{DOCS}#rest",
       hint="POST /predict answers 200 with exactly {'survived': int, 'probability': float}: "
            "cast NumPy values with int() and float() before jsonify.")
def test_http_predict(lab):
    rows = lab.test_rows[:3]
    rng = lab.draw("http-predict")
    if rng is not None:
        rows = rng.sample(lab.test_rows, 3)
    cases = [lab.record(r) for r in rows] + [lab.record(rows[0], ("age", "fare", "embarked"))]
    for record in cases:
        resp = lab.http("POST", "/predict", record)
        if resp.status != 200 or not valid_prediction(resp.data):
            raise CheckFailed(f"POST /predict {shown(record)} should answer 200 with "
                              f"{PREDICTION_SHAPE}; it answered {resp.show()}")
        if "json" not in resp.content_type:
            raise CheckFailed("POST /predict should answer with Content-Type application/json",
                              found=resp.content_type)


@check("api-matches-pipeline", points=3, docs=f"{DOCS}#skew",
       hint="The server must turn a request into exactly the DataFrame the pipeline was trained "
            "on (same columns, same dtypes, None as NaN) and add no preprocessing of its own; "
            "'probability' is predict_proba's column for class 1.")
def test_api_matches_pipeline(lab):
    rows, blanks, records = lab.skew_set()
    expected = lab.predict(rows, "serving", blanks)
    answers = lab.singles()
    wrong, flipped = [], 0
    for i, (record, resp) in enumerate(zip(records, answers)):
        if resp.status != 200 or not valid_prediction(resp.data):
            raise CheckFailed(f"POST /predict {shown(record)} should answer 200 with "
                              f"{PREDICTION_SHAPE}; it answered {resp.show()}")
        want_s, want_p = expected["survived"][i], expected["probability"][i]
        got = resp.data
        if got["survived"] != want_s or abs(got["probability"] - want_p) > TOLERANCE:
            wrong.append(i)
            flipped += abs(got["probability"] - (1 - want_p)) <= TOLERANCE
    if not wrong:
        return
    first = wrong[0]
    nulls = sum(1 for i in wrong if None in records[i].values())
    why = ""
    if flipped == len(wrong):
        why = ("; every wrong probability is 1 minus the right one: report the probability of "
               "survival (class 1), not of the predicted class or of class 0")
    elif nulls == len(wrong):
        why = ("; only passengers with null fields differ: the server treats missing values "
               "differently from training (None vs NaN, a dtype, or a value filled in)")
    want = {"survived": expected["survived"][first],
            "probability": expected["probability"][first]}
    raise CheckFailed(
        f"the API disagrees with the pipeline train(df) returned for {len(wrong)} of "
        f"{len(records)} held-out passengers{why}. First: POST /predict {shown(records[first])}"
        f" -> {answers[first].show()}", expected=want, found=answers[first].data, hidden=True)


# --- invalid input -------------------------------------------------------------------------------

def valid_record(lab) -> dict:
    """A valid passenger, the base of the invalid ones (grading mode: a drawn one)."""
    rng = lab.draw("valid-record")
    return lab.record(lab.test_rows[0] if rng is None else rng.choice(lab.test_rows))


def in_order(lab, what: str, cases) -> list:
    """The cases of a check, shuffled in grading mode."""
    rng = lab.draw(what)
    cases = list(cases)
    if rng is not None:
        rng.shuffle(cases)
    return cases


def expect_400(resp: Response, sent: str, field: str | None = None) -> None:
    """A 400 with {"error": "...", "details": {field: message}} (details named when known)."""
    data = resp.data
    if resp.status != 400 or not isinstance(data, dict) or not isinstance(data.get("error"), str):
        raise CheckFailed(f"{sent} should answer 400 with JSON {{\"error\": \"...\", "
                          f"\"details\": {{...}}}}; it answered {resp.show()}")
    if field is not None:
        details = data.get("details")
        keys = [str(k) for k in details] if isinstance(details, dict) else []
        if not any(k == field or k.split(".")[-1] == field for k in keys):
            raise CheckFailed(f"{sent} answered 400, but 'details' does not name the field "
                              f"{field!r}", expected={field: "what is wrong"}, found=details)


def accepts_valid(lab, path: str = "/predict") -> None:
    """The control of an error-path check: the same route accepts a valid request.

    Refusing bad input builds on accepting good input; an app that answers 400 to everything
    (a missing route, a body read as a form) has no validation to test."""
    key = f"accepts-valid {path}"
    if key not in lab.cache:
        record = valid_record(lab)
        body = record if path == "/predict" else {"passengers": [record]}
        resp = lab.http("POST", path, body)
        lab.cache[key] = (resp.status, f"POST {path} {shown(body)}", resp)
    status, sent, resp = lab.cache[key]
    if status != 200:
        raise CheckFailed(f"could not test this rule because {sent}, a valid request, is not "
                          f"accepted: it answered {resp.show()} instead of 200")


@check("invalid-missing", points=1, docs=f"{DOCS}#validation",
       hint="Every field is required (null is allowed for age, fare and embarked): let pydantic "
            "find the missing one and answer 400, instead of a KeyError or None reaching the model.")
def test_invalid_missing(lab):
    accepts_valid(lab)
    for field in in_order(lab, "invalid-missing", FEATURES):
        record = {k: v for k, v in valid_record(lab).items() if k != field}
        resp = lab.http("POST", "/predict", record)
        expect_400(resp, f"POST /predict without {field!r}: {shown(record)}", field)


INVALID_VALUES = [
    ("pclass", 4), ("pclass", "first"), ("pclass", None), ("sex", "M"), ("sex", None),
    ("age", -1), ("age", "twenty"), ("age", [22]), ("sibsp", -1), ("sibsp", 1.5),
    ("parch", "many"), ("parch", None), ("fare", -5.0), ("fare", {"gbp": 7}), ("embarked", "X"),
    ("embarked", "s"), ("embarked", 3),
]


@check("invalid-values", points=2, docs=f"{DOCS}#validation",
       hint="Declare each field's type and range in a pydantic model (Literal[1, 2, 3], "
            "Field(ge=0), Literal['C', 'Q', 'S'] | None, ...) and answer 400 with "
            "{'error': ..., 'details': {field: message}} on ValidationError.")
def test_invalid_values(lab):
    accepts_valid(lab)
    for field, value in in_order(lab, "invalid-values", INVALID_VALUES):
        record = {**valid_record(lab), field: value}
        resp = lab.http("POST", "/predict", record)
        expect_400(resp, f"POST /predict with {field}={json.dumps(value)}: {shown(record)}", field)


@check("invalid-extra", points=1, docs=f"{DOCS}#validation",
       hint="This API rejects unknown fields: model_config = ConfigDict(extra='forbid'). A typo "
            "such as 'Age' would otherwise be dropped without a word.")
def test_invalid_extra(lab):
    accepts_valid(lab)
    for extra, value in in_order(lab, "invalid-extra", [("cabin", "C85"), ("boat", "7"),
                                                        ("Age", 22)]):
        record = {**valid_record(lab), extra: value}
        resp = lab.http("POST", "/predict", record)
        expect_400(resp, f"POST /predict with the unknown field {extra!r}: {shown(record)}", extra)


@check("invalid-body", points=1, docs=f"{DOCS}#validation",
       hint="request.get_json(silent=True) returns None for a body that is not JSON; answer 400 "
            "with a JSON error then (Flask's own 400 page is HTML). A JSON list or string is "
            "not a passenger either.")
def test_invalid_body(lab):
    accepts_valid(lab)
    for raw in [b'{"pclass": 3, "sex": ', b"[1, 2, 3]", b'"a passenger"', b"", b"null", b"42"]:
        resp = lab.http("POST", "/predict", raw=raw)
        expect_400(resp, f"POST /predict with the body {raw!r} (Content-Type: application/json)")


@check("invalid-nonfinite", points=1, docs=f"{DOCS}#validation",
       hint="Python's JSON parser turns 1e999 into inf and accepts NaN; refuse both with "
            "Field(ge=0, allow_inf_nan=False).")
def test_invalid_nonfinite(lab):
    accepts_valid(lab)
    base = json.dumps({**valid_record(lab), "age": "AGE", "fare": "FARE"})
    for field, age, fare in in_order(lab, "invalid-nonfinite", [
            ("age", "1e999", "7.25"), ("fare", "22", "NaN"), ("fare", "22", "Infinity"),
            ("age", "-Infinity", "7.25")]):
        raw = base.replace('"AGE"', age).replace('"FARE"', fare).encode()
        resp = lab.http("POST", "/predict", raw=raw)
        expect_400(resp, f"POST /predict {raw.decode()}", field)


# --- batches -------------------------------------------------------------------------------------

@check("batch-order", points=2, docs=f"{DOCS}#batch",
       hint="POST /predict/batch {'passengers': [...]} answers {'predictions': [...]}, one per "
            "passenger, in the order they were sent: one DataFrame for the whole batch, one "
            "predict_proba call, no sorting or grouping.")
def test_batch_order(lab):
    rows, _, records = lab.skew_set()
    singles = lab.singles()
    order = list(range(len(records)))
    (lab.draw("batch-order") or random.Random(4)).shuffle(order)
    order = order[:200]
    if all(singles[i].status == 200 and valid_prediction(singles[i].data) for i in order):
        reference = [singles[i].data for i in order]
        source = "POST /predict for the same passenger"
    else:
        _, blanks, _ = lab.skew_set()
        expected = lab.predict(rows, "serving", blanks)
        reference = [{"survived": expected["survived"][i],
                      "probability": expected["probability"][i]} for i in order]
        source = "the pipeline, in-process"
    batch = [records[i] for i in order]
    resp = lab.http("POST", "/predict/batch", {"passengers": batch}, timeout=BATCH_TIMEOUT)
    data = resp.data
    sent = f"POST /predict/batch with {len(batch)} passengers"
    if resp.status != 200 or not isinstance(data, dict) or not isinstance(data.get("predictions"), list):
        raise CheckFailed(f"{sent} should answer 200 with {{\"predictions\": [...]}}; it "
                          f"answered {resp.show()}")
    got = data["predictions"]
    if len(got) != len(batch):
        raise CheckFailed(f"{sent} should return one prediction per passenger",
                          expected=len(batch), found=len(got))
    for k, (answer, want) in enumerate(zip(got, reference)):
        if not valid_prediction(answer):
            raise CheckFailed(f"{sent}: prediction {k} should be {PREDICTION_SHAPE}; it is "
                              f"{short(answer)}")
        if answer["survived"] != want["survived"] or \
                abs(answer["probability"] - want["probability"]) > TOLERANCE:
            raise CheckFailed(f"{sent}: prediction {k} is not the answer for passenger {k} "
                              f"({source}): predictions must come back in input order",
                              expected=want, found=answer, hidden=True)


def many(lab, n: int) -> list[dict]:
    if "pool" not in lab.cache:
        lab.cache["pool"] = [lab.record(r) for r in lab.test_rows]
    pool = lab.cache["pool"]
    return [pool[i % len(pool)] for i in range(n)]


@check("batch-limit", points=1, docs=f"{DOCS}#batch",
       hint=f"Accept up to {MAX_BATCH:,} passengers; for more, answer 413 (Payload Too Large) "
            "with a JSON error before validating them: a limit keeps one client from "
            "taking the server's memory and time.")
def test_batch_limit(lab):
    resp = lab.http("POST", "/predict/batch", {"passengers": many(lab, MAX_BATCH)},
                    timeout=BATCH_TIMEOUT)
    data = resp.data
    if resp.status != 200 or not isinstance(data, dict) or \
            not isinstance(data.get("predictions"), list) or len(data["predictions"]) != MAX_BATCH:
        raise CheckFailed(f"POST /predict/batch with exactly {MAX_BATCH:,} passengers (the "
                          "limit) should answer 200 with one prediction each; it answered "
                          f"{resp.show()}")
    over = MAX_BATCH + 1
    resp = lab.http("POST", "/predict/batch", {"passengers": many(lab, over)},
                    timeout=BATCH_TIMEOUT)
    if resp.status != 413 or not isinstance(resp.data, dict) or "error" not in resp.data:
        raise CheckFailed(f"POST /predict/batch with {over:,} passengers should answer 413 "
                          "with a JSON error", expected='413 {"error": "..."}', found=resp.show())


@check("batch-invalid", points=1, docs=f"{DOCS}#batch",
       hint="Validate the whole body with a pydantic model ({'passengers': list[Passenger]}) "
            "and answer 400 when it fails, naming the passenger and field in 'details'.")
def test_batch_invalid(lab):
    accepts_valid(lab, "/predict/batch")
    good = valid_record(lab)
    cases = [{"passengers": [good, {**good, "age": -3}]}, {"passengers": [good, "a passenger"]},
             {}, {"passengers": "everyone"}, [good]]
    for payload in cases:
        resp = lab.http("POST", "/predict/batch", payload)
        expect_400(resp, f"POST /predict/batch {shown(payload)}")
