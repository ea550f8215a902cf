"""Gradescope: an autograder bundle per Gradescope's autograder specification.

    week4 export gradescope TOPIC --key PATH --out FILE.zip

The zip holds, at its root, `setup.sh` and `run_autograder`, the project (autograder/,
week4/, pyproject.toml, README.md, uv.lock when present), the grading key (`grading.key`)
and `week4-export.json` (topic, key id, grader version, hidden checks). Gradescope unpacks it
to /autograder/source and runs setup.sh once when it builds the image; for every submission
it runs run_autograder, which grades /autograder/submission and writes
/autograder/results/results.json: one test per check (`number` = check id), `visibility`
`after_published` for checks with hidden inputs and `visible` for the others.

The root is $AUTOGRADER_ROOT (default /autograder), so the bundle can be run in any folder.
setup.sh's system part (apt: bubblewrap, a grader user; uv: Python and the locked
dependencies) is skipped when WEEK4_SETUP_SYSTEM=0, and $WEEK4_PYTHON chooses the
interpreter (default $AUTOGRADER_ROOT/venv/bin/python): that is how the tests run it.

Privileges: Gradescope runs run_autograder as root. Where bubblewrap works, grading stays
root because creating the sandbox's namespaces needs it, and every sandbox runs the student's
code as a fresh unprivileged uid without capabilities. Where it does not (a container without
namespaces), student code would run as a plain child of the grader: the grader then reads
the key as root and grades in a child process that has dropped to the unprivileged user
$WEEK4_GRADER_USER (default `week4`, created by setup.sh), so student code never runs as root
and cannot read the key file (root, 0600).
"""

from __future__ import annotations

import json
import os
import sys
import time
import zipfile
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
    not_graded,
    summary,
    topic_or_error,
    write_json,
)

ROOT_ENV = "AUTOGRADER_ROOT"
USER_ENV = "WEEK4_GRADER_USER"
DEFAULT_USER = "week4"
AFTER_PUBLISHED, VISIBLE = "after_published", "visible"
# Every field Gradescope's specification names (results.json and each test); tests check it.
RESULT_FIELDS = {"score", "execution_time", "output", "output_format", "test_output_format",
                 "test_name_format", "visibility", "stdout_visibility", "extra_data", "tests",
                 "leaderboard"}
