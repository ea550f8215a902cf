"""Print a grading report as a scoreboard that fits on a screen and reads fine without colour.

By default: one line per topic (score, a progress bar, "not started" for an untouched
notebook), the totals, then the failing checks of the first unfinished topic only, with the
why/hint/read of the first few. `verbose` (`week4 check TOPIC` or `-v`) shows every check of
every topic in the report. The words come from the gettext catalog (week4.i18n).
"""

from __future__ import annotations

import unicodedata

from autograder.levels import STRETCH_LEVEL, level, split, split_report
from autograder.results import CheckResult, Report, TopicResult

from .i18n import COURSE_LANG, t
from .site import url

BAR_WIDTH = 20
DETAILED = 2       # failing checks of the first unfinished topic shown with why/hint/read
WRAP = 88
# How the grader reports a function (or app) that still raises NotImplementedError.
NOT_WRITTEN = "NotImplementedError"


def _fmt(points: float) -> str:
    return f"{points:g}"


def not_started(topic: TopicResult) -> bool:
    """Untouched: every check fails because the functions are not written yet."""
    return bool(topic.checks) and not topic.error and all(
        not c.passed and NOT_WRITTEN in c.message for c in topic.checks)


def width(text: str) -> int:
    """Columns a terminal gives `text`: Korean syllables take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrap(text: str, columns: int) -> list[str]:
    """Word-wrap `text` to `columns` terminal columns (textwrap counts characters, and a
    Korean syllable takes two columns)."""
    lines, line = [], ""
    for word in text.split():
        if line and width(line) + 1 + width(word) > columns:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    return lines + ([line] if line else [])


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def bar(score: float, maximum: float) -> str:
    filled = round(BAR_WIDTH * score / maximum) if maximum else 0
    return "[" + "#" * filled + "." * (BAR_WIDTH - filled) + "]"


def _levels(parts, _) -> str:
    """'  (core 8/11, stretch 2/4)' for a topic that has stretch checks, else ''."""
    if not parts.stretch_max:
        return ""
    return "  " + _("(core {core}/{core_max}, stretch {stretch}/{stretch_max})").format(
        core=_fmt(parts.core), core_max=_fmt(parts.core_max),
        stretch=_fmt(parts.stretch), stretch_max=_fmt(parts.stretch_max))


def summary_line(name: str, topic: TopicResult, width: int, _) -> str:
    state = ""
    if topic.error:
        state = _("could not be graded")
    elif not_started(topic):
        state = _("not started")
    elif topic.score == topic.max:
        state = _("done")
    if not state:  # under way: how the points split into core and stretch
        state = _levels(split(topic), _).strip()
    return (f"{name:<{width}}  {bar(topic.score, topic.max)}  "
            f"{_fmt(topic.score):>3}/{_fmt(topic.max):<3}  {state}".rstrip())


def check_lines(topic: TopicResult, c: CheckResult, detailed: bool, _,
                lang: str = COURSE_LANG) -> list[str]:
    mark = "PASS" if c.passed else "FAIL"
    stretch = "  " + _("(stretch)") if level(topic.topic, c.id) == STRETCH_LEVEL else ""
    lines = [f"  [{mark}] {c.id:<24} {_fmt(c.points)}/{_fmt(c.max)}{stretch}"]
    if c.passed or not detailed:
        return lines
    labels = (("why", _("why:")), ("hint", _("hint:")), ("read", _("read:")))
    texts = {"why": c.message, "hint": c.hint, "read": url(c.docs, lang)}
    indent = " " * 15  # 9 before the label, 5 for it, 1 after
    for key, label in labels:
        wrapped = wrap(texts[key], WRAP - len(indent))
        if wrapped:
            lines.append(f"         {pad(label, 5)} " + ("\n" + indent).join(wrapped))
    return lines


def topic_lines(name: str, topic: TopicResult, lang: str = COURSE_LANG) -> list[str]:
    """Every check of one topic, with why/hint/read under each failing one."""
    _ = t(lang)
    lines = [f"{name}  {_fmt(topic.score)}/{_fmt(topic.max)}" + _levels(split(topic), _)]
    if topic.error:
        lines.append(f"  ! {topic.error}")
    for note in topic.notes if not topic.error else topic.notes[1:]:
        lines.append("  " + _("note:") + " " + " ".join(note.split()))
    for c in topic.checks:
        lines += check_lines(topic, c, True, _, lang)
    return lines


def first_unfinished_lines(name: str, topic: TopicResult, _, lang: str = COURSE_LANG) -> list[str]:
    """The failing checks of one topic; only the first DETAILED with why/hint/read."""
    lines = [_("{topic}: the checks that still fail").format(topic=name)]
    if topic.error:
        lines.append(f"  ! {topic.error}")
    failing = sorted((c for c in topic.checks if not c.passed),
                     key=lambda c: level(topic.topic, c.id) == STRETCH_LEVEL)
    for i, c in enumerate(failing):
        lines += check_lines(topic, c, i < DETAILED, _, lang)
    if len(failing) > DETAILED:
        lines.append("  " + _("(why, hint and read of every check: week4 check {topic})")
                     .format(topic=name))
    return lines


def total_lines(report: Report, _) -> list[str]:
    pct = 100 * report.score / report.max if report.max else 0.0
    lines = [_("TOTAL  {score}/{max}  ({percent}%)").format(
        score=_fmt(report.score), max=_fmt(report.max), percent=f"{pct:.0f}")]
    levels = split_report(report)
    if levels.stretch_max:
        lines.append(_("CORE   {score}/{max}  ({percent}%): this week's grade, which stretch "
                       "checks never lower").format(score=_fmt(levels.core),
                                                    max=_fmt(levels.core_max),
                                                    percent=f"{levels.core_percent:.0f}"))
        lines.append(_("STRETCH  {score}/{max}: extra, for when the core is done").format(
            score=_fmt(levels.stretch), max=_fmt(levels.stretch_max)))
    return lines


def next_line(report: Report, root: str, _, lang: str = COURSE_LANG) -> str:
    # Core checks first: the next thing to fix is never a stretch check while a core one fails.
    failing = sorted(((n, c) for n, t_ in report.topics.items() for c in t_.checks
                      if not c.passed),
                     key=lambda nc: level(report.topics[nc[0]].topic, nc[1].id) == STRETCH_LEVEL)
    if not failing:
        return _("Every check passes. Well done!")
    name, first = failing[0]
    # its section of the site is on its "read:" line; the code-level hint is one command away
    return _("Next: fix '{check}' in {notebook}, save the notebook, then run 'make check' "
             "again (stuck after the hint? 'make hint CHECK={check}').").format(
        check=first.id, notebook=f"{root}/{name}/{name}.ipynb")


def render(report: Report, *, lang: str = COURSE_LANG, verbose: bool = False,
           root: str = "exercises") -> str:
    """The scoreboard. `root` is the submission folder the Next line points into."""
    _ = t(lang)
    lines: list[str] = []
    if verbose:
        for name, topic in report.topics.items():
            lines += topic_lines(name, topic, lang) + [""]
    else:
        width = max(map(len, report.topics), default=0)
        lines += [summary_line(n, tr, width, _) for n, tr in report.topics.items()] + [""]
    lines += total_lines(report, _)
    unfinished = [(n, tr) for n, tr in report.topics.items() if tr.score < tr.max or tr.error]
    if unfinished and not verbose:
        lines += [""] + first_unfinished_lines(*unfinished[0], _, lang)
    lines += [""] + wrap(next_line(report, root, _, lang), WRAP)
    return "\n".join(lines)
