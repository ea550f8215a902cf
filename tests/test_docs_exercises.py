"""The Exercises pages: generated at build time from the released notebooks, in both languages."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from autograder.topics import TOPICS
from helpers import EXERCISES, ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    for config, target in (("mkdocs.yml", out), ("mkdocs.ko.yml", out / "ko")):
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config,
                               "-d", str(target)], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
        assert proc.returncode == 0, proc.stderr[-2000:]
    return out


@pytest.mark.parametrize("lang", ["", "ko/"])
@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_every_released_exercise_has_a_read_only_page(built, topic, lang):
    page = built / f"{lang}exercises/{topic}/index.html"
    html = page.read_text(encoding="utf-8")
    notebook = json.loads((EXERCISES / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))
    checks = [c["metadata"]["nbgrader"]["grade_id"] for c in notebook["cells"]
              if c.get("metadata", {}).get("nbgrader", {}).get("grade")
              and not c["metadata"]["nbgrader"].get("solution")]
    for check_id in checks:
        assert f"check: {check_id}" in html
    assert "NotImplementedError" in html and "BEGIN SOLUTION" not in html
    assert f"localhost:8888/lab/tree/{topic}/{topic}.ipynb" in html  # open it in `make lab`
    download = page.parent / f"{topic}.ipynb"
    assert download.read_bytes() == (EXERCISES / topic / f"{topic}.ipynb").read_bytes()


def test_the_nav_lists_every_released_exercise():
    for config in ("mkdocs.yml", "mkdocs.ko.yml"):
        text = (ROOT / config).read_text(encoding="utf-8")
        for topic in TOPICS:
            assert f"exercises/{topic}.md" in text, f"{config} does not list {topic}"
