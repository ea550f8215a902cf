"""PrairieLearn: an externally graded question for one topic.

    week4 export prairielearn TOPIC --out DIR [--key PATH] [--image NAME] [--timeout S]

DIR becomes a question folder: `info.json` (gradingMethod External; externalGradingOptions
with the image, the entry point /grade/tests/run.sh, the timeout and enableNetworking: false),
`question.html` (a file upload for `<topic>.ipynb` and the grader's results), `tests/` (the
entry point, the manifest and, with a key, `grading.key`; PrairieLearn never shows tests/ to
students) and `image/` (a Dockerfile and the project, to build the grading image).

In the grading container the entry point reads the notebook from /grade/student and writes
/grade/results/results.json: `gradable`, `score` (0-1), `message`, `format_errors`, `output`
and `tests` (name, description, points, max_points, message, output). A notebook that is not
a valid notebook (not JSON, no cells) is not gradable: PrairieLearn then shows the format
error and does not count the submission. The root is $PL_GRADE_ROOT (default /grade).
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from pathlib import Path

from .common import (
    KEY_NAME,
    MANIFEST,
    ExportError,
    check_lines,
    copy_project,
    find_notebook,
    hidden_checks,
    load_key_file,
    summary,
    topic_or_error,
    write_json,
)

ROOT_ENV = "PL_GRADE_ROOT"
ENTRYPOINT = "/grade/tests/run.sh"
RESULT_FIELDS = {"gradable", "score", "message", "format_errors", "output", "tests", "images"}
TEST_FIELDS = {"name", "description", "points", "max_points", "message", "output", "images"}

RUN_SH = r"""#!/usr/bin/env bash
# PrairieLearn's external grader runs this in the grading image; it writes
# ${PL_GRADE_ROOT:-/grade}/results/results.json.
exec "${WEEK4_PYTHON:-/opt/week4/venv/bin/python}" -m week4.export.prairielearn run
"""

DOCKERFILE = r"""# The grading image for PrairieLearn: build it from this folder and push it where your
# PrairieLearn course can pull it, under the name info.json gives (externalGradingOptions.image):
#   docker build -t IMAGE . && docker push IMAGE
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap util-linux \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home --shell /usr/sbin/nologin week4
COPY project /opt/week4/src
RUN pip install --no-cache-dir uv && uv venv /opt/week4/venv \
    && if [ -f /opt/week4/src/uv.lock ]; then \
         UV_PROJECT_ENVIRONMENT=/opt/week4/venv uv sync --frozen --no-dev --project /opt/week4/src; \
       else uv pip install --python /opt/week4/venv/bin/python -e /opt/week4/src; fi \
    && chmod -R a+rX /opt/week4
"""


def question_html(topic) -> str:
    return f"""<pl-question-panel>
  <p><b>{topic.title}</b> ({topic.id}): upload your notebook <code>{topic.notebook_name}</code>.
  Save it first (Ctrl+S); the grader runs the saved file from top to bottom.</p>
</pl-question-panel>

<pl-file-upload file-names="{topic.notebook_name}"></pl-file-upload>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""


