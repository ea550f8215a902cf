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

from autograder.checking import N_, CheckFailed, check, messages, short
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
_ = messages(TOPIC)
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
# batch-order: a shuffled batch of skew-set passengers, each also asked alone (a sorting,
# grouping or set in the batch path shows in 64 as surely as in all 324)
BATCH_ORDER_ROWS = 64
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
            seeds = tuple(nb.inputs.rng("splits").getrandbits(64) for __ in SPLIT_SEEDS)
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
                error = CheckFailed(_("the notebook's process died again and again during "
                                      "grading (os._exit, sys.exit in a request, or a crash?)"))
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
                shown_as=_("the grader's reference pipeline"))["survived"]
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
            raise CheckFailed(_("not tried: the app stopped answering earlier (two requests "
                                "got no answer in time)"))
        remaining = self.nb.deadline - time.monotonic()
        if remaining <= 1:
            raise CheckFailed(_("grading time for this topic is used up (earlier requests "
                                "timed out)"))
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
                raise CheckFailed(_("{request} answered with more than 64 MB").format(
                    request=f"{method} {path}"))
            return Response(resp.status, data, resp.getheader("Content-Type", ""))
        except TimeoutError:
            self.timeouts += 1
            raise CheckFailed(_("{request} got no answer within {seconds} s (an endless loop "
                                "in the view?)").format(request=f"{method} {path}",
                                                        seconds=f"{limit:.0f}")) from None
        except (OSError, http.client.HTTPException) as exc:
            if expired is not None and expired.is_set():
                self.timeouts += 1
                raise CheckFailed(_("{request} got no complete answer within {seconds} s (an "
                                    "answer trickled byte by byte?)").format(
                    request=f"{method} {path}", seconds=f"{limit:.0f}")) from None
            raise CheckFailed(_("{request} got no HTTP answer ({error}); did the app's process "
                                "exit?").format(request=f"{method} {path}",
                                                error=f"{type(exc).__name__}: {exc}")) from None
        finally:
            conn.close()

    # -- a child with no student code, for looking inside model files ----------------------------
    def clean(self, helper: str, *args, shown_as: str):
        """Run a helper in a sandbox with no student code. It sees none of the submission's
        files: the grader copies a file into `clean_file(...)`, and copies out what it writes."""
        self._start_clean()
        remaining = self.nb.deadline - time.monotonic()
        if remaining <= 1:
            raise CheckFailed(_("grading time for this topic is used up"))
        reply = self._clean.helper(f"{HELPERS}:{helper}", *args, timeout=min(60.0, remaining))
        if not reply.ok:
            # TRANSLATORS: what the grader did, then what went wrong (from the sandbox)
            raise CheckFailed(_("{what} {outcome}").format(what=shown_as,
                                                           outcome=reply.explain()))
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

    def singles(self, indices=None) -> list[Response]:
        """POST /predict for passengers of the skew set, by index (all by default); each
        passenger is asked once and the answer shared by the checks."""
        records = self.skew_set()[2]
        asked = self.cache.setdefault("singles", {})
        out = []
        for i in range(len(records)) if indices is None else indices:
            if i not in asked:
                asked[i] = self.http("POST", "/predict", records[i])
            out.append(asked[i])
        return out


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
        raise CheckFailed(_("{what} or model_dir is a symbolic link; save_model must write "
                            "real files into the folder it is given").format(what=what))
    if not path.is_file():
        found = sorted(p.name for p in path.parent.iterdir()) if path.parent.is_dir() else \
            _("no model_dir at all")
        raise CheckFailed(_("save_model did not write {what} into model_dir").format(what=what),
                          expected=sorted([MODEL_FILE, METADATA_FILE]), found=found)
    return path


def valid_prediction(data) -> bool:
    if not isinstance(data, dict) or set(data) != {"survived", "probability"}:
        return False
    survived, probability = data["survived"], data["probability"]
    return (type(survived) is int and survived in (0, 1)
            and type(probability) in (int, float) and 0.0 <= probability <= 1.0)


def prediction_shape() -> str:
    """What one prediction looks like, in the reader's language."""
    return _('{{"survived": 0 or 1, "probability": a number in [0, 1]}} with no other '
             "keys").format()


