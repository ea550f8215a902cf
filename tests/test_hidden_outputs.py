"""Grading mode's output, every topic (issue 12): a regrade with the same key is identical, and
nothing a student reads (terminal scoreboard, --json, feedback HTML in both languages, the
nbgrader test cells' feedback) carries a hidden input or an expected value.

Per topic one submission that fails several checks (mutants of autograder/mutants/ that
replace different cells, combined; topic 02's mutants all replace app.py, so one of them) is
graded twice with the same key and student. The first grading records, in this
process, everything the grader sends to the sandbox (call and helper arguments), every HTTP
request it makes, and every value a failing check held (expected, found, given); the outputs
are rendered from it and searched for each of those values. The second grading must give the
same JSON.
"""

from __future__ import annotations

import json
import math
import re

import pytest
from helpers import mutate
from hidden import random_keys

from autograder import checking
from autograder.mutants import catalogue
from autograder.results import Report
from autograder.runner import check_infos, grade_topic
from autograder.topics import get_topic

TOPICS = ["01-virtualenv", "02-flask-rest", "03-cloud", "04-serving", "05-eda"]
KEY = random_keys(1)[0]
STUDENT = "dana"


# Topic 02's mutants all replace app.py; the one that loses most (duplicate-view-name) is an
# app that cannot start, whose checks hold no values. This one answers, wrongly, 7 checks.
ONLY = {"02-flask-rest": "menu-singular"}


def combined_mutant(topic: str) -> tuple[dict, set]:
    """Mutants replacing different cells, merged: (replacements, checks they lose together)."""
    mutants = catalogue(topic).MUTANTS
    if topic in ONLY:
        return mutants[ONLY[topic]]
    mutants = sorted(mutants.values(), key=lambda m: -len(m[1]))
    replacements: dict = {}
    loses: set = set()
    for cells, lost in mutants:
        if not set(cells) & set(replacements):
            replacements.update(cells)
            loses |= lost
    return replacements, loses


class Recorder:
    """What one grading sent and what its failing checks held, as the leaves of plain data."""

    def __init__(self, monkeypatch):
        self.values: list = []
        self.failures: list[str] = []
        from autograder import http_api, sandbox

        original_init = checking.CheckFailed.__init__

        def init(exc, message, *, expected=None, found=None, given=None, **kw):
            original_init(exc, message, expected=expected, found=found, given=given, **kw)
            self.values += [expected, found, given]
            if str(exc) != message:
                self.failures.append(str(exc)[len(message):])  # "; expected ..., found ..."

        original_send = sandbox.Sandbox._send

        def send(box, payload, timeout, **kwargs):
            self.values.append(payload.get("args"))
            self.values.append(payload.get("kwargs"))
            return original_send(box, payload, timeout, **kwargs)

        original_http = http_api.send

        def http(port, method, path, *, body=None, **kw):
            self.values += [path, body]
            return original_http(port, method, path, body=body, **kw)

        monkeypatch.setattr(checking.CheckFailed, "__init__", init)
        monkeypatch.setattr(sandbox.Sandbox, "_send", send)
        monkeypatch.setattr(http_api, "send", http)
        # topic 04 talks HTTP to the app itself
        import autograder.checks.test_04_serving as checks04

        original_lab = checks04.Lab.http

        def lab_http(lab, method, path, payload=None, raw=None, **kw):
            self.values += [path, payload, raw]
            return original_lab(lab, method, path, payload, raw, **kw)

        monkeypatch.setattr(checks04.Lab, "http", lab_http)

    def tokens(self, public: str) -> set[str]:
        """The leaves worth searching for: text of 6+ characters that the public text (hints,
        docs, ids, the submission itself) does not hold, numbers with 4+ significant digits."""
        found: set[str] = set()

        def walk(value, depth=0):
            if depth > 6 or value is None or isinstance(value, bool):
                return
            if isinstance(value, bytes):
                try:
                    value = value.decode("utf-8")
                except UnicodeDecodeError:
                    return
            if isinstance(value, str):
                text = value.strip()
                if len(text) >= 6 and text not in public:
                    found.add(text)
                if len(text) < 2000 and text[:1] in "[{":
                    try:
                        walk(json.loads(text), depth + 1)
                    except ValueError:
                        pass
            elif isinstance(value, int):
                if abs(value) >= 1000 and str(value) not in public:
                    found.add(str(value))
            elif isinstance(value, float):
                if math.isfinite(value) and len(f"{abs(value):.12g}".replace(".", "")
                                                   .lstrip("0")) >= 4:
                    found.update({repr(value), repr(round(value, 6))})
            elif isinstance(value, dict):
                for k, v in value.items():
                    walk(k, depth + 1)
                    walk(v, depth + 1)
            elif isinstance(value, (list, tuple, set)):
                for v in list(value)[:5000]:
                    walk(v, depth + 1)
        for value in self.values:
            walk(value)
        return found


