"""What every export shares: hidden checks, the project's files, finding and grading a notebook."""

from __future__ import annotations

import ast
import json
import os
import shutil
from functools import cache
from pathlib import Path

from autograder.topics import TOPICS, get_topic
from week4.i18n import current

_ = current()  # what a student reads on the platform, in the grading's language

ROOT = Path(__file__).resolve().parents[2]
KEY_NAME = "grading.key"
MANIFEST = "week4-export.json"
# The project files grading needs: the package, the grader and how to install them.
PROJECT_DIRS = ["autograder", "week4"]
PROJECT_FILES = ["pyproject.toml", "README.md", "uv.lock"]
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints")

# Checks whose results wait for publication although the analysis below does not find hidden
# inputs in them (or, in NOT_HIDDEN, the other way round). Empty: the analysis is enough today.
EXTRA_HIDDEN: dict[str, frozenset[str]] = {}
NOT_HIDDEN: dict[str, frozenset[str]] = {}


class ExportError(Exception):
    """The export cannot be made; the message says why, in one line."""


def topic_or_error(topic_id: str):
    try:
        return get_topic(topic_id)
    except KeyError:
        raise ExportError(f"unknown topic {topic_id!r}; choose from: {', '.join(TOPICS)}") \
            from None


def _is_check(node: ast.FunctionDef) -> str | None:
    for dec in node.decorator_list:
        if isinstance(dec, ast.Call) and getattr(dec.func, "id", "") == "check" and dec.args \
                and isinstance(dec.args[0], ast.Constant):
            return dec.args[0].value
    return None


def _direct_use(node: ast.AST) -> bool:
    """Does this code read the key's inputs (`x.inputs`) or raise with hidden inputs?"""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Attribute) and sub.attr == "inputs":
            return True
        if isinstance(sub, ast.keyword) and sub.arg == "hidden" and not (
                isinstance(sub.value, ast.Constant) and sub.value.value is False):
            return True
    return False


@cache
def hidden_checks(topic_id: str) -> frozenset[str]:
    """The checks of a topic that use hidden inputs: their results wait for publication.

    A check counts as hidden when its test function, or any function of its check module it
    calls (directly or through others), draws inputs from the grading key (`nb.inputs`) or
    fails with `hidden=...` (inputs the notebook never shows). Read from the check module's
    source, so a check that starts using the key becomes hidden without a list to update;
    EXTRA_HIDDEN and NOT_HIDDEN override the analysis per check.
    """
    topic = get_topic(topic_id)
    tree = ast.parse(topic.check_file.read_text(encoding="utf-8"))
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    classes = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
    scopes = {**functions, **classes}
    calls = {name: {s.id for s in ast.walk(node) if isinstance(s, ast.Name) and s.id in scopes}
             | {s.attr for s in ast.walk(node) if isinstance(s, ast.Attribute)
                and s.attr in scopes}
             for name, node in scopes.items()}
    direct = {name: _direct_use(node) for name, node in scopes.items()}

    def uses(name: str) -> bool:
        seen, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            if direct[current]:
                return True
            todo += calls[current]
        return False

    hidden = {cid for name, node in functions.items() if (cid := _is_check(node)) and uses(name)}
    hidden |= EXTRA_HIDDEN.get(topic.id, frozenset())
    return frozenset(hidden - NOT_HIDDEN.get(topic.id, frozenset()))


def copy_project(dest: Path, key_path: Path | None = None) -> None:
    """Copy what grading needs (package, grader, pyproject, lock file) and the key into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_DIRS:
        shutil.copytree(ROOT / name, dest / name, ignore=SKIP, dirs_exist_ok=True)
    for name in PROJECT_FILES:
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, dest / name)
    if key_path is not None:
        shutil.copyfile(key_path, dest / KEY_NAME)
        os.chmod(dest / KEY_NAME, 0o600)


def load_key_file(path) -> tuple[Path, bytes]:
    from autograder import keys

    found = keys.resolve(path)
    if found is None:
        raise ExportError("a grading key is needed: --key PATH (or WEEK4_KEY); create one with "
                          "'week4 key new PATH'")
    try:
        return found, keys.load_key(found)
    except keys.KeyFileError as exc:
        raise ExportError(str(exc)) from None


def find_notebook(folder: Path, topic_id: str) -> Path | None:
    """The submitted notebook: `<topic>.ipynb` anywhere under folder, else the only notebook."""
    topic = get_topic(topic_id)
    found = sorted(p for p in folder.rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts and not p.name.startswith("."))
    named = [p for p in found if p.name == topic.notebook_name]
    if named:
        return named[0]
    return found[0] if len(found) == 1 else None


def check_lines(check, hidden: bool) -> str:
    """What a student may read about one check: the public message, the hint, the docs (in the
    grading's language, WEEK4_LANG)."""
    from week4.i18n import COURSE_LANG, choose
    from week4.site import url

    try:
        lang = choose()
    except ValueError:
        lang = COURSE_LANG
    lines = [_("passed") if check.passed else
             _("why: {message}").format(message=check.public_message or check.message)]
    lines.append(_("hint: {hint}").format(hint=check.hint))
    lines.append(_("read: {url}").format(url=url(check.docs, lang)))
    if hidden:
        lines.append(_("(this check uses hidden inputs)"))
    return "\n".join(lines)


def summary(result, hidden: frozenset[str] = frozenset(), *, held_back: bool = False) -> str:
    """A few lines about the whole topic: points, core and stretch, what failed to load.

    `held_back`: the checks in `hidden` are not shown yet (Gradescope before publication), so
    the lines count only the others' points and say that the rest comes later."""
    from autograder.levels import split

    lines = []
    if held_back and hidden:
        shown = [c for c in result.checks if c.id not in hidden]
        lines.append(_("{topic}: {score}/{max} points on the {count} checks shown now ({passed} "
                       "passed)").format(topic=result.topic,
                                         score=f"{sum(c.points for c in shown):g}",
                                         max=f"{sum(c.max for c in shown):g}", count=len(shown),
                                         passed=sum(c.passed for c in shown)))
        lines.append(_("{count} more check(s) use hidden inputs: their results and your total "
                       "appear when your instructor publishes the grades.").format(
            count=len(result.checks) - len(shown)))
    else:
        parts = split(result)
        lines.append(_("{topic}: {score}/{max} points, {passed}/{count} checks passed (core "
                       "{core}/{core_max}, stretch {stretch}/{stretch_max})").format(
            topic=result.topic, score=f"{result.score:g}", max=f"{result.max:g}",
            passed=sum(c.passed for c in result.checks), count=len(result.checks),
            core=f"{parts.core:g}", core_max=f"{parts.core_max:g}",
            stretch=f"{parts.stretch:g}", stretch_max=f"{parts.stretch_max:g}"))
    if result.error:
        lines.append(_("not graded: {reason}").format(reason=result.error))
    lines += [_("note: {note}").format(note=n) for n in result.notes[:5]]
    return "\n".join(lines)


def not_graded(topic_id: str, reason: str):
    """A TopicResult with every check at 0 and the reason (nothing could be graded)."""
    from autograder.results import TopicResult
    from autograder.runner import check_infos, failed

    result = TopicResult(get_topic(topic_id).id, error=reason)
    result.checks = [failed(i, _("not graded: {reason}").format(reason=reason))
                     for i in check_infos(get_topic(topic_id))]
    return result


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