def should_predict(sent: str, resp: Response) -> str:
    return _("{sent} should answer 200 with {shape}; it answered {answer}").format(
        sent=sent, shape=prediction_shape(), answer=resp.show())


# --- the model ------------------------------------------------------------------------------------

@check("train-accuracy", points=3, docs=f"{DOCS}#train",
       hint=N_("Which steps does a model need for missing values and text categories, and how do "
               "they travel with it? Keep every step inside one `Pipeline` trained on the seven "
               "passenger features, and if it falls short, try a tree ensemble."),
       code=N_("Chain a `ColumnTransformer` (imputers, then `OneHotEncoder` for the text columns) "
               "and a classifier in one `Pipeline`, fitted on `df[FEATURES]` and `df[TARGET]`; "
               "`HistGradientBoostingClassifier` reaches about 0.80."))
def test_train_accuracy(lab):
    scores = []
    main = lab.predict(lab.test_rows)
    scores.append(accuracy(main["survived"], lab.truth(0)))
    for split, (train_rows, test_rows) in enumerate(lab.splits[1:], start=1):
        extra = (lab.changes(test_rows),) if lab.grading else ()
        got = lab.nb.helper(f"{HELPERS}:fit_more", train_rows, test_rows, *extra,
                            timeout=FIT_TIMEOUT,
                            shown=_("{call} on another split").format(call="train(df)"))
        scores.append(accuracy(got["survived"], lab.truth(split)))
    mean = sum(scores) / len(scores)
    if lab.grading and mean < MIN_AGREEMENT:
        raise CheckFailed(
            _("the pipeline {call} returns agrees with the grader's reference pipeline for "
              "{share} of held-out passengers it has not seen, below {minimum}").format(
                call="train(df)", share=f"{mean:.1%}", minimum=f"{MIN_AGREEMENT:.0%}"),
            expected=f">= {MIN_AGREEMENT}", found=round(mean, 3), hidden=True)
    if not lab.grading and mean < MIN_ACCURACY:
        raise CheckFailed(
            _("the pipeline {call} returns is right for {share} of held-out passengers (mean of "
              "{n} hidden splits: {scores}), below {minimum}; they were sent as a request "
              "carries them: 7 features, no boat or body").format(
                call="train(df)", share=f"{mean:.1%}", n=len(scores),
                scores=", ".join(f"{s:.3f}" for s in scores), minimum=f"{MIN_ACCURACY:.0%}"),
            expected=f">= {MIN_ACCURACY}", found=round(mean, 3))


@check("no-leakage", points=2, docs=f"{DOCS}#leakage",
       hint=N_("Which columns could you know before a passenger sails? The lifeboat and the "
               "number of a recovered body were written down after the sinking: a model that "
               "uses them looks brilliant in validation and is useless for a new passenger."),
       code=N_("Fit on `df[FEATURES]` only, never on the whole table: no `boat`, no `body`, and "
               "not the target `survived` itself."))
def test_no_leakage(lab):
    info = lab.ready("fit")
    if TARGET in (info.get("columns") or []):
        raise CheckFailed(_("the pipeline takes `survived` itself as an input column: drop "
                            "the target from X before fitting"))
    rows = lab.test_rows
    serving = lab.predict(rows, "serving")
    full = lab.predict(rows, "full")
    changed = [i for i in range(len(rows))
               if serving["survived"][i] != full["survived"][i]
               or abs(serving["probability"][i] - full["probability"][i]) > 1e-12]
    if changed:
        raise CheckFailed(
            _("the predictions change for {changed} of {total} held-out passengers when the "
              "pipeline is also given their real `boat` and `body`: it uses columns recorded "
              "after the sinking (target leakage)").format(changed=len(changed), total=len(rows)),
            expected=_("the same predictions with or without boat/body"),
            found=_("{n} differ").format(n=len(changed)))
    if lab.grading:  # implausible on the shipped rows; useful on the perturbed passengers
        shipped = lab.predict(rows, "serving", shipped=True)
        if accuracy(shipped["survived"], [lab.labels[i] for i in rows]) > IMPLAUSIBLE_ACCURACY:
            raise CheckFailed(_("held-out accuracy is implausibly high for these 7 features: "
                                "the model must be using information about the outcome"),
                              hidden=True)
        if accuracy(serving["survived"], lab.truth(0)) < USEFUL_AGREEMENT:
            raise CheckFailed(_("the model hardly learned anything, so leakage cannot be judged"),
                              hidden=True)
        return
    score = accuracy(serving["survived"], [lab.labels[i] for i in rows])
    if score > IMPLAUSIBLE_ACCURACY:
        raise CheckFailed(
            _("held-out accuracy {score} is implausibly high for these 7 features (honest models "
              "score about 0.75 to 0.85): the model must be using information about the "
              "outcome").format(score=f"{score:.3f}"),
            expected=f"<= {IMPLAUSIBLE_ACCURACY}", found=round(score, 3))
    if score < USEFUL_ACCURACY:
        raise CheckFailed(
            _("held-out accuracy is {score}, hardly better than predicting that everyone died "
              "(0.62): leakage can only be judged for a model that learned something").format(
                score=f"{score:.3f}"),
            expected=f">= {USEFUL_ACCURACY}", found=round(score, 3))


