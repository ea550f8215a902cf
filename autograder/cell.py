"""What the nbgrader test cells of a notebook call.

    from autograder.cell import check, hint
    check("01-virtualenv", "freeze-pins")
    hint("01-virtualenv", "freeze-pins")   # the code-level hint, when the concept hint is not enough

The cell grades the *saved* notebook file next to it with the same isolated grader as
`week4 check` (in a fresh process, never inside this kernel), then passes or raises
an error that shows the check's public message, its concept hint and a link to the course
site, in the student's language, with no Python traceback (JupyterLab shows what
`_render_traceback_` returns). nbgrader awards the cell's points when it
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


def _translator():
    """The student's language (WEEK4_LANG, the locale, else the course's): week4.i18n is
    mounted into the sandboxed kernel too; without it the words stay English."""
    try:
        from week4.i18n import current
        from week4.site import url
    except ImportError:  # pragma: no cover - a kernel without the course package
        return (lambda text: text), (lambda docs, lang=None: docs), "en"
    from week4.i18n import COURSE_LANG, choose

    try:
        lang = choose()
    except ValueError:
        lang = COURSE_LANG
    return current(), url, lang


class CheckCellFailed(AssertionError):
    """A check cell's failure: JupyterLab and nbgrader show these lines, not a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[31m{line}\x1b[0m" if i == 0 else line
                for i, line in enumerate(str(self).splitlines())]


def _notebook(topic: str) -> Path:
    here = Path.cwd()
    preferred = here / f"{topic}.ipynb"
    if preferred.exists():
        return preferred
    found = sorted(p for p in here.glob("*.ipynb") if not p.name.startswith("."))
    if len(found) == 1:
        return found[0]
    _, _url, _lang = _translator()
    raise CheckCellFailed(_("cannot find {notebook} in {folder}; save the notebook under that "
                            "name and run this cell again").format(notebook=preferred.name,
                                                                   folder=here))


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
            _ = _translator()[0]
            raise CheckCellFailed(_("the grader failed: {reason}").format(
                reason=last[-500:])) from None
    return _cache[key]


def _ask_launcher(topic: str, request: dict | None = None) -> dict:
    """In the `week4-sandboxed` kernel (autograder.kernel) the checks and the key are outside
    the sandbox: ask the launcher, which grades the saved notebook with the isolated grader
    (or, for `{"hint": CHECK}`, looks up the check's hints)."""
    import socket

    _ = _translator()[0]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(GRADE_TIMEOUT)
    try:
        sock.connect(os.environ["WEEK4_GRADE_SOCKET"])
        sock.sendall(json.dumps({"topic": topic, **(request or {})}).encode("utf-8") + b"\n")
        data = sock.makefile("rb").readline()
    except OSError as exc:
        raise CheckCellFailed(_("the grader could not be reached ({reason})").format(
            reason=exc)) from None
    finally:
        sock.close()
    try:
        result = json.loads(data)
    except ValueError:
        raise CheckCellFailed(_("the grader sent no result")) from None
    if "checks" not in result and "code" not in result:
        raise CheckCellFailed(_("the grader failed: {reason}").format(
            reason=result.get("error", "no result")))
    return result


def _inside_sandbox() -> bool:
    """Is this the grader's sandbox child? Only ever makes a cell fail, never pass."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return bool(os.environ.get("WEEK4_SANDBOX")) or \
        getattr(spec, "name", "").startswith("autograder.sandboxed")


def check(topic: str, check_id: str) -> None:
    _, url, lang = _translator()
    if _inside_sandbox():
        # A copied check call in a student's cell: grading from inside the grader would start
        # graders without end. Failing is safe: faking this in a kernel only loses points.
        raise CheckCellFailed(_("check cells do not run inside the grader's sandbox"))
    result = topic_result(topic)
    for c in result["checks"]:
        if c["id"] == check_id:
            break
    else:
        raise CheckCellFailed(_("no check named {check!r} in topic {topic!r}").format(
            check=check_id, topic=topic))
    if c["passed"]:
        print(_("PASS {check}: {points}/{max} (graded from the saved notebook)").format(
            check=check_id, points=f"{c['points']:g}", max=f"{c['max']:g}"))
        return
    raise CheckCellFailed("\n".join([
        _("FAIL {check} ({points}/{max}): {message}").format(
            check=check_id, points="0", max=f"{c['max']:g}",
            message=c.get("public") or c["message"]),
        _("hint: {hint}").format(hint=c["hint"]),
        _("read: {url}").format(url=url(c["docs"], lang)),
        _("stuck? a code-level hint: run hint({topic!r}, {check!r}) in a new cell").format(
            topic=topic, check=check_id),
        _("(the grader reads the saved notebook: save it before running this cell)"),
    ]))


def hint_data(topic: str, check_id: str, lang: str) -> dict:
    """The hints of one check (grader side: the checks are not inside the sandbox)."""
    from autograder.checking import hint_in
    from autograder.runner import check_infos
    from autograder.topics import get_topic

    for info in check_infos(get_topic(topic)):
        if info.id == check_id:
            return {"hint": hint_in(info, lang), "code": hint_in(info, lang, "code"),
                    "docs": info.docs}
    return {"error": f"no check named {check_id!r} in topic {topic!r}"}


def hint(topic: str, check_id: str) -> None:
    """Print a check's code-level hint: the next step after its concept hint."""
    _, url, lang = _translator()
    if os.environ.get("WEEK4_GRADE_SOCKET"):
        data = _ask_launcher(topic, {"hint": check_id})
    else:
        try:
            data = hint_data(topic, check_id, lang)
        except KeyError:
            data = {"error": f"unknown topic {topic!r}"}
    if "code" not in data:
        raise CheckCellFailed(_("no check named {check!r} in topic {topic!r}").format(
            check=check_id, topic=topic))
    print(_("concept hint:") + " " + data["hint"])
    print(_("code hint:") + " " + (data["code"] or "-"))
    print(_("read:") + " " + url(data["docs"], lang))
