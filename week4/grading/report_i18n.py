"""The words of the class report and the feedback pages, in both course languages.

Each key names an English message (marked `N_`), translated by the week4 gettext catalog
(`week4/locale/ko/LC_MESSAGES/week4.po`, managed with `make i18n`) like every other message.
Korean is the course language and the default; `--lang en` or WEEK4_LANG=en gives English.
Check messages and hints come from the checks themselves (in the grading's language).
"""

from __future__ import annotations

import os

from week4.i18n import COURSE_LANG, LANGS, N_
from week4.i18n import t as translator

DEFAULT_LANG = COURSE_LANG  # the course language, set once in week4/i18n.py

MESSAGES: dict[str, str] = {
    # class report
    "report_title": N_("Class report"),
    "report_summary": N_("{students} students · {assignments} assignments · {graded} graded "
                         "submissions"),
    "generated": N_("made {when}"),
    "run_heading": N_("Grading run"),
    "run_time": N_("Grading time"),
    "run_this": N_("this run {seconds} ({now} submissions graded now, {jobs} workers)"),
    "run_this_nojobs": N_("this run {seconds} ({now} submissions graded now)"),
    "run_per_submission": N_("per submission: median {median}, longest {max} ({who}), total {total}"),
    "seconds": N_("{value:.1f} s"),
    "grader_version": N_("Grader version"),
    "key_id": N_("Grading key id"),
    "isolation": N_("Isolation"),
    "isolation_counts": N_("isolated {yes} · not isolated {no} · not recorded {unknown}"),
    "not_recorded": N_("not recorded"),
    "count_suffix": N_("{value} ({count})"),
    "attention_heading": N_("Students who need attention"),
    "attention_intro": N_("Students with a submission that is missing, scored 0, could not be "
                          "graded, timed out, was flagged by the nbgrader cross-check or was "
                          "graded without isolation. Each name opens the student's feedback page."),
    "attention_none": N_("Nobody needs attention."),
    "col_student": N_("student"),
    "col_assignment": N_("assignment"),
    "col_reason": N_("reason"),
    "col_score": N_("score"),
    "col_total": N_("total"),
    "reason_missing": N_("not submitted"),
    "reason_zero": N_("0 points"),
    "reason_error": N_("grading error"),
    "reason_timeout": N_("timed out"),
    "reason_flagged": N_("possible tampering"),
    "reason_not_isolated": N_("not isolated"),
    "attention_legend": N_("possible tampering: the nbgrader score differs from the isolated "
                           "grader's (see the cross-check below). not isolated: student code ran "
                           "without isolation; grading it again where isolation works is safer. "
                           "timed out: grading or a call ran past its time limit."),
    "dist_heading": N_("Grade distribution per assignment"),
    "dist_intro": N_("Every assignment on the same axes: score (%) across, students up. The "
                     "box above runs from the first to the third quartile (IQR); the thick "
                     "line in it and the dashed line below mark the median; the whiskers "
                     "reach the lowest and highest score. A missing submission counts as 0."),
    "axis_score": N_("score (%)"),
    "axis_students": N_("students"),
    "legend_median": N_("median"),
    "stat_n": N_("students"),
    "stat_mean": N_("mean"),
    "stat_median": N_("median"),
    "stat_q1": N_("Q1"),
    "stat_q3": N_("Q3"),
    "stat_min": N_("min"),
    "stat_max": N_("max"),
    "stat_full": N_("full marks"),
    "rates_heading": N_("Pass rate per check"),
    "rates_intro": N_("For each assignment, the checks grouped by the concept they teach (the "
                      "docs section), lowest pass rate first: the concepts the class missed. "
                      "A section name or a bar opens that section of the docs."),
    "rates_sections": N_("Pass rate per section"),
    "rates_aria": N_("pass rate per check of {assignment}"),
    "dist_aria": N_("score distribution per assignment"),
    "cross_heading": N_("Cross-check with nbgrader"),
    "cross_intro": N_("These scores differ between nbgrader (inside the student's kernel) and "
                      "the isolated grader: a sign of tampering. Review them by hand."),
    "cross_none": N_("No differences (or no nbgrader gradebook given)."),
    "col_nbgrader": N_("nbgrader"),
    "col_isolated": N_("isolated grader"),
    # feedback pages
    "feedback_title": N_("Feedback for {student}"),
    "feedback_total": N_("Total {score} / {max} ({pct}%)"),
    "summary_heading": N_("Summary"),
    "col_next": N_("what to do next"),
    "next_done": N_("Every check passes. Well done!"),
    "next_missing": N_("Not submitted. Solve the notebook and hand it in."),
    "next_error": N_("The notebook could not be graded. See why below, then hand it in again."),
    "next_fix": N_("Read {section} and fix <code>{check}</code> first."),
    "stretch": N_("stretch"),
    "failed_count": N_("{n} failed checks"),
    "passed_count": N_("{n} passed checks"),
    "not_submitted_line": N_("Not submitted."),
    "all_zero": N_("{n} checks (all 0 points)"),
    "not_graded": N_("Could not be graded: {error}"),
    "common_cause": N_("Most failed checks ({n}) fail for the same reason: {message}"),
    "label_why": N_("why"),
    "label_hint": N_("hint"),
    "points": N_("{got} / {max} points"),
    "feedback_note": N_("Hidden inputs and expected values are not shown: only the rule that "
                        "failed and where to read about it."),
}


def resolve_lang(lang: str | None = None) -> str:
    """`lang`, else WEEK4_LANG, else Korean. Accepts 'ko', 'en', 'ko_KR.UTF-8' and the like."""
    text = lang or os.environ.get("WEEK4_LANG") or DEFAULT_LANG
    code = text.strip().lower()[:2]
    if code not in LANGS:
        raise ValueError(f"unknown report language {text!r}; choose from: {', '.join(LANGS)}")
    return code


def t(lang: str, key: str, **values) -> str:
    text = translator(lang)(MESSAGES[key])
    return text.format(**values) if values else text
