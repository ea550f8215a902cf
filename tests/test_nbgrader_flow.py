"""Real nbgrader: autograde gives the same points as `week4 check` for every topic, because
the notebook's test cells run the same checks (in a fresh process, not in the student's kernel)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from autograder.mutants import catalogue
from autograder.runner import check_infos
from autograder.topics import TOPICS
from helpers import BIN, ROOT, SOLUTIONS, load_solution


def nbgrader(course, *args):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=1800)
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


def first_mistake(topic: str) -> tuple[dict, set]:
    """({grade_id: wrong source}, the checks it loses): the first realistic mistake of the
    topic's catalogue; none ({}, set()) when the catalogue has no cell-level mutants."""
    module = catalogue(topic)
    mistakes = getattr(module, "MUTANTS", {}) if module else {}
    if not mistakes:
        return {}, set()
    replacements, lost = next(iter(mistakes.values()))
    return replacements, set(lost)


# Who submits what. alice (the solution's answers) in every topic: every check cell passes, so
# each topic's cells carry exactly its checks' points. bob (the untouched release) and carol
# (the topic's first realistic mistake) in the topics where it is cheap: a failing check cell
# costs exactly its check's points, by the same cells and grader in every topic. A topic's own
# tests prove `week4 check` gives these points; the nbgrader run costs a kernel run and a
# grading per notebook.
SUBMITS = {"alice": sorted(TOPICS), "bob": ["01-virtualenv"],
           "carol": ["01-virtualenv", "05-eda"]}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """One course with every live topic released and the three students of SUBMITS."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", root)
    with open(root / "students.csv", "w", newline="") as fh:
        csv.writer(fh).writerows([["id"]] + [[s] for s in SUBMITS])
    nbgrader(root, "db", "student", "import", "students.csv")
    for topic in TOPICS:
        shutil.copytree(SOLUTIONS / topic, root / "solutions" / topic,
                        ignore=shutil.ignore_patterns("app.py", "*.db"))
    # one nbgrader run for all topics (the assignment id is a glob): each run starts slowly
    nbgrader(root, "generate_assignment", "*", "--force")
    for topic in TOPICS:
        release = json.loads((root / "exercises" / topic / f"{topic}.ipynb").read_text())
        solution = {c["metadata"]["nbgrader"]["grade_id"]: c["source"]
                    for c in load_solution(topic)["cells"]
                    if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
        wrong = dict(solution, **first_mistake(topic)[0])
        for student, nb in {"alice": answered(release, solution), "bob": release,
                            "carol": answered(release, wrong)}.items():
            if topic not in SUBMITS[student]:
                continue
            folder = root / "submitted" / student / topic
            folder.mkdir(parents=True)
            (folder / f"{topic}.ipynb").write_text(json.dumps(nb))
    nbgrader(root, "autograde", "*")
    nbgrader(root, "export", "--to", str(root / "grades.csv"))
    return root


def exported(course) -> dict[tuple[str, str], float]:
    with open(course / "grades.csv", newline="") as fh:
        return {(r["student_id"], r["assignment"]): float(r["raw_score"])
                for r in csv.DictReader(fh)}


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_autograde_points_equal_week4_check(course, topic):
    """The exported points are exactly what the grader gives these notebooks: full marks, 0,
    and full marks minus the points of the checks the mistake loses (the topic's own tests
    prove `week4 check` gives that; grading them again here would only repeat it). A student
    who submitted nothing for the topic gets 0."""
    rows = {s: v for (s, a), v in exported(course).items() if a == topic}
    points = {info.id: info.points for info in check_infos(TOPICS[topic])}
    full = sum(points.values())
    lost = first_mistake(topic)[1]
    want = {"alice": full, "bob": 0, "carol": full - sum(points[c] for c in lost)}
    assert rows == {s: (want[s] if topic in SUBMITS[s] else 0) for s in SUBMITS}
    if lost and topic in SUBMITS["carol"]:
        assert rows["carol"] < full


def test_the_cheap_topics_have_a_realistic_mistake():
    """carol's partial score proves something only where the first mistake loses points."""
    assert all(first_mistake(topic)[1] for topic in SUBMITS["carol"])


def test_failed_test_cells_say_why_without_hidden_values(course):
    topic = "01-virtualenv"
    nb = json.loads((course / "autograded" / "bob" / topic / f"{topic}.ipynb").read_text())
    errors = [o for c in nb["cells"] for o in c.get("outputs", []) if o.get("output_type") == "error"]
    text = "\n".join("\n".join(o["traceback"]) for o in errors)
    assert "FAIL activate-windows" in text and "hint:" in text
    # what JupyterLab shows under a check cell: the check's words and a link to its section,
    # no traceback wall (the student's own "try it" cells keep Python's traceback)
    checks = ["\n".join(o["traceback"]) for c in nb["cells"]
              if c.get("metadata", {}).get("nbgrader", {}).get("grade")
              and not c["metadata"]["nbgrader"].get("solution")
              for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert checks and all("read: http://127.0.0.1:8000/topics/01-virtualenv/#" in t for t in checks)
    assert not [t for t in checks if "Traceback" in t or "cell.py" in t or "File " in t]
    # the hidden inputs of the checks (e.g. the 'my-venv' folder) are not revealed
    assert "my-venv" not in text and "plan9" not in text
