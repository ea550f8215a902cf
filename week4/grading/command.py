"""`week4 grade` and `week4 merge`: the instructor's commands (wired into week4.cli).

`week4 grade` always grades in grading mode: with `--key PATH`, else the file named by
$WEEK4_KEY, else the course folder's git-ignored `.week4/grading.key` (created on first use).
Results carry `key_id` and `grader_version`; `week4 merge` refuses shards graded with
different keys. `--gradebook DB --write-back` writes the isolated points into nbgrader.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from autograder import keys
from autograder.topics import TOPICS

from . import crosscheck, gradebook as gradebook_mod, reports
from .collect import CollectError, collect, unpack_zip
from .jobs import grade_all, load_results
from .report_i18n import LANGS, resolve_lang


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


def key_ids(results: dict) -> set:
    return {data.get("key_id") for data in results.values()}


def report_lang(arg: str | None) -> str:
    try:
        return resolve_lang(arg)  # --lang, else WEEK4_LANG, else Korean
    except ValueError as exc:
        raise GradeUsageError(str(exc)) from None


def write_outputs(out: Path, gradebook: Path | None, write_back: bool = False,
                  lang: str | None = None, run: dict | None = None) -> dict:
    results = load_results(out)
    if not results:
        return {"graded": 0, "flags": [], "changes": []}
    if len(key_ids(results)) > 1:
        raise GradeUsageError(f"the results in {out} were graded with different keys "
                              f"({', '.join(sorted(map(str, key_ids(results))))}); regrade "
                              "them with one key (--force)")
    flags, changes = [], []
    if gradebook:
        flags = crosscheck.flags(results, crosscheck.nbgrader_scores(gradebook))
        if write_back:
            try:
                changes = gradebook_mod.write_back(gradebook, results)
            except gradebook_mod.GradebookError as exc:
                raise GradeUsageError(str(exc)) from None
            (out / "write-back.json").write_text(json.dumps(changes, indent=1), encoding="utf-8")
    reports.write_csv(results, out / "grades.csv")
    reports.write_feedback(results, out / "feedback", lang)
    reports.write_report(results, flags, out / "report.html", lang, run)
    if write_back:
        append_write_back(out / "report.html", gradebook, changes)
    return {"graded": len(results), "flags": flags, "changes": changes}


def append_write_back(report: Path, gradebook: Path | None, changes: list[dict]) -> None:
    """List every change write-back made at the end of the class report."""
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(c['student'])}</td><td>{e(c['assignment'])}</td>"
        f"<td>{e(str(c.get('cell') or ''))}</td>"
        f"<td>{'' if c.get('old') is None else format(c['old'], 'g')}</td>"
        f"<td>{'' if c.get('new') is None else format(c['new'], 'g')}</td>"
        f"<td>{e(c.get('note', ''))}</td></tr>" for c in changes)
    section = (f"<h2>Written back to nbgrader</h2><p>Auto scores set in {e(str(gradebook))} "
               f"from the isolated grader: {len(changes)} change(s); manual scores untouched."
               "</p>" + ("<table><tr><th>student</th><th>assignment</th><th>cell</th>"
                         "<th>old auto score</th><th>new</th><th>note</th></tr>" + rows +
                         "</table>" if changes else "<p>Nothing to change.</p>"))
    text = report.read_text(encoding="utf-8")
    text = text.replace("</body>", section + "</body>", 1) if "</body>" in text \
        else text + section
    report.write_text(text, encoding="utf-8")


def summary(out: Path, info: dict, stream=sys.stdout) -> None:
    print(f"{info['graded']} submissions graded; wrote {out / 'grades.csv'}, "
          f"{out / 'feedback'}/, {out / 'report.html'}", file=stream)
    for f in info["flags"]:
        print(f"FLAG {f['student']} {f['assignment']}: nbgrader {f['nbgrader']:g} != isolated "
              f"{f['isolated']:g} (possible tampering)", file=stream)
    for change in info.get("changes", []):
        print(gradebook_mod.describe(change), file=stream)


def grading_key(given: str | None, submissions: Path) -> Path:
    """The key file for `week4 grade`, checked; creates the course's default key if needed."""
    path = keys.resolve(given)
    try:
        if path is None:
            course = submissions.parent if submissions.is_dir() else Path.cwd()
            path, created = keys.default_key(course.absolute())
            print(f"week4: no --key or WEEK4_KEY: grading with the course key {path} "
                  f"({'created now; ' if created else ''}keep it: regrading needs it)")
        keys.load_key(path)
    except keys.KeyFileError as exc:
        raise GradeUsageError(str(exc)) from None
    return path


