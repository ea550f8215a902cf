"""The small model API that topic 03 deploys (the reference app until topic 04's is ready).

The model is a logistic regression kept as plain JSON (weights and a bias, never a pickle):
the deployment downloads that file from S3 and points MODEL_PATH at it. /health reports the
file's SHA-256, so you can see from outside which model a server really loaded.

    MODEL_PATH=model.json gunicorn -c gunicorn.conf.py 'week4.demos.cloud_app:create_app()'

TODO(topic 04): deploy the serving app of week4/serving/ instead, once it exists.
"""

from __future__ import annotations

import hashlib
import json
import math
import os

from flask import Flask, abort, current_app, request

# Used when no model file is configured, so that a fresh server still answers /health.
DEFAULT_MODEL = {"bias": -1.0, "weights": {"female": 2.5, "pclass": -0.9, "age": -0.03}}


def load_model(path: str | None) -> tuple[dict, str | None]:
    """The model from the JSON file at `path` (or the default one) and the file's SHA-256."""
    if not path:
        return DEFAULT_MODEL, None
    with open(path, "rb") as fh:
        data = fh.read()
    model = json.loads(data)
    if not isinstance(model.get("weights"), dict) or "bias" not in model:
        raise ValueError(f"{path} is not a model file: it needs 'weights' and 'bias'")
    return model, hashlib.sha256(data).hexdigest()


def sigmoid(score: float) -> float:
    """1 / (1 + e^-score), written so that a huge |score| cannot overflow."""
    if score >= 0:
        return 1 / (1 + math.exp(-score))
    return math.exp(score) / (1 + math.exp(score))


# --8<-- [start:factory]
def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__)
    # Settings come from the environment (12-factor style): the same code runs everywhere.
    app.config.from_mapping(MODEL_PATH=os.environ.get("MODEL_PATH"))
    if test_config:
        app.config.update(test_config)
    # Load once at start-up, not per request: a broken model file stops the server at boot.
    model, digest = load_model(app.config["MODEL_PATH"])
    app.extensions["model"] = {"model": model, "sha256": digest}

    @app.get("/health")
    def health():
        return {"status": "ok", "model_sha256": current_app.extensions["model"]["sha256"]}

    @app.post("/predict")
    def predict():
        features = request.get_json(silent=True)
        weights = current_app.extensions["model"]["model"]["weights"]
        if not isinstance(features, dict) or set(features) != set(weights):
            abort(400, description=f"send a JSON object with exactly the keys {sorted(weights)}")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                   for v in features.values()):
            abort(400, description="every feature must be a finite number")
        bias = current_app.extensions["model"]["model"]["bias"]
        score = bias + sum(weights[name] * features[name] for name in weights)
        return {"probability": sigmoid(score)}

    return app
# --8<-- [end:factory]
