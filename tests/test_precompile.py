"""autograder/precompile.py: `make setup` writes the .pyc of what a grading imports, so that
a sandbox (read-only .venv, no bytecode writing) does not compile pandas on every import."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from helpers import ROOT


def notebook(folder: Path, *cells: str) -> None:
    folder.mkdir(parents=True)
    nb = {"cells": [{"cell_type": "code", "metadata": {}, "source": c, "outputs": [],
                     "execution_count": None} for c in cells]
          + [{"cell_type": "markdown", "metadata": {}, "source": "import fakeother"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (folder / f"{folder.name}.ipynb").write_text(json.dumps(nb), encoding="utf-8")


def compiled(path: Path) -> bool:
    return Path(importlib.util.cache_from_source(str(path))).exists()


def test_what_the_notebooks_import_is_compiled_and_nothing_else(tmp_path):
    site = tmp_path / "site"
    for name in ("fakepkg/__init__.py", "fakepkg/sub.py", "fakewrite.py", "fakelazy.py",
                 "fakeother.py"):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text("VALUE = 1\n", encoding="utf-8")
    (site / "fakebroken.py").write_text("raise RuntimeError('no')\n", encoding="utf-8")
    notebook(tmp_path / "nbs" / "01-topic",
             "%matplotlib inline\nimport fakepkg.sub\n",          # a line magic, then Python
             "%%writefile app.py\nimport fakewrite\n",               # a file the notebook writes
             "def f():\n    import fakelazy\n    from app import x\n",  # imported when called
             "import fakebroken\n")
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=f"{site}{os.pathsep}{ROOT}")
    proc = subprocess.run([sys.executable, "-m", "autograder.precompile", str(tmp_path / "nbs")],
                          cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    for name in ("fakepkg/__init__.py", "fakepkg/sub.py", "fakewrite.py", "fakelazy.py"):
        assert compiled(site / name), name
    assert not compiled(site / "fakeother.py")  # named only in a markdown cell
    # `app` (the notebook's own file, not there yet) is skipped without a word; a module that
    # fails to import is named in one line and set-up goes on
    assert proc.stderr.strip().splitlines() == [
        "precompile: could not import fakebroken (RuntimeError)"]


def test_the_solutions_imports_and_the_sandboxed_helpers_are_covered():
    from autograder.precompile import sandbox_modules

    modules = set(sandbox_modules())
    assert {"pandas", "sklearn.compose", "matplotlib.pyplot", "boto3", "flask", "skops.io",
            "autograder.sandboxed.runtime", "autograder.sandboxed.serving"} <= modules
