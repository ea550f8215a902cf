"""Topic 04: realistic wrong solutions and adversarial submissions.

Used by the tests (each mutant must lose exactly its checks; every adversary scores 0) and by
`make grade-demo`, which builds a synthetic class from them.
MUTANTS: {name: ({solution grade_id: new cell source}, checks it loses)}, computed on first
use because it edits the solution notebook's cells.
ADVERSARIES: {name: (notebook code, seconds the grader may take at most)}.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograder.notebook import cell_source

TOPIC = "04-serving"
SOLUTION = Path(__file__).resolve().parents[2] / "solutions" / TOPIC / f"{TOPIC}.ipynb"


def solution_cell(grade_id: str) -> str:
    for cell in json.loads(SOLUTION.read_text(encoding="utf-8"))["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            return cell_source(cell)
    raise KeyError(f"the {TOPIC} solution has no cell with grade_id {grade_id!r}")


def edit(grade_id: str, *pairs: tuple[str, str]) -> dict[str, str]:
    """The solution cell `grade_id` with each `old` replaced by `new` (each must occur once)."""
    source = solution_cell(grade_id)
    for old, new in pairs:
        assert source.count(old) == 1, f"mutant anchor not found exactly once in {grade_id!r}: {old!r}"
        source = source.replace(old, new)
    return {grade_id: source}


def mutants() -> dict[str, tuple[dict[str, str], set[str]]]:
    """{name: ({solution grade_id: new cell source}, the checks it must lose, no others)}."""
    return {
        # The server "helps" by filling unknown ages itself, unlike the pipeline's median imputer.
        "server-preprocessing": (
            edit("to_frame", ("    return frame.astype(",
                              "    frame['age'] = frame['age'].fillna(0)  # unknown age: 0\n"
                              "    return frame.astype(")),
            {"api-matches-pipeline"}),
        # `body` used as a feature (a body number means the passenger died); the server, which
        # never receives it, passes it as missing. Honest-looking at serving time, leaky in training.
        "leaky-features": (
            {**edit("train",
                    ('    numeric = ["pclass", "age", "sibsp", "parch", "fare"]',
                     '    numeric = ["pclass", "age", "sibsp", "parch", "fare", "body"]'),
                    ("    return pipeline.fit(df[FEATURES], df[TARGET])",
                     '    return pipeline.fit(df[FEATURES + ["body"]], df[TARGET])')),
             **edit("to_frame",
                    ("columns=FEATURES)", 'columns=FEATURES + ["body"])'),
                    ("for name in FEATURES}", 'for name in FEATURES + ["body"]}'))},
            {"no-leakage"}),
        # pickle instead of skops, and no hash check when loading.
        "plain-pickle": (
            {**edit("save_model", ("    sio.dump(pipeline, model_dir / MODEL_FILE)",
                                   "    import pickle\n"
                                   "    with open(model_dir / MODEL_FILE, 'wb') as fh:\n"
                                   "        pickle.dump(pipeline, fh)")),
             "load_model": ("import pickle\n\n\ndef load_model(model_dir):\n"
                            "    with open(Path(model_dir) / MODEL_FILE, 'rb') as fh:\n"
                            "        return pickle.load(fh)\n")},
            {"save-skops", "load-rejects-tampered", "load-rejects-untrusted"}),
        # "Optional" fields by default: a missing count reaches the DataFrame as None -> 500.
        "missing-field-500": (
            edit("schemas", *[(f"    {f}: {t}\n", f"    {f}: {t} = None\n") for f, t in [
                ("pclass", "Literal[1, 2, 3]"), ("sex", 'Literal["female", "male"]'),
                ("age", "NonNegative | None"), ("sibsp", "Count"), ("parch", "Count"),
                ("fare", "NonNegative | None"), ("embarked", 'Literal["C", "Q", "S"] | None')]]),
            {"invalid-missing"}),
        # predict_proba's first column is the probability of dying.
        "wrong-class-probability": (
            edit("create_app", ('"probability": float(p[survived_column])',
                                '"probability": float(p[0])')),
            {"api-matches-pipeline"}),
        # The model is loaded once at import time from a path of the notebook's own.
        "model-at-import": (
            edit("create_app", ("def create_app(model_dir):", 'MODEL = load_model("model")\n\n\n'
                                                              "def create_app(model_dir):"),
                 ("    model = load_model(model_dir)  # once, when the app starts, never per request",
                  "    model = MODEL")),
            {"api-matches-pipeline"}),
        # Passengers grouped by class "for speed": the answers no longer follow the input order.
        "batch-shuffled": (
            edit("create_app", ('        return {"predictions": predict_many(batch.passengers)}',
                                "        grouped = sorted(batch.passengers, key=lambda p: p.pclass)\n"
                                '        return {"predictions": predict_many(grouped)}')),
            {"batch-order"}),
        # No limit: 20,000 passengers are accepted like 20.
        "no-batch-limit": (
            edit("create_app", ("        if isinstance(passengers, list) and len(passengers) > MAX_BATCH:",
                                "        if False:")),
            {"batch-limit"}),
        # Trusts every type the file asks for.
        "trust-everything": (
            edit("load_model", ("    return sio.load(path, trusted=TRUSTED_TYPES)",
                                "    return sio.load(path, trusted=sio.get_untrusted_types(file=path))"),
                 ("    if unknown:\n", "    if False:\n")),
            {"load-rejects-untrusted"}),
        # Lenient input handling, three separate slips: request.get_json() without silent=True
        # (Flask answers a broken body with an HTML page), pydantic's default of dropping unknown
        # fields, and infinity accepted as a number.
        "lenient-input": (
            {**edit("create_app", ("        payload = request.get_json(silent=True)\n"
                                   "        if not isinstance(payload, dict):\n"
                                   "            return error(\"the body must be one passenger",
                                   "        payload = request.get_json()\n"
                                   "        if not isinstance(payload, dict):\n"
                                   "            return error(\"the body must be one passenger")),
             **edit("schemas", ('    """One passenger as a request describes them: every field required, '
                                'null when unknown."""\n    model_config = ConfigDict(extra="forbid")\n',
                                '    """One passenger."""\n'),
                    ("Field(ge=0, allow_inf_nan=False)", "Field(ge=0)"))},
            {"invalid-body", "invalid-extra", "invalid-nonfinite"}),
    }