def outputs(topic: str, result) -> dict[str, str]:
    """Everything a student or instructor reads about this grading, by channel."""
    from autograder import cell
    from week4.grading.reports import feedback_page
    from week4.scoreboard import render

    report = Report({topic: result}, {"mode": "grading", "key_id": "k", "grader_version": "v"})
    data = result.to_json()
    for entry, check in zip(data["checks"], result.checks):
        entry["public"] = check.public_message
    out = {"terminal": render(report), "json": json.dumps(report.to_json(), ensure_ascii=False),
           "autograder json": json.dumps(data, ensure_ascii=False)}
    for lang in ("en", "ko"):
        out[f"feedback {lang}"] = feedback_page(STUDENT, [(topic, data)], lang)
    cells = []
    original = cell.topic_result
    cell.topic_result = lambda _topic: data
    try:
        for c in data["checks"]:
            try:
                cell.check(topic, c["id"])
            except AssertionError as exc:
                cells.append(str(exc))
    finally:
        cell.topic_result = original
    out["nbgrader feedback"] = "\n".join(cells)
    return out


@pytest.fixture(scope="module")
def gradings(tmp_path_factory):
    """{topic: (first result, recorder, second result, notebook text)}: two gradings each."""
    done = {}
    for topic in TOPICS:
        replacements, _ = combined_mutant(topic)
        notebook = mutate(topic, replacements, tmp_path_factory.mktemp(topic) / STUDENT)
        with pytest.MonkeyPatch.context() as monkeypatch:
            recorder = Recorder(monkeypatch)
            first = grade_topic(topic, notebook, key=KEY, student=STUDENT)
        second = grade_topic(topic, notebook, key=KEY, student=STUDENT)
        done[topic] = (first, recorder, second, notebook.read_text(encoding="utf-8"))
    return done


@pytest.mark.parametrize("topic", TOPICS)
def test_regrade_with_the_same_key_gives_identical_json(gradings, topic):
    first, _, second, _ = gradings[topic]
    assert json.dumps(first.to_json(), sort_keys=True) == \
        json.dumps(second.to_json(), sort_keys=True)


@pytest.mark.parametrize("topic", TOPICS)
def test_grading_mode_output_carries_no_input_or_expected_value(gradings, topic):
    result, recorder, _, notebook = gradings[topic]
    failed = [c for c in result.checks if not c.passed]
    assert len(failed) >= 2, [c.id for c in failed]  # several checks say why they failed
    # what the checks held and the grader sent: the failures had values to hide
    assert recorder.failures, "no failing check held an expected or found value"
    assert not leaks(topic, result, recorder, notebook)
    for c in failed:  # the message is the rule, the same in every channel
        assert c.message == c.public_message


def leaks(topic: str, result, recorder, notebook: str) -> list[tuple[str, str]]:
    """(channel, value) for every recorded value an output shows."""
    infos = check_infos(get_topic(topic))
    public = "\n".join([notebook, checking.rule_failed(), STUDENT]
                       + [f"{i.id} {i.hint} {i.docs}" for i in infos])
    tokens = recorder.tokens(public)
    assert tokens, "nothing hidden was recorded"
    found = []
    for channel, text in outputs(topic, result).items():
        assert text
        found += [(channel, d) for d in recorder.failures if d.strip("; ") in text]
        for token in tokens:
            if re.fullmatch(r"-?[\d.e+-]+", token):  # a number: not inside a longer one
                if re.search(rf"(?<![\w.]){re.escape(token)}(?![\w.])", text):
                    found.append((channel, token))
            elif token in text:
                found.append((channel, token))
    return found


def test_the_search_finds_what_practice_mode_shows(tmp_path, monkeypatch):
    """The same search on practice mode's output (which may show expected values) finds them:
    the grading-mode test above can fail."""
    topic = "01-virtualenv"
    replacements, _ = combined_mutant(topic)
    notebook = mutate(topic, replacements, tmp_path / STUDENT)
    recorder = Recorder(monkeypatch)
    result = grade_topic(topic, notebook)
    found = leaks(topic, result, recorder, notebook.read_text(encoding="utf-8"))
    assert {channel for channel, _ in found} >= {"terminal", "json", "autograder json"}, found
