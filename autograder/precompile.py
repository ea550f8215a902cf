"""Compile, once and outside any sandbox, the modules that gradings import inside one.

A sandbox mounts `.venv` read-only and runs with PYTHONDONTWRITEBYTECODE (`autograder.jail`),
so a module without its `.pyc` file is compiled from source on every import of every
grading: pandas, scikit-learn and matplotlib alone took seconds each time. `make setup` (the
set-up of `make check`) runs

    python -m autograder.precompile

which imports, with bytecode writing on, what the graded notebooks import (the import
statements of the solutions in `solutions/`, our code: never a submission's), the grader's
helpers that run in a sandbox (`autograder.sandboxed`) and the programs a check starts in one
(`SANDBOX_PROGRAMS`). Python writes each imported module's `.pyc` as it goes, so only what a
grading can load is compiled: a third of the time of compiling all of `site-packages`, which
`make test` does (`uv sync --compile-bytecode`).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import json
import os
import pkgutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Started by checks inside a sandbox: topic 03's gunicorn serves the course's model API.
SANDBOX_PROGRAMS = ["gunicorn.app.wsgiapp", "week4.serving.app"]


def notebook_imports(folder: Path) -> set[str]:
    """The modules named by the import statements of the notebooks in `folder`/*/."""
    names: set[str] = set()
    for path in sorted(folder.glob("*/*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            # IPython's magics and shell lines are not Python; a %%writefile cell's body is
            lines = ["" if line.lstrip().startswith(("%", "!")) else line
                     for line in "".join(cell["source"]).splitlines()]
            try:
                tree = ast.parse("\n".join(lines))
            except SyntaxError:
                continue
            for node in ast.walk(tree):  # function bodies too: imports made when called
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module)
    return names


def sandbox_modules(notebooks: Path = REPO / "solutions") -> list[str]:
    import autograder.sandboxed as sandboxed

    helpers = [f"autograder.sandboxed.{m.name}" for m in pkgutil.iter_modules(sandboxed.__path__)]
    return sorted(notebook_imports(notebooks)) + helpers + SANDBOX_PROGRAMS


def main(argv: list[str] | None = None) -> int:
    """`python -m autograder.precompile [NOTEBOOKS]`: NOTEBOOKS defaults to solutions/."""
    args = sys.argv[1:] if argv is None else argv
    notebooks = Path(args[0]) if args else REPO / "solutions"
    sys.dont_write_bytecode = False  # this process only: write the .pyc of each import
    os.environ.setdefault("MPLBACKEND", "Agg")
    failed = []
    for name in sandbox_modules(notebooks):
        if importlib.util.find_spec(name.partition(".")[0]) is None:
            continue  # the notebook's own file (02's app.py), written when it runs
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 (the gradings say what is wrong; set-up goes on)
            failed.append(f"{name} ({type(exc).__name__})")
    if failed:
        print(f"precompile: could not import {', '.join(failed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
