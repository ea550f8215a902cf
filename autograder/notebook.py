"""Read a submitted notebook as plain JSON and turn it into the code the sandbox runs.

How notebook contents are handled (documented for students in docs/grading.md):

- code cells run in order, in one namespace, each on its own: a cell that raises is
  reported and the next cell still runs (as in nbgrader);
- nbgrader's autograder test cells (grade cells that are not solution cells) are skipped:
  the grader runs the checks itself;
- `%%writefile [-a] FILE` writes FILE in the sandbox's working folder, like Jupyter does;
- other cell magics (`%%bash`, `%%html`, ...) are skipped; `%%time`, `%%capture` and
  `%%timeit` run the cell's body once;
- line magics (`%pip install ...`, `%matplotlib inline`) and shell lines (`!pip ...`) are
  skipped, so grading never installs packages or runs shell commands.

Nothing here executes code: parsing is `json.load`, never `nbformat`'s richer reader.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from week4.i18n import current

_ = current()  # what a student reads, in the grading language

RUN_BODY_MAGICS = {"time", "capture", "timeit", "prun"}
WRITEFILE = re.compile(r"^%%(?:writefile|file)\s+(?P<append>-a\s+)?(?P<name>\S+)\s*$")


class NotebookError(Exception):
    """The file is not a notebook the grader can read; the message says why, in one line."""


@dataclass(frozen=True)
class Cell:
    index: int      # position among the notebook's cells, counted from 1 as Jupyter shows
    kind: str       # "code" or "writefile"
    source: str     # Python source, or the file's content for "writefile"
    target: str = ""  # file name for "writefile"
    append: bool = False


def read_notebook(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotebookError(_("notebook not found: {path}").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise NotebookError(_("cannot read {path}: {reason}").format(path=path, reason=exc)) from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(_(
            "{name} is not valid notebook JSON (line {line}: {reason}); restore it from git or "
            "re-download the exercise").format(name=Path(path).name, line=exc.lineno,
                                               reason=exc.msg)) from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise NotebookError(_("{name} has no list of cells; is it really a notebook?").format(
            name=Path(path).name))
    return nb


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    if isinstance(src, list):
        src = "".join(s for s in src if isinstance(s, str))
    return src if isinstance(src, str) else ""


def is_test_cell(cell: dict) -> bool:
    """nbgrader's autograder test cell: graded, but not a place for the student's answer."""
    meta = cell.get("metadata", {})
    nbg = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return isinstance(nbg, dict) and bool(nbg.get("grade")) and not nbg.get("solution")


def strip_magics(source: str) -> str:
    """Replace line magics and shell lines with `pass`, keeping line numbers and indentation."""
    out = []
    for line in source.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            indent = line[: len(line) - len(stripped)]
            out.append(f"{indent}pass  # skipped by the grader: {stripped[:60]}")
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def code_cells(nb: dict) -> list[Cell]:
    """The cells the sandbox runs, in order (see the module docstring for the rules)."""
    cells = []
    for index, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_test_cell(cell):
            continue
        source = cell_source(cell)
        first, _, body = source.partition("\n")
        if first.startswith("%%"):
            match = WRITEFILE.match(first)
            if match:
                cells.append(Cell(index, "writefile", body, match["name"], bool(match["append"])))
                continue
            magic = first[2:].split()[0] if first[2:].split() else ""
            if magic not in RUN_BODY_MAGICS:
                continue
            source = "\n" + body  # keep the line numbers the student sees
        cells.append(Cell(index, "code", strip_magics(source)))
    return cells


def load_cells(path: Path) -> list[Cell]:
    return code_cells(read_notebook(path))
