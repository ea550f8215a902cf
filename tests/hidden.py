"""Helpers for the grading-mode tests: random-looking keys, and checks run many times on one sandbox.

Grading a whole notebook starts a sandbox and loads the notebook; doing that for 30 keys per
topic would cost minutes. Instead `run_checks` calls a topic's check functions directly on one
loaded `Submission`, swapping its `inputs` (the key) between runs: the generators and the
grader's reference answers are then proven under many keys for the price of one load.
"""

from __future__ import annotations

import hashlib
import inspect
import os
import time
from pathlib import Path

from autograder.checking import CheckFailed
from autograder.keys import Inputs
from autograder.notebook import load_cells
from autograder.runner import check_module, limits
from autograder.submission import DEFAULT_BUDGET_SECONDS, Submission
from autograder.topics import get_topic

N_KEYS = 30
_MISSING = object()


# The test keys look random to the grader (SHA-256 of a seed) but are the same in every run, so
# a failure can be replayed and CI never turns red by the luck of a draw. Explore other keys
# with WEEK4_TEST_KEYS=<any text> (`WEEK4_TEST_KEYS=$RANDOM make test`), and give that text
# with a failure so that it can be replayed.
KEY_SEED = os.environ.get("WEEK4_TEST_KEYS", "week4-test-keys")


def random_keys(n: int = N_KEYS, salt: str = "") -> list[bytes]:
    """n grading keys drawn from KEY_SEED (and `salt`, for a second independent set)."""
    return [hashlib.sha256(f"{KEY_SEED}/{salt}/{i}".encode()).digest() for i in range(n)]


def course_key(course: Path, salt: str = "class") -> Path:
    """The course key `week4 grade` uses by default (`<course>/.week4/grading.key`), written
    from the first test key of `salt` before it would make a random one: every run of the
    tests grades with the same hidden inputs."""
    from autograder.keys import PREFIX

    path = Path(course) / ".week4" / "grading.key"
    path.parent.mkdir(mode=0o700, exist_ok=True)
    path.write_text(PREFIX + random_keys(1, salt)[0].hex() + "\n", encoding="ascii")
    path.chmod(0o600)
    return path


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
               fixtures=None, reset=None) -> dict[str, str]:
    """{check id: message} of the checks that fail under `key`; `fixtures` feeds arguments
    other than `nb` by name (a dict, or a function of the submission returning one, called
    once the key is set: for fixtures that draw from it); `reset(sub)` clears per-grading
    caches first. Each key gets the topic's whole time budget, as a grading would."""
    sub.inputs = Inputs(key, student, sub.topic) if key is not None else Inputs()
    sub.deadline = time.monotonic() + limits(get_topic(sub.topic)).get("budget", DEFAULT_BUDGET_SECONDS)
    if reset:
        reset(sub)
    fixtures = {"nb": sub, **((fixtures(sub) if callable(fixtures) else fixtures) or {})}
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



# --- topic 02 in-process: the generators and the checks' reference side under many keys --------
# Serving a notebook's app in the sandbox costs about 4 s per key (337 exchanges and a restart).
# The checks only need an object with ApiServer's interface, so for many keys they talk to the
# solution's (or a mutant's) app.py through Flask's test client in this process instead. This
# runs only our own code (the solution and the mutants), never a submission.

