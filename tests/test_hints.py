"""Hints teach in two stages: the concept hint (scoreboard, check cells) says what to think
about and never the code that solves its check; the code-level hint comes only when asked
(`week4 hint CHECK-ID`, `make hint CHECK=...`, `hint(...)` in a notebook)."""

from __future__ import annotations

import json
import re

import pytest
from helpers import ROOT, week4

from autograder.checking import hint_in
from autograder.runner import check_infos
from autograder.topics import TOPICS

# a backticked span that is code rather than a name: a call, an assignment, an index, a literal
CODE_CHARS = re.compile(r"[()=\[\]{}'\"+*%<>,]")


class CODE_SPAN:  # noqa: N801 (reads like the regex below)
    @staticmethod
    def search(text: str):
        return next((m for m in re.finditer(r"`([^`]*)`", text) if CODE_CHARS.search(m[1])), None)
CALL = re.compile(r"[A-Za-z_][\w.]*\([^)\uac00-\ud7a3]*[\w'\"][^)\uac00-\ud7a3]*\)")


def every_check():
    return [(topic, info) for topic in sorted(TOPICS) for info in check_infos(TOPICS[topic])]


def solution_lines(topic: str) -> list[str]:
    """The lines a student must write: the solution regions of the source notebook."""
    nb = json.loads((ROOT / "solutions" / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))
    lines, inside = [], False
    for cell in nb["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if "BEGIN SOLUTION" in line:
                inside = True
            elif "END SOLUTION" in line:
                inside = False
            elif inside and not line.strip().startswith("#"):
                lines.append(" ".join(line.split()))
    return [line for line in lines if len(line) >= 12]


@pytest.mark.parametrize("topic,info", every_check(), ids=lambda v: getattr(v, "id", v))
def test_every_check_has_a_concept_hint_and_a_code_hint(topic, info):
    assert info.hint.strip() and info.code.strip(), info.id
    assert info.hint != info.code


@pytest.mark.parametrize("lang", ["en", "ko"])
@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_no_concept_hint_holds_the_code_that_solves_it(topic, lang):
    answers = solution_lines(topic)
    assert answers
    for info in check_infos(TOPICS[topic]):
        hint = hint_in(info, lang)
        flat = " ".join(hint.split())
        assert not CODE_SPAN.search(hint), (info.id, hint)
        assert not CALL.search(hint), (info.id, hint)
        assert not [line for line in answers if line in flat], (info.id, hint)


def test_the_detector_finds_code():
    """The rules above are not vacuous: yesterday's answer-like hints are caught."""
    for hint in ("Use `re.sub(r'[-_.]+', '-', name).lower()`.",
                 "Call pd.get_dummies(df, columns=columns) and return it.",
                 "Return `max(instances) * len(instances) * hourly_price`.",
                 "bind = os.environ.get('BIND', '0.0.0.0:8000')"):
        assert CODE_SPAN.search(hint) or CALL.search(hint), hint
    for hint in ("Compare `sys.prefix` with `sys.base_prefix`.",
                 "`sys.prefix`, while `sys.base_prefix` is the base.",
                 "가상환경(virtual environment)에서는 두 값이 달라요.",
                 "Which line of `pip freeze` output names a package (and which is a comment)?"):
        assert not CODE_SPAN.search(hint) and not CALL.search(hint), hint


def test_week4_hint_shows_the_code_hint_in_the_students_language():
    topic, info = every_check()[0]
    ko = week4("hint", info.id, env={"WEEK4_LANG": "ko"})
    assert ko.returncode == 0, ko.stderr
    assert hint_in(info, "ko", "code") in ko.stdout and hint_in(info, "ko") in ko.stdout
    assert f"http://127.0.0.1:8000/ko/{info.docs[len('docs/'):].replace('.md', '/')}" in ko.stdout
    en = week4("hint", f"{topic}/{info.id}", "--lang", "en",
               env={"WEEK4_SITE_URL": "https://course.example/w4"})
    assert info.code in en.stdout and "https://course.example/w4/topics/" in en.stdout


def test_week4_hint_says_what_is_wrong_in_one_line():
    wrong = week4("hint", "freeze-pin", "--lang", "en")
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1
    assert "freeze-pins" in wrong.stderr  # the close match is offered
    assert week4("hint", "99-nothing/x", "--lang", "en").returncode == 2
