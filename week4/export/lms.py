"""Grade import files for Canvas and Moodle, written next to `week4 grade`'s grades.csv.

    week4 grade ... --format canvas|moodle [--roster CSV]

- **Canvas** (`grades-canvas.csv`): the gradebook export's identity columns (Student, ID,
  SIS User ID, SIS Login ID, Section), a "Points Possible" row, then one column per
  assignment with the student's points. Canvas matches rows by these columns.
- **Moodle** (`grades-moodle.csv`): one identifier column (the one you map to a user field in
  Moodle's "Import grades from CSV"), then one column per grade item.

The roster is a CSV with a `student` column (the week4 id: the folder name under submitted/)
and the LMS's columns: Canvas's identity columns, or for Moodle the identifier (e.g.
`Email address`, `ID number` or `Username`: the first column other than `student`). Without
a roster the week4 id fills Canvas's SIS User ID and Moodle's `ID number`. A graded student
missing from the roster is never dropped silently: the command prints them and writes them to
`roster-missing-<format>.txt`.
"""

from __future__ import annotations

import csv
from pathlib import Path

from .common import ExportError

FORMATS = ("canvas", "moodle")
CANVAS_IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_DEFAULT_ID = "ID number"


def read_roster(path: Path) -> tuple[list[str], dict[str, dict]]:
    """(LMS columns, {week4 id: row}) from a roster CSV; a one-line error when unusable."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = [f.strip() for f in (reader.fieldnames or [])]
            rows = [{(k or "").strip(): (v or "").strip() for k, v in row.items()}
                    for row in reader]
    except FileNotFoundError:
        raise ExportError(f"roster not found: {path}") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ExportError(f"roster {path} cannot be read ({exc})") from None
    if "student" not in fields:
        raise ExportError(f"roster {path} has no 'student' column (the week4 student id); "
                          f"its columns are: {', '.join(fields) or 'none'}")
    columns = [f for f in fields if f != "student"]
    if not columns:
        raise ExportError(f"roster {path} has only the 'student' column: add the LMS's "
                          "identifier column(s)")
    mapping: dict[str, dict] = {}
    for row in rows:
        if row.get("student"):
            mapping[row["student"]] = row
    return columns, mapping


def check_roster(path: Path, formats: list[str]) -> tuple[list[str], dict[str, dict]]:
    """read_roster, and for Canvas at least one column Canvas matches students by."""
    columns, mapping = read_roster(path)
    if "canvas" in formats and not set(columns) & set(CANVAS_IDENTITY[1:4]):
        raise ExportError(f"roster {path} has none of Canvas's ID, SIS User ID or SIS Login ID "
                          "columns (copy them from a Canvas gradebook export)")
    return columns, mapping


def totals(results: dict) -> tuple[list[str], dict[str, dict[str, float]], dict[str, float]]:
    """(assignments, {student: {assignment: points}}, {assignment: max})."""
    assignments = sorted({a for _, a in results})
    scores: dict[str, dict[str, float]] = {}
    maxima: dict[str, float] = {}
    for (student, assignment), data in results.items():
        scores.setdefault(student, {})[assignment] = data["score"]
        maxima[assignment] = max(maxima.get(assignment, 0), data["max"])
    return assignments, scores, maxima


def write_all(results: dict, out: Path, formats: list[str], roster: Path | None,
              stream=None) -> None:
    """Write every requested import file and say where, and who is missing from the roster."""
    import sys

    stream = stream or sys.stdout
    for fmt in formats:
        path, missing = write(results, out, fmt, roster)
        print(f"wrote {path} ({fmt})", file=stream)
        if missing:
            print(f"week4: {len(missing)} graded student(s) not in the roster {roster}, left out "
                  f"of {path.name} (listed in {out / f'roster-missing-{fmt}.txt'}): "
                  f"{', '.join(missing)}", file=stream)


def write(results: dict, out: Path, fmt: str, roster: Path | None = None) -> tuple[Path, list]:
    """Write the import file for `fmt`; returns (its path, students missing from the roster)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}")
    assignments, scores, maxima = totals(results)
    columns, mapping = check_roster(roster, [fmt]) if roster else (None, None)
    missing = sorted(s for s in scores if mapping is not None and s not in mapping)
    path = out / f"grades-{fmt}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        if fmt == "canvas":
            writer.writerow(CANVAS_IDENTITY + assignments)
            writer.writerow(["    Points Possible", "", "", "", ""]
                            + [f"{maxima[a]:g}" for a in assignments])
        else:
            ident = columns[0] if columns else MOODLE_DEFAULT_ID
            writer.writerow([ident] + assignments)
        for student in sorted(scores):
            if student in missing:
                continue
            row = mapping.get(student, {}) if mapping is not None else {}
            points = ["" if a not in scores[student] else f"{scores[student][a]:g}"
                      for a in assignments]
            if fmt == "canvas":
                identity = [row.get(c, "") for c in CANVAS_IDENTITY] if mapping is not None \
                    else [student, "", student, "", ""]
                writer.writerow(identity + points)
            else:
                writer.writerow([row.get(columns[0], "") if mapping is not None else student]
                                + points)
    missing_file = out / f"roster-missing-{fmt}.txt"
    if missing:
        missing_file.write_text("".join(f"{s}\n" for s in missing), encoding="utf-8")
    else:
        missing_file.unlink(missing_ok=True)
    return path, missing
