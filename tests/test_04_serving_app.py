"""The reference model service (week4/serving): artifacts, backends, the app, gunicorn, the docs.

One model is trained per session and shared by every test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio

from helpers import ROOT, wait_until_listening
from week4 import bench_serving
from week4.data import load_titanic
from week4.serving import artifacts, client
from week4.serving.app import create_app
from week4.serving.backends import load_backend
from week4.serving.schema import Batch, Passenger, columns
from week4.serving.train import model_input, table_rows, train_and_save

BIN = Path(sys.executable).parent
ROSE = {"pclass": 1, "sex": "female", "age": 17, "sibsp": 1, "parch": 1, "fare": 100.0,
        "embarked": "S"}


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("serving") / "model"
    train_and_save(str(path))
    return path


@pytest.fixture(scope="session")
def rows() -> list[dict]:
    return table_rows(load_titanic())


@pytest.fixture(scope="session", params=["sklearn", "onnx"])
def client_for(request, model_dir):
    return create_app(str(model_dir), request.param).test_client()


# --- artifacts ----------------------------------------------------------------------------------

def test_saved_folder_holds_model_onnx_and_metadata(model_dir):
    meta = json.loads((model_dir / "metadata.json").read_text())
    assert sorted(p.name for p in model_dir.iterdir()) == ["metadata.json", "model.onnx", "model.skops"]
    assert meta["sha256"] == artifacts.sha256_of(model_dir / "model.skops")
    assert meta["onnx_sha256"] == artifacts.sha256_of(model_dir / "model.onnx")
    assert [f["name"] for f in meta["features"]] == ["pclass", "sex", "age", "sibsp", "parch",
                                                     "fare", "embarked"]
    assert 0.75 <= meta["metrics"]["accuracy"] <= 0.9


def test_skops_file_needs_only_trusted_types(model_dir):
    untrusted = sio.get_untrusted_types(file=model_dir / "model.skops")
    assert set(untrusted) <= set(artifacts.TRUSTED_TYPES)


def test_load_refuses_a_changed_model_file(model_dir, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    with zipfile.ZipFile(copy / "model.skops", "a") as archive:
        archive.comment = b"changed"  # still a valid skops file; only the hash notices
    with pytest.raises(artifacts.ModelFileError, match="SHA-256"):
        artifacts.load_pipeline(copy)


def test_load_refuses_untrusted_types_even_with_a_matching_hash(model_dir, tmp_path):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    sio.dump(make_pipeline(FunctionTransformer(os.system), LogisticRegression()),
             copy / "model.skops")
    meta = json.loads((copy / "metadata.json").read_text())
    meta["sha256"] = artifacts.sha256_of(copy / "model.skops")
    (copy / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(artifacts.ModelFileError, match=r"posix\.system|nt\.system"):
        artifacts.load_pipeline(copy)


def test_onnx_backend_refuses_a_changed_onnx_file(model_dir, tmp_path):
    copy = tmp_path / "model"
    shutil.copytree(model_dir, copy)
    with open(copy / "model.onnx", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(artifacts.ModelFileError):
        load_backend("onnx", copy)


# --- the model and its backends -----------------------------------------------------------------

def test_onnx_matches_sklearn_on_every_passenger(model_dir, rows):
    data = columns(rows)
    sk_labels, sk_proba = load_backend("sklearn", model_dir).predict(data)
    ox_labels, ox_proba = load_backend("onnx", model_dir).predict(data)
    assert len(sk_proba) == len(ox_proba) == 1309
    assert np.abs(sk_proba - ox_proba).max() <= 1e-6
    assert (sk_labels == ox_labels).all()


def test_training_and_requests_build_the_same_input(rows):
    """Training goes through columns() like a request does: no second code path to drift."""
    validated = [Passenger.model_validate_json(json.dumps(row)).model_dump() for row in rows]
    from_requests = model_input(validated)
    from_table = model_input(rows)
    assert from_requests.equals(from_table)
    assert from_table["embarked"].tolist().count("") == 2  # missing category: a string


def test_backend_probability_is_that_of_survival(model_dir, rows):
    data = columns(rows)
    labels, proba = load_backend("sklearn", model_dir).predict(data)
    assert ((proba > 0.5) == (labels == 1)).all()


def test_unknown_backend_is_refused(model_dir):
    with pytest.raises(ValueError, match="unknown backend"):
        load_backend("tensorflow", model_dir)


# --- the app (both backends) --------------------------------------------------------------------

def test_health_and_model(client_for, model_dir):
    assert client_for.get("/health").get_json() == {"status": "ok"}
    info = client_for.get("/model").get_json()
    assert info["sha256"] == artifacts.sha256_of(model_dir / "model.skops")
    assert info["backend"] in ("sklearn", "onnx")


def test_predict_answers_survival_and_probability(client_for):
    resp = client_for.post("/predict", json=ROSE)
    data = resp.get_json()
    assert resp.status_code == 200 and set(data) == {"survived", "probability"}
    assert data["survived"] == 1 and 0.5 < data["probability"] <= 1


@pytest.mark.parametrize("body, field", [
    ({**ROSE, "pclass": 4}, "pclass"),
    ({k: v for k, v in ROSE.items() if k != "sibsp"}, "sibsp"),
    ({**ROSE, "cabin": "C85"}, "cabin"),
    ({**ROSE, "age": "17"}, "age"),
    ({**ROSE, "embarked": "s"}, "embarked"),
    ({**ROSE, "sex": None}, "sex"),
])
def test_invalid_passenger_is_a_400_naming_the_field(client_for, body, field):
    resp = client_for.post("/predict", json=body)
    assert resp.status_code == 400
    assert field in resp.get_json()["details"]


@pytest.mark.parametrize("raw", [b'{"pclass": 1,', b"[]", b"", b'{"age": NaN}',
                                 json.dumps({**ROSE, "fare": "F"}).replace('"F"', "1e999").encode()])
def test_unreadable_body_is_a_json_400(client_for, raw):
    resp = client_for.post("/predict", data=raw, content_type="application/json")
    assert resp.status_code == 400 and "error" in resp.get_json()


def test_batch_keeps_input_order(client_for, rows):
    sample = rows[::7]
    batch = client_for.post("/predict/batch", json={"passengers": sample}).get_json()["predictions"]
    singles = [client_for.post("/predict", json=r).get_json() for r in sample[:25]]
    assert len(batch) == len(sample)
    assert [b["survived"] for b in batch[:25]] == [s["survived"] for s in singles]
    # ONNX computes in float32, and a batch may round differently from a single row.
    assert all(abs(b["probability"] - s["probability"]) < 1e-6 for b, s in zip(batch, singles))


def test_batch_limit_is_413(client_for):
    assert client_for.post("/predict/batch", json={"passengers": [ROSE] * 10_000}).status_code == 200
    resp = client_for.post("/predict/batch", json={"passengers": [ROSE] * 10_001})
    assert resp.status_code == 413 and "error" in resp.get_json()


def test_invalid_batch_names_passenger_and_field(client_for):
    resp = client_for.post("/predict/batch", json={"passengers": [ROSE, {**ROSE, "age": -1}]})
    assert resp.status_code == 400
    assert "passengers.1.age" in resp.get_json()["details"]


def test_wrong_route_and_method_answer_json(client_for):
    assert client_for.get("/nothing-here").status_code == 404
    resp = client_for.get("/predict")
    assert resp.status_code == 405 and "error" in resp.get_json()


def test_batch_validation_is_one_call_with_the_models_the_docs_show():
    batch = Batch.model_validate_json(json.dumps({"passengers": [ROSE, ROSE]}))
    assert type(batch.passengers[0]) is Passenger
    assert batch.model_dump()["passengers"] == [ROSE, ROSE]


# --- gunicorn, the shipped commands and the benchmark's machinery -------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_serves_the_reference_app(tmp_path):
    """serve.sh (shown in the docs) trains, then gunicorn answers on 127.0.0.1."""
    port = free_port()
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
               MODEL_DIR=str(tmp_path / "model"), PORT=str(port), BACKEND="onnx")
    proc = subprocess.Popen(["bash", str(ROOT / "week4/serving/serve.sh")], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        # serve.sh trains first, then execs gunicorn: its "Listening at" line means bound
        wait_until_listening(proc, tmp_path / "serve.log", ("Listening at",))
        # the workers may still be loading the model: the first request waits in the
        # backlog (a hang guard, not a deadline)
        with urllib.request.urlopen(f"{base}/health", timeout=120) as response:
            status, body = response.status, json.load(response)
        assert (status, body) == (200, {"status": "ok"})
        assert client.call(base, "GET", "/model")[1]["backend"] == "onnx"
        out = subprocess.run([sys.executable, "-m", "week4.serving.client", base],
                             capture_output=True, text=True, timeout=600).stdout
        assert re.findall(r"-> (\d+)", out) == ["200", "200", "400", "200"]
        # The benchmark's load generator counts right (its timings are never asserted).
        result = bench_serving.load(port, "POST", "/predict", json.dumps(ROSE).encode(),
                                    clients=3, max_requests=60, max_seconds=30, name="smoke")
        assert result.requests == 60 and result.errors == 0
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


# --- the docs page ------------------------------------------------------------------------------

DOCS = ROOT / "docs/topics/04-serving.md"


def test_docs_anchors_linked_by_checks_exist():
    from autograder.checking import checks_in
    from autograder.checks import test_04_serving as checks

    page = DOCS.read_text(encoding="utf-8")
    anchors = set(re.findall(r"\{#([a-z0-9-]+)\}", page))
    for info in checks_in(checks):
        path, _, anchor = info.docs.partition("#")
        assert path == "docs/topics/04-serving.md" and anchor in anchors, info


def test_docs_show_only_code_that_exists():
    page = DOCS.read_text(encoding="utf-8")
    for path, _, section in re.findall(r'--8<-- "([^":]+)(:([a-z]+))?"', page):
        text = (ROOT / path).read_text(encoding="utf-8")
        if section:
            assert f"[start:{section}]" in text and f"[end:{section}]" in text, (path, section)
    assert "PERFORMANCE_TABLE" not in page, "fill in the benchmark results"
