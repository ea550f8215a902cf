"""Write what an instructor reads: grades.csv, one feedback page per student, a class report."""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from pathlib import Path


def write_csv(results: dict[tuple[str, str], dict], path: Path) -> None:
    """One row per student: total, per assignment, and per check (`assignment:check`)."""
    students = sorted({s for s, _ in results})
    assignments = sorted({a for _, a in results})
    checks = {a: [c["id"] for c in next(d for (s, x), d in results.items() if x == a)["checks"]]
              for a in assignments}
    header = ["student", "total", "max"] + assignments + [
        f"{a}:{c}" for a in assignments for c in checks[a]]
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
            writer.writerow([student, f"{row_total:g}", f"{row_max:g}"] + per_assignment + per_check)


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}}
.pass{{color:#1a7f37}}.fail{{color:#cf222e}}.flag{{background:#fff3cd}}</style></head>
<body>{body}</body></html>"""


def e(text) -> str:
    return html.escape(str(text))


def write_feedback(results: dict[tuple[str, str], dict], folder: Path) -> None:
    """feedback/<student>.html: every check with points, the reason (public part only), hint, docs."""
    folder.mkdir(parents=True, exist_ok=True)
    by_student = defaultdict(list)
    for (student, assignment), data in sorted(results.items()):
        by_student[student].append((assignment, data))
    for student, items in by_student.items():
        parts = [f"<h1>Feedback for {e(student)}</h1>"]
        for assignment, data in items:
            parts.append(f"<h2>{e(assignment)}: {data['score']:g} / {data['max']:g}</h2>")
            if data.get("error"):
                parts.append(f"<p class='fail'>{e(data['error'])}</p>")
            parts.append("<table><tr><th>check</th><th>points</th><th>result</th></tr>")
            for c in data["checks"]:
                if c["passed"]:
                    verdict = "<span class='pass'>passed</span>"
                else:
                    verdict = (f"<span class='fail'>{e(c.get('public') or c['message'])}</span>"
                               f"<br>hint: {e(c['hint'])}<br>read: <code>{e(c['docs'])}</code>")
                parts.append(f"<tr><td>{e(c['id'])}</td><td>{c['points']:g}/{c['max']:g}</td>"
                             f"<td>{verdict}</td></tr>")
            parts.append("</table>")
        (folder / f"{student}.html").write_text(
            PAGE.format(title=f"Feedback: {e(student)}", body="\n".join(parts)), encoding="utf-8")


def distribution_svg(results: dict[tuple[str, str], dict]) -> str:
    """A histogram of each student's total percentage, as inline SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = defaultdict(lambda: [0.0, 0.0])
    for (student, _), data in results.items():
        totals[student][0] += data["score"]
        totals[student][1] += data["max"]
    pcts = [100 * s / m if m else 0 for s, m in totals.values()]
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(pcts, bins=[0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100.001], edgecolor="white")
    ax.set_title("Grade distribution")
    ax.set_xlabel("total score (%)")
    ax.set_ylabel("students")
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def write_report(results: dict[tuple[str, str], dict], flags: list[dict], path: Path) -> None:
    """report.html: distribution, pass rate of every check (lowest first), flagged submissions."""
    rates = defaultdict(lambda: [0, 0])
    for (_, assignment), data in results.items():
        for c in data["checks"]:
            rates[(assignment, c["id"])][0] += bool(c["passed"])
            rates[(assignment, c["id"])][1] += 1
    students = sorted({s for s, _ in results})
    parts = [f"<h1>Class report</h1><p>{len(students)} students, "
             f"{len(results)} graded submissions.</p>", distribution_svg(results)]
    parts.append("<h2>Pass rate per check</h2><p>Lowest first: the concepts the class missed.</p>"
                 "<table><tr><th>assignment</th><th>check</th><th>pass rate</th></tr>")
    for (assignment, check), (passed, total) in sorted(rates.items(),
                                                       key=lambda kv: kv[1][0] / kv[1][1]):
        parts.append(f"<tr><td>{e(assignment)}</td><td>{e(check)}</td>"
                     f"<td>{100 * passed / total:.0f}% ({passed}/{total})</td></tr>")
    parts.append("</table><h2>Cross-check with nbgrader</h2>")
    if flags:
        parts.append("<p>These scores differ between nbgrader (inside the student's kernel) and "
                     "the isolated grader: a sign of tampering. Review them by hand.</p><table>"
                     "<tr><th>student</th><th>assignment</th><th>nbgrader</th><th>isolated</th></tr>")
        for f in flags:
            parts.append(f"<tr class='flag'><td>{e(f['student'])}</td><td>{e(f['assignment'])}</td>"
                         f"<td>{f['nbgrader']:g}</td><td>{f['isolated']:g}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>No differences (or no nbgrader gradebook given).</p>")
    path.write_text(PAGE.format(title="Class report", body="\n".join(parts)), encoding="utf-8")
