"""What the nbgrader test cells of a notebook call.

    from autograder.cell import check
    check("01-virtualenv", "freeze-pins")

The cell grades the *saved* notebook file next to it with the same isolated grader as
`week4 check` (in a fresh process, never inside this kernel), then passes or raises
AssertionError with the check's public message. nbgrader awards the cell's points when it
does not raise, so both ways of grading give the same points. The first test cell grades the
whole topic; the others reuse that result while the file is unchanged.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_cache: dict[tuple, dict] = {}
GRADE_TIMEOUT = 600


def _notebook(topic: str) -> Path:
    here = Path.cwd()
    preferred = here / f"{topic}.ipynb"
    if preferred.exists():
        return preferred
    found = sorted(p for p in here.glob("*.ipynb") if not p.name.startswith("."))
    if len(found) == 1:
        return found[0]
    raise AssertionError(f"cannot find {preferred.name} in {here}; save the notebook under "
                         "that name and run this cell again")


def topic_result(topic: str) -> dict:
    path = _notebook(topic)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _cache:
        proc = subprocess.run(
            [sys.executable, "-m", "autograder", topic, str(path)],
            capture_output=True, text=True, timeout=GRADE_TIMEOUT,
        )
        try:
            _cache[key] = json.loads(proc.stdout)
        except ValueError:
            raise AssertionError(f"the grader failed: {proc.stderr.strip()[-500:]}") from None
    return _cache[key]


def check(topic: str, check_id: str) -> None:
    if os.environ.get("WEEK4_SANDBOX"):
        return  # running inside the grader's own sandbox: the grader checks, not this cell
    result = topic_result(topic)
    for c in result["checks"]:
        if c["id"] == check_id:
            break
    else:
        raise AssertionError(f"no check named {check_id!r} in topic {topic!r}")
    if c["passed"]:
        print(f"PASS {check_id}: {c['points']:g}/{c['max']:g} (graded from the saved notebook)")
        return
    raise AssertionError(
        f"FAIL {check_id} (0/{c['max']:g}): {c.get('public') or c['message']}\n"
        f"hint: {c['hint']}\nread: {c['docs']}\n"
        "(the grader reads the saved notebook: save it before running this cell)"
    )
