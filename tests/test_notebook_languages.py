"""Each topic's notebook reads in Korean and in English, from one source: every markdown cell of
`solutions/` holds both (week4/notebook_lang.py), and the two parts keep the same structure, so
an edit made in one language only is caught here."""

from __future__ import annotations

import json
import re

import pytest
from helpers import ROOT

from autograder.topics import TOPICS
from week4.notebook_lang import code_spans, headings, in_language, links, split

HANGUL = re.compile(r"[\uac00-\ud7a3]")


def markdown_cells(topic: str) -> list[str]:
    nb = json.loads((ROOT / "solutions" / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"] if c["cell_type"] == "markdown"]


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_every_markdown_cell_is_in_korean_and_english(topic):
    cells = markdown_cells(topic)
    assert cells
    for source in cells:
        parts = split(source)
        assert parts, f"{topic}: a markdown cell without its English block:\n{source[:300]}"
        korean, english = parts
        assert HANGUL.search(korean), f"{topic}: the first part is not Korean:\n{korean[:300]}"
        assert not HANGUL.search(english), f"{topic}: Korean inside the English part:\n{english[:300]}"


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_the_two_languages_do_not_drift_apart(topic):
    for source in markdown_cells(topic):
        korean, english = split(source) or (source, source)
        where = f"{topic}, the cell starting {english[:60]!r}"
        assert code_spans(korean) == code_spans(english), where
        assert headings(korean) == headings(english), where
        assert links(korean) == links(english), where


def test_each_language_reads_alone():
    """The example of docs/contributing.md splits into its two languages."""
    source = (ROOT / "week4" / "demos" / "bilingual_cell.md").read_text(encoding="utf-8")
    korean, english = in_language(source, "ko"), in_language(source, "en")
    assert korean.startswith("## 1. 가상환경") and "English" not in korean
    assert english.startswith("## 1. Are we") and not HANGUL.search(english)
    assert code_spans(korean) == code_spans(english) == ["sys.prefix"]
    assert in_language("one language", "ko") == "one language"