def __getattr__(name):
    if name == "MUTANTS":
        return mutants()
    raise AttributeError(name)


# --- adversarial submissions: none may earn a point, crash the grader or hang it ---------------

FUNCTIONS = ["train", "save_model", "load_model", "create_app"]


def every_function(body: str) -> str:
    return "\n".join(f"def {name}(*args, **kwargs):\n    {body}\n" for name in FUNCTIONS)


ADVERSARIES = {
    "infinite loop in every function": (every_function("while True: pass"), 90),
    "sys.exit(0) in every function and while loading": (
        "import sys\n" + every_function("sys.exit(0)") + "sys.exit(0)\n", 60),
    "os._exit(0) in every function": ("import os\n" + every_function("os._exit(0)"), 60),
    "os._exit(0) while loading": ("import os\nos._exit(0)\n" + every_function("return None"), 60),
    "objects that equal everything": ('''
class Same(float):
    """Equal to everything, so an `==` comparison can never fail."""
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = float.__hash__


class Model(Same):
    classes_ = [0, 1]
    def predict(self, X):
        return [Same(1)] * len(X)
    def predict_proba(self, X):
        return [[Same(0.5), Same(0.5)]] * len(X)
    def __call__(self, environ, start_response):  # a WSGI app that answers {} to everything
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b"{}"]


def train(df):
    return Model(1)

def save_model(pipeline, model_dir, metrics):
    return Same(0)

def load_model(model_dir):
    return Model(1)

def create_app(model_dir):
    return Model(1)
''', 60),
    "fake result files and forged replies": ('''
import json, os, pathlib, sys
# Pretend the grading already happened, everywhere a grader might look.
result = {"score": 31, "max": 31, "checks": []}
for name in ["results.json", "grading-out/04-serving.json", "feedback.json", "model/metadata.json"]:
    pathlib.Path(name).parent.mkdir(parents=True, exist_ok=True)
    pathlib.Path(name).write_text(json.dumps(result))
pathlib.Path("model/model.skops").write_bytes(b"PK not really a model")
print(json.dumps({"topic": "04-serving", "score": 31, "max": 31}))
# guessed replies on every open file descriptor, hoping one is the reply pipe
for fd in range(3, 64):
    for i in range(1, 40):
        try:
            os.write(fd, (json.dumps({"id": i, "ok": True, "value": {"port": 80}}) + "\\n").encode())
        except OSError:
            break

def train(df):
    return None

def save_model(pipeline, model_dir, metrics):
    pathlib.Path(model_dir).mkdir(parents=True, exist_ok=True)
    (pathlib.Path(model_dir) / "metadata.json").write_text(json.dumps(result))

def load_model(model_dir):
    return json.loads((pathlib.Path(model_dir) / "metadata.json").read_text())

def create_app(model_dir):
    return None
''', 60),
}
