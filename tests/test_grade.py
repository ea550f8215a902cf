"""`week4 grade`: a whole class, in parallel, resumable, with feedback, report and cross-check."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile

import pytest

from autograder.mutants import catalogue
from autograder.topics import TOPICS
from helpers import BIN, week4
from hidden import course_key
from week4.grading.demo import build

TOPIC = "01-virtualenv"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["student"]: row for row in csv.DictReader(fh)}


# The kinds whose grading is the same for every topic (the file or the harness decides, not the
# topic's checks): kept for one topic only. The topics' own tests grade each of them per topic.
HARNESS_KINDS = {"broken-json", "infinite-loop", "tamper-kernel", "tamper-file"}


def one_of_each_kind(root, expected) -> None:
    """Keep, per topic, the first submission of each kind the class run has to prove: for
    TOPIC every kind (correct, empty, broken JSON, loop, tampering, one realistic mistake, and
    the Windows mistake the feedback test reads); for the other topics the kinds their checks
    decide (correct, empty, one realistic mistake). The other submissions are taken away, so
    their students count as 'missing' (0).

    The copies add no behaviour that the topics' own tests do not prove (every mistake there
    loses exactly its points, every loop and tampering scores 0), but each costs a grading."""
    seen = set()
    for student in sorted(expected):
        for topic, want in expected[student].items():
            role = want["role"]
            kind = "mutant" if role.startswith("mutant: ") and "Windows" not in role else role
            if (topic, kind) in seen or (topic != TOPIC and kind in HARNESS_KINDS):
                shutil.rmtree(root / "submitted" / student / topic)
                expected[student][topic] = {"score": 0, "role": "missing"}
            seen.add((topic, kind))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo class (`make grade-demo`): 30 students x every live topic, with one
    submission of each kind per topic as one_of_each_kind keeps them (the rest missing),
    graded once with two workers."""
    root = tmp_path_factory.mktemp("demo")
    expected = build(root, students=30)
    one_of_each_kind(root, expected)
    out = root / "out"
    course_key(root)  # the same hidden inputs in every run: no luck of the draw
    proc = week4("grade", "--submissions", str(root / "submitted"), "--jobs", "2",
                 "--out", str(out), timeout=3600)
    assert proc.returncode == 0, proc.stderr
    return root, out, expected


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_every_synthetic_student_gets_the_expected_score(demo, topic):
    root, out, expected = demo
    rows = read_csv(out / "grades.csv")
    assert len(rows) == len(expected) >= 30
    got = {s: (float(rows[s][topic]), expected[s][topic]["role"]) for s in rows}
    want = {s: (float(expected[s][topic]["score"]), expected[s][topic]["role"]) for s in expected}
    assert got == want
    roles = {expected[s][topic]["role"] for s in expected}
    assert {"correct", "empty", "missing"} | (HARNESS_KINDS if topic == TOPIC else set()) <= roles
    if catalogue(topic) is not None:
        assert any(r.startswith("mutant: ") for r in roles)


def test_csv_has_a_column_per_check(demo):
    _, out, _ = demo
    header = next(csv.reader(open(out / "grades.csv", encoding="utf-8")))
    assert header[:3] == ["student", "total", "max"]
    assert f"{TOPIC}:freeze-pins" in header and f"{TOPIC}:venv-create" in header


def test_feedback_per_student_hides_hidden_values(demo):
    root, out, expected = demo
    pages = list((out / "feedback").glob("*.html"))
    assert len(pages) == len(expected)
    mutant = next(s for s in expected if "Windows" in expected[s][TOPIC]["role"])
    page = (out / "feedback" / f"{mutant}.html").read_text()
    assert "activate-windows" in page and ("hint:" in page or "힌트" in page)
    assert "my-venv" not in page  # a hidden input of that check


def test_class_report_shows_distribution_and_pass_rates(demo):
    _, out, _ = demo
    report = (out / "report.html").read_text()
    assert "<svg" in report and "Grade distribution" in report
    assert "Pass rate per check" in report and "freeze-normalise" in report


def test_rerun_skips_finished_work_and_force_regrades(demo):
    root, out, _ = demo
    before = {p: p.stat().st_mtime_ns for p in (out / "results").rglob("*.json")}
    proc = week4("grade", "--submissions", str(root / "submitted"), "--out", str(out))
    assert "graded 0 now" in proc.stdout
    assert before == {p: p.stat().st_mtime_ns for p in (out / "results").rglob("*.json")}
    # --force regrades (one assignment, to keep it short) and gives the same grades
    proc = week4("grade", "--submissions", str(root / "submitted"), "--assignment", TOPIC,
                 "--out", str(out), "--force")
    assert f"graded {len(read_csv(out / 'grades.csv'))} now" in proc.stdout
    after = {p: p.stat().st_mtime_ns for p in (out / "results" / TOPIC).glob("*.json")}
    assert all(after[p] != before[p] for p in after)


