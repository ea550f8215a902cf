"""GitHub Classroom: the autograding workflow of a template repository.

    week4 export github-classroom --out DIR [--topic TOPIC ...]

writes DIR/.github/workflows/classroom.yml. On every push GitHub Actions checks the student's
repository out, runs the README's setup (`make setup`), grades with `week4 check --json` and
hands the result to GitHub Classroom's reporter action
(classroom-resources/autograding-grading-reporter) in its `result` format: base64 of
{version: 1, status, max_score, tests: [{name, status, score, message, ...}]}. The reporter
prints every check and sets the run's check to "Points X/Y", which Classroom shows.

    python -m week4.export.classroom result FILE   # week4 check --json output -> result=...

Classroom grades in practice mode: the student owns the repository and its workflow, so a
secret key there would not stay secret. Grade for marks with `week4 grade --key` (or
Gradescope / PrairieLearn); the points agree whenever the notebook solves the general problem.
"""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path

from autograder.topics import TOPICS

from .common import topic_or_error

RUNNER = "week4"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
RESULTS_FILE = "week4-results.json"


def workflow(topics: list[str]) -> str:
    names = " ".join(topics)
    return f"""# GitHub Classroom autograding for week 4: `week4 check` grades the notebooks in
# exercises/ and the reporter turns its points into "Points X/Y" for Classroom.
# Written by `week4 export github-classroom`; keep the job and check name "Autograding Tests".
name: Autograding Tests
"on":
  - push
  - repository_dispatch
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Python
        uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - name: Install bubblewrap (the sandbox for student code)
        run: sudo apt-get update -qq && sudo apt-get install -y -qq bubblewrap
      - name: Set up the course environment
        run: make setup
      - name: Grade with week4 check
        id: {RUNNER}
        run: |
          .venv/bin/week4 check {names} --json > {RESULTS_FILE}
          .venv/bin/python -m week4.export.classroom result {RESULTS_FILE} >> "$GITHUB_OUTPUT"
      - name: Autograding Reporter
        uses: {REPORTER}
        env:
          {RUNNER.upper()}_RESULTS: "${{{{ steps.{RUNNER}.outputs.result }}}}"
        with:
          runners: {RUNNER}
"""


def build(out: Path, topics: list[str] | None = None) -> Path:
    topics = topics or list(TOPICS)
    for topic in topics:
        topic_or_error(topic)
    path = out / ".github" / "workflows" / "classroom.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(workflow(topics), encoding="utf-8")
    return path


def result(report: dict) -> dict:
    """`week4 check --json` output as the reporter's result: one test per check."""
    tests = []
    for topic, data in report.get("topics", {}).items():
        for check in data.get("checks", []):
            passed = bool(check.get("passed"))
            message = "" if passed else (check.get("message") or data.get("error") or "failed")
            tests.append({"name": f"{topic}: {check['id']}",
                          "status": "pass" if passed else "fail",
                          "score": check.get("points", 0),
                          "message": (f"{message}\nhint: {check.get('hint', '')}\n"
                                      f"read: {check.get('docs', '')}").strip(),
                          "test_code": f"week4 check {topic}", "filename": check.get("docs", ""),
                          "line_no": 0, "duration": 0})
    max_score = report.get("max", sum(d.get("max", 0) for d in report.get("topics", {}).values()))
    status = "pass" if tests and all(t["status"] == "pass" for t in tests) else "fail"
    return {"version": 1, "status": status, "max_score": max_score, "tests": tests}


def encode(payload: dict) -> str:
    return base64.b64encode(json.dumps(payload).encode("utf-8")).decode("ascii")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or args[0] != "result":
        print("usage: python -m week4.export.classroom result FILE", file=sys.stderr)
        return 2
    try:
        report = json.loads(Path(args[1]).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        payload = {"version": 1, "status": "error", "max_score": 0,
                   "tests": [{"name": "week4 check", "status": "error", "score": 0,
                              "message": f"week4 check gave no result ({exc})"}]}
        print(f"result={encode(payload)}")
        return 0
    print(f"result={encode(result(report))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
