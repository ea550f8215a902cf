"""The Korean site: every English page has a Korean page that is really Korean, with the
same code blocks and the same heading ids (the checks' docs links work in both languages)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EN = ROOT / "docs"
KO = EN / "ko"
PAGES = sorted(p.relative_to(EN) for p in EN.rglob("*.md") if KO not in p.parents)
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>```+|~~~+)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)(?P=fence)[ \t]*$",
                   re.M | re.S)
HEADING_ID = re.compile(r"\{#([A-Za-z0-9_-]+)\}")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
LATIN = re.compile(r"[A-Za-z]")


def code_blocks(text: str) -> list[str]:
    """Fenced blocks other than mermaid diagrams (whose labels are translated). An example
    output the command prints in each language comes from `<name>.ko.txt` on the Korean page
    and `<name>.txt` on the English one: the same block otherwise."""
    return [re.sub(r'(--8<-- "[^"]+)\.ko\.txt"', r'\1.txt"', m.group(0).strip())
            for m in FENCE.finditer(text)
            if not m.group("info").strip().startswith("mermaid")]


def prose(text: str) -> str:
    text = FENCE.sub("", text)
    text = re.sub(r"`[^`]*`", "", text)           # inline code
    text = re.sub(r"\]\([^)]*\)", "]", text)      # link targets
    return text


def test_every_english_page_has_a_korean_page():
    missing = [str(p) for p in PAGES if not (KO / p).is_file()]
    assert not missing, f"no Korean page for {missing}"
    extra = [str(p.relative_to(KO)) for p in KO.rglob("*.md") if p.relative_to(KO) not in PAGES]
    assert not extra, f"Korean pages without an English original: {extra}"


@pytest.mark.parametrize("page", [str(p) for p in PAGES])
def test_korean_page_is_written_in_korean(page):
    text = prose((KO / page).read_text(encoding="utf-8"))
    hangul, latin = len(HANGUL.findall(text)), len(LATIN.findall(text))
    assert hangul > 0.5 * latin, f"{page}: mostly untranslated ({hangul} Hangul vs {latin} Latin letters)"


@pytest.mark.parametrize("page", [str(p) for p in PAGES])
def test_korean_page_keeps_code_and_anchors(page):
    en = (EN / page).read_text(encoding="utf-8")
    ko = (KO / page).read_text(encoding="utf-8")
    assert code_blocks(ko) == code_blocks(en), "code blocks must stay identical to the English page"
    assert HEADING_ID.findall(ko) == HEADING_ID.findall(en), "heading ids must stay identical"


def test_korean_site_builds_strictly(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f",
                           "mkdocs.ko.yml", "-d", str(tmp_path / "ko")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "ko" / "topics" / "01-virtualenv" / "index.html").is_file()
    html = (tmp_path / "ko" / "index.html").read_text(encoding="utf-8")
    assert 'lang="ko"' in html


def test_edit_links_point_at_each_page_source(tmp_path):
    env = {**__import__("os").environ, "WEEK4_REPO_URL": "https://example.org/course/week4"}
    for config, out, page, source in [
        ("mkdocs.yml", tmp_path / "en", "topics/02-flask-rest", "docs/topics/02-flask-rest.md"),
        ("mkdocs.ko.yml", tmp_path / "ko", "topics/02-flask-rest", "docs/ko/topics/02-flask-rest.md"),
    ]:
        proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-f", config, "-d",
                               str(out)], cwd=ROOT, capture_output=True, text=True,
                              timeout=300, env=env)
        assert proc.returncode == 0, proc.stderr[-2000:]
        html = (out / page / "index.html").read_text(encoding="utf-8")
        assert f"https://example.org/course/week4/edit/main/{source}" in html
