"""Write what an instructor reads: grades.csv, one feedback page per student, a class report.

The report and the feedback pages are single self-contained HTML files (inline CSS and SVG, no
script, no outside request) in the course language: Korean by default, English with
`--lang en` or WEEK4_LANG=en. Numbers come from `report_data`, plots from `report_plots`,
words from `report_i18n`. Feedback shows each check's public message only: never a hidden
input or an expected value.
"""

from __future__ import annotations

import csv
import html
import re
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from autograder.levels import STRETCH_LEVEL
from autograder.levels import level as check_level

from . import report_data as rd
from .report_i18n import resolve_lang, t
from .report_plots import distribution_svg, rates_svg


def write_csv(results: dict[tuple[str, str], dict], path: Path) -> None:
    """One row per student: total, per assignment, and per check (`assignment:check`)."""
    students = sorted({s for s, _ in results})
    assignments = sorted({a for _, a in results})
    checks = {a: [c["id"] for c in next(d for (s, x), d in results.items() if x == a)["checks"]]
              for a in assignments}
    header = ["student", "total", "max"] + assignments + [
        f"{a}:{c}" for a in assignments for c in checks[a]]
    # Graded without the sandbox (`week4 grade --allow-unisolated`): said in a last column.
    unisolated = any(d.get("isolated") is False for d in results.values())
    if unisolated:
        header.append("graded_without_isolation")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for student in students:
            row_total = row_max = 0.0
            per_assignment, per_check = [], []
            for a in assignments:
                data = results.get((student, a))
                if data is None:
                    per_assignment.append("")
                    per_check += [""] * len(checks[a])
                    continue
                row_total += data["score"]
                row_max += data["max"]
                per_assignment.append(f"{data['score']:g}")
                points = {c["id"]: c["points"] for c in data["checks"]}
                per_check += [f"{points.get(c, 0):g}" for c in checks[a]]
            row = [student, f"{row_total:g}", f"{row_max:g}"] + per_assignment + per_check
            if unisolated:
                row.append(" ".join(a for a in assignments
                                    if (results.get((student, a)) or {}).get("isolated") is False))
            writer.writerow(row)


# ---- shared page frame -----------------------------------------------------------------------

