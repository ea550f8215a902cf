"""The training-job demo that docs/topics/04-serving.md shows (week4/demos/serving_trainings.py):
POST /trainings answers 202 at once with the job's Location, GET follows the job to its end,
a failing training fails the job and not the server, and the real trainer saves a model."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from week4.demos import serving_trainings


class RecordingExecutor(ThreadPoolExecutor):
    """The demo's worker pool, keeping each submitted job's future so a test can wait on it."""

    futures: list = []

    def submit(self, *args, **kwargs):
        future = super().submit(*args, **kwargs)
        RecordingExecutor.futures.append(future)
        return future


@pytest.fixture(autouse=True)
def recorded_jobs(monkeypatch):
    RecordingExecutor.futures = []
    monkeypatch.setattr(serving_trainings, "ThreadPoolExecutor", RecordingExecutor)


def wait_for(client, location: str, seconds: float = 120.0) -> dict:
    """The job at `location` once every submitted training has finished (no polling)."""
    for future in list(RecordingExecutor.futures):
        future.result(timeout=seconds)  # a bound for a hang, not a timing assumption
    return client.get(location).get_json()


def test_post_answers_202_at_once_and_the_job_runs_in_the_background(tmp_path):
    release = threading.Event()

    def slow_training(model_dir):
        release.wait(10)  # the request must not wait for this
        return {"metrics": {"accuracy": 0.8}}

    client = serving_trainings.create_app(slow_training, str(tmp_path)).test_client()
    reply = client.post("/trainings")  # answered while the training still waits for `release`
    assert reply.status_code == 202
    job = reply.get_json()
    assert reply.headers["Location"] == f"/trainings/{job['id']}"
    assert job["status"] in ("queued", "running")
    assert client.get(reply.headers["Location"]).get_json()["status"] in ("queued", "running")
    release.set()
    done = wait_for(client, reply.headers["Location"])
    assert done == {"id": job["id"], "status": "succeeded", "metrics": {"accuracy": 0.8}}


def test_a_failing_training_fails_the_job_not_the_server(tmp_path):
    def broken(model_dir):
        raise RuntimeError("out of memory")

    client = serving_trainings.create_app(broken, str(tmp_path)).test_client()
    location = client.post("/trainings").headers["Location"]
    job = wait_for(client, location)
    assert job["status"] == "failed" and job["error"] == "out of memory"
    assert client.get("/trainings/nope").status_code == 404
    assert client.post("/trainings").status_code == 202  # still serving


def test_the_real_trainer_saves_a_model_per_job(tmp_path):
    client = serving_trainings.create_app(models_dir=str(tmp_path)).test_client()
    reply = client.post("/trainings")
    job = wait_for(client, reply.headers["Location"])
    assert job["status"] == "succeeded", job
    assert 0.7 < job["metrics"]["accuracy"] < 0.9
    assert (tmp_path / job["id"] / "metadata.json").is_file()


# --- exercise 04's app.py: the notebook's own cells, served without copying anything by hand ----

def test_exercise_app_module_serves_the_notebooks_functions(tmp_path, monkeypatch):
    """The `%%writefile app.py` cell of the solution notebook, run as gunicorn would import it."""
    import importlib.util
    import json
    from pathlib import Path

    from autograder.notebook import load_cells

    root = Path(__file__).resolve().parent.parent
    notebook = root / "solutions" / "04-serving" / "04-serving.ipynb"
    writefile = next(c for c in load_cells(notebook) if c.kind == "writefile"
                     and c.target == "app.py")
    (tmp_path / "04-serving.ipynb").write_bytes(notebook.read_bytes())
    (tmp_path / "app.py").write_text(writefile.source, encoding="utf-8")
    # The model the notebook's try-it cells save in model/: trained here with its own functions.
    namespace = {}
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in ("imports", "train", "to_frame", "save_model", "load_model"):
            exec("".join(cell["source"]), namespace)
    pipeline = namespace["train"](namespace["data"])
    namespace["save_model"](pipeline, tmp_path / "model", {"accuracy": 0.8})

    monkeypatch.chdir(tmp_path)  # gunicorn runs from the exercise folder
    spec = importlib.util.spec_from_file_location("exercise_app", tmp_path / "app.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    client = module.app.test_client()
    assert client.get("/health").get_json() == {"status": "ok"}
    reply = client.post("/predict", json={"pclass": 1, "sex": "female", "age": 29, "sibsp": 0,
                                          "parch": 0, "fare": 211.34, "embarked": "S"})
    assert reply.status_code == 200 and set(reply.get_json()) == {"survived", "probability"}
    assert client.get("/model").get_json()["metrics"] == {"accuracy": 0.8}
