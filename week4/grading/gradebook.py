"""`week4 grade --gradebook DB --write-back`: put the isolated grader's points into nbgrader.

`nbgrader autograde` runs the test cells inside the student's own kernel, where a notebook can
tamper with them (rebind `autograder.cell.check`, say). The isolated grader's points are the
authoritative ones, so write-back sets the **auto score** of every graded code cell whose
`grade_id` is a check id to the points that check earned in `week4 grade`. Manual scores
(and extra credit, and cells that are not checks, like written answers) are never touched:
nbgrader shows a manual score instead of the auto score, so an instructor's override stays.
Every change is returned, one dict per cell, for the command's output and the report.
"""

from __future__ import annotations

from pathlib import Path

TOLERANCE = 1e-9


class GradebookError(Exception):
    """The gradebook cannot be written; one line."""


def write_back(gradebook: Path, results: dict[tuple[str, str], dict],
               course_id: str = "week4") -> list[dict]:
    """Set auto scores from `results`; returns every change (and every submission skipped)."""
    try:
        from nbgrader.api import Gradebook, MissingEntry
    except ImportError:
        raise GradebookError("--write-back needs nbgrader (pip install -e '.[instructor]')") \
            from None
    changes: list[dict] = []
    try:
        gb_context = Gradebook(f"sqlite:///{gradebook}", course_id)
    except Exception as exc:  # sqlalchemy raises many kinds for a file that is not a gradebook
        raise GradebookError(f"cannot open the gradebook {gradebook} "
                             f"({type(exc).__name__})") from None
    with gb_context as gb:
        for (student, assignment), data in sorted(results.items()):
            points = {c["id"]: float(c["points"]) for c in data.get("checks", [])}
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                changes.append({"student": student, "assignment": assignment, "cell": None,
                                "old": None, "new": None,
                                "note": "not in the gradebook (run nbgrader autograde first)"})
                continue
            for notebook in submission.notebooks:
                for grade in sorted(notebook.grades, key=lambda g: g.name):
                    if grade.cell_type != "code" or grade.name not in points:
                        continue  # a written answer, or a cell that is no check of ours
                    new, old = points[grade.name], grade.auto_score
                    if old is not None and abs(old - new) <= TOLERANCE:
                        continue
                    grade.auto_score = new
                    change = {"student": student, "assignment": assignment,
                              "notebook": notebook.name, "cell": grade.name, "old": old,
                              "new": new}
                    if grade.manual_score is not None:
                        change["note"] = (f"a manual score ({grade.manual_score:g}) overrides "
                                          "it and was left alone")
                    changes.append(change)
        gb.db.commit()
    return changes


def describe(change: dict) -> str:
    """One line per change, for the terminal."""
    where = f"{change['student']} {change['assignment']}"
    if change.get("cell") is None:
        return f"WRITE-BACK {where}: skipped, {change.get('note', '')}"
    old = "none" if change["old"] is None else f"{change['old']:g}"
    line = f"WRITE-BACK {where} {change['cell']}: auto score {old} -> {change['new']:g}"
    return line + (f" ({change['note']})" if change.get("note") else "")
