"""Attacks through the real graders (`grade_topic`, `week4 grade`), next to honest classmates.

Each hostile notebook scores 0, changes nothing outside its sandbox, leaves no process, and
the honest submissions graded in the same run get exactly their expected scores.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from autograder.jail import isolation
from autograder.runner import grade_topic
from tests.test_attacks import host_processes, private_tmp, sandbox_leftovers  # noqa: F401

pytestmark = pytest.mark.skipif(not isolation().isolated,
                                reason=f"no bubblewrap sandbox here: {isolation().reason}")

ROOT = Path(__file__).resolve().parent.parent
EXERCISE_01 = ROOT / "exercises" / "01-virtualenv" / "01-virtualenv.ipynb"
SOLUTION_01 = ROOT / "solutions" / "01-virtualenv" / "01-virtualenv.ipynb"


def with_cell(notebook: Path, source: str, dest: Path) -> Path:
    """A copy of `notebook` with one more code cell at the end."""
    data = json.loads(notebook.read_text(encoding="utf-8"))
    data["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                          "execution_count": None, "source": source})
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(data), encoding="utf-8")
    return dest


def test_create_venvs_interpreter_runs_only_inside_the_sandbox(tmp_path):
    """create_venv hands back a 'python' that is a shell script: it must not run in the grader."""
    marker = tmp_path / f"escaped-{uuid.uuid4().hex}"
    attack = f"""
import os, stat, venv
from pathlib import Path
def create_venv(path):
    venv.create(path, with_pip=False)
    fake = Path(path) / "bin" / "fake-python"
    fake.write_text("#!/bin/sh\\ntouch {marker}\\necho '[\\\\"{{0}}\\\\", \\\\"/usr\\\\"]'\\n")
    fake.chmod(0o755)
    return str(fake)
"""
    result = grade_topic("01-virtualenv", with_cell(EXERCISE_01, attack, tmp_path / "s" / EXERCISE_01.name))
    assert not marker.exists()
    assert result.score == 0


def test_patched_helpers_gain_nothing(tmp_path):
    """Rewriting the child-side helper to report every case as fine earns nothing."""
    notebook = ROOT / "exercises" / "05-eda" / "05-eda.ipynb"
    attack = """
import autograder.sandboxed.eda as eda
def _forged(child, name, cases, seconds):
    return [{"status": "ok", "value": None} for _ in cases]
eda.evaluate = _forged
"""
    result = grade_topic("05-eda", with_cell(notebook, attack, tmp_path / "s" / notebook.name))
    assert result.score == 0, [c.id for c in result.checks if c.passed]


def test_gunicorn_config_cannot_leave_processes_or_files_behind(tmp_path, private_tmp):
    notebook = ROOT / "solutions" / "03-cloud" / "03-cloud.ipynb"
    token = f"week4-gunicorn-escape-{uuid.uuid4().hex}"
    marker = tmp_path / "escaped-from-gunicorn"
    data = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in data["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if source.startswith("%%writefile gunicorn.conf.py"):
            cell["source"] = source + (
                "\nimport os, subprocess, sys\n"
                f"open({str(marker)!r}, 'w').close() if os.access({str(tmp_path)!r}, os.W_OK) else None\n"
                "if os.fork() == 0:\n"
                "    os.setsid()\n"
                f"    os.execv(sys.executable, [sys.executable, '-c', 'import signal; signal.pause()', {token!r}])\n")
    path = tmp_path / "s" / notebook.name
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    grade_topic("03-cloud", path)
    assert host_processes(token) == []
    assert not marker.exists()
    assert [n for n in sandbox_leftovers(private_tmp) if n.startswith("week4-sandbox")] == []


def test_a_hostile_student_cannot_hurt_the_class_run(tmp_path, private_tmp):
    """One student kills what it can, forks a late writer and rewrites a classmate's notebook;
    `week4 grade` finishes, and the honest classmate gets full marks."""
    submitted = tmp_path / "submitted"
    out = tmp_path / "out"
    honest = submitted / "honest" / "01-virtualenv" / "01-virtualenv.ipynb"
    honest.parent.mkdir(parents=True)
    shutil.copy(SOLUTION_01, honest)
    honest_bytes = honest.read_bytes()
    token = f"week4-late-writer-{uuid.uuid4().hex}"
    attack = f"""
import os, signal, sys
for pid in (os.getppid(), 1):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
try:
    open({str(honest)!r}, "w").write("{{}}")
except OSError:
    pass
if os.fork() == 0:
    os.setsid()
    os.execv(sys.executable, [sys.executable, "-c",
             "import pathlib; p = pathlib.Path({str(out / 'grades.csv')!r})\nwhile not p.exists(): pass\np.write_text('forged')",
             {token!r}])
"""
    with_cell(EXERCISE_01, attack, submitted / "mallory" / "01-virtualenv" / "01-virtualenv.ipynb")
    key = tmp_path / "grading.key"
    week4 = [sys.executable, "-m", "week4"]
    subprocess.run(week4 + ["key", "new", str(key)], check=True, capture_output=True)
    proc = subprocess.run(week4 + ["grade", "--submissions", str(submitted), "--assignment",
                                   "01-virtualenv", "--out", str(out), "--key", str(key),
                                   "--jobs", "2"], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TMPDIR": str(private_tmp)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert host_processes(token) == []
    assert [n for n in sandbox_leftovers(private_tmp) if n.startswith("week4-sandbox")] == []
    assert honest.read_bytes() == honest_bytes
    with open(out / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = {r["student"]: r for r in csv.DictReader(fh)}
    assert float(rows["honest"]["01-virtualenv"]) == 15
    assert float(rows["mallory"]["01-virtualenv"]) == 0


def test_grading_without_the_sandbox_needs_consent_and_is_marked(tmp_path):
    """Where bubblewrap cannot run, week4 grade refuses; with --allow-unisolated it grades and
    grades.csv says which results were graded without isolation."""
    submitted = tmp_path / "submitted"
    notebook = submitted / "alice" / "01-virtualenv" / "01-virtualenv.ipynb"
    notebook.parent.mkdir(parents=True)
    shutil.copy(SOLUTION_01, notebook)
    key = tmp_path / "grading.key"
    week4 = [sys.executable, "-m", "week4"]
    subprocess.run(week4 + ["key", "new", str(key)], check=True, capture_output=True)
    env = {**os.environ, "WEEK4_NO_BWRAP": "1"}
    grade = week4 + ["grade", "--submissions", str(submitted), "--assignment", "01-virtualenv",
                     "--out", str(tmp_path / "out"), "--key", str(key)]
    refused = subprocess.run(grade, capture_output=True, text=True, env=env)
    assert refused.returncode == 2
    assert "--allow-unisolated" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    done = subprocess.run(grade + ["--allow-unisolated"], capture_output=True, text=True, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    with open(tmp_path / "out" / "grades.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["graded_without_isolation"] == "01-virtualenv"
    result = json.loads(next((tmp_path / "out" / "results").glob("*/*.json")).read_text())
    assert result["isolated"] is False
    doctor = subprocess.run(week4 + ["doctor"], capture_output=True, text=True, env=env)
    assert doctor.stdout.startswith("isolation: process")
