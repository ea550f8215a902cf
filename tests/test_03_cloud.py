"""Topic 03 graded end to end: solution, release, realistic mistakes, adversaries, and proof
that the servers the checks start (moto, gunicorn) never outlive a grading.

The mutants and adversaries are graded the way an nbgrader test cell grades a notebook,
`python -m autograder TOPIC NOTEBOOK` in a process of its own, a few at a time: each grading
mostly waits (for moto, gunicorn or a timeout), so running them side by side keeps this
module fast.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import EXERCISES, ROOT, SOLUTIONS, grade, mutate, notebook_from_code

from autograder import cloud_servers
from autograder.checks import test_03_cloud as checks

TOPIC = "03-cloud"
PARALLEL = int(os.environ.get("WEEK4_TEST_PARALLEL", "3"))
# Only turns a hang into a failure instead of a stuck suite; the grader's own limits (its
# budget of checks.BUDGET s) end every grading long before, however busy the machine is.
HANG_GUARD = 900


def test_solution_scores_full_marks():
    result = grade(TOPIC, SOLUTIONS / TOPIC / f"{TOPIC}.ipynb")
    assert result.max > 0
    assert result.score == result.max, [c.message for c in result.checks if not c.passed]
    assert not result.notes  # every cell of the solution runs, try-it cells included


def test_released_exercise_scores_zero():
    result = grade(TOPIC, EXERCISES / TOPIC / f"{TOPIC}.ipynb")
    assert result.score == 0
    assert all("not written yet" in c.message for c in result.checks), \
        {c.id: c.message for c in result.checks if "not written yet" not in c.message}


def test_topic_folders_hold_only_the_notebook():
    """Running the notebook writes gunicorn.conf.py next to it; nbgrader would ship that file
    (the solution's config) to every student with the next release."""
    for folder in (SOLUTIONS / TOPIC, EXERCISES / TOPIC):
        assert sorted(p.name for p in folder.iterdir()) == [f"{TOPIC}.ipynb"], folder


from autograder.mutants.m03_cloud import MUTANTS  # noqa: E402

# Adversarial submissions: none may earn a point, crash the grader or hang it. (Attacks on the
# harness itself, such as loops while loading or monkeypatching pytest, are topic-independent
# and tested with topic 01.)
ALL_FUNCS = ["service_model", "deployment_model", "instances_needed", "scaling_costs",
             "plot_scaling", "sha256_file", "upload_model", "download_model",
             "launch_instance", "running_instances"]


def every_function(body: str) -> str:
    return "\n".join(f"def {name}(*args, **kwargs):\n    {body}\n" for name in ALL_FUNCS)


LOOPING_CONFIG = "%%writefile gunicorn.conf.py\nwhile True:\n    pass\n"
# Looks harmless to an inspection in the sandbox, then detaches from the grader under gunicorn.
SNEAKY_DAEMON_CONFIG = '''%%writefile gunicorn.conf.py
import sys
daemon = "gunicorn/" in sys.argv[0]  # under gunicorn, not in an inspection
'''
# {name: notebook cells}; each must score 0, and its grading must end.
ADVERSARIES = {
    "infinite loop in every function and in the config": (
        [LOOPING_CONFIG, "import time\n" + every_function("while True: pass")]),
    "sys.exit(0) in every function": (["import sys\n" + every_function("sys.exit(0)")]),
    "os._exit(0) in every function": (["import os\n" + every_function("os._exit(0)")]),
    "objects that equal everything": (['''
class Anything(dict):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __hash__(self): return 0
class Everything(list):
    def __eq__(self, other): return True
''' + every_function("return Anything()").replace(
        "def instances_needed(*args, **kwargs):\n    return Anything()",
        "def instances_needed(*args, **kwargs):\n    return Everything()")]),
    "fake result files and forged replies": (['''
import json, os, pathlib
fake = {"score": 36, "max": 36, "passed": True}
for place in [pathlib.Path.cwd(), pathlib.Path.cwd().parent, pathlib.Path("/tmp")]:
    try:
        (place / "results.json").write_text(json.dumps(fake))
        (place / "week4-results.json").write_text(json.dumps(fake))
    except OSError:
        pass
for fd in range(3, 64):
    for i in range(1, 40):
        try:
            os.write(fd, (json.dumps({"id": i, "ok": True, "value": True}) + "\\n").encode())
        except OSError:
            break
''' + every_function("return True")]),
    "a gunicorn that daemonises behind the inspection's back": (
        [SNEAKY_DAEMON_CONFIG, every_function("return None")]),
}


def run_graders(jobs: dict[str, Path]) -> dict[str, dict]:
    """Grade each notebook with `python -m autograder`, PARALLEL at a time."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def grade_one(path: Path) -> dict:
        # the grader's pid marks the servers it starts (test_no_server_outlives_its_grader)
        proc = subprocess.Popen([sys.executable, "-m", "autograder", TOPIC, str(path)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            out, err = proc.communicate(timeout=HANG_GUARD)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            return {"result": {"error": f"the grader hung (no answer in {HANG_GUARD} s)"},
                    "pid": proc.pid}
        try:
            return {"result": json.loads(out), "pid": proc.pid}
        except ValueError:
            return {"result": {"error": f"grader output is not JSON: {err[-2000:]}"},
                    "pid": proc.pid}

    with ThreadPoolExecutor(PARALLEL) as pool:
        futures = {name: pool.submit(grade_one, path) for name, path in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    jobs = {}
    for i, (name, (replacements, _)) in enumerate(MUTANTS.items()):
        jobs[name] = mutate(TOPIC, replacements, tmp_path_factory.mktemp(f"mutant{i}"))
    for i, (name, sources) in enumerate(ADVERSARIES.items()):
        jobs[name] = notebook_from_code(TOPIC, *sources, folder=tmp_path_factory.mktemp(f"adv{i}"))
    return run_graders(jobs)


def failures(result: dict) -> dict[str, str]:
    return {c["id"]: c["message"] for c in result.get("checks", []) if not c["passed"]}


@pytest.mark.parametrize("name", list(MUTANTS))
def test_realistic_mistake_loses_exactly_its_points(name, graded):
    expected_lost = MUTANTS[name][1]
    result = graded[name]["result"]
    assert "checks" in result, result
    assert set(failures(result)) == expected_lost, failures(result)
    lost_points = sum(c["max"] for c in result["checks"] if c["id"] in expected_lost)
    assert result["score"] == result["max"] - lost_points


@pytest.mark.parametrize("name", list(ADVERSARIES))
def test_adversarial_submission_scores_zero_without_hanging(name, graded):
    # Returning at all is the "without hanging" (the grader's limits end every loop).
    result = graded[name]["result"]
    assert "checks" in result, result
    assert result["score"] == 0, [c["id"] for c in result["checks"] if c["passed"]]
    assert all(c["message"] for c in result["checks"])  # every failure says why


def test_sneaky_daemon_is_caught_and_killed(graded):
    messages = failures(graded["a gunicorn that daemonises behind the inspection's back"]["result"])
    assert "detached itself" in messages["gunicorn-serves"]


def test_no_server_outlives_its_grader(graded):
    """No process carries the marker of a server started by any of the graders above."""
    prefixes = tuple(f"{cloud_servers.MARKER}={job['pid']}-".encode() for job in graded.values())
    leftovers = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environ = (entry / "environ").read_bytes().split(b"\0")
                state = (entry / "stat").read_text().rsplit(")", 1)[-1].split()[0]
            except (OSError, IndexError):
                continue
            if state != "Z" and any(v.startswith(prefixes) for v in environ):
                leftovers.append(int(entry.name))
    assert leftovers == []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[-1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def test_servers_are_stopped_when_checks_fail_or_time_out(tmp_path, monkeypatch):
    """In this very process (so that no death signal does the job): moto and a gunicorn
    that never comes up are both gone after the grading, although every check failed."""
    monkeypatch.setattr(checks, "GUNICORN_START_TIMEOUT", 3)
    monkeypatch.setattr(checks, "AWS_TIMEOUT", 3)
    hanging_server = ('%%writefile gunicorn.conf.py\nimport time\n'
                      'def on_starting(server):\n    time.sleep(600)\n')
    source = every_function("raise RuntimeError('nope')").replace(
        "def upload_model(*args, **kwargs):\n    raise RuntimeError('nope')",
        "def upload_model(*args, **kwargs):\n    while True: pass")
    before = len(cloud_servers.STARTED)
    result = grade(TOPIC, notebook_from_code(TOPIC, hanging_server, source, folder=tmp_path))
    assert result.score == 0
    assert "did not finish" in {c.id: c.message for c in result.checks}["s3-upload"]
    assert "no answer within 3 s" in {c.id: c.message for c in result.checks}["gunicorn-serves"]
    started = cloud_servers.STARTED[before:]
    assert len(started) == 2  # moto, then gunicorn
    assert not [pid for pid in started if alive(pid)]
    assert not [t for t in cloud_servers.TOKENS[before:] if cloud_servers.marked_processes(t)]
