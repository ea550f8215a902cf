"""The `week4` command.

    week4 check [TOPIC ...] [-v|--verbose] [--lang ko|en] [--submission DIR] [--json]
                [--fail-under PCT] [--key PATH] [--student ID]
    week4 grade --submissions DIR|ZIP [--assignment A ...] [--jobs N] [--out DIR] [--force]
                [--key PATH] [--gradebook DB --write-back]
    week4 merge SHARD_DIR ... --out DIR
    week4 key new PATH
    week4 export gradescope TOPIC --key PATH --out FILE.zip
    week4 export prairielearn TOPIC --out DIR [--key PATH]
    week4 export github-classroom --out DIR [--topic TOPIC ...]

Without a key `week4 check` grades in practice mode (public inputs; the scoreboard shows
expected and found values). With `--key PATH` (or $WEEK4_KEY) it grades in grading mode:
hidden inputs drawn from the key per student and topic, messages with only the rule.

Bad input (a missing folder, an unknown topic) ends with one line on stderr and status 2;
grading that ran ends with status 0, also for 0 points, unless --fail-under says otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_USAGE = 2
EXIT_BELOW_THRESHOLD = 1


class UsageError(Exception):
    """Input the command cannot work with; printed as one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print the usage too; one line is enough
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> Parser:
    from autograder.topics import TOPICS

    parser = Parser(prog="week4", description="Course tools for week 4.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    p = sub.add_parser("check", help="grade notebooks and print the scoreboard",
                       description="Grade the exercise notebooks in an exercises/-shaped folder.")
    p.add_argument("topics", nargs="*", metavar="TOPIC",
                   help=f"topics to grade (default: all): {', '.join(TOPICS)}")
    p.add_argument("--submission", default="exercises", metavar="DIR",
                   help="folder with one sub-folder per topic (default: exercises)")
    p.add_argument("--json", action="store_true", help="print one JSON document")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="show every check of every topic (naming TOPICs does this for them)")
    p.add_argument("--lang", metavar="ko|en",
                   help="language of the scoreboard (default: $WEEK4_LANG, else the locale, "
                        "else Korean)")
    p.add_argument("--fail-under", type=float, metavar="PCT",
                   help="exit with status 1 when the total is below PCT percent")
    p.add_argument("--key", metavar="PATH",
                   help="grade in grading mode with this secret key (default: $WEEK4_KEY; "
                        "none: practice mode)")
    p.add_argument("--student", metavar="ID",
                   help="student id for the hidden inputs (default: the submission folder's name)")
    p.set_defaults(run=cmd_check)

    k = sub.add_parser("key", help="create a secret grading key (instructors)",
                       description="Manage the secret key that grading mode draws hidden "
                                   "inputs from.")
    ksub = k.add_subparsers(dest="key_command", required=True, parser_class=Parser)
    n = ksub.add_parser("new", help="write a new random key to PATH (mode 0600)",
                        description="Write a new random grading key to PATH with mode 0600. "
                                    "PATH may not be inside a git repository unless git "
                                    "ignores it, and an existing file is never overwritten.")
    n.add_argument("path", metavar="PATH")
    n.set_defaults(run=cmd_key_new)

    d = sub.add_parser("doctor", help="say which isolation student code gets here, and why",
                       description="Print whether student code runs in the bubblewrap sandbox "
                                   "on this machine, and if not, why.")
    d.set_defaults(run=cmd_doctor)

    from .grading.command import add_parsers
    add_parsers(sub, Parser)
    from .export.command import add_parser as add_export
    add_export(sub, Parser)
    return parser


def cmd_doctor(args) -> int:
    from autograder.jail import isolation

    info = isolation()
    print(f"isolation: {info.kind} - {info.reason}")
    return 0


def cmd_check(args) -> int:
    from autograder.runner import grade_submission
    from autograder.topics import TOPICS

    from .i18n import choose, t
    from .scoreboard import render

    try:
        lang = choose(args.lang)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    _ = t(lang)
    root = Path(args.submission)
    if not root.is_dir():
        raise UsageError(_("submission folder not found: {folder}").format(folder=root))
    for topic in args.topics:
        if topic not in TOPICS:
            raise UsageError(_("unknown topic {topic!r}; choose from: {topics}").format(
                topic=topic, topics=", ".join(TOPICS)))
    if args.fail_under is not None and not 0 <= args.fail_under <= 100:
        raise UsageError(_("--fail-under takes a percentage between 0 and 100"))
    key = load_key_arg(args.key)
    os.environ["WEEK4_LANG"] = lang  # the checks write their messages in this language
    report = grade_submission(root, args.topics or None, key=key, student=args.student)
    if key is not None:
        from autograder.keys import grader_version, key_id

        report.meta = {"mode": "grading", "key_id": key_id(key),
                       "grader_version": grader_version()}
    from autograder.jail import isolation

    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(render(report, lang=lang, verbose=args.verbose or bool(args.topics),
                     root=args.submission.rstrip("/") or "."))
        if not isolation().isolated:  # a student's own machine: fine, but say so
            print(_("(no sandbox: {reason})").format(reason=isolation().reason))
        if key is not None:
            print(_("(grading mode: hidden inputs from key {key_id}; messages name the rule "
                    "that failed, not the inputs)").format(key_id=report.meta["key_id"]))
    if args.fail_under is not None:
        pct = 100 * report.score / report.max if report.max else 0.0
        if pct < args.fail_under:
            print("week4: " + _("total {percent} is below --fail-under {threshold}").format(
                percent=f"{pct:.1f}%", threshold=f"{args.fail_under:g}%"), file=sys.stderr)
            return EXIT_BELOW_THRESHOLD
    return 0


def load_key_arg(path: str | None) -> bytes | None:
    """The key named by --key or $WEEK4_KEY (grading mode), or None (practice mode)."""
    from autograder import keys

    found = keys.resolve(path)
    if found is None:
        return None
    try:
        return keys.load_key(found)
    except keys.KeyFileError as exc:
        raise UsageError(str(exc)) from None


def cmd_key_new(args) -> int:
    from autograder import keys

    try:
        path = keys.write_key(args.path)
    except keys.KeyFileError as exc:
        raise UsageError(str(exc)) from None
    print(f"wrote a new grading key to {path} (key id {keys.key_id(keys.load_key(path))}); "
          "keep it secret and keep a backup: without it a grade cannot be reproduced")
    return 0


def main(argv: list[str] | None = None) -> int:
    from .export.command import ERRORS as EXPORT_ERRORS
    from .grading.command import ERRORS as GRADE_ERRORS

    try:
        args = build_parser().parse_args(argv)
        return args.run(args)
    except (UsageError, *GRADE_ERRORS, *EXPORT_ERRORS) as exc:
        print(f"week4: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("week4: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `week4 check | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
