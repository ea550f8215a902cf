"""`python -m autograder TOPIC NOTEBOOK`: grade one notebook, print JSON for a test cell.

Used by `autograder.cell`. The messages are the public ones (no hidden inputs or expected
values), because they end up in nbgrader's feedback.
"""

import json
import sys
from pathlib import Path

from autograder.runner import grade_topic

topic, notebook = sys.argv[1], Path(sys.argv[2])
result = grade_topic(topic, notebook)
data = result.to_json()
for entry, check in zip(data["checks"], result.checks):
    entry["message"] = check.public_message
print(json.dumps(data))
