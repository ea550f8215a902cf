"""The Exercises pages: generated at build time from the released notebooks, in both languages."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from autograder.topics import TOPICS
from helpers import EXERCISES, ROOT

HANGUL = re.compile(r"[\uac00-\ud7a3]")


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


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_each_site_shows_the_notebook_in_its_own_language(built, topic):
    """The Korean site's exercise page reads in Korean, the English one in English: the
    bilingual cells of the notebook (week4/notebook_lang.py) are split by the site."""
    from week4.notebook_lang import split

    notebook = json.loads((EXERCISES / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))
    cells = [split("".join(c["source"])) for c in notebook["cells"]
             if c["cell_type"] == "markdown"]
    # words of three syllables or more: a shorter one ("한") may be in the site's own chrome
    korean_words = {w for ko, _ in filter(None, cells) for w in ko.split()
                    if len(HANGUL.findall(w)) >= 3}
    assert korean_words
    ko_page = (built / f"ko/exercises/{topic}/index.html").read_text(encoding="utf-8")
    en_page = (built / f"exercises/{topic}/index.html").read_text(encoding="utf-8")
    first_ko, first_en = next(filter(None, cells))
    first_ko_line = first_ko.splitlines()[0].lstrip("# ")
    assert first_ko_line in ko_page and first_ko_line not in en_page
    assert "week4-en" not in ko_page and "week4-en" not in en_page
    code = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code")
    only_prose = {w for w in korean_words if w not in code}
    assert not [w for w in only_prose if w in en_page][:5]