CSS = """
:root{--ink:#1f2328;--muted:#59636e;--line:#d0d7de;--soft:#f6f8fa;--link:#0b5cad;
--low:#cf4446;--mid:#e8a33d;--high:#2a9d8f}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK KR","Noto Sans KR",
"Apple SD Gothic Neo","Malgun Gothic",sans-serif;color:var(--ink);max-width:58rem;
margin:2rem auto;padding:0 1.25rem;line-height:1.55;font-size:15px;word-break:keep-all;
overflow-wrap:anywhere}
h1{font-size:1.65rem;margin:0 0 .2rem;line-height:1.25}
h2{font-size:1.25rem;margin:2.2rem 0 .6rem;padding-bottom:.3rem;border-bottom:1px solid var(--line)}
h3{font-size:1.05rem;margin:1.6rem 0 .4rem}
h3 small,h2 small{font-weight:400;color:var(--muted);font-size:.8em;margin-left:.4em}
a{color:var(--link);text-decoration-thickness:1px;text-underline-offset:2px}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.9em;
background:var(--soft);padding:.05em .3em;border-radius:3px}
.meta{color:var(--muted);margin:.2rem 0 1rem}
nav.toc{font-size:.92rem;margin:.8rem 0 0;display:flex;flex-wrap:wrap;gap:.3rem 1.1rem}
table{border-collapse:collapse;width:100%;font-size:.92rem;margin:.4rem 0}
th,td{border-bottom:1px solid var(--line);padding:.35rem .55rem;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1.2rem;margin:.4rem 0}
dl.facts dt{font-weight:600}dl.facts dd{margin:0}
figure{margin:.6rem 0 .4rem}
svg.plot{display:block;width:100%;height:auto}
.tag{display:inline-block;padding:0 .5em;margin:.05rem .2rem .05rem 0;border-radius:.8em;
font-size:.8rem;line-height:1.5;border:1px solid var(--line);background:#fff;white-space:nowrap}
.tag.missing,.tag.zero{border-color:#c9ccd1;background:var(--soft)}
.tag.error,.tag.timeout{border-color:#e7a7a8;background:#fdecec;color:#8a1c1f}
.tag.stretch{font-weight:400;color:var(--muted)}
.tag.flagged,.tag.not_isolated{border-color:#e9c46a;background:#fff5d6;color:#6b4a00}
table.attention td{font-size:.85rem}table.attention td:first-child{white-space:nowrap}
table.attention .score{color:var(--muted);font-variant-numeric:tabular-nums;margin-right:.2em}
p.legend{font-size:.85rem;color:var(--muted)}
p.sections{font-size:.88rem;color:var(--muted);margin:.2rem 0 1rem}
.bar{width:7rem;height:.65rem;background:#e6e9ed;border-radius:.4rem;overflow:hidden;
margin-top:.45rem}
.bar span{display:block;height:100%}
.low{background:var(--low)}.mid{background:var(--mid)}.high{background:var(--high)}
.check{border:1px solid var(--line);border-left:4px solid var(--low);border-radius:4px;
padding:.45rem .75rem;margin:.5rem 0}
.check .head{display:flex;justify-content:space-between;gap:1rem}
.check .head code{font-weight:600}.check .head .num{font-weight:600}
p.missing-line{margin:1.4rem 0 .4rem;padding-top:.6rem;border-top:1px solid var(--line)}
p.missing-line small{color:var(--muted);margin:0 .4em}
.check p{margin:.2rem 0}
.label{display:inline-block;min-width:3.6em;color:var(--muted);font-weight:600;font-size:.85rem}
.callout{background:#fff5d6;border:1px solid #e9c46a;border-radius:4px;padding:.45rem .75rem}
.error-line{color:#8a1c1f}
details{margin:.5rem 0}summary{cursor:pointer;color:var(--muted)}
details ul{margin:.3rem 0;padding-left:1.2rem}
footer{margin-top:2.5rem;color:var(--muted);font-size:.85rem}
@media print{
 @page{size:A4;margin:14mm 13mm}
 body{max-width:none;margin:0;padding:0;font-size:9.5pt;line-height:1.4}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
 nav.toc{display:none}
 h2{break-after:avoid;margin-top:1.2rem}h3{break-after:avoid}
 figure,tr,.check,dl.facts{break-inside:avoid}
 a{color:inherit;text-decoration:none}
 details>summary{list-style:none}
}
"""


def e(text) -> str:
    return html.escape(str(text))


def inline_md(text: str) -> str:
    """A docs heading as HTML: escaped, with `code` spans kept."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", e(text))


def plain(text: str) -> str:
    return text.replace("`", "")


def num(value: float) -> str:
    return f"{round(value, 2):g}"


def page(lang: str, title: str, body: str) -> str:
    return (f'<!doctype html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<link rel="icon" href="data:,">'  # no request for /favicon.ico
            f"<title>{e(title)}</title><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def feedback_href(student: str) -> str:
    return f"feedback/{quote(student)}.html"


def level(fraction: float) -> str:
    return "low" if fraction < 0.5 else "mid" if fraction < 0.8 else "high"


def docs_link(docs: str, lang: str) -> str:
    if not docs:
        return ""
    return (f'<a href="{e(rd.docs_url(docs, lang))}">'
            f"{inline_md(rd.section_title(docs, lang))}</a>")


# ---- feedback --------------------------------------------------------------------------------

def public_message(check: dict) -> str:
    """What a failed check may tell the student: its public message, never the full one (which
    can hold a hidden input or the expected value). Results from before `public` existed fall
    back to the message, as before."""
    return check["public"] if "public" in check else check.get("message", "")


def core_first(assignment: str, checks: list[dict]) -> list[dict]:
    """Core checks before stretch ones (autograder.levels), each group in the course's order."""
    return sorted(checks, key=lambda c: check_level(assignment, c["id"]) == STRETCH_LEVEL)


