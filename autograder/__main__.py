"""`python -m autograder TOPIC NOTEBOOK [--key PATH] [--student ID]`: grade one notebook in this
process, print JSON.

Used by the notebook test cells (`autograder.cell`) and by `week4 grade`, which run it as a
child process. Each check carries `message` (expected and found) and `public` (without hidden
inputs or expected values: the text that may reach feedback). With a key (`--key`, or the
file named by $WEEK4_KEY) it grades in grading mode: hidden inputs drawn from the key and the
student id (default: the submission folder's name), and messages that name only the rule that
failed; the JSON then carries `mode`, `key_id` and `grader_version`. A key file that cannot be
used is one line on stderr and status 2. SIGTERM stops grading cleanly, so the sandbox
children are killed too.
"""

import argparse
import json
import signal
import sys
from pathlib import Path


def _stop(signum, frame):
    raise SystemExit(143)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"python -m autograder: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = _Parser(prog="python -m autograder")
    parser.add_argument("topic")
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--key", metavar="PATH")
    parser.add_argument("--student", metavar="ID")
    args = parser.parse_args()

    from autograder import keys
    from autograder.runner import grade_topic

    key = None
    path = keys.resolve(args.key)
    if path is not None:
        try:
            key = keys.load_key(path)
        except keys.KeyFileError as exc:
            print(f"python -m autograder: error: {exc}", file=sys.stderr)
            return 2
    try:
        result = grade_topic(args.topic, args.notebook, key=key, student=args.student)
    except KeyError as exc:
        print(f"python -m autograder: error: {exc.args[0]}", file=sys.stderr)
        return 2
    data = result.to_json()
    for entry, check in zip(data["checks"], result.checks):
        entry["public"] = check.public_message
    if key is not None:
        data.update(mode="grading", key_id=keys.key_id(key), grader_version=keys.grader_version())
    print(json.dumps(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
