"""Print a grading report as a scoreboard that reads fine without colour."""

from __future__ import annotations

import textwrap

from autograder.results import Report, TopicResult


def _fmt(points: float) -> str:
    return f"{points:g}"


def topic_lines(name: str, topic: TopicResult) -> list[str]:
    lines = [f"{name}  {_fmt(topic.score)}/{_fmt(topic.max)}"]
    if topic.error:
        lines.append(f"  ! {topic.error}")
    for note in topic.notes if not topic.error else topic.notes[1:]:
        lines.append(f"  note: {note}")
    for c in topic.checks:
        mark = "PASS" if c.passed else "FAIL"
        lines.append(f"  [{mark}] {c.id:<24} {_fmt(c.points)}/{_fmt(c.max)}")
        if not c.passed:
            for label, text in (("why", c.message), ("hint", c.hint), ("read", c.docs)):
                wrapped = textwrap.wrap(text, width=88, subsequent_indent=" " * 14)
                if wrapped:
                    lines.append(f"         {label + ':':<5} " + "\n".join(wrapped))
    return lines


def render(report: Report) -> str:
    lines: list[str] = []
    for name, topic in report.topics.items():
        lines += topic_lines(name, topic) + [""]
    pct = 100 * report.score / report.max if report.max else 0.0
    lines.append(f"TOTAL  {_fmt(report.score)}/{_fmt(report.max)}  ({pct:.0f}%)")
    failing = [(n, c) for n, t in report.topics.items() for c in t.checks if not c.passed]
    if failing:
        name, first = failing[0]
        lines.append(f"Next: fix '{first.id}' in exercises/{name}/{name}.ipynb "
                     f"(read {first.docs}), save the notebook, then run 'make check' again.")
    else:
        lines.append("Every check passes. Well done!")
    return "\n".join(lines)