def next_step(assignment: str, data: dict, lang: str) -> str:
    if rd.is_missing(data):
        return t(lang, "next_missing")
    if data.get("error"):
        return t(lang, "next_error")
    failed = core_first(assignment, [c for c in data["checks"] if not c["passed"]])
    if not failed:
        return t(lang, "next_done")
    first = failed[0]
    return t(lang, "next_fix", section=docs_link(first.get("docs", ""), lang), check=e(first["id"]))


def points_text(got: float, full: float, lang: str) -> str:
    return e(t(lang, "points", got=num(got), max=num(full)))


def feedback_section(assignment: str, data: dict, lang: str) -> str:
    title = e(rd.assignment_title(assignment, lang))
    score = points_text(data["score"], data["max"], lang)
    if rd.is_missing(data):  # one line: there is nothing else to say
        return (f'<p class="missing-line" id="a-{e(assignment)}"><strong>{title}</strong> '
                f"<small>{e(assignment)} · {score}</small> {t(lang, 'not_submitted_line')}</p>")
    parts = [(f'<section id="a-{e(assignment)}"><h2>{title} <small>{e(assignment)} · '
              f"{score}</small></h2>")]
    checks = data["checks"]
    if data.get("error"):  # not graded at all: say why once, list the checks folded
        parts.append(f'<p class="error-line">{t(lang, "not_graded", error=e(data["error"]))}</p>')
        parts.append(f"<details><summary>{e(t(lang, 'all_zero', n=len(checks)))}</summary><ul>")
        parts += [f"<li><code>{e(c['id'])}</code> {points_text(c['points'], c['max'], lang)} · "
                  f"{docs_link(c.get('docs', ''), lang)}</li>" for c in checks]
        parts.append("</ul></details></section>")
        return "".join(parts)
    failed = core_first(assignment, [c for c in checks if not c["passed"]])
    passed = [c for c in checks if c["passed"]]
    if failed:
        parts.append(f"<h3>{e(t(lang, 'failed_count', n=len(failed)))}</h3>")
        messages = [public_message(c) for c in failed]
        common = max(set(messages), key=messages.count)
        shared = messages.count(common) >= 3 and 2 * messages.count(common) >= len(failed)
        if shared:
            parts.append(f'<p class="callout">'
                         f"{t(lang, 'common_cause', n=messages.count(common), message=e(common))}</p>")
        for c, message in zip(failed, messages):
            link = docs_link(c.get("docs", ""), lang)
            stretch = (f' <span class="tag stretch">{t(lang, "stretch")}</span>'
                       if check_level(assignment, c["id"]) == STRETCH_LEVEL else "")
            parts.append(f'<div class="check" id="c-{e(assignment)}-{e(c["id"])}">'
                         f'<div class="head"><span><code>{e(c["id"])}</code>{stretch}'
                         f'{" · " + link if link else ""}</span>'
                         f'<span class="num">{points_text(c["points"], c["max"], lang)}</span></div>')
            if message and not (shared and message == common):
                parts.append(f'<p><span class="label">{t(lang, "label_why")}</span> {e(message)}</p>')
            if c.get("hint"):
                parts.append(f'<p><span class="label">{t(lang, "label_hint")}</span> {e(c["hint"])}</p>')
            parts.append("</div>")
    if passed:
        parts.append(f"<details><summary>{e(t(lang, 'passed_count', n=len(passed)))}</summary><ul>")
        parts += [f"<li><code>{e(c['id'])}</code> {points_text(c['points'], c['max'], lang)} · "
                  f"{docs_link(c.get('docs', ''), lang)}</li>" for c in passed]
        parts.append("</ul></details>")
    parts.append("</section>")
    return "".join(parts)


