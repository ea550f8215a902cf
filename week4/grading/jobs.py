"""Grade jobs in parallel child processes; every finished result is saved at once.

Each job runs `python -m autograder TOPIC NOTEBOOK` (which itself runs student code in a
sandbox) with a wall-clock timeout. Results go to `<out>/results/<assignment>/<student>.json`
through an atomic rename, so a crash or Ctrl-C loses nothing that finished, and a rerun skips
work whose notebook has not changed (unless `force`).

Grading is always in grading mode: each child gets the key file's path (never the key) and
the student's id, and every result records `key_id`, `grader_version` and `mode`; a result
graded with another key or another grader is regraded.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from autograder.runner import check_infos
from autograder.topics import get_topic

from week4.i18n import N_, current

from .collect import Job

_ = current()  # what the student's feedback says, in the grading's language (WEEK4_LANG)
NO_NOTEBOOK = N_("no notebook submitted")
TOOK_TOO_LONG = N_("grading took longer than {seconds} s and was stopped")

DEFAULT_TIMEOUT = 600.0


def result_path(out: Path, job: Job) -> Path:
    return out / "results" / job.assignment / f"{job.student}.json"


def fingerprint(job: Job) -> str:
    if job.notebook is None:
        return "missing"
    return hashlib.sha256(job.notebook.read_bytes()).hexdigest()


def zero_result(job: Job, reason: str) -> dict:
    """All checks of the assignment at 0 points, with the reason."""
    checks = [{"id": i.id, "points": 0, "max": i.points, "passed": False, "message": reason,
               "public": reason, "hint": i.hint, "docs": i.docs}
              for i in check_infos(get_topic(job.assignment))]
    return {"score": 0, "max": sum(c["max"] for c in checks), "checks": checks, "error": reason}


def _die_with_grader():
    """preexec_fn: a job (and, through it, its sandboxes) dies when `week4 grade` dies.

    Linux ties PR_SET_PDEATHSIG to the thread that started the job; that thread waits for it.
    """
    prctl = None
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            prctl = ctypes.CDLL(None, use_errno=True).prctl
        except (OSError, AttributeError):
            prctl = None

    def apply():
        if prctl is not None:
            prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    return apply


def run_job(job: Job, timeout: float, key_path: Path | None = None) -> dict:
    if job.notebook is None:
        return zero_result(job, _(NO_NOTEBOOK))
    start = time.monotonic()
    command = [sys.executable, "-m", "autograder", job.assignment, str(job.notebook),
               "--student", job.student]
    if key_path is not None:
        command += ["--key", str(key_path)]
    proc = subprocess.Popen(command,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, preexec_fn=_die_with_grader())
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)  # the grader cleans up its sandboxes...
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # ...or is made to
            proc.communicate()
        return zero_result(job, _(TOOK_TOO_LONG).format(seconds=f"{timeout:.0f}"))
    try:
        data = json.loads(out)
    except ValueError:
        last = (err.strip().splitlines() or ["no output"])[-1]
        return zero_result(job, _("the grader failed on this submission: {reason}").format(
            reason=last[:300]))
    data["seconds"] = round(time.monotonic() - start, 3)
    return data


def save(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
    os.replace(tmp, path)  # atomic: a result file is either complete or absent


def load_results(out: Path) -> dict[tuple[str, str], dict]:
    """{(student, assignment): result} for every finished job under `out`."""
    results = {}
    for path in sorted((out / "results").glob("*/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # never half-written (atomic), but be safe with hand-edited files
        results[(data["student"], data["assignment"])] = data
    return results


class Progress:
    """A one-line progress bar on a terminal; one line per finished job otherwise."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.done, self.stream = total, 0, stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.lock = threading.Lock()

    def update(self, job: Job, data: dict) -> None:
        with self.lock:
            self.done += 1
            if self.tty:
                width = 30
                filled = int(width * self.done / max(self.total, 1))
                self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] "
                                  f"{self.done}/{self.total} graded")
                if self.done == self.total:
                    self.stream.write("\n")
            else:
                self.stream.write(f"[{self.done}/{self.total}] {job.key}: "
                                  f"{data['score']:g}/{data['max']:g}\n")
            self.stream.flush()


def grade_all(jobs: list[Job], out: Path, *, workers: int = 2, force: bool = False,
              timeout: float = DEFAULT_TIMEOUT, progress: Progress | None = None,
              key_path: Path | None = None, stamp: dict | None = None) -> int:
    """Grade the jobs not already done; returns how many were graded now.

    `stamp` ({"key_id", "grader_version", "mode"}) goes into every result; a finished result
    counts as done only when its notebook and its stamp are unchanged."""
    stamp = dict(stamp or {})
    (out / "results").mkdir(parents=True, exist_ok=True)  # even an empty shard is a shard
    todo = []
    for job in jobs:
        path = result_path(out, job)
        fp = fingerprint(job)
        if not force and path.exists():
            try:
                done = json.loads(path.read_text(encoding="utf-8"))
                if done.get("fingerprint") == fp and \
                        all(done.get(k) == v for k, v in stamp.items()):
                    continue
            except ValueError:
                pass
        todo.append((job, fp))
    progress = progress or Progress(len(todo))
    progress.total = len(todo)

    def work(job: Job, fp: str) -> tuple[Job, dict]:
        data = run_job(job, timeout, key_path)
        data.update(student=job.student, assignment=job.assignment, fingerprint=fp,
                    notebook=str(job.notebook) if job.notebook else None, **stamp)
        save(result_path(out, job), data)
        return job, data

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(work, job, fp) for job, fp in todo]
        try:
            for future in as_completed(futures):
                job, data = future.result()
                progress.update(job, data)
        except KeyboardInterrupt:
            for f in futures:
                f.cancel()
            raise
    return len(todo)
