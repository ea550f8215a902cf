"""Shared test helpers: grade a notebook, and make mutated copies of a solution notebook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.runner import grade_topic
from autograder.results import TopicResult

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
BIN = Path(sys.executable).parent


def grade(topic: str, notebook: Path) -> TopicResult:
    return grade_topic(topic, Path(notebook))


def scores(result: TopicResult) -> dict[str, float]:
    """{check id: points earned}."""
    return {c.id: c.points for c in result.checks}


def lost(result: TopicResult) -> set[str]:
    """Ids of the checks that did not pass."""
    return {c.id for c in result.checks if not c.passed}


def load_solution(topic: str) -> dict:
    return json.loads((SOLUTIONS / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))


def write_notebook(nb: dict, topic: str, folder: Path | None = None,
                   extra_files: dict[str, str] | None = None) -> Path:
    """Write `nb` as `<folder>/<topic>/<topic>.ipynb` (folder: a new temp dir) and return its path.

    Other files of the topic's solution folder are copied along, as a student would have them.
    """
    folder = Path(folder or tempfile.mkdtemp(prefix="week4-test-"))
    target = folder / topic
    target.mkdir(parents=True, exist_ok=True)
    for item in (SOLUTIONS / topic).iterdir():
        if item.is_file() and item.suffix != ".ipynb":
            (target / item.name).write_bytes(item.read_bytes())
    for name, text in (extra_files or {}).items():
        (target / name).write_text(text, encoding="utf-8")
    path = target / f"{topic}.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def mutate(topic: str, replacements: dict[str, str], folder: Path | None = None) -> Path:
    """A copy of the solution notebook whose cells with the given nbgrader grade_ids have new sources."""
    nb = load_solution(topic)
    seen = set()
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell["source"] = replacements[grade_id]
            seen.add(grade_id)
    missing = set(replacements) - seen
    assert not missing, f"no cells with grade_id {missing} in the {topic} solution"
    return write_notebook(nb, topic, folder)


def notebook_from_code(topic: str, *sources: str, folder: Path | None = None) -> Path:
    """A notebook whose only cells are the given code sources (for adversarial submissions)."""
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [],
                     "execution_count": None} for s in sources],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return write_notebook(nb, topic, folder)


# The variables that choose the language a student reads (week4.i18n): cleared for every
# `week4` run of the tests, so that no machine's locale changes what they see.
LANGUAGE_VARS = ("WEEK4_LANG", "LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


def week4(*args: str, cwd: Path = ROOT, timeout: float = 600,
          env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the installed `week4` command (in the course language unless `env` says otherwise)."""
    base = {k: v for k, v in os.environ.items() if k not in LANGUAGE_VARS}
    env = dict(base, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {}))
    return subprocess.run([str(BIN / "week4"), *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env)


def wait_until_listening(proc: subprocess.Popen, log: Path, marks: tuple[str, ...]) -> None:
    """Wait until a server started with `stdout=PIPE` prints one of `marks` (werkzeug's
    "Running on", gunicorn's "Listening at": both print it once the socket is bound), copying
    its output to `log` for the rest of its life. No clock: the line comes, or the output
    ends because the server died, and then the assertion shows the log."""
    import threading

    seen = threading.Event()

    def copy() -> None:
        with open(log, "ab") as out:
            for line in iter(proc.stdout.readline, b""):
                out.write(line)
                out.flush()
                if any(mark.encode() in line for mark in marks):
                    seen.set()
        seen.set()  # end of output: the server is gone

    threading.Thread(target=copy, daemon=True).start()
    seen.wait()
    assert any(m in log.read_text(errors="replace") for m in marks), \
        log.read_text(errors="replace")[-2000:]
