"""Run one topic's checks (a pytest module) against one notebook and collect the result."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from .checking import CheckFailed, CheckInfo, checks_in, grading_message, hint_in
from .keys import for_grading, student_of
from .notebook import NotebookError, load_cells
from .results import CheckResult, Report, TopicResult
from .submission import Submission
from .topics import TOPICS, Topic, get_topic

from week4.i18n import current

_ = current()

def check_module(topic: Topic):
    return importlib.import_module(f"autograder.checks.{topic.check_module}")


def check_infos(topic: Topic) -> list[CheckInfo]:
    return checks_in(check_module(topic))


def limits(topic: Topic) -> dict:
    """Per-topic time limits, set by the check module (CALL_TIMEOUT, LOAD_TIMEOUT, BUDGET)."""
    module = check_module(topic)
    names = {"CALL_TIMEOUT": "timeout", "LOAD_TIMEOUT": "load_timeout", "BUDGET": "budget"}
    return {arg: getattr(module, attr) for attr, arg in names.items() if hasattr(module, attr)}


def grading_lang() -> str:
    """The language of this grading's messages (`week4 check --lang` passes it down as
    WEEK4_LANG; see week4.i18n.choose)."""
    from week4.i18n import COURSE_LANG, choose

    try:
        return choose()
    except ValueError:
        return COURSE_LANG


def failed(info: CheckInfo, message: str, public: str = "") -> CheckResult:
    return CheckResult(info.id, 0, info.points, False, message, hint_in(info, grading_lang()),
                       info.docs, public or message)


class Collector:
    """pytest plugin: hands the submission to the checks and records each verdict."""

    def __init__(self, submission: Submission):
        self.submission = submission
        self.verdicts: dict[str, tuple[bool, str, str]] = {}

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        marker = item.get_closest_marker("week4_check")
        if marker is None or (report.when != "call" and report.passed):
            return
        info: CheckInfo = marker.args[0]
        if report.passed:
            self.verdicts.setdefault(info.id, (True, "", ""))
            return
        exc = call.excinfo.value if call.excinfo else None
        if self.submission.inputs.grading:
            # grading mode: only the rule that failed, never an input or a value
            message = public = grading_message(exc)
        elif isinstance(exc, CheckFailed):
            message = str(exc)
            public = message if not exc.hidden else exc.public
        else:
            # A check that crashed is the grader's bug, not the student's: say so plainly.
            message = _("the check itself failed ({error}); please report it").format(
                error=f"{type(exc).__name__}: {exc}")
            public = message
        self.verdicts[info.id] = (False, message, public)


def grade_topic(topic_id: str, notebook: Path, *, env: dict | None = None,
                key: bytes | None = None, student: str | None = None) -> TopicResult:
    """Grade one topic of one submission. Never raises for anything the notebook contains.

    With `key` (grading mode) the checks draw hidden inputs from HMAC(key, student, topic);
    `student` defaults to the submission folder's name (<folder>/<topic>/<topic>.ipynb)."""
    topic = get_topic(topic_id)
    inputs = for_grading(key, student if student is not None else student_of(notebook), topic.id)
    infos = check_infos(topic)
    result = TopicResult(topic.id)
    try:
        cells = load_cells(Path(notebook))
    except NotebookError as exc:
        result.error = str(exc)
        result.checks = [failed(i, _("not graded: {reason}").format(reason=exc)) for i in infos]
        return result

    submission = Submission(topic.id, Path(notebook), cells, env=env, inputs=inputs,
                            **limits(topic))
    collector = Collector(submission)
    try:
        args = [str(topic.check_file), "-p", "no:cacheprovider", "-p", "no:terminal",
                "-p", "no:warnings", "--rootdir", str(topic.check_file.parent),
                "-c", os.devnull]
        # The checks run with exactly these options: PYTEST_ADDOPTS meant for the caller's own
        # pytest (say `-v`, which needs the terminal plugin turned off here) must not reach them.
        saved = os.environ.pop("PYTEST_ADDOPTS", None)
        try:
            code = pytest.main(args, plugins=[collector])
        finally:
            if saved is not None:
                os.environ["PYTEST_ADDOPTS"] = saved
        if code in (pytest.ExitCode.INTERNAL_ERROR, pytest.ExitCode.USAGE_ERROR):
            raise RuntimeError(f"the checks of {topic.id} could not run (pytest exit {code})")
        result.notes = submission.load_notes()
    finally:
        submission.close()
    for info in infos:
        passed, message, public = collector.verdicts.get(
            info.id, (False, _("the check did not run"), ""))
        if passed:
            result.checks.append(CheckResult(info.id, info.points, info.points, True, "",
                                             hint_in(info, grading_lang()), info.docs))
        else:
            result.checks.append(failed(info, message, public))
    if submission.sandbox.fatal:  # the notebook never finished loading: say so up front
        result.error = result.notes[0]
    return result


def find_notebook(folder: Path, topic: Topic) -> Path:
    """The topic's notebook in `folder`: `<topic>.ipynb`, or the only notebook there."""
    preferred = folder / topic.notebook_name
    if preferred.exists():
        return preferred
    candidates = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if len(candidates) == 1:
        return candidates[0]
    return preferred  # missing: grade_topic reports "notebook not found"


def grade_submission(root: Path, topics: list[str] | None = None, *, key: bytes | None = None,
                     student: str | None = None) -> Report:
    """Grade the `exercises/`-shaped folder `root`: `<root>/<topic>/<topic>.ipynb`."""
    report = Report()
    student = student if student is not None else (Path(root).resolve().name or "student")
    for topic_id in topics or list(TOPICS):
        topic = get_topic(topic_id)
        report.topics[topic.id] = grade_topic(topic.id, find_notebook(Path(root) / topic.id, topic),
                                              key=key, student=student)
    return report
