"""The GitHub Classroom workflow: valid YAML, and its grading step run here (not on GitHub)."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.runner import check_infos
from autograder.topics import get_topic
from week4.grading.demo import answered, release, solution_sources

ROOT = Path(__file__).resolve().parents[1]
TOPIC = "01-virtualenv"
FULL = sum(i.points for i in check_infos(get_topic(TOPIC)))


@pytest.fixture(scope="module")
def workflow(tmp_path_factory):
    out = tmp_path_factory.mktemp("template")
    proc = subprocess.run([sys.executable, "-m", "week4.cli", "export", "github-classroom",
                           "--out", str(out), "--topic", TOPIC], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    path = out / ".github" / "workflows" / "classroom.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def steps(workflow):
    return workflow["jobs"]["run-autograding-tests"]["steps"]


def run_grading_step(workflow, repo: Path, notebook: dict) -> dict:
    """Run the workflow's grading commands in a clone-shaped folder; decode its `result`."""
    (repo / "exercises" / TOPIC).mkdir(parents=True)
    (repo / "exercises" / TOPIC / f"{TOPIC}.ipynb").write_text(json.dumps(notebook))
    (repo / ".venv").symlink_to(Path(sys.prefix))  # what `make setup` made: the course venv
    step = next(s for s in steps(workflow) if s.get("id") == "week4")
    output = repo / "github_output"
    output.touch()
    env = {k: v for k, v in os.environ.items() if k != "WEEK4_KEY"}
    proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, capture_output=True,
                          text=True, env={**env, "GITHUB_OUTPUT": str(output)}, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    line = output.read_text().strip()
    assert re.fullmatch(r"result=[A-Za-z0-9+/=]+", line), line
    return json.loads(base64.b64decode(line.split("=", 1)[1]))


def test_the_workflow_is_what_classroom_runs(workflow):
    assert workflow["name"] == "Autograding Tests"
    assert set(workflow["on"]) == {"push", "repository_dispatch"}
    assert workflow["permissions"]["checks"] == "write"
    all_steps = steps(workflow)
    assert all_steps[0]["uses"].startswith("actions/checkout@")
    assert any(s.get("run") == "make setup" for s in all_steps)
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^setup:", makefile, re.MULTILINE)  # the README's setup target exists
    grading = next(s for s in all_steps if s.get("id") == "week4")
    assert f"week4 check {TOPIC} --json" in grading["run"]
    reporter = all_steps[-1]
    assert reporter["uses"].startswith("classroom-resources/autograding-grading-reporter@")
    assert reporter["with"]["runners"] == "week4"
    assert reporter["env"]["WEEK4_RESULTS"] == "${{ steps.week4.outputs.result }}"


def points(result: dict) -> str:
    """What the reporter writes to the check run: Points X/Y."""
    return f"Points {sum(t['score'] for t in result['tests']):g}/{result['max_score']:g}"


def test_result_for_the_solution_and_the_exercise(workflow, tmp_path):
    solution = run_grading_step(workflow, tmp_path / "s",
                                answered(release(TOPIC), solution_sources(TOPIC)))
    exercise = run_grading_step(workflow, tmp_path / "e", release(TOPIC))
    for result in (solution, exercise):
        assert result["version"] == 1 and result["status"] in ("pass", "fail")
        assert len(result["tests"]) == len(check_infos(get_topic(TOPIC)))
        for test in result["tests"]:
            assert {"name", "status", "score", "message"} <= set(test)
    assert points(solution) == f"Points {FULL:g}/{FULL:g}" and solution["status"] == "pass"
    assert points(exercise) == f"Points 0/{FULL:g}" and exercise["status"] == "fail"
    failed = next(t for t in exercise["tests"] if t["status"] == "fail")
    assert "hint:" in failed["message"]


def test_unknown_topic_is_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "week4.cli", "export", "github-classroom",
                           "--out", str(tmp_path), "--topic", "nope"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
