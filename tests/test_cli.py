"""The `week4` command: JSON shape, exit statuses, and one-line errors for bad input."""

from __future__ import annotations

import json

from helpers import ROOT, SOLUTIONS, week4, write_notebook, load_solution

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
    proc = week4("check", TOPIC, "--submission", "exercises")
    out = proc.stdout
    assert proc.returncode == 0
    assert "[FAIL] freeze-pins" in out and "hint:" in out and "read:" in out
    assert "docs/topics/01-virtualenv.md#pip-freeze" in out
    assert "TOTAL  0/" in out and "Next:" in out
    assert "\x1b[" not in out  # no colour codes: readable anywhere


def test_fail_under_sets_the_exit_status():
    assert week4("check", TOPIC, "--submission", "exercises", "--fail-under", "50").returncode == 1
    assert week4("check", TOPIC, "--submission", "solutions", "--fail-under", "100").returncode == 0


def one_line_error(proc, *words):
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("week4: error:")
    assert "Traceback" not in proc.stderr
    for word in words:
        assert word in lines[0]


def test_missing_submission_folder_is_a_one_line_error():
    one_line_error(week4("check", "--submission", "no/such/folder"), "no/such/folder")


def test_unknown_topic_is_a_one_line_error():
    one_line_error(week4("check", "99-nope"), "99-nope", "01-virtualenv")


def test_bad_options_are_one_line_errors():
    one_line_error(week4("check", "--fail-under", "lots"), "--fail-under")
    one_line_error(week4("check", "--fail-under", "150"), "percentage")
    one_line_error(week4("frobnicate"), "frobnicate")
    one_line_error(week4(), "command")


def test_broken_notebook_json_scores_zero_with_a_reason_and_others_still_graded(tmp_path):
    # topic 01 is broken JSON; a second copy of the class folder has it intact
    folder = tmp_path / "class"
    path = write_notebook(load_solution(TOPIC), TOPIC, folder)
    path.write_text('{"cells": [ this is not json', encoding="utf-8")
    proc = week4("check", "--submission", str(folder), "--json")
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
    proc = week4("check", TOPIC, "--submission", str(tmp_path), "--json")
    assert proc.returncode == 0
    topic = json.loads(proc.stdout)["topics"][TOPIC]
    assert topic["score"] == 0 and "notebook not found" in topic["error"]


def test_runs_from_any_directory(tmp_path):
    proc = week4("check", TOPIC, "--submission", str(SOLUTIONS), "--json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert data["score"] == data["max"] > 0
