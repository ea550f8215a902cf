"""nbgrader configuration for the week4 course.

solutions/ holds the instructor's source notebooks; `make release` runs
`nbgrader generate_assignment` to produce the student versions in exercises/.
The gradebook lives in .nbgrader/ (git-ignored), never in tracked files.
"""

from pathlib import Path

c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

ROOT = Path(__file__).resolve().parent

c.CourseDirectory.course_id = "week4"
c.CourseDirectory.root = str(ROOT)
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
(ROOT / ".nbgrader").mkdir(exist_ok=True)  # sqlite does not create folders
c.CourseDirectory.db_url = f"sqlite:///{ROOT / '.nbgrader' / 'gradebook.db'}"
# app.py (topic 02), gunicorn.conf.py (topic 03) and model/ (topic 04) are what a solution
# notebook writes when it runs in place: they hold solutions, so they must never reach a release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            ".venv", "*.db", "app.py", "gunicorn.conf.py", "model"]

# `nbgrader autograde` runs every student notebook in a kernel. Ours runs in the bubblewrap
# sandbox (autograder/kernel.py; kernelspec in autograder/jupyter/kernels/), never with the
# instructor's rights. Where bubblewrap cannot run, the plain kernel is used and
# `week4 grade --write-back` is the authority (docs/instructors.md).
import os  # noqa: E402

import autograder  # noqa: E402
from autograder.jail import isolation  # noqa: E402

if isolation().isolated:
    kernels = Path(autograder.__file__).resolve().parent / "jupyter"  # holds kernels/week4-sandboxed
    os.environ["JUPYTER_PATH"] = os.pathsep.join(
        [str(kernels)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p])
    c.Execute.kernel_name = "week4-sandboxed"

# Each test cell grades the whole topic once (in a fresh process) on its first run; topic 04
# trains a model, so allow minutes rather than nbgrader's default 30 s per cell.
c.Execute.timeout = 600

# What students see in place of the solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
