"""The class report and the feedback pages of `week4 grade` (issue 18).

Fast tests feed hand-made results to the report writers; the rest grade one small demo class
once per test session (shared with test_report_browser.py through `graded_demo`) and check
the report's numbers against grades.csv and its attention list against the demo class's
expected.json.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import statistics

import pytest
from hidden import course_key
from helpers import week4

from week4.grading import report_data as rd
from week4.grading import reports
from week4.grading.demo import build
from week4.grading.report_i18n import MESSAGES, resolve_lang, t as report_t

ASSIGNMENTS = ["01-virtualenv", "02-flask-rest"]
STUDENTS = 18  # every kind of submission, and a few realistic mistakes
MISSING = ("student01", "02-flask-rest")  # removed from the demo class: not submitted
PROBLEM_ROLES = {"empty", "broken-json", "infinite-loop", "tamper-kernel", "tamper-file"}
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def graded_demo(tmp_path_factory):
    """A demo class of 18 students x 2 assignments, graded once per session: (root, out,
    expected). One submission is removed, so the class has a missing one too."""
    root = tmp_path_factory.getbasetemp() / "report-demo"
    done = root / "expected-here.json"
    if not done.exists():
        if root.exists():
            shutil.rmtree(root)
        expected = build(root, students=STUDENTS, assignments=ASSIGNMENTS)
        student, assignment = MISSING
        shutil.rmtree(root / "submitted" / student / assignment)
        expected[student][assignment] = {"score": 0, "role": "missing"}
        chosen = [arg for a in ASSIGNMENTS for arg in ("--assignment", a)]
        course_key(root)  # the same hidden inputs in every run: no luck of the draw
        proc = week4("grade", "--submissions", str(root / "submitted"), *chosen, "--jobs", "2",
                     "--out", str(root / "out"), "--lang", "ko", timeout=3600)
        assert proc.returncode == 0, proc.stderr
        done.write_text(json.dumps(expected), encoding="utf-8")
    return root, root / "out", json.loads(done.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return graded_demo(tmp_path_factory)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# ---- hand-made results -----------------------------------------------------------------------

def check(cid, passed, *, points=1, docs="docs/topics/01-virtualenv.md#pip-freeze",
          message="", public=None):
    return {"id": cid, "points": points if passed else 0, "max": points, "passed": passed,
            "message": message, "public": message if public is None else public,
            "hint": f"hint for {cid}", "docs": docs}


def result(student, assignment, checks, **extra):
    data = {"student": student, "assignment": assignment, "checks": checks,
            "score": sum(c["points"] for c in checks), "max": sum(c["max"] for c in checks),
            "notebook": f"submitted/{student}/{assignment}/{assignment}.ipynb", "seconds": 1.5}
    data.update(extra)
    return (student, assignment), data


def small_class():
    ok = [check("freeze-pins", True), check("freeze-skip", True),
          check("venv-create", True, docs="docs/topics/01-virtualenv.md#create-programmatically")]
    hidden = [check("venv-create", False, docs="docs/topics/01-virtualenv.md#create-programmatically",
                    message="create_venv(...) did not finish within 3 s (an infinite loop, or "
                            "waiting for input?)"),
              check("freeze-pins", False, message="parse_freeze('SECRET-INPUT==9') is not right",
                    public="parse_freeze(...) is not right"),
              check("freeze-skip", True)]  # venv-create is a stretch check (autograder.levels)
    zero = [check(c["id"], False, docs=c["docs"], message="is not written yet") for c in ok]
    missing = [check(c["id"], False, docs=c["docs"], message="no notebook submitted") for c in ok]
    return dict([
        result("ann", "01-virtualenv", ok, isolated=True, grader_version="v9", key_id="k1"),
        result("bob", "01-virtualenv", hidden, isolated=False, grader_version="v9", key_id="k1"),
        result("cho", "01-virtualenv", zero),
        result("dan", "01-virtualenv", missing, error="no notebook submitted", notebook=None),
        result("eve", "01-virtualenv", ok, isolated=True, grader_version="v9", key_id="k1"),
    ])


def test_docs_links_follow_the_language_and_the_site_url(monkeypatch):
    docs = "docs/topics/02-flask-rest.md#status-codes"
    monkeypatch.delenv("WEEK4_SITE_URL", raising=False)
    assert rd.docs_url(docs, "ko") == "http://127.0.0.1:8000/ko/topics/02-flask-rest/#status-codes"
    assert rd.docs_url(docs, "en") == "http://127.0.0.1:8000/topics/02-flask-rest/#status-codes"
    assert rd.docs_url("docs/index.md", "en") == "http://127.0.0.1:8000/"
    monkeypatch.setenv("WEEK4_SITE_URL", "https://course.example/week4")
    assert rd.docs_url(docs, "ko") == "https://course.example/week4/ko/topics/02-flask-rest/#status-codes"
    assert rd.section_of(docs) == "status-codes"
    assert rd.section_title(docs, "ko") == "상태 코드"
    assert rd.section_title(docs, "en") == "Status codes"


def test_language_comes_from_the_option_then_the_environment(monkeypatch):
    monkeypatch.delenv("WEEK4_LANG", raising=False)
    assert resolve_lang(None) == "ko"  # the course language
    monkeypatch.setenv("WEEK4_LANG", "en_US.UTF-8")
    assert resolve_lang(None) == "en"
    assert resolve_lang("ko") == "ko"
    with pytest.raises(ValueError, match="fr"):
        resolve_lang("fr")
    # every word of the report exists in both languages (through the week4 gettext catalog)
    for key, english in MESSAGES.items():
        if "{" not in english:
            assert report_t("en", key) == english and report_t("ko", key), key


def test_reasons_for_attention():
    results = small_class()
    flags = [{"student": "eve", "assignment": "01-virtualenv", "nbgrader": 3, "isolated": 3}]
    people = {p.student: {a: why for a, why, _, _ in p.items} for p in rd.attention(results, flags)}
    assert people == {
        "bob": {"01-virtualenv": ["timeout", "not_isolated"]},
        "cho": {"01-virtualenv": ["zero"]},
        "dan": {"01-virtualenv": ["missing"]},
        "eve": {"01-virtualenv": ["flagged"]},
    }  # ann: isolated and full marks; cho: isolation not recorded, so not flagged for it
    stopped = rd.reasons({"score": 0, "max": 3, "checks": [],
                          "error": "grading took longer than 600 s and was stopped"})
    assert stopped == ["timeout", "zero"]
    broken = rd.reasons({"score": 0, "max": 3, "checks": [],
                         "error": "x.ipynb is not valid notebook JSON"})
    assert broken == ["error", "zero"]


def test_feedback_is_compact_and_shows_public_messages_only(tmp_path, monkeypatch):
    monkeypatch.delenv("WEEK4_SITE_URL", raising=False)
    results = small_class()
    results.update(dict([result("bob", "02-flask-rest", [
        check("list-menus", False, docs="docs/topics/02-flask-rest.md#rest-resources",
              message="no notebook submitted")], error="no notebook submitted", notebook=None)]))
    reports.write_feedback(results, tmp_path, "ko")
    page = (tmp_path / "bob.html").read_text(encoding="utf-8")
    assert "SECRET-INPUT" not in page and "parse_freeze(...) is not right" in page
    assert '<html lang="ko">' in page and "bob 님의 피드백" in page
    summary, details = page.index("과제별 요약"), page.index('id="a-01-virtualenv"')
    assert summary < details
    # failed checks first, with hint and a docs link in the page's language; passed folded
    failed = page.index('id="c-01-virtualenv-freeze-pins"')
    folded = page.index("<details><summary>통과한 체크 1개</summary>")
    assert failed < folded and page.index("freeze-skip") > folded
    assert "hint for freeze-pins" in page
    # core before stretch, and the next step is the first core check
    stretch = page.index('id="c-01-virtualenv-venv-create"')
    assert failed < stretch < folded
    assert '<code>venv-create</code> <span class="tag stretch">심화</span>' in page
    assert "<code>freeze-pins</code> 체크부터 고쳐 보세요" in page
    assert 'href="http://127.0.0.1:8000/ko/topics/01-virtualenv/#pip-freeze"' in page
    # an assignment not submitted is one line, without its checks
    line = re.search(r'<p class="missing-line" id="a-02-flask-rest">.*?</p>', page).group(0)
    assert "제출하지 않았어요" in line and "list-menus" not in page
    reports.write_feedback(results, tmp_path, "en")
    english = (tmp_path / "bob.html").read_text(encoding="utf-8")
    assert "Feedback for bob" in english and not HANGUL.search(english)


def test_report_is_one_self_contained_printable_file(tmp_path, monkeypatch):
    monkeypatch.delenv("WEEK4_SITE_URL", raising=False)
    path = tmp_path / "report.html"
    reports.write_report(small_class(), [], path, "ko", {"seconds": 12.5, "graded_now": 5, "jobs": 2})
    page = path.read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page
    assert re.findall(r"<link[^>]*>", page) == ['<link rel="icon" href="data:,">']
    assert not re.search(r"""(src|@import|url\()\s*=?\s*["']?https?:""", page)
    assert "@media print" in page and "size:A4" in page
    assert page.count("<svg") == 2  # distribution + one assignment's pass rates
    assert "Matplotlib v" in page  # drawn by matplotlib, not by hand
    hrefs = re.findall(r"""href=["']([^"']+)""", page)
    assert {h for h in hrefs if h.startswith("feedback/")} == {
        "feedback/bob.html", "feedback/cho.html", "feedback/dan.html"}
    assert all(h.startswith(("#", "feedback/", "http://127.0.0.1:8000/ko/", "data:,")) for h in hrefs)


def test_report_shows_grader_version_key_and_isolation(tmp_path, monkeypatch):
    monkeypatch.setenv("WEEK4_LANG", "en")
    path = tmp_path / "report.html"
    reports.write_report(small_class(), [], path, run={"seconds": 12.5, "graded_now": 5, "jobs": 2})
    page = path.read_text(encoding="utf-8")
    assert '<html lang="en">' in page and not HANGUL.search(page)
    assert "this run 12.5 s (5 submissions graded now, 2 workers)" in page
    assert "<code>v9</code> (3), " not in page  # one version: shown once, not counted
    assert "<dt>Grader version</dt><dd><code>v9</code></dd>" in page
    assert "<dt>Grading key id</dt><dd><code>k1</code></dd>" in page
    assert "isolated 2 · not isolated 1 · not recorded 2" in page


# ---- the graded demo class -------------------------------------------------------------------

def stats_in(page: str) -> dict[str, dict[str, float]]:
    table = page[page.index("<table class='stats'>"):]
    table = table[:table.index("</table>")]
    return {a: {k: float(v) for k, v in re.findall(r"data-stat='(\w+)' data-value='([^']+)'", row)}
            for a, row in re.findall(r"<tr data-assignment='([^']+)'>(.*?)</tr>", table)}


def test_report_numbers_match_grades_csv(demo):
    _, out, _ = demo
    rows = read_csv(out / "grades.csv")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert f"학생 {len(rows)}명 · 과제 {len(ASSIGNMENTS)}개" in page
    shown = stats_in(page)
    assert list(shown) == ASSIGNMENTS
    for assignment in ASSIGNMENTS:
        scores = sorted(float(r[assignment]) for r in rows)
        q1, median, q3 = statistics.quantiles(scores, n=4, method="inclusive")
        want = {"n": len(scores), "mean": statistics.fmean(scores), "median": median,
                "q1": q1, "q3": q3, "low": scores[0], "high": scores[-1]}
        got = {k: v for k, v in shown[assignment].items() if k != "full"}
        assert got == pytest.approx(want, abs=1e-6), assignment
        assert f"중앙값 {100 * median / shown[assignment]['full']:.0f}%" in page
    # every check's pass rate, as drawn next to its bar
    checks = [c for c in rows[0] if ":" in c]
    assert len(checks) > 30
    for column in checks:
        assignment, check_id = column.split(":")
        passed = sum(float(r[column]) > 0 for r in rows)
        label = re.search(rf'id="rates\d+-rate-{re.escape(assignment)}-{re.escape(check_id)}">'
                          r"\s*<text[^>]*>([^<]+)</text>", page)
        assert label, column
        assert label.group(1) == f"{passed}/{len(rows)} ({100 * passed / len(rows):.0f}%)"


def test_pass_rates_are_grouped_by_docs_section_lowest_first(demo):
    _, out, _ = demo
    rates = rd.pass_rates(rd_results(out))
    for sections in rates.values():
        assert [s.rate for s in sections] == sorted(s.rate for s in sections)
        for s in sections:
            assert [c.rate for c in s.checks] == sorted(c.rate for c in s.checks)
            assert {rd.section_of(c.docs) for c in s.checks} == {s.anchor}
    page = (out / "report.html").read_text(encoding="utf-8")
    order = re.findall(r"<span data-section='([^']+)'>", page)
    assert order == [s.anchor for a in ASSIGNMENTS for s in rates[a]]
    link = rd.docs_url("docs/topics/02-flask-rest.md#status-codes", "ko")
    assert f'xlink:href="{link}"' in page  # the bars link to their docs section


def rd_results(out):
    from week4.grading.jobs import load_results

    return load_results(out)


def attention_in(page: str) -> dict[tuple[str, str], set[str]]:
    table = page[page.index("<table class='attention'>"):]
    table = table[:table.index("</table>")]
    found = {}
    for student, row in re.findall(r"<tr data-student='([^']+)'>(.*?)</tr>", table):
        assert f"<a href='feedback/{student}.html'>{student}</a>" in row
        for assignment, cell in re.findall(r"<td data-assignment='([^']+)'>(.*?)</td>", row):
            found[(student, assignment)] = set(re.findall(r"data-reason='(\w+)'", cell))
    return found


def test_attention_list_matches_the_expected_problem_students(demo):
    _, out, expected = demo
    page = (out / "report.html").read_text(encoding="utf-8")
    shown = attention_in(page)
    want = {(s, a) for s, topics in expected.items() for a, exp in topics.items()
            if exp["role"] in PROBLEM_ROLES | {"missing"} or exp["score"] == 0}
    assert set(shown) == want
    for (student, assignment), why in shown.items():
        role = expected[student][assignment]["role"]
        assert (out / "feedback" / f"{student}.html").is_file()
        if role == "missing":
            assert why == {"missing"}
        elif role == "broken-json":
            assert why == {"error", "zero"}
        else:
            assert "zero" in why
    loop = {(s, "01-virtualenv") for s in expected
            if expected[s]["01-virtualenv"]["role"] == "infinite-loop"}
    assert loop and all("timeout" in shown[key] for key in loop)


def test_feedback_pages_hide_what_the_grader_keeps_hidden(demo):
    _, out, expected = demo
    results = rd_results(out)
    assert {p.stem for p in (out / "feedback").glob("*.html")} == set(expected)
    hidden = 0
    for (student, _), data in results.items():
        page = (out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
        for c in data["checks"]:
            if not c["passed"] and c["message"] != c["public"]:
                hidden += 1
                assert reports.e(c["message"]) not in page, (student, c["id"])
    student, assignment = MISSING
    page = (out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
    assert f'<p class="missing-line" id="a-{assignment}">' in page


def test_merge_writes_the_same_report_in_english(demo, tmp_path):
    _, out, _ = demo
    english = tmp_path / "en"
    proc = week4("merge", str(out), "--out", str(english), "--lang", "en")
    assert proc.returncode == 0, proc.stderr
    page = (english / "report.html").read_text(encoding="utf-8")
    korean = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in page and "Class report" in page
    # the report's own words are English; what the checks wrote keeps the language the class
    # was graded in (Korean here), since it was written by the grading, not by the report
    graded_words = [reports.e(text) for data in rd_results(out).values()
                    for text in [data.get("error") or "", *(data.get("notes") or [])] +
                    [c.get(k) or "" for c in data["checks"] for k in ("message", "public", "hint")]
                    if text]
    assert any(HANGUL.search(w) for w in graded_words)  # the control: Korean was there
    english_only = page
    for words in sorted(graded_words, key=len, reverse=True):
        english_only = english_only.replace(words, "")
    assert not HANGUL.search(english_only), HANGUL.search(english_only)
    assert stats_in(page) == stats_in(korean) and attention_in(page) == attention_in(korean)
    assert rd.docs_url("docs/topics/01-virtualenv.md#pip-freeze", "en") in page
    feedback = next((english / "feedback").glob("*.html")).read_text(encoding="utf-8")
    for words in sorted(graded_words, key=len, reverse=True):
        feedback = feedback.replace(words, "")
    assert '<html lang="en">' in feedback and not HANGUL.search(feedback)
