"""`week4 export PLATFORM ...`: the course's grader for Gradescope, PrairieLearn and GitHub
Classroom (wired into week4.cli)."""

from __future__ import annotations

from pathlib import Path

from .common import ExportError


def cmd_gradescope(args) -> int:
    from . import gradescope

    manifest = gradescope.build(args.topic, args.key, Path(args.out))
    print(f"wrote {args.out}: the Gradescope autograder for {manifest['topic']} (key "
          f"{manifest['key_id']}; {len(manifest['hidden_checks'])} check(s) shown after "
          "publication). Upload it under Configure Autograder -> Zip file upload.")
    return 0


def cmd_prairielearn(args) -> int:
    from . import prairielearn

    info = prairielearn.build(args.topic, Path(args.out), key=args.key, image=args.image,
                              timeout=args.timeout)
    print(f"wrote {args.out}: a PrairieLearn question for {args.topic} graded externally by the "
          f"image {info['externalGradingOptions']['image']} (build it from "
          f"{Path(args.out) / 'image'}/Dockerfile)")
    return 0


def cmd_classroom(args) -> int:
    from . import classroom

    path = classroom.build(Path(args.out), args.topic or None)
    print(f"wrote {path}: copy it to .github/workflows/ in your GitHub Classroom template "
          "repository")
    return 0


def add_parser(sub, parser_class) -> None:
    from autograder.topics import TOPICS

    e = sub.add_parser("export", help="grade on Gradescope, PrairieLearn or GitHub Classroom "
                                      "(instructors)",
                       description="Write what another platform needs to grade with the same "
                                   "checks, sandbox and points.")
    esub = e.add_subparsers(dest="platform", required=True, parser_class=parser_class)
    topics = ", ".join(TOPICS)

    g = esub.add_parser("gradescope", help="an autograder zip for one topic",
                        description="Build a Gradescope autograder bundle (setup.sh, "
                                    "run_autograder, the project and the key) for one topic.")
    g.add_argument("topic", metavar="TOPIC", help=f"the topic to grade: {topics}")
    g.add_argument("--key", metavar="PATH",
                   help="the secret grading key to put in the bundle (default: $WEEK4_KEY)")
    g.add_argument("--out", required=True, metavar="FILE.zip", help="the zip file to write")
    g.set_defaults(run=cmd_gradescope)

    p = esub.add_parser("prairielearn", help="an externally graded question for one topic",
                        description="Write a PrairieLearn question folder (info.json, "
                                    "question.html, tests/ and the grader image's recipe).")
    p.add_argument("topic", metavar="TOPIC", help=f"the topic to grade: {topics}")
    p.add_argument("--out", required=True, metavar="DIR", help="the question folder to write")
    p.add_argument("--key", metavar="PATH",
                   help="grade in grading mode with this key (default: $WEEK4_KEY; none: "
                        "practice mode)")
    p.add_argument("--image", default="week4-grader:latest", metavar="NAME",
                   help="the grading image info.json names (default week4-grader:latest)")
    p.add_argument("--timeout", type=int, default=600, metavar="S",
                   help="PrairieLearn's time limit for one grading job (default 600)")
    p.set_defaults(run=cmd_prairielearn)

    c = esub.add_parser("github-classroom", help="the autograding workflow of a template repo",
                        description="Write the GitHub Actions workflow that grades a GitHub "
                                    "Classroom repository with 'week4 check --json'.")
    c.add_argument("--out", required=True, metavar="DIR",
                   help="where to write .github/workflows/classroom.yml")
    c.add_argument("--topic", action="append", metavar="TOPIC",
                   help="grade only this topic; repeat for several (default: all)")
    c.set_defaults(run=cmd_classroom)


ERRORS = (ExportError,)
