"""Topic 04 (stretch): training as a job with its own resource, not as one long request.

A prediction takes milliseconds, so it fits in a request. Training takes seconds to hours:
a request that waits for it would hit every timeout on its way (the client's, nginx's
proxy_read_timeout, gunicorn's worker timeout) and would hold a worker the whole time. So
`POST /trainings` only *starts* a job and answers at once, 202 Accepted, with the job's
address in `Location`; the client polls `GET /trainings/<id>` until the job is done. The job
is a resource like any other: a noun URI, created by POST, read by GET.

To stay short, this demo keeps its jobs in a dict and trains in a thread of the web process.
A real service keeps jobs in a database and hands the work to a queue and separate workers
(Celery, RQ, AWS Batch, SageMaker training jobs), for the reasons topic 02 gives: any server
process can then answer, and a restart loses nothing.

    flask --app week4.demos.serving_trainings run
    curl -i -X POST http://127.0.0.1:5000/trainings
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, abort, url_for

from week4.serving.train import train_and_save


# --8<-- [start:trainings]
def create_app(train=train_and_save, models_dir="models"):
    """A training service: POST /trainings, GET /trainings/<id>."""
    app = Flask(__name__)
    jobs = {}  # job id -> job (a real service: a database table)
    worker = ThreadPoolExecutor(max_workers=1)  # one training at once

    def run(job):
        job["status"] = "running"
        try:
            metadata = train(f"{models_dir}/{job['id']}")
            job.update(status="succeeded", metrics=metadata["metrics"])
        except Exception as exc:  # the job fails, not the server
            job.update(status="failed", error=str(exc))

    @app.post("/trainings")
    def start_training():
        job = {"id": uuid.uuid4().hex[:12], "status": "queued"}
        jobs[job["id"]] = job
        worker.submit(run, job)
        where = url_for("get_training", job_id=job["id"])
        return dict(job), 202, {"Location": where}

    @app.get("/trainings/<job_id>")
    def get_training(job_id):
        if job_id not in jobs:
            abort(404, description=f"no training job {job_id}")
        return dict(jobs[job_id])

    return app
# --8<-- [end:trainings]
