"""A synthetic class for `make grade-demo` and the tests: every kind of submission an
instructor meets, each with a known expected score.

    python -m week4.grading.demo build DIR [--students N] [--assignment A ...]

DIR becomes an nbgrader course: nbgrader_config.py, solutions/, submitted/<student>/<a>/,
and expected.json ({student: {assignment: {"score": s, "role": r}}}).
"""

from __future__ import annotations

import argparse
import ast
import json
import shutil
import sys
from pathlib import Path

from autograder.mutants import catalogue
from autograder.runner import check_infos
from autograder.topics import TOPICS, get_topic

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STUDENTS = 32

TAMPER_KERNEL = '''# Replaces the grader's helper inside the kernel: every test cell then "passes" in nbgrader.
import autograder.cell
autograder.cell.check = lambda *args, **kwargs: print("PASS")
'''
TAMPER_FILE = '''# Leaves fake result files where a careless grader might look.
import json, pathlib
for name in ("results.json", "grades.json", "week4-results.json"):
    pathlib.Path(name).write_text(json.dumps({"score": 100, "max": 100, "passed": True}))
'''


def nbgrader_id(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_sources(topic: str) -> dict[str, str]:
    nb = json.loads((ROOT / "solutions" / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))
    return {nbgrader_id(c)["grade_id"]: "".join(c["source"]) if isinstance(c["source"], list)
            else c["source"] for c in nb["cells"] if nbgrader_id(c).get("solution")}


def release(topic: str) -> dict:
    return json.loads((ROOT / "exercises" / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))


def answered(nb: dict, answers: dict[str, str]) -> dict:
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if nbgrader_id(cell).get("grade_id") in answers:
            cell["source"] = answers[nbgrader_id(cell)["grade_id"]]
    return nb


def code_cell(source: str) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}


def function_names(sources: dict[str, str]) -> list[str]:
    names = []
    for src in sources.values():
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue  # e.g. a %%writefile cell
        names += [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    return names


def looping(nb: dict, names: list[str]) -> dict:
    """Every function loops forever; cells that only try the functions out are removed."""
    nb = json.loads(json.dumps(nb))
    nb["cells"] = [c for c in nb["cells"] if c["cell_type"] != "code" or nbgrader_id(c)]
    body = "".join(f"def {n}(*args, **kwargs):\n    while True:\n        pass\n\n" for n in names)
    nb["cells"].append(code_cell(body))
    return nb


def with_cell_first(nb: dict, source: str) -> dict:
    nb = json.loads(json.dumps(nb))
    nb["cells"].insert(1, code_cell(source))
    return nb


def roles_for(topic: str, count: int) -> list[tuple[str, dict]]:
    """(role, mutant replacements) for `count` students, every kind represented."""
    module = catalogue(topic)
    mutants = list(getattr(module, "MUTANTS", {}).items()) if module else []
    roles = [("correct", {})] * 8 + [("empty", {})] * 3 + [("broken-json", {})] * 2 + [
        ("infinite-loop", {}), ("tamper-kernel", {}), ("tamper-file", {})]
    roles += [(f"mutant: {name}", repl) for name, (repl, _) in mutants[:12]]
    while len(roles) < count:
        roles.append(("correct", {}))
    return roles[:count]


def build(target: Path, students: int = DEFAULT_STUDENTS,
          assignments: list[str] | None = None) -> dict:
    assignments = assignments or list(TOPICS)
    if target.exists():
        shutil.rmtree(target)
    (target / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", target / "nbgrader_config.py")
    names = [f"student{i:02d}" for i in range(1, students + 1)]
    expected: dict[str, dict] = {n: {} for n in names}
    for a_index, topic in enumerate(assignments):
        get_topic(topic)
        shutil.copytree(ROOT / "solutions" / topic, target / "solutions" / topic)
        full = sum(i.points for i in check_infos(get_topic(topic)))
        points = {i.id: i.points for i in check_infos(get_topic(topic))}
        module = catalogue(topic)
        losses = {f"mutant: {k}": v[1] for k, v in getattr(module, "MUTANTS", {}).items()} \
            if module else {}
        answers = solution_sources(topic)
        base = release(topic)
        roles = roles_for(topic, students)
        shift = 5 * a_index  # rotate so each student meets different roles
        for s_index, student in enumerate(names):
            role, replacements = roles[(s_index + shift) % students]
            folder = target / "submitted" / student / topic
            folder.mkdir(parents=True)
            path = folder / f"{topic}.ipynb"
            if role == "broken-json":
                path.write_text('{"cells": [{"cell_type": "code", "source": "oops', encoding="utf-8")
                expected[student][topic] = {"score": 0, "role": role}
                continue
            if role == "correct":
                nb, score = answered(base, answers), full
            elif role.startswith("mutant: "):
                nb = answered(base, {**answers, **replacements})
                score = full - sum(points[c] for c in losses[role])
            elif role == "infinite-loop":
                nb, score = looping(base, function_names(answers)), 0
            elif role == "tamper-kernel":
                nb, score = with_cell_first(base, TAMPER_KERNEL), 0
            elif role == "tamper-file":
                nb, score = with_cell_first(base, TAMPER_FILE), 0
            else:  # empty: the release, untouched
                nb, score = base, 0
            path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
            expected[student][topic] = {"score": score, "role": role}
    (target / "expected.json").write_text(json.dumps(expected, indent=1), encoding="utf-8")
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m week4.grading.demo")
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("target", type=Path)
    b.add_argument("--students", type=int, default=DEFAULT_STUDENTS)
    b.add_argument("--assignment", action="append")
    args = parser.parse_args(argv)
    expected = build(args.target, args.students, args.assignment)
    print(f"built a class of {len(expected)} students in {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
