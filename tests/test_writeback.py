"""One authoritative grade: `week4 grade --gradebook DB --write-back` with a real nbgrader.

Inside `nbgrader autograde` a notebook runs in its own kernel before its test cells, so it can
tamper with them. Setting WEEK4_SANDBOX no longer skips a test cell (it makes it fail);
rebinding `autograder.cell.check` still fools nbgrader, and write-back then replaces the
auto scores with the isolated grader's points. Manual scores are never touched.

The course is as small as proves it: one assignment, an honest student (write-back leaves
her points alone) and one who rebinds the check function (nbgrader believes it; write-back
corrects it). Setting WEEK4_SANDBOX in the kernel is proven on the test cells' own function,
in this process: nbgrader runs that same function in the notebook's kernel.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from helpers import BIN, ROOT, SOLUTIONS, load_solution, week4

TOPIC = "01-virtualenv"
SET_SANDBOX = 'import os\nos.environ["WEEK4_SANDBOX"] = "1"\n'
REBIND = ('import autograder.cell\n'
          'autograder.cell.check = lambda *args, **kwargs: print("PASS (trust me)")\n')


def run_nbgrader(course, *args, env):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]


def with_first_cell(nb: dict, source: str) -> dict:
    nb = json.loads(json.dumps(nb))
    nb["cells"].insert(0, {"cell_type": "code", "metadata": {}, "outputs": [],
                           "execution_count": None, "source": source})
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("wb-course")
    key = tmp_path_factory.mktemp("wb-key") / "grading.key"
    assert week4("key", "new", str(key)).returncode == 0
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               WEEK4_KEY=str(key))
    shutil.copy(ROOT / "nbgrader_config.py", root)
    students = ["alice", "mallory-rebind"]
    with open(root / "students.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([["id"]] + [[s] for s in students])
    run_nbgrader(root, "db", "student", "import", "students.csv", env=env)
    shutil.copytree(SOLUTIONS / TOPIC, root / "solutions" / TOPIC,
                    ignore=shutil.ignore_patterns("app.py", "*.db"))
    run_nbgrader(root, "generate_assignment", TOPIC, "--force", env=env)
    release = json.loads((root / "exercises" / TOPIC / f"{TOPIC}.ipynb").read_text())
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"]
               for c in load_solution(TOPIC)["cells"]
               if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    answered = json.loads(json.dumps(release))
    for cell in answered["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    notebooks = {"alice": answered, "mallory-rebind": with_first_cell(release, REBIND)}
    for student, nb in notebooks.items():
        folder = root / "submitted" / student / TOPIC
        folder.mkdir(parents=True)
        (folder / f"{TOPIC}.ipynb").write_text(json.dumps(nb))
    run_nbgrader(root, "autograde", TOPIC, env=env)
    return root, key, env


def auto_scores(course_root) -> dict[str, tuple[float, list]]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(f"sqlite:///{course_root / '.nbgrader' / 'gradebook.db'}", "week4") as gb:
        for student in ("alice", "mallory-rebind"):
            sub = gb.find_submission(TOPIC, student)
            grades = [g for nb in sub.notebooks for g in nb.grades if g.cell_type == "code"]
            out[student] = (sub.score, [(g.name, g.auto_score, g.manual_score) for g in grades])
    return out


def test_write_back_replaces_tampered_scores_and_keeps_manual_ones(course, tmp_path):
    root, key, env = course
    before = auto_scores(root)
    full = before["alice"][0]
    assert full > 0
    assert before["mallory-rebind"][0] == full  # tampering in the kernel fools nbgrader...

    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{root / '.nbgrader' / 'gradebook.db'}", "week4") as gb:
        grade = gb.find_grade("freeze-pins", TOPIC, TOPIC, "mallory-rebind")
        grade.manual_score = 0.5  # an instructor's override
        gb.db.commit()

    out = tmp_path / "out"
    proc = week4("grade", "--submissions", str(root / "submitted"), "--assignment", TOPIC,
                 "--gradebook", str(root / ".nbgrader" / "gradebook.db"), "--write-back",
                 "--key", str(key), "--out", str(out), "--jobs", "2")
    assert proc.returncode == 0, proc.stderr
    after = auto_scores(root)
    # ...until write-back puts the isolated grader's points in
    assert all(auto == 0 for name, auto, _ in after["mallory-rebind"][1])
    assert ("freeze-pins", 0, 0.5) in after["mallory-rebind"][1]  # manual score untouched
    assert after["alice"] == before["alice"]  # the same key: the same points, nothing changed
    changes = json.loads((out / "write-back.json").read_text())
    assert {c["student"] for c in changes} == {"mallory-rebind"}
    assert len(changes) == len(after["mallory-rebind"][1])
    for change in changes:
        assert f"WRITE-BACK mallory-rebind {TOPIC} {change['cell']}" in proc.stdout
    assert "Written back to nbgrader" in (out / "report.html").read_text()
    results = json.loads((out / "results" / TOPIC / "alice.json").read_text())
    assert results["key_id"] and results["grader_version"] and results["mode"] == "grading"


def test_week4_sandbox_set_in_the_kernel_fails_test_cells(monkeypatch):
    """What a notebook's `os.environ["WEEK4_SANDBOX"] = "1"` does to the test cells after it
    (they call autograder.cell.check in the same kernel): they fail, without grading."""
    import autograder.cell

    namespace: dict = {}
    monkeypatch.setattr(autograder.cell, "topic_result", lambda topic: pytest.fail("graded"))
    monkeypatch.setenv("WEEK4_SANDBOX", "")  # restored (removed) after the test
    exec(SET_SANDBOX, namespace)  # the cell a student adds, as written in a notebook
    with pytest.raises(AssertionError, match="do not run inside the grader's sandbox"):
        autograder.cell.check(TOPIC, "freeze-pins")


def test_write_back_needs_a_gradebook(tmp_path):
    proc = week4("grade", "--submissions", str(tmp_path), "--write-back")
    assert proc.returncode == 2 and "--gradebook" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
