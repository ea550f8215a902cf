"""The `week4` command: JSON shape, exit statuses, and one-line errors for bad input."""

from __future__ import annotations

import json
import re

import pytest

from helpers import ROOT, SOLUTIONS, week4, write_notebook, load_solution

from autograder.results import CheckResult, Report, TopicResult
from autograder.runner import check_infos
from autograder.topics import TOPICS
from week4.scoreboard import render, width

TOPIC = "01-virtualenv"


def test_check_json_on_solutions_gives_full_marks():
    proc = week4("check", TOPIC, "--submission", "solutions", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"score", "max", "topics"}
    topic = data["topics"][TOPIC]
    assert data["score"] == data["max"] == topic["score"] == topic["max"] > 0
    for c in topic["checks"]:
        assert set(c) == {"id", "points", "max", "passed", "message", "hint", "docs"}
        assert c["docs"].startswith(f"docs/topics/{TOPIC}.md#")


def test_check_on_exercises_scores_zero_but_exits_zero():
    proc = week4("check", TOPIC, "--submission", "exercises", "--json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["score"] == 0 < data["max"]


def test_scoreboard_shows_checks_hints_docs_and_total():
    proc = week4("check", TOPIC, "--submission", "exercises", "--lang", "en")
    out = proc.stdout
    assert proc.returncode == 0
    assert "[FAIL] freeze-pins" in out and "hint:" in out and "read:" in out
    assert "http://127.0.0.1:8000/topics/01-virtualenv/#pip-freeze" in out  # the built site
    assert "TOTAL  0/" in out and "Next:" in out
    assert "\x1b[" not in out  # no colour codes: readable anywhere


def untouched_report() -> Report:
    """What grading an untouched clone gives: every check of every topic fails because its
    function is not written yet (the real checks, with their real hints and links)."""
    return Report({topic: TopicResult(topic, [
        CheckResult(i.id, 0, i.points, False, f"{i.id.split('-')[0]}(...) is not written yet (it "
                    "raises NotImplementedError at cell 5, line 4)", i.hint, i.docs)
        for i in check_infos(TOPICS[topic])]) for topic in TOPICS})


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_untouched_clone_scoreboard_fits_on_a_screen(lang):
    """`make check` on a fresh clone: one line per topic, then the first topic's checks."""
    board = render(untouched_report(), lang=lang)
    lines = board.splitlines()
    assert len(lines) <= 40, board
    started = {"ko": "시작 전", "en": "not started"}[lang]
    assert all(topic in lines[i] and started in lines[i] for i, topic in enumerate(TOPICS))
    assert "[FAIL] venv-detect" in board          # the first topic's checks...
    assert "[FAIL] list-menus" not in board       # ...not every topic's
    assert "week4 check 01-virtualenv" in board   # where the rest is
    assert max(map(width, lines)) <= 100, "a line wider than a terminal"


def test_make_check_on_the_released_exercises_marks_every_topic_not_started():
    proc = week4("check", "--submission", "exercises")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) <= 40, proc.stdout
    assert all(topic in lines[i] and "시작 전" in lines[i] for i, topic in enumerate(TOPICS))
    assert "합계(TOTAL)  0/" in proc.stdout and "다음(Next):" in proc.stdout
    assert "http://127.0.0.1:8000/ko/topics/01-virtualenv/#" in proc.stdout
    # Korean through and through: what is left once identifiers, code, links and English in
    # parentheses are taken out holds no English words in a row
    for line in [" ".join(lines)]:  # whole: a quoted command may wrap onto the next line
        rest = re.sub(r"https?://\S+|[\w.-]+/[\w./#-]*|\([A-Za-z ,./'-]+\)|'[^']*'|`[^`]*`|"
                      r"[\w.]+\([^)]*\)", "", line)
        assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", rest), line