# --- saving and loading ---------------------------------------------------------------------------

def read_metadata(model_dir: Path) -> dict:
    path = regular_file(model_dir / METADATA_FILE, METADATA_FILE)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise CheckFailed(_("{file} is larger than 1 MB; it should hold a few fields").format(
            file=METADATA_FILE))
    try:
        meta = json.loads((read_student_file(model_dir, path) or b"").decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckFailed(_("{file} is not valid JSON ({error})").format(
            file=METADATA_FILE, error=exc)) from None
    if not isinstance(meta, dict):
        raise CheckFailed(_("{file} must hold a JSON object").format(file=METADATA_FILE),
                          found=meta)
    return meta


def model_file(model_dir: Path) -> Path:
    return regular_file(model_dir / MODEL_FILE, MODEL_FILE)


@check("save-metadata", points=2, docs=f"{DOCS}#metadata",
       hint=N_("What must someone who loads the model later know: which file it is, whether its "
               "bytes are unchanged, which library version wrote it, when, which inputs it "
               "expects and how well it did? The metadata section lists the keys."),
       code=N_("Write `model_file`, `sha256` (`hashlib.sha256` of the file's bytes, "
               "`.hexdigest()`), `sklearn_version` (`sklearn.__version__`), `trained_at` "
               "(`datetime.now(timezone.utc).isoformat()`), `features` (one "
               "`{\"name\": ..., \"type\": ...}` per name, in `FEATURES` order) and the `metrics` "
               "you were given, with `json.dumps`."))
def test_save_metadata(lab):
    model_dir = lab.ready("save")["model_dir"]
    path = model_file(model_dir)
    meta = read_metadata(model_dir)
    missing = [k for k in ("model_file", "sha256", "sklearn_version", "trained_at", "features",
                           "metrics") if k not in meta]
    if missing:
        raise CheckFailed(_("{file} lacks the keys {missing}").format(
            file=METADATA_FILE, missing=missing), found=sorted(meta))
    if meta["model_file"] != MODEL_FILE:
        raise CheckFailed(_("metadata {key} is not the model's file name").format(
            key="'model_file'"), expected=MODEL_FILE, found=meta["model_file"])
    if meta["sha256"] != sha256_of(path):
        raise CheckFailed(_("metadata {key} is not the SHA-256 of {file}'s bytes").format(
            key="'sha256'", file=MODEL_FILE), expected=sha256_of(path), found=meta["sha256"])
    version = importlib.metadata.version("scikit-learn")
    if meta["sklearn_version"] != version:
        raise CheckFailed(_("metadata {key} is not the installed scikit-learn version").format(
            key="'sklearn_version'"), expected=version, found=meta["sklearn_version"])
    try:
        when = datetime.fromisoformat(str(meta["trained_at"]))
    except ValueError:
        raise CheckFailed(_("metadata {key} is not an ISO 8601 date and time").format(
            key="'trained_at'"), expected=_("e.g. {example}").format(
                example="'2024-05-01T09:30:00+00:00'"), found=meta["trained_at"]) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    if abs(datetime.now(timezone.utc) - when) > timedelta(days=1):
        raise CheckFailed(_("metadata {key} is not the time save_model ran").format(
            key="'trained_at'"), expected=_("now"), found=meta["trained_at"])
    features = [{"name": n, "type": FEATURE_TYPES[n]} for n in FEATURES]
    if meta["features"] != features:
        raise CheckFailed(_("metadata {key} is not the list of feature names and types").format(
            key="'features'"), expected=features, found=meta["features"])
    if meta["metrics"] != lab.metrics:
        raise CheckFailed(_("metadata {key} is not the metrics dict save_model was given").format(
            key="'metrics'"), expected=lab.metrics, found=meta["metrics"])


@check("save-skops", points=2, docs=f"{DOCS}#serialization",
       hint=N_("Which serialization formats run code while a file is loaded, and which one builds "
               "only the types you trust? Read the serialization section: `pickle` and `joblib` "
               "are not the answer."),
       code=N_("Save with `skops.io.dump(pipeline, model_dir / MODEL_FILE)`: a skops file is a zip "
               "of JSON and arrays."))
def test_save_skops(lab):
    model_dir = lab.ready("save")["model_dir"]
    path = model_file(model_dir)
    if not zipfile.is_zipfile(path):
        start = (read_student_file(path.parent, path) or b"")[:8]
        raise CheckFailed(_("{file} is not a skops file (a skops file is a zip archive; this one "
                            "starts with {start}: pickle or joblib?)").format(
            file=MODEL_FILE, start=repr(start)))
    audit = lab.clean("audit", str(lab.clean_file(MODEL_FILE, path)), TRUSTED_TYPES,
                      shown_as=_("reading {file} with skops.io in a clean process").format(
                          file=MODEL_FILE))
    if audit["unknown"]:
        raise CheckFailed(_("{file} needs types outside the course's allow-list ({allowed}) to "
                            "load").format(file=MODEL_FILE, allowed="week4.trust.TRUSTED_TYPES"),
                          expected=_("a subset of {allowed}").format(allowed=TRUSTED_TYPES),
                          found=audit["unknown"])
    if not audit.get("predicts"):
        raise CheckFailed(_("{file} loads, but into a {loaded}, which has no predict_proba: "
                            "save the fitted pipeline itself").format(
            file=MODEL_FILE, loaded=audit["loaded"]))


def try_load(lab, model_dir: Path, what: str) -> dict:
    return lab.nb.helper(f"{HELPERS}:try_load", str(model_dir), timeout=CALL_TIMEOUT,
                         shown=f"load_model({what})")


def copy_model_dir(lab, suffix: str) -> Path:
    model_dir = lab.ready("save")["model_dir"]
    model_file(model_dir)
    read_metadata(model_dir)
    size = sum(p.lstat().st_size for p in model_dir.rglob("*"))
    if size > MAX_FOLDER_BYTES:
        raise CheckFailed(_("model_dir holds {size} MB; a Titanic model needs far less").format(
            size=size >> 20))
    target = model_dir.parent / f"{model_dir.name}-{suffix}"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(model_dir, target, symlinks=True)  # links stay links: never followed
    return target


def untouched_loads(lab) -> None:
    """load_model must accept an unchanged copy, or refusing a bad one proves nothing."""
    if "untouched" not in lab.cache:
        lab.cache["untouched"] = try_load(lab, copy_model_dir(lab, "copy"),
                                          _("a copy of model_dir"))
    got = lab.cache["untouched"]
    if got["raised"]:
        raise CheckFailed(_("could not test this rule because load_model refuses even an "
                            "unchanged copy of the saved folder: it raised {error}").format(
            error=f"{got.get('type')}: {short(got.get('message'))}"))


@check("load-roundtrip", points=1, docs=f"{DOCS}#serialization",
       hint=N_("Loading must give back the very pipeline that was saved, read from the files "
               "the saving function wrote, once the safety checks have passed."),
       code=N_("`load_model` ends with `skops.io.load(path, trusted=TRUSTED_TYPES)` on "
               "`model_dir / MODEL_FILE`."))
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
            raise CheckFailed(_("the pipeline load_model returns predicts differently from the "
                                "one that was saved"), expected=trained["probability"][i],
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
       hint=N_("How can the loading function tell that the model file changed after it was "
               "saved? The metadata recorded a fingerprint of its bytes: compare before building "
               "anything."),
       code=N_("Before loading, compute `hashlib.sha256` of the model file's bytes "
               "(`.hexdigest()`) and raise if it differs from `metadata[\"sha256\"]`."))
def test_load_rejects_tampered(lab):
    untouched_loads(lab)
    target = copy_model_dir(lab, "tampered")
    tamper(model_file(target))
    got = try_load(lab, target, _("a copy whose model file was changed after saving"))
    if not got["raised"]:
        raise CheckFailed(_("load_model loaded a {file} whose bytes no longer match the sha256 in "
                            "{metadata} (the grader changed the file; it still loads, so only the "
                            "hash check can notice)").format(file=MODEL_FILE,
                                                             metadata=METADATA_FILE),
                          expected=_("an exception"),
                          found=_("returned a {type}").format(type=got.get("returned")))


@check("load-rejects-untrusted", points=2, docs=f"{DOCS}#serialization",
       hint=N_("A model file may ask for any type, even one that runs a command. Which types does "
               "the course trust, and how can skops tell you what a file needs before anything is "
               "built?"),
       code=N_("Keep the types of `skops.io.get_untrusted_types(file=path)` that are not in "
               "`TRUSTED_TYPES` and raise, naming them, if there are any; never pass the whole "
               "list it returns as `trusted`."))
def test_load_rejects_untrusted(lab):
    untouched_loads(lab)
    target = copy_model_dir(lab, "untrusted")
    meta = read_metadata(target)
    made = lab.clean_file(f"untrusted-{uuid.uuid4().hex[:8]}.skops")
    evil = lab.clean("make_untrusted", str(made),
                     shown_as=_("writing a model file that references os.system"))
    shutil.copyfile(made, target / MODEL_FILE)
    meta["sha256"] = sha256_of(target / MODEL_FILE)  # the hash matches: only the types are wrong
    (target / METADATA_FILE).write_text(json.dumps(meta), encoding="utf-8")
    got = try_load(lab, target, _("a folder whose model references os.system"))
    if not got["raised"]:
        raise CheckFailed(_("load_model loaded a model file that references {type} (a pipeline "
                            "with {step}): it trusts types it should refuse").format(
            type=evil, step="FunctionTransformer(os.system)"),
                          expected=_("an exception naming the untrusted type"),
                          found=_("returned a {type}").format(type=got.get("returned")))
    if evil not in str(got.get("message", "")):
        raise CheckFailed(_("load_model raised, but not because of the untrusted type {type}: "
                            "{error}").format(
            type=evil, error=f"{got.get('type')}: {short(got.get('message'))}"),
                          expected=_("an error message that names {type}").format(type=evil))


# --- the HTTP API ---------------------------------------------------------------------------------

@check("http-health", points=1, docs=f"{DOCS}#health",
       hint=N_("What does a load balancer ask to learn that a process is alive? A cheap endpoint "
               "with a small fixed JSON answer, as the section on health and metadata endpoints "
               "describes."),
       code=N_("A route `@app.get(\"/health\")` that returns `{\"status\": \"ok\"}`."))
def test_http_health(lab):
    resp = lab.http("GET", "/health")
    if resp.status != 200 or not isinstance(resp.data, dict) or resp.data.get("status") != "ok":
        raise CheckFailed(_("{request} should answer 200 with JSON {body}").format(
            request="GET /health", body='{"status": "ok"}'),
                          expected='200 {"status": "ok"}', found=resp.show())


@check("http-model", points=1, docs=f"{DOCS}#health",
       hint=N_("A client wants to know which model answers it: serve the metadata that was saved "
               "next to the model, read from the model folder the app was given."),
       code=N_("A route `@app.get(\"/model\")` that returns the dict read from "
               "`Path(model_dir) / METADATA_FILE` with `json.loads`."))
def test_http_model(lab):
    model_dir = lab.ready("serve")["model_dir"]
    meta = read_metadata(model_dir)
    resp = lab.http("GET", "/model")
    if resp.status != 200 or resp.data != meta:
        raise CheckFailed(_("{request} should answer 200 with the content of {file}").format(
            request="GET /model", file=f"model_dir/{METADATA_FILE}"), expected=meta,
                          found=resp.show())


@check("http-predict", points=2, docs=f"{DOCS}#rest",
       hint=N_("What exactly does the prediction endpoint answer (which keys, which types), and "
               "can Flask's JSON encoder write NumPy's number types? Turn them into plain Python "
               "numbers first."),
       code=N_("Answer `{\"survived\": int(label), \"probability\": float(p)}`: `int()` and "
               "`float()` turn NumPy values into numbers `jsonify` can write."))
def test_http_predict(lab):
    rows = lab.test_rows[:3]
    rng = lab.draw("http-predict")
    if rng is not None:
        rows = rng.sample(lab.test_rows, 3)
    cases = [lab.record(r) for r in rows] + [lab.record(rows[0], ("age", "fare", "embarked"))]
    for record in cases:
        resp = lab.http("POST", "/predict", record)
        if resp.status != 200 or not valid_prediction(resp.data):
            raise CheckFailed(should_predict(f"POST /predict {shown(record)}", resp))
        if "json" not in resp.content_type:
            raise CheckFailed(_("{request} should answer with {header}").format(
                request="POST /predict", header="Content-Type application/json"),
                              found=resp.content_type)


@check("api-matches-pipeline", points=3, docs=f"{DOCS}#skew",
       hint=N_("The server must turn a request into exactly the input the pipeline was trained on "
               "(same columns, same dtypes, an unknown value as the imputers recognise it) and "
               "add no preprocessing of its own. Which class is the probability about?"),
       code=N_("Build the frame with `pd.DataFrame.from_records(...)` and `.astype(...)` with "
               "`TITANIC_DTYPES`, so `None` becomes `NaN`, and report the column of class 1 of "
               "`predict_proba` (`model.classes_` tells which)."))
def test_api_matches_pipeline(lab):
    rows, blanks, records = lab.skew_set()
    expected = lab.predict(rows, "serving", blanks)
    answers = lab.singles()
    wrong, flipped = [], 0
    for i, (record, resp) in enumerate(zip(records, answers)):
        if resp.status != 200 or not valid_prediction(resp.data):
            raise CheckFailed(should_predict(f"POST /predict {shown(record)}", resp))
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
        why = _("; every wrong probability is 1 minus the right one: report the probability of "
                "survival (class 1), not of the predicted class or of class 0")
    elif nulls == len(wrong):
        why = _("; only passengers with null fields differ: the server treats missing values "
                "differently from training (None vs NaN, a dtype, or a value filled in)")
    want = {"survived": expected["survived"][first],
            "probability": expected["probability"][first]}
    raise CheckFailed(
        _("the API disagrees with the pipeline {call} returned for {wrong} of {total} held-out "
          "passengers{why}. First: {request} -> {answer}").format(
            call="train(df)", wrong=len(wrong), total=len(records), why=why,
            request=f"POST /predict {shown(records[first])}", answer=answers[first].show()),
        expected=want, found=answers[first].data, hidden=True)


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
        raise CheckFailed(_("{sent} should answer 400 with JSON {body}; it answered "
                            "{answer}").format(sent=sent, body='{"error": "...", "details": {...}}',
                                               answer=resp.show()))
    if field is not None:
        details = data.get("details")
        keys = [str(k) for k in details] if isinstance(details, dict) else []
        if not any(k == field or k.split(".")[-1] == field for k in keys):
            raise CheckFailed(_("{sent} answered 400, but {key} does not name the field "
                                "{field}").format(sent=sent, key="'details'", field=repr(field)),
                              expected={field: _("what is wrong")}, found=details)


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
        raise CheckFailed(_("could not test this rule because {sent}, a valid request, is not "
                            "accepted: it answered {answer} instead of 200").format(
            sent=sent, answer=resp.show()))


@check("invalid-missing", points=1, docs=f"{DOCS}#validation",
       hint=N_("Should a request with a field left out reach the model? Every field is required "
               "(null stays allowed where a value can be unknown): let the schema find the "
               "missing one and answer with a client error."),
       code=N_("Declare every field of `Passenger` without a default, call "
               "`Passenger.model_validate(payload)` and answer 400 with `field_errors(exc)` on "
               "`ValidationError`."))
def test_invalid_missing(lab):
    accepts_valid(lab)
    for field in in_order(lab, "invalid-missing", FEATURES):
        record = {k: v for k, v in valid_record(lab).items() if k != field}
        resp = lab.http("POST", "/predict", record)
        expect_400(resp, _("{request} without {field}: {body}").format(
            request="POST /predict", field=repr(field), body=shown(record)), field)


INVALID_VALUES = [
    ("pclass", 4), ("pclass", "first"), ("pclass", None), ("sex", "M"), ("sex", None),
    ("age", -1), ("age", "twenty"), ("age", [22]), ("sibsp", -1), ("sibsp", 1.5),
    ("parch", "many"), ("parch", None), ("fare", -5.0), ("fare", {"gbp": 7}), ("embarked", "X"),
    ("embarked", "s"), ("embarked", 3),
]


@check("invalid-values", points=2, docs=f"{DOCS}#validation",
       hint=N_("Each field has a type and a range or a set of allowed values: declare them once "
               "in a pydantic model instead of tests written by hand, and turn its validation error "
               "into a JSON client error that names the field."),
       code=N_("Use `Literal[1, 2, 3]`, `Annotated[float, Field(ge=0)]` and "
               "`Literal[\"C\", \"Q\", \"S\"] | None`, and answer "
               "`400 {\"error\": ..., \"details\": {field: message}}` on `ValidationError`."))
def test_invalid_values(lab):
    accepts_valid(lab)
    for field, value in in_order(lab, "invalid-values", INVALID_VALUES):
        record = {**valid_record(lab), field: value}
        resp = lab.http("POST", "/predict", record)
        expect_400(resp, _("{request} with {assignment}: {body}").format(
            request="POST /predict", assignment=f"{field}={json.dumps(value)}",
            body=shown(record)), field)


@check("invalid-extra", points=1, docs=f"{DOCS}#validation",
       hint=N_("What happens to a misspelt field name if the schema ignores fields it does not "
               "know? This API refuses unknown fields: look for pydantic's setting for extra "
               "fields."),
       code=N_("`model_config = ConfigDict(extra=\"forbid\")` in `Passenger` (and in `Batch`)."))
def test_invalid_extra(lab):
    accepts_valid(lab)
    for extra, value in in_order(lab, "invalid-extra", [("cabin", "C85"), ("boat", "7"),
                                                        ("Age", 22)]):
        record = {**valid_record(lab), extra: value}
        resp = lab.http("POST", "/predict", record)
        expect_400(resp, _("{request} with the unknown field {field}: {body}").format(
            request="POST /predict", field=repr(extra), body=shown(record)), extra)


@check("invalid-body", points=1, docs=f"{DOCS}#validation",
       hint=N_("What does Flask do with a body that is not JSON, and is a JSON list, string or "
               "number a passenger? Answer each with your own JSON client error, not Flask's "
               "HTML error page."),
       code=N_("`request.get_json(silent=True)` returns `None` for a body that is not JSON; "
               "answer 400 with a JSON error unless `isinstance(payload, dict)`."))
def test_invalid_body(lab):
    accepts_valid(lab)
    for raw in [b'{"pclass": 3, "sex": ', b"[1, 2, 3]", b'"a passenger"', b"", b"null", b"42"]:
        resp = lab.http("POST", "/predict", raw=raw)
        expect_400(resp, _("{request} with the body {body} ({header})").format(
            request="POST /predict", body=repr(raw), header="Content-Type: application/json"))


@check("invalid-nonfinite", points=1, docs=f"{DOCS}#validation",
       hint=N_("Python's JSON parser accepts numbers that are not finite (infinity, NaN). Can a "
               "passenger have them, and which pydantic field option refuses them?"),
       code=N_("`Field(ge=0, allow_inf_nan=False)` for the age and the fare: Python's JSON "
               "parser turns `1e999` into `inf` and accepts `NaN`."))
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
       hint=N_("A client matches each answer to its passenger by position. Build one input for "
               "the whole batch, predict once, and keep the order: no sorting, grouping or sets."),
       code=N_("`to_frame(p.model_dump() for p in batch.passengers)`, one `predict_proba` call on "
               "it, and `{\"predictions\": [...]}` built in the same order."))