TEST_FIELDS = {"score", "max_score", "status", "name", "name_format", "number", "output",
               "output_format", "tags", "visibility", "extra_data"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# WEEK4_SETUP_SYSTEM=0 skips the system part (apt, the grader user, uv): the tests do.
set -euo pipefail
ROOT="${AUTOGRADER_ROOT:-/autograder}"
SRC="$ROOT/source"
if [ "${WEEK4_SETUP_SYSTEM:-1}" != "0" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # bubblewrap: the sandbox; util-linux: setpriv drops each sandbox to its own uid
  apt-get install -y -qq bubblewrap util-linux ca-certificates curl
  id -u week4 >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin week4
  curl -LsSf https://astral.sh/uv/install.sh | env UV_INSTALL_DIR=/usr/local/bin INSTALLER_NO_MODIFY_PATH=1 sh
  export UV_PYTHON_INSTALL_DIR=/opt/uv-python
  uv venv --python 3.12 "$ROOT/venv"
  if [ -f "$SRC/uv.lock" ]; then
    # the locked dependencies, exactly; the project itself installed from $SRC
    UV_PROJECT_ENVIRONMENT="$ROOT/venv" uv sync --frozen --no-dev --project "$SRC"
  else
    uv pip install --python "$ROOT/venv/bin/python" -e "$SRC"
  fi
  chown root:root "$SRC/grading.key"
  chmod 600 "$SRC/grading.key"
  chmod -R a+rX "$ROOT/venv" /opt/uv-python
fi
# The Python part: the bundle's key, manifest and grader agree; which isolation runs here.
"${WEEK4_PYTHON:-$ROOT/venv/bin/python}" -m week4.export.gradescope setup
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission; it writes $ROOT/results/results.json.
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT"
exec "${WEEK4_PYTHON:-$ROOT/venv/bin/python}" -m week4.export.gradescope run
"""


def _add(zf: zipfile.ZipFile, path: Path, arcname: str, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(arcname, date_time=(2024, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, path.read_bytes())


def build(topic_id: str, key: str | None, out: Path) -> dict:
    """Write the bundle to `out`; returns the manifest."""
    import tempfile

    from autograder import keys

    topic = topic_or_error(topic_id)
    key_path, key_bytes = load_key_file(key)
    if out.suffix != ".zip":
        raise ExportError(f"--out must name a .zip file, got {out}")
    manifest = {"platform": "gradescope", "topic": topic.id, "key_id": keys.key_id(key_bytes),
                "grader_version": keys.grader_version(),
                "hidden_checks": sorted(hidden_checks(topic.id))}
    with tempfile.TemporaryDirectory(prefix="week4-gradescope-") as tmp:
        stage = Path(tmp)
        copy_project(stage, key_path)
        (stage / "setup.sh").write_text(SETUP_SH, encoding="utf-8")
        (stage / "run_autograder").write_text(RUN_AUTOGRADER, encoding="utf-8")
        (stage / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp_zip = out.with_name(out.name + ".tmp")
        with zipfile.ZipFile(tmp_zip, "w") as zf:
            for path in sorted(p for p in stage.rglob("*") if p.is_file()):
                arc = path.relative_to(stage).as_posix()
                mode = 0o755 if arc in ("setup.sh", "run_autograder") else \
                    0o600 if arc == KEY_NAME else 0o644
                _add(zf, path, arc, mode)
        os.replace(tmp_zip, out)
    return manifest


# ---- inside Gradescope's container ---------------------------------------------------------

def root() -> Path:
    return Path(os.environ.get(ROOT_ENV) or "/autograder")


def read_manifest(source: Path) -> dict:
    try:
        return json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ExportError(f"{source / MANIFEST} cannot be read ({exc}); rebuild the bundle "
                          "with 'week4 export gradescope'") from None


def setup() -> int:
    """setup.sh's Python part: check that key, manifest and installed grader agree."""
    from autograder import keys
    from autograder.jail import isolation

    source = root() / "source"
    manifest = read_manifest(source)
    try:
        key = keys.load_key(source / KEY_NAME)
    except keys.KeyFileError as exc:
        raise ExportError(str(exc)) from None
    if keys.key_id(key) != manifest["key_id"]:
        raise ExportError(f"the bundle's key ({keys.key_id(key)}) is not the key it was built "
                          f"with ({manifest['key_id']})")
    if keys.grader_version() != manifest["grader_version"]:
        raise ExportError(f"the installed grader ({keys.grader_version()}) is not the one in the "
                          f"bundle ({manifest['grader_version']}): install the bundle's project")
    topic_or_error(manifest["topic"])
    print(f"week4 autograder for {manifest['topic']}: key {manifest['key_id']}, grader "
          f"{manifest['grader_version']}")
    print(f"isolation: {isolation().kind} - {isolation().reason}")
    return 0


def student_id(base: Path) -> str:
    """Gradescope's student id (the roster's SID), else the e-mail, for the hidden inputs."""
    if os.environ.get("WEEK4_STUDENT"):
        return os.environ["WEEK4_STUDENT"]
    try:
        meta = json.loads((base / "submission_metadata.json").read_text(encoding="utf-8"))
        users = meta.get("users") or []
        for field in ("sid", "email", "id"):
            if users and users[0].get(field):
                return str(users[0][field])
    except (OSError, ValueError, AttributeError, TypeError):
        pass
    return "student"


def results_json(result, hidden: frozenset[str], seconds: float, extra: dict) -> dict:
    tests = []
    for check in result.checks:
        is_hidden = check.id in hidden
        tests.append({
            "name": check.id,
            "number": check.id,
            "score": check.points,
            "max_score": check.max,
            "status": "passed" if check.passed else "failed",
            "output": check_lines(check, is_hidden),
            "visibility": AFTER_PUBLISHED if is_hidden else VISIBLE,
        })
    return {"score": result.score, "execution_time": round(seconds, 3),
            "output": summary(result, hidden, held_back=True), "visibility": VISIBLE,
            "stdout_visibility": "hidden", "extra_data": extra, "tests": tests}


def _grade(topic: str, notebook: Path | None, key: bytes | None, student: str):
    from autograder.runner import grade_topic

    if notebook is None:
        return not_graded(topic, f"no {topic}.ipynb in the submission (upload the notebook "
                                 "file itself)")
    try:
        return grade_topic(topic, notebook, key=key, student=student)
    except Exception as exc:  # the grader's own failure: a result all the same
        return not_graded(topic, f"the grader failed ({type(exc).__name__}: {exc})")


def grade_unprivileged(user: str, work):
    """Run `work()` in a child that dropped to `user`; its TopicResult comes back as JSON."""
    import pwd
    import traceback

    from autograder.results import CheckResult, TopicResult

    entry = pwd.getpwnam(user)
    prctl = _prctl()  # looked up while every file is still readable
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to the user for good, then grade
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            _not_dumpable(prctl)
            result = work()
            data = {"topic": result.topic, "error": result.error, "notes": result.notes,
                    "checks": [vars(c) for c in result.checks]}
            with os.fdopen(write, "w", encoding="utf-8") as fh:
                json.dump(data, fh)
        except BaseException:
            traceback.print_exc()
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, encoding="utf-8") as fh:
        text = fh.read()
    os.waitpid(pid, 0)
    data = json.loads(text)  # ValueError: the child died; the caller reports it
    return TopicResult(data["topic"], [CheckResult(**c) for c in data["checks"]], data["error"],
                       data["notes"])


def _prctl():
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def _not_dumpable(prctl) -> None:
    """No process of the same uid may read this one's memory (the key) or trace it."""
    if prctl is not None:
        prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 0


def grade_as_unprivileged_user(topic: str, notebook: Path | None, key: bytes | None,
                               student: str):
    """Grade; as root without bubblewrap, in a child dropped to $WEEK4_GRADER_USER.

    Returns (TopicResult, the user graded as or None). Never raises for the submission."""
    from autograder.jail import isolation

    def work():
        return _grade(topic, notebook, key, student)

    if os.geteuid() != 0 or isolation().isolated:
        return work(), None
    from autograder.runner import check_module
    from autograder.topics import get_topic

    check_module(get_topic(topic))  # import the grader while root can read everything
    user = os.environ.get(USER_ENV, DEFAULT_USER)
    try:
        return grade_unprivileged(user, work), user
    except KeyError:
        print(f"week4: no user {user!r} to grade as; grading as root without bubblewrap "
              "(run setup.sh, or set WEEK4_GRADER_USER)")
        return work(), None
    except ValueError:
        return not_graded(topic, "the grading process stopped without a result"), user


def run() -> int:
    """run_autograder: grade the submission and write results/results.json (always)."""
    from autograder import keys
    from autograder.jail import isolation

    start = time.monotonic()
    base = root()
    source = base / "source"
    out = base / "results" / "results.json"
    manifest = read_manifest(source)
    topic = manifest["topic"]
    hidden = frozenset(manifest.get("hidden_checks", []))
    try:
        key = keys.load_key(source / KEY_NAME)
    except keys.KeyFileError as exc:
        raise ExportError(str(exc)) from None
    student = student_id(base)
    notebook = find_notebook(base / "submission", topic)
    extra = {"topic": topic, "student": student, "key_id": keys.key_id(key),
             "grader_version": keys.grader_version(), "isolation": isolation().kind}

    result, user = grade_as_unprivileged_user(topic, notebook, key, student)
    if user:
        extra["grader_user"] = user
    data = results_json(result, hidden, time.monotonic() - start, extra)
    write_json(out, data)
    print(summary(result, hidden))
    print(f"isolation: {isolation().kind} - {isolation().reason}")
    print(f"wrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    commands = {"setup": setup, "run": run}
    if len(args) != 1 or args[0] not in commands:
        print("usage: python -m week4.export.gradescope setup|run", file=sys.stderr)
        return 2
    try:
        return commands[args[0]]()
    except ExportError as exc:
        print(f"week4 gradescope: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