@pytest.mark.parametrize("env,args,lang", [
    ({"WEEK4_LANG": "en"}, [], "en"),
    ({"LANG": "en_US.UTF-8"}, [], "en"),
    ({"LANG": "ko_KR.UTF-8"}, [], "ko"),
    ({"LANG": "C.UTF-8"}, [], "ko"),                         # no language: the course default
    ({}, [], "ko"),
    ({"LC_ALL": "en_US.UTF-8", "LANG": "ko_KR.UTF-8"}, [], "en"),  # LC_ALL first
    ({"WEEK4_LANG": "ko", "LANG": "en_US.UTF-8"}, [], "ko"),  # WEEK4_LANG over the locale
    ({"WEEK4_LANG": "en"}, ["--lang", "ko"], "ko"),            # --lang over everything
])
def test_language_comes_from_lang_then_env_then_locale_then_korean(env, args, lang):
    # the unknown-topic error: the same choice as the scoreboard's, without grading anything
    proc = week4("check", "99-nope", *args, env=env)
    words = {"en": "unknown topic", "ko": "주제(topic)는 없어요"}
    assert words[lang] in proc.stderr and words[{"en": "ko", "ko": "en"}[lang]] not in proc.stderr


def test_scoreboard_words_are_korean_or_english():
    ko = week4("check", TOPIC, "--submission", "exercises").stdout
    assert "힌트:" in ko and "hint:" not in ko and "합계(TOTAL)" in ko


def test_an_unknown_language_is_a_one_line_error():
    one_line_error(week4("check", "--lang", "fr"), "fr")
    one_line_error(week4("check", "--lang", "fr"), "ko, en", "언어")  # said in the course's


def test_fail_under_sets_the_exit_status():
    assert week4("check", TOPIC, "--submission", "exercises", "--fail-under", "50").returncode == 1
    assert week4("check", TOPIC, "--submission", "solutions", "--fail-under", "100").returncode == 0


def one_line_error(proc, *words):
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(("week4: error:", "week4: 오류:"))  # Korean unless --lang en
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0]


def test_missing_submission_folder_is_a_one_line_error():
    one_line_error(week4("check", "--submission", "no/such/folder"), "no/such/folder")


def test_unknown_topic_is_a_one_line_error():
    one_line_error(week4("check", "99-nope"), "99-nope", "01-virtualenv")


def test_bad_options_are_one_line_errors():
    one_line_error(week4("check", "--fail-under", "lots"), "--fail-under", "week4 check --help")
    assert "(see" not in week4("check", "--fail-under", "lots").stderr  # Korean throughout
    one_line_error(week4("check", "--fail-under", "150", "--lang", "en"), "percentage")
    one_line_error(week4("check", "--fail-under", "150", "--lang", "ko"), "백분율")
    one_line_error(week4("frobnicate"), "frobnicate")
    one_line_error(week4(), "command")


def test_broken_notebook_json_scores_zero_with_a_reason_and_others_still_graded(tmp_path):
    # topic 01 is broken JSON; a second copy of the class folder has it intact
    folder = tmp_path / "class"
    path = write_notebook(load_solution(TOPIC), TOPIC, folder)
    path.write_text('{"cells": [ this is not json', encoding="utf-8")
    proc = week4("check", "--submission", str(folder), "--json", "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    broken = data["topics"][TOPIC]
    assert broken["score"] == 0
    assert "not valid notebook JSON" in broken["error"]
    # every other live topic was still graded (its folder is missing: 0 with its own reason)
    for name, topic in data["topics"].items():
        if name != TOPIC:
            assert "not found" in topic["error"]


def test_missing_topic_folder_scores_zero_with_a_reason(tmp_path):
    proc = week4("check", TOPIC, "--submission", str(tmp_path), "--json", "--lang", "en")
    assert proc.returncode == 0
    topic = json.loads(proc.stdout)["topics"][TOPIC]
    assert topic["score"] == 0 and "notebook not found" in topic["error"]
    korean = week4("check", TOPIC, "--submission", str(tmp_path), "--json")
    assert "노트북을 찾을 수 없어요" in json.loads(korean.stdout)["topics"][TOPIC]["error"]


def test_runs_from_any_directory(tmp_path):
    proc = week4("check", TOPIC, "--submission", str(SOLUTIONS), "--json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert data["score"] == data["max"] > 0


def test_the_callers_pytest_options_do_not_reach_the_checks():
    """PYTEST_ADDOPTS is for the caller's own pytest run (`-v` needs the terminal plugin, which
    the grader turns off): grading ignores it instead of failing every topic."""
    proc = week4("check", TOPIC, "--submission", "solutions", "--json",
                 env={"PYTEST_ADDOPTS": "-v --tb=short"})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["score"] == data["max"] > 0, data["topics"][TOPIC].get("error")