def test_batch_order(lab):
    rows, blanks, records = lab.skew_set()
    order = list(range(len(records)))
    (lab.draw("batch-order") or random.Random(4)).shuffle(order)
    order = order[:BATCH_ORDER_ROWS]
    singles = lab.singles(order)  # asked already when api-matches-pipeline ran
    if all(s.status == 200 and valid_prediction(s.data) for s in singles):
        reference = [s.data for s in singles]
        source = _("{request} for the same passenger").format(request="POST /predict")
    else:
        expected = lab.predict(rows, "serving", blanks)
        reference = [{"survived": expected["survived"][i],
                      "probability": expected["probability"][i]} for i in order]
        source = _("the pipeline, in-process")
    batch = [records[i] for i in order]
    resp = lab.http("POST", "/predict/batch", {"passengers": batch}, timeout=BATCH_TIMEOUT)
    data = resp.data
    sent = _("{request} with {n} passengers").format(request="POST /predict/batch", n=len(batch))
    if resp.status != 200 or not isinstance(data, dict) or not isinstance(data.get("predictions"), list):
        raise CheckFailed(_("{sent} should answer 200 with {body}; it answered {answer}").format(
            sent=sent, body='{"predictions": [...]}', answer=resp.show()))
    got = data["predictions"]
    if len(got) != len(batch):
        raise CheckFailed(_("{sent} should return one prediction per passenger").format(sent=sent),
                          expected=len(batch), found=len(got))
    for k, (answer, want) in enumerate(zip(got, reference)):
        if not valid_prediction(answer):
            raise CheckFailed(_("{sent}: prediction {k} should be {shape}; it is {answer}").format(
                sent=sent, k=k, shape=prediction_shape(), answer=short(answer)))
        if answer["survived"] != want["survived"] or \
                abs(answer["probability"] - want["probability"]) > TOLERANCE:
            raise CheckFailed(_("{sent}: prediction {k} is not the answer for passenger {k} "
                                "({source}): predictions must come back in input order").format(
                sent=sent, k=k, source=source), expected=want, found=answer, hidden=True)


