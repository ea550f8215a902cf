"""Benchmarks (`make bench-check`): ratios against a baseline measured in the same run.

    python -m week4.bench check [--repeat N]
    python -m week4.bench grade [--students N]

`check` compares `week4 check 01-virtualenv --submission solutions` (a fresh process: start-up,
pytest, sandbox, all checks) with a bare nbclient execution of the same solution notebook's
code cells (a fresh Jupyter kernel, test cells left out since they call the grader).
Target: the check costs at most 1.5x the bare execution, and under 3 s.

`grade` builds the demo class and grades it twice: serial `nbgrader autograde` (one
assignment after another, as nbgrader works) and `week4 grade --jobs 2`.
Targets: a speedup of at least 1.8x, and at most 2 s per submission-assignment.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOPIC = "01-virtualenv"


def time_check() -> float:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "week4", "check", TOPIC, "--submission",
                           str(ROOT / "solutions"), "--json"], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    data = json.loads(proc.stdout)
    if data["score"] != data["max"]:
        raise SystemExit("bench: the solution did not score full marks; fix that first")
    return elapsed


def time_bare_notebook() -> float:
    import nbformat
    from nbclient import NotebookClient

    from autograder.notebook import is_test_cell

    nb = nbformat.read(ROOT / "solutions" / TOPIC / f"{TOPIC}.ipynb", as_version=4)
    nb.cells = [c for c in nb.cells if not is_test_cell(c)]
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "solutions" / TOPIC)}}).execute()
    return time.perf_counter() - start


def bench_check(repeat: int) -> int:
    checks = [time_check() for _ in range(repeat)]
    bares = [time_bare_notebook() for _ in range(repeat)]
    check, bare = statistics.median(checks), statistics.median(bares)
    ratio = check / bare
    print(f"week4 check {TOPIC} (median of {repeat}): {check:.2f} s")
    print(f"bare nbclient execution (median of {repeat}): {bare:.2f} s")
    print(f"ratio check/bare: {ratio:.2f}x  (target <= 1.5x; check under 3 s: "
          f"{'yes' if check < 3 else 'no'})")
    return 0


def run(cmd: list[str], cwd: Path, check: bool = True, extra_env: dict | None = None) -> float:
    from week4.release import tool_env

    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env={**tool_env(), **(extra_env or {})},
                          capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise SystemExit(f"bench: {' '.join(cmd[:4])} failed:\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def bench_grade(students: int) -> int:
    """Serial `nbgrader autograde` vs `week4 grade --jobs 2` on the same demo class."""
    import csv
    import tempfile

    from autograder.topics import TOPICS
    from week4.grading.demo import build

    with tempfile.TemporaryDirectory(prefix="week4-bench-") as tmp:
        course = Path(tmp) / "course"
        expected = build(course, students=students)
        with open(course / "students.csv", "w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["id"])
            writer.writerows([s] for s in expected)
        nbg = [sys.executable, "-m", "nbgrader"]
        run(nbg + ["db", "student", "import", "students.csv"], course)
        for topic in TOPICS:
            run(nbg + ["generate_assignment", topic, "--force"], course)
        count = len(expected) * len(TOPICS)
        # nbgrader exits non-zero when some notebooks fail (the class has broken ones on
        # purpose); the time is what we measure here.
        serial = sum(run(nbg + ["autograde", topic], course, check=False) for topic in TOPICS)
        grade = [sys.executable, "-m", "week4", "grade", "--submissions",
                 str(course / "submitted"), "--jobs", "2",
                 "--gradebook", str(course / ".nbgrader" / "gradebook.db"),
                 "--key", str(course / "bench.key")]
        run([sys.executable, "-m", "week4", "key", "new", str(course / "bench.key")], course)
        ours = run(grade + ["--out", str(course / "out")], course)
        # The sandbox's cost: the same class graded again without bubblewrap, same run.
        env = {"WEEK4_NO_BWRAP": "1"}
        plain = run(grade + ["--out", str(course / "out-plain"), "--allow-unisolated"], course,
                    extra_env=env)
    print(f"demo class: {len(expected)} students x {len(TOPICS)} assignments = {count} "
          "submission-assignments")
    print(f"nbgrader autograde (serial): {serial:.1f} s = {serial / count:.2f} s each")
    print(f"week4 grade --jobs 2:        {ours:.1f} s = {ours / count:.2f} s each")
    print(f"speedup: {serial / ours:.2f}x  (targets: >= 1.8x, <= 2 s each)")
    print(f"without the sandbox (--allow-unisolated): {plain:.1f} s; sandbox cost: "
          f"{ours / plain:.2f}x  (target <= 1.15x)")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m week4.bench")
    parser.add_argument("which", choices=["check", "grade"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--students", type=int, default=30)
    args = parser.parse_args(argv)
    if args.which == "grade":
        return bench_grade(args.students)
    return bench_check(args.repeat)


if __name__ == "__main__":
    sys.exit(main())
