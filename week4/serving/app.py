"""The prediction service: a Flask application factory, served by gunicorn.

    WEEK4_MODEL_DIR=artifacts/serving WEEK4_BACKEND=onnx \\
        gunicorn --bind 127.0.0.1:8000 --workers 2 'week4.serving.app:create_app()'

Endpoints: GET /health, GET /model, POST /predict (one passenger), POST /predict/batch
(up to 10,000). Every error is JSON: 400 for invalid input, 413 for a batch that is too big.
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from pydantic import ValidationError
from pydantic_core import to_json
from werkzeug.exceptions import HTTPException

from . import artifacts
from .backends import load_backend
from .schema import MAX_BATCH, Batch, Passenger, columns, error_details, too_many

DEFAULT_MODEL_DIR = "artifacts/serving"
MAX_BODY_BYTES = 4 * 1024 * 1024  # 10,000 passengers take about 1 MB of JSON


def json_response(data, status: int = 200) -> Response:
    # pydantic-core's serializer is several times faster than json.dumps on big batches.
    return Response(to_json(data), status=status, mimetype="application/json")


def error(message: str, status: int = 400, details: dict | None = None) -> Response:
    return json_response({"error": message, "details": details or {}}, status)


# --8<-- [start:factory]
def create_app(model_dir: str | None = None, backend: str | None = None) -> Flask:
    """Load the model once, at start-up, and return the app that serves it."""
    model_dir = model_dir or os.environ.get("WEEK4_MODEL_DIR", DEFAULT_MODEL_DIR)
    model = load_backend(backend or os.environ.get("WEEK4_BACKEND", "sklearn"), model_dir)
    metadata = {**artifacts.read_metadata(model_dir), "backend": model.name}

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    def predictions(rows: list[dict]) -> list[dict]:
        labels, proba = model.predict(columns(rows))
        return [{"survived": label, "probability": p}
                for label, p in zip(labels.tolist(), proba.tolist())]

    @app.get("/health")
    def health():
        return json_response({"status": "ok"})

    @app.get("/model")
    def model_info():
        return json_response(metadata)

    @app.post("/predict")
    def predict():
        try:
            passenger = Passenger.model_validate_json(request.get_data())
        except ValidationError as exc:
            return error("invalid passenger", details=error_details(exc))
        return json_response(predictions([passenger.model_dump()])[0])

    @app.post("/predict/batch")
    def predict_batch():
        try:
            batch = Batch.model_validate_json(request.get_data())
        except ValidationError as exc:
            if too_many(exc):
                return error(f"at most {MAX_BATCH} passengers per request", status=413)
            return error("invalid batch", details=error_details(exc))
        return json_response({"predictions": predictions(batch.model_dump()["passengers"])})

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        # 404, 405, 413 (body over MAX_CONTENT_LENGTH), ...: JSON like every other answer.
        return error(exc.description or exc.name, status=exc.code or 500)

    return app
# --8<-- [end:factory]
