"""`week4 grade` and `week4 merge`: the instructor's commands (wired into week4.cli)."""

from __future__ import annotations

import hashlib
import shutil
import sys
import tempfile
from pathlib import Path

from autograder.topics import TOPICS

from . import crosscheck, reports
from .collect import CollectError, collect, unpack_zip
from .jobs import grade_all, load_results


class GradeUsageError(Exception):
    pass


def shard_of(student: str, count: int) -> int:
    """A stable shard number in 1..count for a student (the same on every machine)."""
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % count + 1


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    try:
        k, n = (int(x) for x in text.split("/"))
    except ValueError:
        raise GradeUsageError(f"--shard takes K/N, e.g. 1/3; got {text!r}") from None
    if not 1 <= k <= n:
        raise GradeUsageError(f"--shard {text}: K must be between 1 and N")
    return k, n


def find_gradebook(submissions: Path, given: Path | None) -> Path | None:
    if given:
        if not given.is_file():
            raise GradeUsageError(f"gradebook not found: {given}")
        return given
    for candidate in (submissions.parent / ".nbgrader" / "gradebook.db",
                      submissions.parent / "gradebook.db"):
        if candidate.is_file():
            return candidate
    return None


def write_outputs(out: Path, gradebook: Path | None) -> dict:
    results = load_results(out)
    if not results:
        return {"graded": 0, "flags": []}
    flags = []
    if gradebook:
        flags = crosscheck.flags(results, crosscheck.nbgrader_scores(gradebook))
    reports.write_csv(results, out / "grades.csv")
    reports.write_feedback(results, out / "feedback")
    reports.write_report(results, flags, out / "report.html")
    return {"graded": len(results), "flags": flags}


def summary(out: Path, info: dict, stream=sys.stdout) -> None:
    print(f"{info['graded']} submissions graded; wrote {out / 'grades.csv'}, "
          f"{out / 'feedback'}/, {out / 'report.html'}", file=stream)
    for f in info["flags"]:
        print(f"FLAG {f['student']} {f['assignment']}: nbgrader {f['nbgrader']:g} != isolated "
              f"{f['isolated']:g} (possible tampering)", file=stream)


def cmd_grade(args) -> int:
    source = Path(args.submissions)
    assignments = args.assignment or list(TOPICS)
    out = Path(args.out)
    shard = parse_shard(args.shard)
    if args.jobs < 1:
        raise GradeUsageError("--jobs must be at least 1")
    with tempfile.TemporaryDirectory(prefix="week4-zip-") as tmp:
        if source.is_file() and source.suffix == ".zip":
            if len(assignments) != 1:
                raise GradeUsageError("an LMS zip holds one assignment: name it with --assignment")
            source = unpack_zip(source, assignments[0], Path(tmp))
        elif not source.exists():
            raise GradeUsageError(f"submissions not found: {source}")
        jobs = collect(source, assignments)
        if shard:
            jobs = [j for j in jobs if shard_of(j.student, shard[1]) == shard[0]]
        gradebook = find_gradebook(Path(args.submissions), args.gradebook)
        out.mkdir(parents=True, exist_ok=True)
        graded = grade_all(jobs, out, workers=args.jobs, force=args.force, timeout=args.timeout)
        print(f"graded {graded} now, {len(jobs) - graded} already done (use --force to regrade)")
        summary(out, write_outputs(out, gradebook))
    return 0


def cmd_merge(args) -> int:
    """Merge the results of several `week4 grade --shard` runs into one output folder."""
    out = Path(args.out)
    for shard in args.shards:
        results = Path(shard) / "results"
        if not results.is_dir():
            raise GradeUsageError(f"no results/ folder in {shard}")
        shutil.copytree(results, out / "results", dirs_exist_ok=True)
    gradebook = Path(args.gradebook) if args.gradebook else None
    summary(out, write_outputs(out, gradebook))
    return 0


def add_parsers(sub, parser_class) -> None:
    p = sub.add_parser("grade", help="grade a whole class (instructors)",
                       description="Grade submitted/<student>/<assignment>/ folders, or an LMS "
                                   "zip of notebooks named by student, in parallel.")
    p.add_argument("--submissions", required=True, metavar="DIR|ZIP")
    p.add_argument("--assignment", action="append", metavar="A",
                   help="assignment(s) to grade (default: all topics)")
    p.add_argument("--jobs", type=int, default=2, metavar="N", help="parallel workers (default 2)")
    p.add_argument("--out", default="grading-out", metavar="DIR",
                   help="where grades.csv, feedback/ and report.html go (default grading-out)")
    p.add_argument("--force", action="store_true", help="regrade finished submissions too")
    p.add_argument("--timeout", type=float, default=600, metavar="S",
                   help="wall-clock limit per submission and assignment (default 600)")
    p.add_argument("--gradebook", type=Path, metavar="DB",
                   help="nbgrader gradebook to cross-check (default: found next to DIR)")
    p.add_argument("--shard", metavar="K/N", help="grade only the K-th of N shards of students")
    p.set_defaults(run=cmd_grade)

    m = sub.add_parser("merge", help="merge shards of `week4 grade --shard` into one report",
                       description="Copy the results of several grading output folders into "
                                   "one and rewrite grades.csv, feedback and the report.")
    m.add_argument("shards", nargs="+", metavar="SHARD_DIR")
    m.add_argument("--out", required=True, metavar="DIR")
    m.add_argument("--gradebook", metavar="DB")
    m.set_defaults(run=cmd_merge)


ERRORS = (GradeUsageError, CollectError)