def build(topic_id: str, out: Path, *, key: str | None = None, image: str = "week4-grader:latest",
          timeout: int = 600) -> dict:
    from autograder import keys

    topic = topic_or_error(topic_id)
    if timeout <= 0:
        raise ExportError("--timeout must be a positive number of seconds")
    key_path = key_bytes = None
    if key or os.environ.get(keys.ENV, "").strip():
        key_path, key_bytes = load_key_file(key)
    if out.exists() and any(out.iterdir()) and not (out / "info.json").exists():
        raise ExportError(f"{out} exists and is not a question folder; choose an empty folder")
    info = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"week4/{topic.id}")),
        "title": f"{topic.title} ({topic.id})",
        "topic": "week4",
        "tags": ["week4", topic.id],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {"enabled": True, "image": image, "entrypoint": ENTRYPOINT,
                                   "timeout": timeout, "enableNetworking": False},
    }
    manifest = {"platform": "prairielearn", "topic": topic.id,
                "key_id": keys.key_id(key_bytes) if key_bytes else None,
                "grader_version": keys.grader_version(),
                "hidden_checks": sorted(hidden_checks(topic.id))}
    tests = out / "tests"
    tests.mkdir(parents=True, exist_ok=True)
    (out / "info.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    (out / "question.html").write_text(question_html(topic), encoding="utf-8")
    (tests / "run.sh").write_text(RUN_SH, encoding="utf-8")
    os.chmod(tests / "run.sh", 0o755)
    (tests / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    (tests / KEY_NAME).unlink(missing_ok=True)
    if key_path is not None:
        (tests / KEY_NAME).write_bytes(Path(key_path).read_bytes())
        os.chmod(tests / KEY_NAME, 0o600)
    copy_project(out / "image" / "project")
    (out / "image" / "Dockerfile").write_text(DOCKERFILE, encoding="utf-8")
    return info


# ---- inside the grading container -----------------------------------------------------------

def root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or "/grade")


def not_gradable(why: str) -> dict:
    return {"gradable": False, "score": 0.0, "message": why, "format_errors": [why],
            "output": "", "tests": []}


def student_id(base: Path) -> str:
    """$WEEK4_STUDENT, else the variant's seed (PrairieLearn's job data names no student)."""
    if os.environ.get("WEEK4_STUDENT"):
        return os.environ["WEEK4_STUDENT"]
    try:
        data = json.loads((base / "data" / "data.json").read_text(encoding="utf-8"))
        seed = data.get("variant_seed")
        if seed not in (None, ""):
            return f"pl-variant-{seed}"
    except (OSError, ValueError, AttributeError):
        pass
    return "student"


def grade(base: Path) -> dict:
    from autograder import keys
    from autograder.notebook import NotebookError, load_cells

    from .gradescope import grade_as_unprivileged_user

    start = time.monotonic()
    tests_dir = base / "tests"
    try:
        manifest = json.loads((tests_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ExportError(f"{tests_dir / MANIFEST} is missing or broken; export the question "
                          "again") from None
    topic = manifest["topic"]
    notebook = find_notebook(base / "student", topic)
    if notebook is None:
        return not_gradable(f"no {topic}.ipynb was submitted: upload the notebook file")
    try:
        load_cells(notebook)
    except NotebookError as exc:
        return not_gradable(f"{notebook.name} cannot be graded: {exc}")
    key = None
    key_file = tests_dir / KEY_NAME if (tests_dir / KEY_NAME).exists() else keys.resolve(None)
    if key_file is not None:
        try:
            key = keys.load_key(key_file)
        except keys.KeyFileError as exc:
            raise ExportError(str(exc)) from None
    result, user = grade_as_unprivileged_user(topic, notebook, key, student_id(base))
    hidden = hidden_checks(topic)
    tests = [{"name": c.id, "description": c.hint, "points": c.points, "max_points": c.max,
              "message": "passed" if c.passed else (c.public_message or c.message),
              "output": check_lines(c, c.id in hidden)} for c in result.checks]
    mode = "grading mode" if key is not None else "practice mode (no key)"
    return {"gradable": True, "score": result.score / result.max if result.max else 0.0,
            "message": summary(result), "format_errors": [],
            "output": f"{mode}; graded in {time.monotonic() - start:.1f} s"
                      + (f" as {user}" if user else ""),
            "tests": tests}


def run() -> int:
    base = root()
    data = grade(base)
    write_json(base / "results" / "results.json", data)
    print(data["message"])
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args != ["run"]:
        print("usage: python -m week4.export.prairielearn run", file=sys.stderr)
        return 2
    try:
        return run()
    except ExportError as exc:
        print(f"week4 prairielearn: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