def test_a_killed_run_loses_no_finished_grade(tmp_path):
    CLASS = 10  # enough to be killed mid-way; each submission costs a grading
    root = tmp_path / "class"
    build(root, students=CLASS, assignments=[TOPIC])
    out = tmp_path / "out"
    cmd = [str(BIN / "week4"), "grade", "--submissions", str(root / "submitted"),
           "--assignment", TOPIC, "--jobs", "2", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # wait (however long a busy machine takes) until three grades are written, then crash it
    while len(list((out / "results").rglob("*.json"))) < 3 and proc.poll() is None:
        time.sleep(0.1)  # polling the results folder, not waiting for time to pass
    proc.send_signal(signal.SIGKILL)  # a crash: no chance to clean up
    proc.wait()
    finished = {p: p.read_text() for p in (out / "results").rglob("*.json")}
    submitted = len(list((root / "submitted").glob(f"*/{TOPIC}")))
    assert 3 <= len(finished) < submitted
    for text in finished.values():
        json.loads(text)  # never half-written
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=1800)  # hang guard
    assert rerun.returncode == 0, rerun.stderr
    assert f"graded {submitted - len(finished)} now" in rerun.stdout, rerun.stdout
    for path, text in finished.items():
        assert path.read_text() == text  # finished grades were kept, not redone
    assert len(read_csv(out / "grades.csv")) == CLASS


def test_lms_zip_of_notebooks_named_by_student(demo, tmp_path):
    root, _, expected = demo
    archive = tmp_path / "lms.zip"
    students = [s for s in sorted(expected) if expected[s][TOPIC]["role"] != "missing"][:3]
    with zipfile.ZipFile(archive, "w") as zf:
        for student in students:
            nb = root / "submitted" / student / TOPIC / f"{TOPIC}.ipynb"
            zf.write(nb, f"{student}_4411_assignsubmission_file_{TOPIC}.ipynb")
    out = tmp_path / "out"
    proc = week4("grade", "--submissions", str(archive), "--assignment", TOPIC, "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = read_csv(out / "grades.csv")
    assert {s: float(r[TOPIC]) for s, r in rows.items()} == {
        s: float(expected[s][TOPIC]["score"]) for s in students}


def test_shards_merge_into_the_same_grades(demo, tmp_path):
    root, out, _ = demo
    shards = []
    for k in (1, 2):
        shard_out = tmp_path / f"shard{k}"
        proc = week4("grade", "--submissions", str(root / "submitted"), "--assignment", TOPIC,
                     "--shard", f"{k}/2", "--out", str(shard_out))
        assert proc.returncode == 0, proc.stderr
        shards.append(str(shard_out))
    merged = tmp_path / "merged"
    assert week4("merge", *shards, "--out", str(merged)).returncode == 0
    full = read_csv(out / "grades.csv")
    assert {s: r[TOPIC] for s, r in read_csv(merged / "grades.csv").items()} == {
        s: r[TOPIC] for s, r in full.items()}


@pytest.mark.parametrize("args,words", [
    (["grade", "--submissions", "no/such/dir"], ["no/such/dir"]),
    (["grade", "--submissions", ".", "--assignment", "99-x"], ["99-x"]),
    (["grade", "--submissions", "x.zip", "--shard", "3/2"], ["--shard"]),
    (["grade", "--submissions", ".", "--jobs", "0"], ["--jobs"]),
    (["merge", "no/such/shard", "--out", "x"], ["no/such/shard"]),
])
def test_bad_input_is_a_one_line_error(args, words, tmp_path):
    proc = week4(*args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert all(w in lines[0] for w in words)


def nbgrader(course, *args):
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    proc = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]


def test_report_flags_submissions_tampered_inside_the_kernel(tmp_path):
    root = tmp_path / "course"
    expected = build(root, students=16, assignments=[TOPIC])
    keep = {"correct", "empty", "tamper-kernel", "tamper-file"}
    for student, topics in expected.items():  # a small class keeps nbgrader quick
        role = topics[TOPIC]["role"]
        if role not in keep or (role == "correct" and student != min(
                s for s in expected if expected[s][TOPIC]["role"] == "correct")):
            shutil.rmtree(root / "submitted" / student)
    students = sorted(p.name for p in (root / "submitted").iterdir())
    nbgrader(root, "generate_assignment", TOPIC, "--force")
    (root / "students.csv").write_text("id\n" + "".join(f"{s}\n" for s in students))
    nbgrader(root, "db", "student", "import", "students.csv")  # one nbgrader start, not four
    nbgrader(root, "autograde", TOPIC)
    proc = week4("grade", "--submissions", str(root / "submitted"), "--assignment", TOPIC,
                 "--out", str(root / "out"))
    assert proc.returncode == 0, proc.stderr
    flagged = {line.split()[1] for line in proc.stdout.splitlines() if line.startswith("FLAG")}
    tampered = {s for s in students if expected[s][TOPIC]["role"] == "tamper-kernel"}
    assert flagged == tampered and tampered
    assert "possible tampering" in proc.stdout
    assert "tampering" in (root / "out" / "report.html").read_text()
