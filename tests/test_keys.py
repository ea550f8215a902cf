"""Grading keys on the command line: create, refuse, one-line errors, merge refuses mixed keys."""

from __future__ import annotations

import json
import stat

import pytest

from helpers import ROOT, week4


def one_line_error(proc, *words):
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    for word in words:
        assert word in lines[0]


def test_key_new_writes_a_private_key_and_says_where(tmp_path):
    path = tmp_path / "keys" / "grading.key"
    proc = week4("key", "new", str(path))
    assert proc.returncode == 0, proc.stderr
    assert str(path) in proc.stdout
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("week4-key-v1:")
    one_line_error(week4("key", "new", str(path)), "already exists")  # never overwritten


def test_key_new_refuses_a_tracked_place_in_the_repository():
    one_line_error(week4("key", "new", str(ROOT / "docs" / "oops.key")), "git")
    assert not (ROOT / "docs" / "oops.key").exists()


@pytest.mark.parametrize("content, words", [(None, "not found"), ("", "empty"),
                                            ("hello\n", "not a week4 key"),
                                            ("week4-key-v1:abc\n", "not a week4 key")])
def test_unusable_key_is_a_one_line_error(tmp_path, content, words):
    path = tmp_path / "k.key"
    if content is not None:
        path.write_text(content)
    one_line_error(week4("check", "01-virtualenv", "--submission", "exercises", "--key",
                         str(path)), words)
    one_line_error(week4("grade", "--submissions", str(tmp_path), "--key", str(path)), words)


def test_merge_refuses_shards_graded_with_different_keys(tmp_path):
    for shard, key_id in (("a", "111111111111"), ("b", "222222222222")):
        folder = tmp_path / shard / "results" / "01-virtualenv"
        folder.mkdir(parents=True)
        (folder / f"s{shard}.json").write_text(json.dumps(
            {"student": f"s{shard}", "assignment": "01-virtualenv", "score": 0, "max": 1,
             "checks": [], "key_id": key_id}))
    one_line_error(week4("merge", str(tmp_path / "a"), str(tmp_path / "b"), "--out",
                         str(tmp_path / "out")), "different keys")
