"""What the nbgrader test cells of a notebook call.

    from autograder.cell import check
    check("01-virtualenv", "freeze-pins")

The cell grades the *saved* notebook file next to it with the same isolated grader as
`week4 check` (in a fresh process, never inside this kernel), then passes or raises
AssertionError with the check's public message. nbgrader awards the cell's points when it
does not raise, so both ways of grading give the same points. The first test cell grades the
whole topic; the others reuse that result while the file is unchanged.

With `WEEK4_KEY=PATH` in the environment (how `nbgrader autograde` gets it) the grader runs in
grading mode: hidden inputs drawn from the key for this student (the submission folder's
name), feedback with only the rule that failed.

Nothing in the environment makes a test cell pass without grading: the grader's sandbox
skips test cells when it runs a notebook (autograder.notebook.is_test_cell), so the cells
need no "am I inside the grader?" switch that a student's cell could flip. A notebook can
still tamper with this module inside its own kernel (rebind `check`, say); that is why
`week4 grade --write-back` puts the isolated grader's points into nbgrader's gradebook.
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
    key = (str(path), stat.st_mtime_ns, stat.st_size, os.environ.get("WEEK4_KEY", ""))
    if key not in _cache and os.environ.get("WEEK4_GRADE_SOCKET"):
        _cache[key] = _ask_launcher(topic)  # the sandboxed kernel: the launcher grades outside
    if key not in _cache:
        proc = subprocess.run(
            [sys.executable, "-m", "autograder", topic, str(path)],
            capture_output=True, text=True, timeout=GRADE_TIMEOUT,
        )
        try:
            _cache[key] = json.loads(proc.stdout)
        except ValueError:
            last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise AssertionError(f"the grader failed: {last[-500:]}") from None
    return _cache[key]


def _ask_launcher(topic: str) -> dict:
    """In the `week4-sandboxed` kernel (autograder.kernel) the checks and the key are outside
    the sandbox: ask the launcher, which grades the saved notebook with the isolated grader."""
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(GRADE_TIMEOUT)
    try:
        sock.connect(os.environ["WEEK4_GRADE_SOCKET"])
        sock.sendall(json.dumps({"topic": topic}).encode("utf-8") + b"\n")
        data = sock.makefile("rb").readline()
    except OSError as exc:
        raise AssertionError(f"the grader could not be reached ({exc})") from None
    finally:
        sock.close()
    try:
        result = json.loads(data)
    except ValueError:
        raise AssertionError("the grader sent no result") from None
    if "checks" not in result:
        raise AssertionError(f"the grader failed: {result.get('error', 'no result')}")
    return result


def _inside_sandbox() -> bool:
    """Is this the grader's sandbox child? Only ever makes a cell fail, never pass."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return bool(os.environ.get("WEEK4_SANDBOX")) or \
        getattr(spec, "name", "").startswith("autograder.sandboxed")


def check(topic: str, check_id: str) -> None:
    if _inside_sandbox():
        # A copied check call in a student's cell: grading from inside the grader would start
        # graders without end. Failing is safe: faking this in a kernel only loses points.
        raise AssertionError("check cells do not run inside the grader's sandbox")
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
