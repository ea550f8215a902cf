"""Real nbgrader: autograde gives the same points as `week4 check`, because the notebook's
test cells run the same checks (in a fresh process, not in the student's kernel)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from helpers import BIN, ROOT, SOLUTIONS, grade, load_solution

TOPIC = "01-virtualenv"


def nbgrader(course, *args):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def answered(release_nb: dict, answers: dict) -> dict:
    """The released notebook with a student's answers typed into its solution cells."""
    nb = json.loads(json.dumps(release_nb))
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course folder with our config, the topic released, and three students submitted."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(SOLUTIONS / TOPIC, root / "solutions" / TOPIC)
    nbgrader(root, "generate_assignment", TOPIC, "--force")
    release = json.loads((root / "exercises" / TOPIC / f"{TOPIC}.ipynb").read_text())
    solution = {c["metadata"]["nbgrader"]["grade_id"]: c["source"]
                for c in load_solution(TOPIC)["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    wrong = dict(solution, activation_command=(
        "def activation_command(os_name, shell, venv_dir='.venv'):\n"
        "    return f'source {venv_dir}/bin/activate'\n"))
    students = {"alice": answered(release, solution), "bob": release,
                "carol": answered(release, wrong)}
    for student, nb in students.items():
        folder = root / "submitted" / student / TOPIC
        folder.mkdir(parents=True)
        (folder / f"{TOPIC}.ipynb").write_text(json.dumps(nb))
        nbgrader(root, "db", "student", "add", student)
    nbgrader(root, "autograde", TOPIC)
    nbgrader(root, "export", "--to", str(root / "grades.csv"))
    return root


def test_autograde_points_equal_week4_check(course):
    with open(course / "grades.csv", newline="") as fh:
        rows = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(fh)}
    ours = {s: grade(TOPIC, course / "submitted" / s / TOPIC / f"{TOPIC}.ipynb").score
            for s in rows}
    assert rows == ours
    assert rows["alice"] == grade(TOPIC, SOLUTIONS / TOPIC / f"{TOPIC}.ipynb").max
    assert rows["bob"] == 0
    assert 0 < rows["carol"] < rows["alice"]


def test_failed_test_cells_say_why_without_hidden_values(course):
    nb = json.loads((course / "autograded" / "carol" / TOPIC / f"{TOPIC}.ipynb").read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    text = "\n".join("\n".join(o["traceback"]) for o in errors)
    assert "FAIL activate-windows" in text and "hint:" in text
    # the hidden inputs of the check (e.g. the 'my-venv' folder) are not revealed
    assert "my-venv" not in text and "plan9" not in text