def cmd_grade(args) -> int:
    source = Path(args.submissions)
    assignments = args.assignment or list(TOPICS)
    out = Path(args.out)
    shard = parse_shard(args.shard)
    lang = report_lang(args.lang)
    os.environ["WEEK4_LANG"] = lang  # the checks write their messages in the report's language
    if args.jobs < 1:
        raise GradeUsageError("--jobs must be at least 1")
    if args.write_back and not args.gradebook:
        raise GradeUsageError("--write-back needs --gradebook DB (the gradebook to write to)")
    from autograder.jail import isolation

    if not isolation().isolated and not args.allow_unisolated:
        raise GradeUsageError(f"no sandbox for student code here ({isolation().reason}); grade "
                              "on Linux with bubblewrap, or pass --allow-unisolated to grade "
                              "anyway (every result is then marked as graded without isolation)")
    formats = lms_formats(args)
    key_path = grading_key(args.key, source).absolute()
    stamp = {"mode": "grading", "key_id": keys.key_id(keys.load_key(key_path)),
             "grader_version": keys.grader_version(), "isolated": isolation().isolated}
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
        start = time.monotonic()
        graded = grade_all(jobs, out, workers=args.jobs, force=args.force, timeout=args.timeout,
                           key_path=key_path, stamp=stamp)
        run = {"seconds": time.monotonic() - start, "graded_now": graded, "jobs": args.jobs}
        print(f"graded {graded} now, {len(jobs) - graded} already done (use --force to regrade)")
        summary(out, write_outputs(out, gradebook, args.write_back, lang, run))
        if formats:
            from week4.export.lms import write_all

            write_all(load_results(out), out, formats, args.roster)
    return 0


def lms_formats(args) -> list[str]:
    """--format and --roster, checked before any grading starts."""
    formats = list(dict.fromkeys(args.format or []))
    if args.roster and not formats:
        raise GradeUsageError("--roster maps ids for an LMS file: add --format canvas|moodle")
    if args.roster:
        from week4.export.lms import check_roster

        check_roster(args.roster, formats)  # a one-line error now, not after the grading
    return formats


def cmd_merge(args) -> int:
    """Merge the results of several `week4 grade --shard` runs into one output folder."""
    out = Path(args.out)
    lang = report_lang(args.lang)
    seen: dict[str, str] = {}  # key id -> the first shard graded with it
    for shard in [*args.shards, out]:
        if shard is not out and not (Path(shard) / "results").is_dir():
            raise GradeUsageError(f"no results/ folder in {shard}")
        for key_id in key_ids(load_results(Path(shard))):
            seen.setdefault(str(key_id), str(shard))
    if len(seen) > 1:
        where = ", ".join(f"{k} in {v}" for k, v in sorted(seen.items()))
        raise GradeUsageError(f"refusing to merge shards graded with different keys ({where}); "
                              "grade every shard with the same --key")
    for shard in args.shards:
        shutil.copytree(Path(shard) / "results", out / "results", dirs_exist_ok=True)
    gradebook = Path(args.gradebook) if args.gradebook else None
    summary(out, write_outputs(out, gradebook, lang=lang))
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
    p.add_argument("--allow-unisolated", action="store_true",
                   help="grade even where bubblewrap cannot run (results are marked as graded "
                        "without isolation)")
    p.add_argument("--lang", choices=LANGS, help="language of report.html and the feedback "
                                                 "(default: WEEK4_LANG, else ko)")
    p.add_argument("--key", metavar="PATH",
                   help="secret grading key (default: $WEEK4_KEY, else the course folder's "
                        ".week4/grading.key, created on first use)")
    p.add_argument("--write-back", action="store_true",
                   help="write the isolated points into the --gradebook as auto scores "
                        "(manual scores are never touched)")
    p.add_argument("--format", action="append", choices=("canvas", "moodle"),
                   help="also write an LMS grade import file next to grades.csv "
                        "(grades-canvas.csv, grades-moodle.csv); repeat for both")
    p.add_argument("--roster", type=Path, metavar="CSV",
                   help="CSV mapping the 'student' id to the LMS's identifier columns "
                        "(default: the student id itself)")
    p.set_defaults(run=cmd_grade)

    m = sub.add_parser("merge", help="merge shards of `week4 grade --shard` into one report",
                       description="Copy the results of several grading output folders into "
                                   "one and rewrite grades.csv, feedback and the report.")
    m.add_argument("shards", nargs="+", metavar="SHARD_DIR")
    m.add_argument("--out", required=True, metavar="DIR")
    m.add_argument("--gradebook", metavar="DB")
    m.add_argument("--lang", choices=LANGS, help="language of report.html and the feedback "
                                                 "(default: WEEK4_LANG, else ko)")
    m.set_defaults(run=cmd_merge)


ERRORS = (GradeUsageError, CollectError)
