"""Find the submissions to grade: `submitted/<student>/<assignment>/*.ipynb`, or an LMS zip."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.topics import TOPICS

SAFE_ID = re.compile(r"[^A-Za-z0-9_.@-]+")


class CollectError(Exception):
    """The submissions cannot be read; the message says why, in one line."""


@dataclass(frozen=True)
class Job:
    student: str
    assignment: str
    notebook: Path | None  # None: the student submitted nothing for this assignment

    @property
    def key(self) -> str:
        return f"{self.assignment}/{self.student}"


def _notebook_in(folder: Path, assignment: str) -> Path | None:
    preferred = folder / f"{assignment}.ipynb"
    if preferred.is_file():
        return preferred
    found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    return found[0] if found else None


def student_id(name: str) -> str:
    """An LMS file name like 'Kim Mina_123456_assignsubmission_file_eda.ipynb' -> 'Kim-Mina'."""
    stem = Path(name).stem
    first = stem.split("_", 1)[0] if "_" in stem else stem
    return SAFE_ID.sub("-", first).strip("-") or "unknown"


def unpack_zip(archive: Path, assignment: str, into: Path) -> Path:
    """Lay out an LMS zip of notebooks named by student as nbgrader's submitted/ folder."""
    try:
        with zipfile.ZipFile(archive) as zf:
            members = [m for m in zf.infolist()
                       if m.filename.endswith(".ipynb") and not m.is_dir()
                       and "__MACOSX" not in m.filename]
            if not members:
                raise CollectError(f"{archive.name} contains no .ipynb files")
            for member in members:
                parts = Path(member.filename).parts
                # one folder per student, or flat files named by student
                student = student_id(parts[0]) if len(parts) > 1 else student_id(parts[-1])
                target = into / student / assignment
                target.mkdir(parents=True, exist_ok=True)
                (target / f"{assignment}.ipynb").write_bytes(zf.read(member))
    except zipfile.BadZipFile:
        raise CollectError(f"{archive} is not a zip file") from None
    return into


def collect(submissions: Path, assignments: list[str]) -> list[Job]:
    """Every (student, assignment) pair, in a stable order."""
    for assignment in assignments:
        if assignment not in TOPICS:
            raise CollectError(f"unknown assignment {assignment!r}; choose from: "
                               f"{', '.join(TOPICS)}")
    if not submissions.is_dir():
        raise CollectError(f"submissions folder not found: {submissions}")
    students = sorted(p.name for p in submissions.iterdir()
                      if p.is_dir() and not p.name.startswith("."))
    if not students:
        raise CollectError(f"no student folders in {submissions} "
                           "(expected submitted/<student>/<assignment>/)")
    jobs = []
    for assignment in assignments:
        for student in students:
            folder = submissions / student / assignment
            jobs.append(Job(student, assignment,
                            _notebook_in(folder, assignment) if folder.is_dir() else None))
    return jobs