def many(lab, n: int) -> list[dict]:
    if "pool" not in lab.cache:
        lab.cache["pool"] = [lab.record(r) for r in lab.test_rows]
    pool = lab.cache["pool"]
    return [pool[i % len(pool)] for i in range(n)]


@check("batch-limit", points=1, docs=f"{DOCS}#batch",
       hint=N_("How does a server keep one client from taking all its memory and time with an "
               "enormous batch? Set a limit, refuse bigger batches before validating them, and "
               "find the HTTP status code meant for a request that is too large."),
       code=N_("When `len(payload[\"passengers\"]) > MAX_BATCH`, return "
               "`error(..., status=413)` before `Batch.model_validate`; a batch of exactly "
               "`MAX_BATCH` (10,000) passengers is still accepted."))
def test_batch_limit(lab):
    resp = lab.http("POST", "/predict/batch", {"passengers": many(lab, MAX_BATCH)},
                    timeout=BATCH_TIMEOUT)
    data = resp.data
    if resp.status != 200 or not isinstance(data, dict) or \
            not isinstance(data.get("predictions"), list) or len(data["predictions"]) != MAX_BATCH:
        raise CheckFailed(_("{request} with exactly {n} passengers (the limit) should answer 200 "
                            "with one prediction each; it answered {answer}").format(
            request="POST /predict/batch", n=f"{MAX_BATCH:,}", answer=resp.show()))
    over = MAX_BATCH + 1
    resp = lab.http("POST", "/predict/batch", {"passengers": many(lab, over)},
                    timeout=BATCH_TIMEOUT)
    if resp.status != 413 or not isinstance(resp.data, dict) or "error" not in resp.data:
        raise CheckFailed(_("{request} with {n} passengers should answer 413 with a JSON "
                            "error").format(request="POST /predict/batch", n=f"{over:,}"),
                          expected='413 {"error": "..."}', found=resp.show())


@check("batch-invalid", points=1, docs=f"{DOCS}#batch",
       hint=N_("A batch body has a shape too: an object that holds a list of passengers and "
               "nothing else. Validate all of it with a schema, and say in the details which "
               "passenger and which field is wrong."),
       code=N_("`class Batch(BaseModel)` with `passengers: list[Passenger]` and "
               "`extra=\"forbid\"`; on `ValidationError` answer 400 with `field_errors(exc)` "
               "(keys such as `passengers.1.age`)."))
def test_batch_invalid(lab):
    accepts_valid(lab, "/predict/batch")
    good = valid_record(lab)
    cases = [{"passengers": [good, {**good, "age": -3}]}, {"passengers": [good, "a passenger"]},
             {}, {"passengers": "everyone"}, [good]]
    for payload in cases:
        resp = lab.http("POST", "/predict/batch", payload)
        expect_400(resp, f"POST /predict/batch {shown(payload)}")
