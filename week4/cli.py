"""The `week4` command.

    week4 check [TOPIC ...] [-v|--verbose] [--lang ko|en] [--submission DIR] [--json]
                [--fail-under PCT] [--key PATH] [--student ID]
    week4 hint CHECK-ID [--lang ko|en]
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

from .i18n import COURSE_LANG, LANGS, N_, choose, t

EXIT_USAGE = 2
EXIT_BELOW_THRESHOLD = 1


class UsageError(Exception):
    """Input the command cannot work with; printed as one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would print the usage too; one line is enough
        _ = t(getattr(self, "lang", COURSE_LANG))
        raise UsageError(_("{message} (see '{command} --help')").format(message=message,
                                                                       command=self.prog))


# argparse's own words (usage, section titles, its errors), looked up through its module-level
# `_`: listed here so that Babel puts them into the week4 catalog with ours.
ARGPARSE_WORDS = (N_("usage: "), N_("positional arguments"), N_("options"),
                  N_("show this help message and exit"), N_("the following arguments are "
                  "required: %(args)s"), N_("unrecognized arguments: %(args)s"),
                  N_("invalid choice: %(value)r (choose from %(choices)s)"),
                  N_("expected one argument"), N_("argument %(argument_name)s: %(message)s"),
                  N_("invalid %(type)s value: %(value)r"))


def lang_of(argv: list[str]) -> str:
    """The language for --help and errors, read before the parser exists (it speaks it)."""
    given = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            given = argv[i + 1]
        elif arg.startswith("--lang="):
            given = arg.split("=", 1)[1]
    try:
        return choose(given)
    except ValueError:
        return choose(None) if not os.environ.get("WEEK4_LANG") else COURSE_LANG


def build_parser(lang: str = COURSE_LANG) -> Parser:
    from autograder.topics import TOPICS

    _ = t(lang)
    argparse._ = _  # argparse's own words (ARGPARSE_WORDS) in the same language
    Parser.lang = lang  # its error() speaks it too, in every sub-parser
    parser = Parser(prog="week4", description=_("Course tools for week 4."))
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    lang_help = _("language of what the command prints: ko or en (default: $WEEK4_LANG, else "
                  "the locale, else Korean)")

    p = sub.add_parser("check", help=_("grade notebooks and print the scoreboard"),
                       description=_("Grade the exercise notebooks in an exercises/-shaped "
                                     "folder."))
    p.add_argument("topics", nargs="*", metavar="TOPIC",
                   help=_("topics to grade (default: all): {topics}").format(
                       topics=", ".join(TOPICS)))
    p.add_argument("--submission", default="exercises", metavar="DIR",
                   help=_("folder with one sub-folder per topic (default: exercises)"))
    p.add_argument("--json", action="store_true", help=_("print one JSON document"))
    p.add_argument("-v", "--verbose", action="store_true",
                   help=_("show every check of every topic (naming TOPICs does this for them)"))
    p.add_argument("--lang", metavar="ko|en", help=lang_help)
    p.add_argument("--fail-under", type=float, metavar="PCT",
                   help=_("exit with status 1 when the total is below PCT percent"))
    p.add_argument("--key", metavar="PATH",
                   help=_("grade in grading mode with this secret key (default: $WEEK4_KEY; "
                          "none: practice mode)"))
    p.add_argument("--student", metavar="ID",
                   help=_("student id for the hidden inputs (default: the submission "
                          "folder's name)"))
    p.set_defaults(run=cmd_check)

    h = sub.add_parser("hint", help=_("show the code-level hint of one check"),
                       description=_("Show a check's concept hint, its code-level hint and the "
                                     "section of the course site to read. Try the concept hint "
                                     "first: the code-level hint is the next step."))
    h.add_argument("check", metavar="CHECK-ID",
                   help=_("the check's id as the scoreboard prints it (e.g. freeze-pins), or "
                          "TOPIC/CHECK-ID"))
    h.add_argument("--lang", metavar="ko|en", help=lang_help)
    h.set_defaults(run=cmd_hint)

    k = sub.add_parser("key", help=_("create a secret grading key (instructors)"),
                       description="Manage the secret key that grading mode draws hidden "
                                   "inputs from.")
    ksub = k.add_subparsers(dest="key_command", required=True, parser_class=Parser)
    n = ksub.add_parser("new", help="write a new random key to PATH (mode 0600)",
                        description="Write a new random grading key to PATH with mode 0600. "
                                    "PATH may not be inside a git repository unless git "
                                    "ignores it, and an existing file is never overwritten.")
    n.add_argument("path", metavar="PATH")
    n.set_defaults(run=cmd_key_new)

    d = sub.add_parser("doctor", help=_("say which isolation student code gets here, and why"),
                       description=_("Print whether student code runs in the bubblewrap "
                                     "sandbox on this machine, and if not, why."))
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

    from .scoreboard import render

    lang = choose_or_usage(args.lang)
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


def cmd_hint(args) -> int:
    """`week4 hint CHECK-ID`: the concept hint, then the code-level hint, then where to read."""
    import difflib

    from autograder.checking import hint_in
    from autograder.runner import check_infos
    from autograder.topics import TOPICS, get_topic

    from .site import url

    lang = choose_or_usage(args.lang)
    _ = t(lang)
    wanted_topic, _sep, wanted = args.check.rpartition("/")
    if wanted_topic and wanted_topic not in TOPICS:
        raise UsageError(_("unknown topic {topic!r}; choose from: {topics}").format(
            topic=wanted_topic, topics=", ".join(TOPICS)))
    found = [(topic, info) for topic in ([wanted_topic] if wanted_topic else TOPICS)
             for info in check_infos(get_topic(topic)) if info.id == wanted]
    if not found:
        every = [info.id for topic in TOPICS for info in check_infos(get_topic(topic))]
        close = difflib.get_close_matches(wanted, every, n=3)
        raise UsageError(_("no check named {check!r}; did you mean: {close}?").format(
            check=wanted, close=", ".join(close)) if close else _(
            "no check named {check!r} (the scoreboard prints the ids)").format(check=wanted))
    if len(found) > 1:
        raise UsageError(_("{topics} each have a check named {check!r}: write TOPIC/{check}")
                         .format(topics=", ".join(t_ for t_, _i in found), check=wanted))
    topic, info = found[0]
    print(f"{topic} / {info.id}")
    print(_("concept hint:") + " " + hint_in(info, lang))
    print(_("code hint:") + " " + (hint_in(info, lang, "code") or _("(none: the concept hint "
                                                                   "is all there is)")))
    print(_("read:") + " " + url(info.docs, lang))
    return 0


def choose_or_usage(given: str | None) -> str:
    try:
        return choose(given)
    except ValueError:
        _ = t(lang_of([]))  # the language the student did not name: the one they would get
        raise UsageError(_("unknown language {lang!r}; choose from: {langs}").format(
            lang=given if given is not None else os.environ.get("WEEK4_LANG"),
            langs=", ".join(LANGS))) from None


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

    argv = sys.argv[1:] if argv is None else argv
    _ = t(lang_of(argv))
    try:
        args = build_parser(lang_of(argv)).parse_args(argv)
        return args.run(args)
    except (UsageError, *GRADE_ERRORS, *EXPORT_ERRORS) as exc:
        print("week4: " + _("error: {message}").format(message=exc), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("week4: " + _("interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `week4 check | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
