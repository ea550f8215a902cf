"""Compare with nbgrader's gradebook: a score that differs from the isolated grader's is a
sign of tampering inside the kernel (student code can rewrite test cells' helpers there)."""

from __future__ import annotations

from pathlib import Path

TOLERANCE = 1e-6


def nbgrader_scores(gradebook: Path, course_id: str = "week4") -> dict[tuple[str, str], float]:
    """{(student, assignment): autograded score} from an nbgrader gradebook database."""
    from nbgrader.api import Gradebook  # instructor extra; only needed for the cross-check

    scores = {}
    with Gradebook(f"sqlite:///{gradebook}", course_id) as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                auto = sum(nb.score for nb in submission.notebooks
                           if nb is not None) if submission.notebooks else 0.0
                scores[(submission.student.id, assignment.name)] = float(auto)
    return scores


def flags(results: dict[tuple[str, str], dict],
          nbgrader: dict[tuple[str, str], float]) -> list[dict]:
    """Submissions whose nbgrader score differs from ours."""
    found = []
    for key, data in sorted(results.items()):
        if key in nbgrader and abs(nbgrader[key] - data["score"]) > TOLERANCE:
            found.append({"student": key[0], "assignment": key[1], "isolated": data["score"],
                          "nbgrader": nbgrader[key]})
    return found
