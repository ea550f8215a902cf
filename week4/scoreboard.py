"""Print a grading report as a scoreboard that reads fine without colour."""

from __future__ import annotations

import textwrap

from autograder.levels import STRETCH_LEVEL, level, split, split_report
from autograder.results import Report, TopicResult


def _fmt(points: float) -> str:
    return f"{points:g}"


def topic_lines(name: str, topic: TopicResult) -> list[str]:
    lines = [f"{name}  {_fmt(topic.score)}/{_fmt(topic.max)}" + _levels(split(topic))]
    if topic.error:
        lines.append(f"  ! {topic.error}")
    for note in topic.notes if not topic.error else topic.notes[1:]:
        lines.append(f"  note: {note}")
    for c in topic.checks:
        mark = "PASS" if c.passed else "FAIL"
        stretch = "  (stretch)" if level(topic.topic, c.id) == STRETCH_LEVEL else ""
        lines.append(f"  [{mark}] {c.id:<24} {_fmt(c.points)}/{_fmt(c.max)}{stretch}")
        if not c.passed:
            for label, text in (("why", c.message), ("hint", c.hint), ("read", c.docs)):
                wrapped = textwrap.wrap(text, width=88, subsequent_indent=" " * 14)
                if wrapped:
                    lines.append(f"         {label + ':':<5} " + "\n".join(wrapped))
    return lines


def _levels(parts) -> str:
    """' (core 8/11, stretch 2/4)' for a topic that has stretch checks, else ''."""
    if not parts.stretch_max:
        return ""
    return (f"  (core {_fmt(parts.core)}/{_fmt(parts.core_max)}, "
            f"stretch {_fmt(parts.stretch)}/{_fmt(parts.stretch_max)})")


def render(report: Report) -> str:
    lines: list[str] = []
    for name, topic in report.topics.items():
        lines += topic_lines(name, topic) + [""]
    pct = 100 * report.score / report.max if report.max else 0.0
    lines.append(f"TOTAL  {_fmt(report.score)}/{_fmt(report.max)}  ({pct:.0f}%)")
    levels = split_report(report)
    if levels.stretch_max:
        lines.append(f"CORE   {_fmt(levels.core)}/{_fmt(levels.core_max)}  "
                     f"({levels.core_percent:.0f}%): this week's grade, "
                     "which stretch checks never lower")
        lines.append(f"STRETCH  {_fmt(levels.stretch)}/{_fmt(levels.stretch_max)}: extra, "
                     "for when the core is done")
    # Core checks first: the next thing to fix is never a stretch check while a core one fails.
    failing = sorted(((n, c) for n, t in report.topics.items() for c in t.checks if not c.passed),
                     key=lambda nc: level(report.topics[nc[0]].topic, nc[1].id) == STRETCH_LEVEL)
    if failing:
        name, first = failing[0]
        lines.append(f"Next: fix '{first.id}' in exercises/{name}/{name}.ipynb "
                     f"(read {first.docs}), save the notebook, then run 'make check' again.")
    else:
        lines.append("Every check passes. Well done!")
    return "\n".join(lines)