class InProcessApi:
    """ApiServer's interface (request, many, restart, memo, nb) over Flask's test client."""

    def __init__(self, source: str, folder: Path, inputs):
        import types

        self.source = "\n".join(line for line in source.splitlines()
                                if not line.startswith("%%writefile"))
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.database = str(self.folder / "menus.sqlite")
        self.nb = types.SimpleNamespace(inputs=inputs)
        self.memo: dict = {}
        self.broken = ""
        self.app = None
        self.restart()

    def fresh(self, label: str) -> None:
        """A new, empty database for one check (as the grader's server gives each check)."""
        self.database = str(self.folder / f"{label}.sqlite")
        self.restart()

    def restart(self) -> None:
        """A new 'process': the module runs again, on the same database file."""
        import types

        module = types.ModuleType("app")
        module.__file__ = str(self.folder / "app.py")
        try:
            exec(compile(self.source, "app.py", "exec"), module.__dict__)  # noqa: S102 (our app.py)
            self.app = module.create_app({"DATABASE": self.database, "TESTING": False})
        except Exception as exc:  # noqa: BLE001 (a mutant's create_app may raise anything)
            self.broken = f"your app could not be served: {type(exc).__name__}: {exc}"

    def request(self, method, path, *, json_body=_MISSING, body=None, content_type=None,
                headers=None):
        import json

        from autograder.http_api import Exchange

        if self.broken:
            raise CheckFailed(self.broken)
        if json_body is not _MISSING:
            body = json.dumps(json_body).encode("utf-8")
            content_type = content_type or "application/json"
        sent = dict(headers or {})
        if content_type is not None:
            sent["Content-Type"] = content_type
        response = self.app.test_client().open(path, method=method, data=body, headers=sent)
        reason = response.status.split(" ", 1)[1] if " " in response.status else ""
        return Exchange(method, path, body, content_type, response.status_code, reason,
                        {k.lower(): v for k, v in response.headers.items()},
                        response.get_data())

    def many(self, requests: list[dict]) -> list:
        import threading

        results: list = [None] * len(requests)

        def worker(i, spec):
            results[i] = self.request(**spec)

        threads = [threading.Thread(target=worker, args=(i, spec))
                   for i, spec in enumerate(requests)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results


# --- topic 03 in-process: the checks of pure functions under many keys --------------------------
# service_model, deployment_model, instances_needed and scaling_costs take and return plain
# data, so their checks can call the solution's (or a mutant's) own cells in this process: the
# generators and the grader's reference answers are proven under 30 keys in a second.

PURE_03 = ["service_model", "deployment_model", "instances_needed", "scaling_costs"]
PURE_03_CHECKS = ["service-model", "service-model-invalid", "deployment-model",
                  "deployment-hybrid", "deployment-dedicated", "scaling-ceil", "scaling-minimum",
                  "scaling-maximum", "cost-fixed", "cost-autoscaling", "cost-saving"]


class InProcessNotebook:
    """Submission's interface (inputs, run, hung, failure) over functions of this process."""

    def __init__(self, functions: dict, inputs):
        self.functions = functions
        self.inputs = inputs
        self.hung: set = set()

    def run(self, name, *args, timeout=None, **kwargs):
        from autograder.sandbox import Reply

        try:
            return Reply("ok", self.functions[name](*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 (the reply a sandbox would give)
            return Reply("error", error={"type": type(exc).__name__, "message": str(exc)})

    def failure(self, name, reply, shown=""):
        return f"{shown or name} {reply.explain()}"


def pure_functions_03(replacements: dict[str, str] | None = None) -> dict:
    """The solution's pure topic-03 functions (with mutant cells swapped in), defined here."""
    import json

    from helpers import SOLUTIONS

    from autograder.notebook import cell_source

    nb = json.loads((SOLUTIONS / "03-cloud" / "03-cloud.ipynb").read_text(encoding="utf-8"))
    namespace: dict = {"math": __import__("math")}
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        source = (replacements or {}).get(grade_id, cell_source(cell))
        if cell["cell_type"] != "code" or source.startswith("%%") or \
                not any(f"def {name}(" in source for name in PURE_03) and "LAYERS =" not in source:
            continue
        source = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
        exec(compile(source, f"cell-{grade_id}", "exec"), namespace)  # noqa: S102 (our cells)
    return {name: namespace[name] for name in PURE_03}


def run_pure_03(functions: dict, key: bytes | None, student: str = "s1") -> dict[str, str]:
    """{check id: message} of the pure topic-03 checks that fail under `key`."""
    import autograder.checks.test_03_cloud as checks

    checks._cache.clear()
    nb = InProcessNotebook(functions, Inputs(key, student, "03-cloud") if key else Inputs())
    lost = {}
    for func in check_functions("03-cloud"):
        if func.check_info.id in PURE_03_CHECKS:
            try:
                func(nb)
            except CheckFailed as exc:
                lost[func.check_info.id] = str(exc)
    checks._cache.clear()
    return lost


# --- topic 02: an HTTP replay of practice mode ---------------------------------------------------
# What a student can build from practice mode's exchanges (their own server logs, or the
# scoreboard's quotes): an app that answers each request it has seen with the response it got
# then, in the same order, and anything else with `default`.

REPLAY_APP = '''
import base64, json, os
from flask import Flask, Response, request

EXCHANGES = json.loads(base64.b64decode(%r).decode())
DEFAULT = %r  # (status, content type, body) for a request practice mode never sent

def create_app(config=None):
    app = Flask(__name__)
    state = (config or {}).get("DATABASE", "replay") + ".replay.json"

    @app.route("/", defaults={"path": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @app.route("/<path:path>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def replay(path):
        key = json.dumps([request.method, request.full_path.rstrip("?"),
                          base64.b64encode(request.get_data()).decode(),
                          request.headers.get("Content-Type")])
        seen = json.load(open(state)) if os.path.exists(state) else {}
        answers = EXCHANGES.get(key)
        if not answers:
            status, kind, body = DEFAULT
            return Response(body, status=status, content_type=kind)
        n = seen.get(key, 0)
        seen[key] = n + 1
        json.dump(seen, open(state, "w"))
        status, headers, body = answers[min(n, len(answers) - 1)]
        return Response(base64.b64decode(body), status=status, headers=headers)
    return app
'''


def record_exchanges(monkeypatch, topic: str, notebook: Path) -> dict:
    """Grade `notebook` in practice mode, keeping every HTTP exchange the checks made."""
    import base64
    import json

    from autograder import http_api
    from autograder.runner import grade_topic

    exchanges: dict[str, list] = {}
    original = http_api.send

    def recording(port, method, path, *, body=None, content_type=None, headers=None):
        ex = original(port, method, path, body=body, content_type=content_type, headers=headers)
        key = json.dumps([method, path, base64.b64encode(body or b"").decode(), content_type])
        kept = {k: v for k, v in ex.headers.items() if k in ("content-type", "location")}
        exchanges.setdefault(key, []).append([ex.status, kept,
                                              base64.b64encode(ex.data).decode()])
        return ex

    monkeypatch.setattr(http_api, "send", recording)
    result = grade_topic(topic, notebook)
    monkeypatch.undo()
    assert result.score == result.max, [c.message for c in result.checks if not c.passed]
    return exchanges


def replay_source(exchanges: dict, default: tuple) -> str:
    import base64
    import json

    blob = base64.b64encode(json.dumps(exchanges).encode()).decode()
    return "%%writefile app.py\n" + REPLAY_APP % (blob, default)
