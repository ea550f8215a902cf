"""Core and stretch (autograder/levels.py): real check ids, a split that adds up, a core grade
that stretch checks cannot lower, and topic pages whose "core and stretch" box agrees with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from autograder.levels import STRETCH, Split, level, split, split_report
from autograder.results import CheckResult, Report, TopicResult
from autograder.runner import check_infos
from autograder.topics import TOPICS
from week4.scoreboard import render

ROOT = Path(__file__).resolve().parent.parent


def result(topic: str, passed: dict[str, bool]) -> TopicResult:
    """A TopicResult for `topic` with every check, passed or failed as given (default: passed)."""
    checks = [CheckResult(i.id, i.points if passed.get(i.id, True) else 0, i.points,
                          passed.get(i.id, True), "", i.hint, i.docs)
              for i in check_infos(TOPICS[topic])]
    return TopicResult(topic, checks)


def test_every_live_topic_has_an_entry_and_no_other_topic_does():
    assert set(STRETCH) == set(TOPICS)


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_every_stretch_id_is_a_check_of_its_topic(topic):
    ids = {info.id for info in check_infos(TOPICS[topic])}
    unknown = STRETCH[topic] - ids
    assert not unknown, f"{topic}: not checks of this topic: {sorted(unknown)}"
    assert ids - STRETCH[topic], f"{topic}: a topic needs some core"


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_split_adds_up_to_the_topic_score(topic):
    infos = check_infos(TOPICS[topic])
    failing = {i.id: False for i in infos[::3]}  # fail a third of them, core and stretch alike
    parts = split(result(topic, failing))
    full = result(topic, failing)
    assert parts.core + parts.stretch == full.score
    assert parts.core_max + parts.stretch_max == full.max
    assert parts.stretch_max == sum(i.points for i in infos if i.id in STRETCH[topic])


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_stretch_checks_never_lower_the_core_grade(topic):
    nothing_stretch = result(topic, {cid: False for cid in STRETCH[topic]})
    everything = result(topic, {})
    assert split(nothing_stretch).core_percent == split(everything).core_percent == 100
    assert split(nothing_stretch).stretch == 0


def test_report_totals_and_levels():
    report = Report({t: result(t, {}) for t in sorted(TOPICS)})
    total = split_report(report)
    assert total == sum((split(r) for r in report.topics.values()), Split())
    assert total.core + total.stretch == report.score
    assert level("01-virtualenv", "venv-create") == "stretch"
    assert level("01-virtualenv", "venv-detect") == "core"


def test_scoreboard_shows_core_and_stretch_and_points_at_core_first():
    topic = "01-virtualenv"
    stretch_id = sorted(STRETCH[topic])[0]
    core_id = next(i.id for i in check_infos(TOPICS[topic]) if i.id not in STRETCH[topic])
    board = render(Report({topic: result(topic, {stretch_id: False, core_id: False})}),
                   lang="en")
    parts = split(result(topic, {stretch_id: False, core_id: False}))
    assert f"(core {parts.core:g}/{parts.core_max:g}, stretch " in board
    assert re.search(rf"\[FAIL\] {stretch_id} +0/\d+  \(stretch\)", board)
    assert re.search(rf"\[FAIL\] {core_id} +0/\d+\n", board)
    assert f"CORE   {parts.core:g}/{parts.core_max:g}" in board and "STRETCH  " in board
    assert f"Next: fix '{core_id}'" in board  # a core check first, wherever it is listed


# --- the topic pages say the same, with times ---------------------------------------------------

BOX = {"en": ('!!! info "Core and stretch"', r"(\d+) min"),
       "ko": ('!!! info "핵심과 심화"', r"(\d+)분")}


def level_rows(page: Path, lang: str) -> dict[str, tuple[int, int, str]]:
    """{'core'|'stretch': (teaching minutes, exercise minutes, checks cell)} from the page's box."""
    text = page.read_text(encoding="utf-8")
    title, minutes = BOX[lang]
    assert title in text, f"{page}: no {title} box"
    objectives, box = text.index("!!! abstract"), text.index(title)
    assert objectives < box < text.index("\n## "), f"{page}: the box goes after the objectives"
    rows = {}
    for row in re.findall(r"^    \| \*\*([^*]+)\*\*[^|]*\|([^|]+)\|([^|]+)\|([^|]+)\|$",
                          text[box:], re.MULTILINE):
        name = {"Core": "core", "Stretch": "stretch", "핵심": "core", "심화": "stretch"}[row[0]]
        teach, practise = (int(re.fullmatch(minutes, cell.strip())[1]) for cell in row[1:3])
        rows[name] = (teach, practise, row[3])
    assert set(rows) == {"core", "stretch"}, f"{page}: {rows}"
    return rows


@pytest.mark.parametrize("lang", sorted(BOX))
@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_topic_page_box_lists_the_stretch_checks_and_points(topic, lang):
    page = ROOT / "docs" / ("ko/" if lang == "ko" else "") / "topics" / f"{topic}.md"
    rows = level_rows(page, lang)
    parts = split(result(topic, {}))
    core_cell, stretch_cell = rows["core"][2], rows["stretch"][2]
    assert re.search(rf"\b{parts.core_max:g}\s*(points|점)", core_cell), (page, core_cell)
    assert re.search(rf"\b{parts.stretch_max:g}\s*(points|점)", stretch_cell), (page, stretch_cell)
    assert set(re.findall(r"`([\w-]+)`", stretch_cell)) == STRETCH[topic], page


@pytest.mark.parametrize("lang", sorted(BOX))
def test_the_core_week_fits_in_about_fifteen_hours(lang):
    pages = [ROOT / "docs" / ("ko/" if lang == "ko" else "") / "topics" / f"{t}.md"
             for t in sorted(TOPICS)]
    core = sum(sum(level_rows(p, lang)["core"][:2]) for p in pages)
    assert 14 * 60 <= core <= 16 * 60, f"the core takes {core} minutes"
    if lang == "ko":  # the same times in both languages
        assert [level_rows(p, "ko") for p in pages] != [] and all(
            level_rows(p, "ko")[k][:2] == level_rows(Path(str(p).replace("/ko/", "/")), "en")[k][:2]
            for p in pages for k in ("core", "stretch"))
