"""One notebook, two languages: each markdown cell holds Korean, then the English in a block.

    ## 1. 가상환경 안에 있나요?
    ...Korean...

    <details class="week4-en"><summary>English</summary>

    ## 1. Are we in a virtual environment?
    ...English...

    </details>

Why bilingual cells and not one notebook per language: nbgrader grades one notebook per topic,
and the solution must stay single. A Korean student reads Korean with the English one click
away; the course site shows each language alone (`week4/docs_exercises.py`); the drift test
(`tests/test_notebook_languages.py`) fails when the two parts stop saying the same thing in
structure (headings, code spans, links).
"""

from __future__ import annotations

import re

OPEN = '<details class="week4-en"><summary>English</summary>'
CLOSE = "</details>"
_BLOCK = re.compile(re.escape(OPEN) + r"\n(.*?)\n" + re.escape(CLOSE) + r"\s*\Z", re.S)


def split(source: str) -> tuple[str, str] | None:
    """(Korean, English) of a bilingual markdown cell; None for a cell in one language."""
    found = _BLOCK.search(source)
    if not found:
        return None
    return source[:found.start()].strip(), found.group(1).strip()


def in_language(source: str, lang: str) -> str:
    """The cell as a reader of `lang` sees it on the course site."""
    parts = split(source)
    if parts is None:
        return source
    return parts[0] if lang == "ko" else parts[1]


def code_spans(text: str) -> list[str]:
    return sorted(re.findall(r"`([^`\n]+)`", text))


def headings(text: str) -> int:
    return len(re.findall(r"^#{1,6} ", text, re.M))


def links(text: str) -> list[str]:
    return sorted(re.findall(r"\]\(([^)\s]+)\)", text))