def feedback_page(student: str, items: list[tuple[str, dict]], lang: str) -> str:
    score = sum(d["score"] for _, d in items)
    full = sum(d["max"] for _, d in items)
    pct = f"{100 * score / full:.0f}" if full else "0"
    title = t(lang, "feedback_title", student=student)
    total = t(lang, "feedback_total", score=num(score), max=num(full), pct=pct)
    parts = [f"<header><h1>{e(title)}</h1><p class='meta'>{e(total)}</p></header>",
             (f"<h2>{t(lang, 'summary_heading')}</h2><table class='summary'><tr>"
              f"<th>{t(lang, 'col_assignment')}</th><th class='num'>{t(lang, 'col_score')}</th>"
              f"<th></th><th>{t(lang, 'col_next')}</th></tr>")]
    for assignment, data in items:
        fraction = data["score"] / data["max"] if data["max"] else 0.0
        parts.append(
            f"<tr><td><a href='#a-{e(assignment)}'>{e(rd.assignment_title(assignment, lang))}</a>"
            f"</td><td class='num'>{num(data['score'])} / {num(data['max'])}</td>"
            f"<td><div class='bar' role='img' aria-label='{100 * fraction:.0f}%'>"
            f"<span class='{level(fraction)}' style='width:{100 * fraction:.1f}%'></span></div></td>"
            f"<td>{next_step(assignment, data, lang)}</td></tr>")
    parts.append(f"</table><p class='meta'>{t(lang, 'feedback_note')}</p>")
    parts += [feedback_section(a, d, lang) for a, d in items]
    return page(lang, title, "\n".join(parts))


def write_feedback(results: rd.Results, folder: Path, lang: str | None = None) -> None:
    """feedback/<student>.html: a summary per assignment, then failed checks (public message,
    hint, docs link) and the passed ones collapsed."""
    lang = resolve_lang(lang)
    folder.mkdir(parents=True, exist_ok=True)
    order = rd.assignment_order(a for _, a in results)
    by_student = defaultdict(list)
    for (student, assignment), data in results.items():
        by_student[student].append((assignment, data))
    for student, items in by_student.items():
        items.sort(key=lambda item: order.index(item[0]))
        (folder / f"{student}.html").write_text(feedback_page(student, items, lang),
                                                encoding="utf-8")


# ---- class report ----------------------------------------------------------------------------

def seconds(value: float, lang: str) -> str:
    return t(lang, "seconds", value=value)


def counted(counter, lang: str) -> str:
    if not counter:
        return e(t(lang, "not_recorded"))
    if len(counter) == 1:
        return f"<code>{e(next(iter(counter)))}</code>"
    return ", ".join(t(lang, "count_suffix", value=f"<code>{e(v)}</code>", count=n)
                     for v, n in counter.most_common())


def run_section(info: rd.RunInfo, lang: str) -> str:
    lines = []
    if info.seconds is not None:
        key = "run_this" if info.jobs else "run_this_nojobs"
        lines.append(e(t(lang, key, seconds=seconds(info.seconds, lang), now=info.graded_now or 0,
                         jobs=info.jobs)))
    if info.per_submission:
        times = [s for s, _, _ in info.per_submission]
        longest = info.per_submission[-1]
        lines.append(e(t(lang, "run_per_submission", median=seconds(rd.quartiles(times)[1], lang),
                         max=seconds(longest[0], lang), who=f"{longest[1]} · {longest[2]}",
                         total=seconds(sum(times), lang))))
    time_text = "<br>".join(lines) or e(t(lang, "not_recorded"))
    iso = t(lang, "isolation_counts", yes=info.isolated.get(True, 0), no=info.isolated.get(False, 0),
            unknown=info.isolated.get(None, 0))
    return (f"<section id='run'><h2>{t(lang, 'run_heading')}</h2><dl class='facts'>"
            f"<dt>{t(lang, 'run_time')}</dt><dd>{time_text}</dd>"
            f"<dt>{t(lang, 'grader_version')}</dt><dd>{counted(info.versions, lang)}</dd>"
            f"<dt>{t(lang, 'key_id')}</dt><dd>{counted(info.key_ids, lang)}</dd>"
            f"<dt>{t(lang, 'isolation')}</dt><dd>{e(iso)}</dd></dl></section>")


