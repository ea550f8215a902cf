"""`python -m autograder TOPIC NOTEBOOK`: grade one notebook in this process, print JSON.

Used by the notebook test cells (`autograder.cell`) and by `week4 grade`, which run it as a
child process. Each check carries `message` (expected and found) and `public` (without hidden
inputs or expected values: the text that may reach feedback). SIGTERM stops grading cleanly,
so the sandbox children are killed too.
"""

import json
import signal
import sys
from pathlib import Path


def _stop(signum, frame):
    raise SystemExit(143)


def main() -> int:
    signal.signal(signal.SIGTERM, _stop)
    from autograder.runner import grade_topic

    topic, notebook = sys.argv[1], Path(sys.argv[2])
    result = grade_topic(topic, notebook)
    data = result.to_json()
    for entry, check in zip(data["checks"], result.checks):
        entry["public"] = check.public_message
    print(json.dumps(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
