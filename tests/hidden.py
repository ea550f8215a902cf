"""Helpers for the grading-mode tests: random keys, and checks run many times on one sandbox.

Grading a whole notebook starts a sandbox and loads the notebook; doing that for 30 keys per
topic would cost minutes. Instead `run_checks` calls a topic's check functions directly on one
loaded `Submission`, swapping its `inputs` (the key) between runs: the generators and the
grader's reference answers are then proven under many keys for the price of one load.
"""

from __future__ import annotations

import inspect
import secrets
from pathlib import Path

from autograder.checking import CheckFailed
from autograder.keys import Inputs
from autograder.notebook import load_cells
from autograder.runner import check_module, limits
from autograder.submission import Submission
from autograder.topics import get_topic

N_KEYS = 30


def random_keys(n: int = N_KEYS) -> list[bytes]:
    return [secrets.token_bytes(32) for _ in range(n)]


def submission(topic: str, notebook: Path, **overrides) -> Submission:
    t = get_topic(topic)
    return Submission(t.id, Path(notebook), load_cells(Path(notebook)),
                      **{**limits(t), **overrides})


def check_functions(topic: str) -> list:
    module = check_module(get_topic(topic))
    funcs = [f for f in vars(module).values() if hasattr(f, "check_info")]
    funcs.sort(key=lambda f: f.__code__.co_firstlineno)
    return funcs


def run_checks(sub: Submission, key: bytes | None, student: str = "s1", *, skip=(),
               fixtures: dict | None = None, reset=None) -> dict[str, str]:
    """{check id: message} of the checks that fail under `key`; `fixtures` feeds arguments
    other than `nb` by name; `reset(sub)` clears per-grading caches first."""
    sub.inputs = Inputs(key, student, sub.topic) if key is not None else Inputs()
    if reset:
        reset(sub)
    fixtures = {"nb": sub, **(fixtures or {})}
    lost = {}
    for func in check_functions(sub.topic):
        info = func.check_info
        if info.id in skip:
            continue
        args = [fixtures[name] for name in inspect.signature(func).parameters]
        try:
            func(*args)
        except CheckFailed as exc:
            lost[info.id] = str(exc)
    return lost


# --- lookup-table submissions ------------------------------------------------------------------
# What a student can build from practice mode: run the solution (or any passing notebook) with
# a recording cell, then answer every recorded input from a table and anything else by a guess.

RECORDER = '''
import base64 as _b64, hashlib as _hl, json as _json, pickle as _pickle
def _w4_key(args, kwargs):
    def one(v):
        if hasattr(v, "to_csv"):
            return "df:" + _hl.sha256(v.to_csv().encode()).hexdigest()
        return repr(v)
    return repr(([one(a) for a in args], sorted((k, one(v)) for k, v in kwargs.items())))
def _w4_wrap(name, func):
    def wrapper(*args, **kwargs):
        key = _w4_key(args, kwargs)
        result = func(*args, **kwargs)
        try:
            blob = _b64.b64encode(_pickle.dumps(result)).decode()
        except Exception:
            return result
        with open("w4-record.jsonl", "a") as fh:
            fh.write(_json.dumps([name, key, blob]) + "\\n")
        return result
    return wrapper
for _name, _value in list(globals().items()):
    if callable(_value) and getattr(_value, "__globals__", None) is globals() \\
            and not _name.startswith("_"):
        globals()[_name] = _w4_wrap(_name, _value)
'''


def recording_notebook(topic: str, folder: Path) -> Path:
    """The solution notebook with a last cell that records every call of its functions."""
    from helpers import load_solution, write_notebook

    nb = load_solution(topic)
    nb["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                        "execution_count": None, "source": RECORDER})
    return write_notebook(nb, topic, folder)


def read_records(workdir: Path) -> dict[str, dict[str, str]]:
    import json

    table: dict[str, dict[str, str]] = {}
    path = Path(workdir) / "w4-record.jsonl"
    for line in path.read_text().splitlines() if path.exists() else []:
        name, key, blob = json.loads(line)
        table.setdefault(name, {})[key] = blob
    return table


def lookup_source(table: dict[str, dict[str, str]], default: str) -> str:
    """Notebook code answering recorded inputs from `table`; `default` is the body otherwise
    (e.g. 'raise ValueError(name)' or 'return None')."""
    import json

    lines = [RECORDER.split("def _w4_wrap")[0],
             f"_W4_TABLE = {json.dumps(table)}",
             "def _w4_lookup(name):",
             "    def answer(*args, **kwargs):",
             "        blob = _W4_TABLE[name].get(_w4_key(args, kwargs))",
             "        if blob is not None:",
             "            return _pickle.loads(_b64.b64decode(blob))",
             f"        {default}",
             "    return answer"]
    lines += [f"{name} = _w4_lookup({name!r})" for name in table]
    return "\n".join(lines) + "\n"