def attention_section(people: list[rd.Attention], assignments: list[str],
                      totals: dict[str, tuple[float, float]], lang: str) -> str:
    """A student x assignment table of the students who need attention, with the reasons."""
    parts = [(f"<section id='attention'><h2>{t(lang, 'attention_heading')} "
              f"<small>{len(people)}</small></h2>")]
    if not people:
        parts.append(f"<p>{t(lang, 'attention_none')}</p></section>")
        return "".join(parts)
    head = "".join(f"<th><code>{e(a)}</code></th>" for a in assignments)
    parts.append(f"<p>{t(lang, 'attention_intro')}</p><table class='attention'><tr>"
                 f"<th>{t(lang, 'col_student')}</th>{head}"
                 f"<th class='num'>{t(lang, 'col_total')}</th></tr>")
    for person in people:
        found = {assignment: (why, score, full) for assignment, why, score, full in person.items}
        cells = []
        for assignment in assignments:
            if assignment not in found:
                cells.append("<td></td>")
                continue
            why, score, full = found[assignment]
            shown = [w for w in why if not (w == "zero" and "missing" in why)]
            tags = "".join(f"<span class='tag {w}' data-reason='{w}'>{e(t(lang, 'reason_' + w))}"
                           f"</span>" for w in shown)
            cells.append(f"<td data-assignment='{e(assignment)}'><span class='score'>"
                         f"{num(score)}/{num(full)}</span> {tags}</td>")
        score, full = totals[person.student]
        parts.append(f"<tr data-student='{e(person.student)}'><td>"
                     f"<a href='{e(feedback_href(person.student))}'>{e(person.student)}</a></td>"
                     f"{''.join(cells)}<td class='num'>{num(score)} / {num(full)}</td></tr>")
    parts.append(f"</table><p class='legend'>{t(lang, 'attention_legend')}</p></section>")
    return "".join(parts)


def distribution_section(stats: list[rd.Stats], lang: str) -> str:
    cols = [("n", "stat_n"), ("mean", "stat_mean"), ("median", "stat_median"), ("q1", "stat_q1"),
            ("q3", "stat_q3"), ("low", "stat_min"), ("high", "stat_max"), ("full", "stat_full")]
    head = "".join(f"<th class='num'>{t(lang, key)}</th>" for _, key in cols)
    rows = []
    for s in stats:
        cells = "".join(f"<td class='num' data-stat='{attr}' data-value='{round(getattr(s, attr), 6)}'>"
                        f"{getattr(s, attr):.1f}</td>" if attr == "mean" else
                        f"<td class='num' data-stat='{attr}' data-value='{round(getattr(s, attr), 6)}'>"
                        f"{num(getattr(s, attr))}</td>" for attr, _ in cols)
        rows.append(f"<tr data-assignment='{e(s.assignment)}'><td><code>{e(s.assignment)}</code>"
                    f"</td>{cells}</tr>")
    return (f"<section id='distribution'><h2>{t(lang, 'dist_heading')}</h2>"
            f"<p>{t(lang, 'dist_intro')}</p><figure>{distribution_svg(stats, lang)}</figure>"
            f"<table class='stats'><tr><th>{t(lang, 'col_assignment')}</th>{head}</tr>"
            f"{''.join(rows)}</table></section>")


