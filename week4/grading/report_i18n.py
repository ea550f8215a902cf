"""The words of the class report and the feedback pages, in both course languages.

One small table for now (key -> {"ko": ..., "en": ...}); the strings may move to gettext later.
Korean is the course language and the default; `--lang en` or WEEK4_LANG=en gives English.
Check messages and hints come from the checks themselves and are not translated here.
"""

from __future__ import annotations

import os

from week4.i18n import COURSE_LANG, LANGS

DEFAULT_LANG = COURSE_LANG  # the course language, set once in week4/i18n.py

TEXT: dict[str, dict[str, str]] = {
    # class report
    "report_title": {"ko": "반 채점 보고서", "en": "Class report"},
    "report_summary": {"ko": "학생 {students}명 · 과제 {assignments}개 · 채점한 제출물 {graded}건",
                       "en": "{students} students · {assignments} assignments · "
                             "{graded} graded submissions"},
    "generated": {"ko": "{when}에 만들었어요", "en": "made {when}"},
    "run_heading": {"ko": "채점 정보", "en": "Grading run"},
    "run_time": {"ko": "채점 시간", "en": "Grading time"},
    "run_this": {"ko": "이번 실행 {seconds} (새로 채점한 제출물 {now}건, 작업자 {jobs}개)",
                 "en": "this run {seconds} ({now} submissions graded now, {jobs} workers)"},
    "run_this_nojobs": {"ko": "이번 실행 {seconds} (새로 채점한 제출물 {now}건)",
                        "en": "this run {seconds} ({now} submissions graded now)"},
    "run_per_submission": {"ko": "제출물 하나당 중앙값 {median}, 가장 오래 걸린 것 {max} ({who}), "
                                 "합계 {total}",
                           "en": "per submission: median {median}, longest {max} ({who}), "
                                 "total {total}"},
    "seconds": {"ko": "{value:.1f}초", "en": "{value:.1f} s"},
    "grader_version": {"ko": "채점기 버전 (grader version)", "en": "Grader version"},
    "key_id": {"ko": "채점 키 id (key id)", "en": "Grading key id"},
    "isolation": {"ko": "격리 (isolation)", "en": "Isolation"},
    "isolation_counts": {"ko": "격리됨 {yes}건 · 격리 안 됨 {no}건 · 기록 없음 {unknown}건",
                         "en": "isolated {yes} · not isolated {no} · not recorded {unknown}"},
    "not_recorded": {"ko": "기록 없음", "en": "not recorded"},
    "count_suffix": {"ko": "{value} ({count}건)", "en": "{value} ({count})"},
    "attention_heading": {"ko": "주의가 필요한 학생", "en": "Students who need attention"},
    "attention_intro": {"ko": "미제출, 0점, 채점 오류, 시간 초과, nbgrader 교차 확인에서 표시된 "
                              "제출물, 격리 없이 채점된 제출물이 있는 학생이에요. 이름을 누르면 "
                              "그 학생의 피드백 페이지가 열려요.",
                        "en": "Students with a submission that is missing, scored 0, could not be "
                              "graded, timed out, was flagged by the nbgrader cross-check or was "
                              "graded without isolation. Each name opens the student's feedback "
                              "page."},
    "attention_none": {"ko": "주의가 필요한 학생이 없어요.", "en": "Nobody needs attention."},
    "col_student": {"ko": "학생", "en": "student"},
    "col_assignment": {"ko": "과제", "en": "assignment"},
    "col_reason": {"ko": "사유", "en": "reason"},
    "col_score": {"ko": "점수", "en": "score"},
    "col_total": {"ko": "총점", "en": "total"},
    "reason_missing": {"ko": "미제출", "en": "not submitted"},
    "reason_zero": {"ko": "0점", "en": "0 points"},
    "reason_error": {"ko": "채점 오류", "en": "grading error"},
    "reason_timeout": {"ko": "시간 초과", "en": "timed out"},
    "reason_flagged": {"ko": "조작 의심", "en": "possible tampering"},
    "reason_not_isolated": {"ko": "격리 안 됨", "en": "not isolated"},
    "attention_legend": {"ko": "조작 의심: nbgrader 점수가 격리된 채점기의 점수와 달라요(아래 교차 "
                               "확인 참고). 격리 안 됨: 학생 코드를 격리(isolation)하지 않고 "
                               "채점했어요. 격리되는 환경에서 다시 채점하는 편이 안전해요. 시간 "
                               "초과: 채점이나 함수 호출이 시간 제한을 넘었어요.",
                         "en": "possible tampering: the nbgrader score differs from the isolated "
                               "grader's (see the cross-check below). not isolated: student code "
                               "ran without isolation; grading it again where isolation works is "
                               "safer. timed out: grading or a call ran past its time limit."},
    "dist_heading": {"ko": "과제별 점수 분포 (Grade distribution)",
                     "en": "Grade distribution per assignment"},
    "dist_intro": {"ko": "모든 과제를 같은 축에 그렸어요. 가로축은 점수(%), 세로축은 학생 수예요. "
                         "위의 상자는 1사분위수부터 3사분위수까지(사분위 범위, IQR), 상자 속 "
                         "굵은 선과 아래의 점선은 중앙값(median), 양옆 수염은 최저점과 "
                         "최고점이에요. 제출하지 않은 과제는 0점으로 들어가요.",
                   "en": "Every assignment on the same axes: score (%) across, students up. The "
                         "box above runs from the first to the third quartile (IQR); the thick "
                         "line in it and the dashed line below mark the median; the whiskers "
                         "reach the lowest and highest score. A missing submission counts as 0."},
    "axis_score": {"ko": "점수 (%)", "en": "score (%)"},
    "axis_students": {"ko": "학생 수", "en": "students"},
    "legend_median": {"ko": "중앙값", "en": "median"},
    "stat_n": {"ko": "학생 수", "en": "students"},
    "stat_mean": {"ko": "평균", "en": "mean"},
    "stat_median": {"ko": "중앙값", "en": "median"},
    "stat_q1": {"ko": "1사분위수", "en": "Q1"},
    "stat_q3": {"ko": "3사분위수", "en": "Q3"},
    "stat_min": {"ko": "최저", "en": "min"},
    "stat_max": {"ko": "최고", "en": "max"},
    "stat_full": {"ko": "만점", "en": "full marks"},
    "rates_heading": {"ko": "체크별 통과율 (Pass rate per check)", "en": "Pass rate per check"},
    "rates_intro": {"ko": "과제마다 체크를 그 체크가 다루는 개념, 곧 문서의 절(section)별로 묶고 "
                          "통과율이 낮은 순서로 놓았어요. 통과율이 낮은 절이 반 학생들이 놓친 "
                          "개념이에요. 절 이름이나 막대를 누르면 그 절의 문서가 열려요.",
                    "en": "For each assignment, the checks grouped by the concept they teach (the "
                          "docs section), lowest pass rate first: the concepts the class missed. "
                          "A section name or a bar opens that section of the docs."},
    "rates_sections": {"ko": "절별 통과율", "en": "Pass rate per section"},
    "rates_aria": {"ko": "{assignment} 체크별 통과율", "en": "pass rate per check of {assignment}"},
    "dist_aria": {"ko": "과제별 점수 분포", "en": "score distribution per assignment"},
    "cross_heading": {"ko": "nbgrader 교차 확인 (cross-check)", "en": "Cross-check with nbgrader"},
    "cross_intro": {"ko": "nbgrader 점수(학생 커널 안에서 채점)와 격리된 채점기의 점수가 다른 "
                          "제출물이에요. 채점 조작(tampering)의 흔적일 수 있으니 직접 살펴보세요.",
                    "en": "These scores differ between nbgrader (inside the student's kernel) "
                          "and the isolated grader: a sign of tampering. Review them by hand."},
    "cross_none": {"ko": "점수가 다른 제출물이 없어요(또는 nbgrader 성적부가 없어요).",
                   "en": "No differences (or no nbgrader gradebook given)."},
    "col_nbgrader": {"ko": "nbgrader", "en": "nbgrader"},
    "col_isolated": {"ko": "격리된 채점기", "en": "isolated grader"},
    # feedback pages
    "feedback_title": {"ko": "{student} 님의 피드백", "en": "Feedback for {student}"},
    "feedback_total": {"ko": "총점 {score} / {max} ({pct}%)", "en": "Total {score} / {max} ({pct}%)"},
    "summary_heading": {"ko": "과제별 요약", "en": "Summary"},
    "col_next": {"ko": "다음 할 일", "en": "what to do next"},
    "next_done": {"ko": "모든 체크를 통과했어요. 잘했어요!", "en": "Every check passes. Well done!"},
    "next_missing": {"ko": "제출하지 않았어요. 노트북을 풀어서 제출하세요.",
                     "en": "Not submitted. Solve the notebook and hand it in."},
    "next_error": {"ko": "노트북을 채점하지 못했어요. 아래 이유를 확인하고 다시 제출하세요.",
                   "en": "The notebook could not be graded. See why below, then hand it in again."},
    "next_fix": {"ko": "{section} 절을 읽고 <code>{check}</code> 체크부터 고쳐 보세요.",
                 "en": "Read {section} and fix <code>{check}</code> first."},
    "stretch": {"ko": "심화", "en": "stretch"},
    "failed_count": {"ko": "실패한 체크 {n}개", "en": "{n} failed checks"},
    "passed_count": {"ko": "통과한 체크 {n}개", "en": "{n} passed checks"},
    "not_submitted_line": {"ko": "제출하지 않았어요.", "en": "Not submitted."},
    "all_zero": {"ko": "체크 {n}개 (모두 0점)", "en": "{n} checks (all 0 points)"},
    "not_graded": {"ko": "채점하지 못했어요: {error}", "en": "Could not be graded: {error}"},
    "common_cause": {"ko": "실패한 체크 대부분({n}개)의 이유가 같아요: {message}",
                     "en": "Most failed checks ({n}) fail for the same reason: {message}"},
    "label_why": {"ko": "이유", "en": "why"},
    "label_hint": {"ko": "힌트", "en": "hint"},
    "points": {"ko": "{got} / {max}점", "en": "{got} / {max} points"},
    "feedback_note": {"ko": "체크가 쓰는 숨겨진 입력과 기댓값은 보여 주지 않아요. 실패한 규칙과 "
                            "공부할 곳만 알려 줘요.",
                      "en": "Hidden inputs and expected values are not shown: only the rule "
                            "that failed and where to read about it."},
}


def resolve_lang(lang: str | None = None) -> str:
    """`lang`, else WEEK4_LANG, else Korean. Accepts 'ko', 'en', 'ko_KR.UTF-8' and the like."""
    text = lang or os.environ.get("WEEK4_LANG") or DEFAULT_LANG
    code = text.strip().lower()[:2]
    if code not in LANGS:
        raise ValueError(f"unknown report language {text!r}; choose from: {', '.join(LANGS)}")
    return code


def t(lang: str, key: str, **values) -> str:
    text = TEXT[key][lang]
    return text.format(**values) if values else text