def rates_section(rates: dict[str, list[rd.Section]], lang: str) -> str:
    parts = [(f"<section id='rates'><h2>{t(lang, 'rates_heading')}</h2>"
              f"<p>{t(lang, 'rates_intro')}</p>")]
    for index, (assignment, sections) in enumerate(rates.items()):
        docs = [s.docs for s in sections]
        titles = {d: plain(rd.section_title(d, lang)) for d in docs}
        urls = {d: rd.docs_url(d, lang) for d in docs if d}
        svg = rates_svg(assignment, sections, titles, urls, lang, prefix=f"rates{index}")
        links = " · ".join(
            f"<span data-section='{e(s.anchor)}'>{docs_link(s.docs, lang)} "
            f"{100 * s.rate:.0f}%</span>" for s in sections)
        parts.append(f"<h3 id='rates-{e(assignment)}'>{e(rd.assignment_title(assignment, lang))}"
                     f" <small>{e(assignment)}</small></h3><figure class='rates'>{svg}</figure>"
                     f"<p class='sections'>{t(lang, 'rates_sections')}: {links}</p>")
    parts.append("</section>")
    return "".join(parts)


def cross_section(flags: list[dict], lang: str) -> str:
    parts = [f"<section id='cross-check'><h2>{t(lang, 'cross_heading')}</h2>"]
    if not flags:
        parts.append(f"<p>{t(lang, 'cross_none')}</p></section>")
        return "".join(parts)
    parts.append(f"<p>{t(lang, 'cross_intro')}</p><table><tr><th>{t(lang, 'col_student')}</th>"
                 f"<th>{t(lang, 'col_assignment')}</th><th class='num'>{t(lang, 'col_nbgrader')}</th>"
                 f"<th class='num'>{t(lang, 'col_isolated')}</th></tr>")
    for f in flags:
        parts.append(f"<tr><td><a href='{e(feedback_href(f['student']))}'>{e(f['student'])}</a></td>"
                     f"<td><code>{e(f['assignment'])}</code></td><td class='num'>{num(f['nbgrader'])}"
                     f"</td><td class='num'>{num(f['isolated'])}</td></tr>")
    parts.append("</table></section>")
    return "".join(parts)


def write_report(results: rd.Results, flags: list[dict], path: Path, lang: str | None = None,
                 run: dict | None = None) -> None:
    """report.html: how grading went, who needs attention, the score distribution per
    assignment, the pass rate of every check by docs section, and the nbgrader cross-check.
    `run` may hold what only the command knows: {"seconds", "graded_now", "jobs"}."""
    lang = resolve_lang(lang)
    students = sorted({s for s, _ in results})
    assignments = rd.assignment_order(a for _, a in results)
    totals = {s: (sum(d["score"] for (x, _), d in results.items() if x == s),
                  sum(d["max"] for (x, _), d in results.items() if x == s)) for s in students}
    people = rd.attention(results, flags)
    title = t(lang, "report_title")
    when = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    summary = t(lang, "report_summary", students=len(students), assignments=len(assignments),
                graded=len(results))
    toc = " ".join(f"<a href='#{anchor}'>{t(lang, key)}</a>" for anchor, key in (
        ("run", "run_heading"), ("attention", "attention_heading"),
        ("distribution", "dist_heading"), ("rates", "rates_heading"),
        ("cross-check", "cross_heading")))
    body = [(f"<header><h1>{e(title)}</h1><p class='meta'>{e(summary)} · "
             f"{e(t(lang, 'generated', when=when))}</p><nav class='toc'>{toc}</nav></header>"),
            run_section(rd.run_info(results, run), lang),
            attention_section(people, assignments, totals, lang),
            distribution_section(rd.score_stats(results), lang),
            rates_section(rd.pass_rates(results), lang),
            cross_section(flags, lang)]
    path.write_text(page(lang, title, "\n".join(body)), encoding="utf-8")
