"""Every pair of single-rule mutants loses exactly the union of their checks (issue 13, "Fair
checks": two separate mistakes cost the points of each, no more and no fewer).

For each topic, every pair of mutants (autograder/mutants/m0N_*.py, MUTANTS) whose replaced
cells differ is put in one notebook and graded in this process, through the interface a
sandboxed submission offers, with the in-process harnesses of tests/test_fair_checks.py and
tests/test_02_fair_inprocess.py (our own cells only, never a submission):

- 01 (38 pairs): every pair in practice mode and again under a key.
- 02: its mutants all edit the one app.py cell; the 144 pairs of split_edits whose anchors
  are separate (each found once in the solution, not overlapping) are applied to one app.
- 03: moto in this process (mock_aws, fresh for each grading) stands in for the grader's moto
  server, and the notebook's requests are logged as its proxy logs them.
- 04 (32 pairs): the Lab of the checks on an in-process child (the serving helpers, the app's
  WSGI callable, the clean child's helpers: all called here).
- 02, 03, 04 and 05 grade each pair once, practice mode and a key in turn (each mode sees
  every mutant; the single mutants are graded in both modes by the topics' tests and
  tests/test_hidden_inputs.py).

Every check of every topic judges every pair. Two are judged by what they read rather than run
here, because each needs a jail and seconds: 03's gunicorn-serves starts gunicorn on the
grader's own model with the notebook's gunicorn.conf.py and nothing else of it, so a pair whose
file is byte for byte one a sandbox graded (the solution's, or the one mutant's that rewrites
it) gets that verdict, and a pair that wrote any other file fails this test (gunicorn_verdict);
01's venv-create likewise by the create_venv it calls (test_fair_checks.venv_create_verdict). Where two mistakes meet in one
notebook (one mutant's code calls what the other breaks), the pair's exact verdict is written
out with why (MEET_02, MEET_03, MEET_04). Single mutants, whole notebooks and the sandbox
itself: the topics' tests.
"""

from __future__ import annotations

import copy
import functools
import importlib
import itertools
import json
import logging
import os
import secrets
import tempfile
import time
import types
from pathlib import Path

import pytest
from helpers import SOLUTIONS
from hidden import check_functions
from test_fair_checks import (
    KEY,
    SKIP_01,
    Child,
    Notebook03,
    inputs_03,
    lost_01,
    lost_05,
    namespace_03,
    run_03,
)

from autograder.checking import CheckFailed
from autograder.keys import Inputs
from autograder.mutants import m01_virtualenv as m01
from autograder.mutants import m03_cloud as m03
from autograder.mutants import m04_serving as m04
from autograder.mutants import m05_eda as m05
from autograder.notebook import cell_source, code_cells
from autograder.sandbox import Reply
from autograder.sandboxed.runtime import to_plain

MODES = pytest.mark.parametrize("key", [None, KEY], ids=["practice", "grading"])


def cell_pairs(mutants: dict) -> list[tuple[str, str]]:
    """Every pair of mutants whose replaced cells differ (both fit in one notebook)."""
    return [(a, b) for a, b in itertools.combinations(sorted(mutants), 2)
            if not set(mutants[a][0]) & set(mutants[b][0])]


def union_of_pairs(mutants: dict, pairs: list, grade, keys: list, skip=frozenset(),
                   meet=None) -> dict:
    """{(first, second, mode): (lost, expected)} for every pair whose grading loses other than
    the union of its mutants' checks. `grade(first, second, key)` grades one pair; pair i
    under keys[i % len(keys)] (None: practice mode). `meet`: {frozenset(pair): (checks lost
    besides the union, checks of the union kept)} for mistakes that meet in one notebook."""
    for k in range(len(keys)):  # every mutant is in a pair in each mode: none escapes
        assert {m for pair in pairs[k::len(keys)] for m in pair} == set(mutants), k
    wrong = {}
    for i, (first, second) in enumerate(pairs):
        key = keys[i % len(keys)]
        gained, kept = (meet or {}).get(frozenset((first, second)), (set(), set()))
        expected = (mutants[first][1] | mutants[second][1] | gained) - kept - skip
        got = set(grade(first, second, key)) - skip
        if got != expected:
            wrong[(first, second, "grading" if key else "practice")] = \
                (sorted(got), sorted(expected))
    return wrong


def in_one_notebook(mutants: dict, lost):
    """grade(first, second, key) for mutants that replace cells: both replacements, one
    notebook, graded by `lost(cells, key)`."""
    return lambda first, second, key: lost({**mutants[first][0], **mutants[second][0]}, key)


@pytest.fixture(autouse=True)
def in_tmp(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the notebook's functions write into the working folder


# --- topic 01 -------------------------------------------------------------------------------

@MODES
def test_01_every_pair_of_mutants_loses_the_union(key):
    """38 pairs of the 10 mutants, each both mistakes in one namespace, every check
    (venv-create by the function it calls: test_fair_checks.venv_create_verdict)."""
    mutants = m01.MUTANTS
    assert not SKIP_01
    assert not union_of_pairs(mutants, cell_pairs(mutants), in_one_notebook(mutants, lost_01),
                              [key])


# --- topic 02 -------------------------------------------------------------------------------

def edit_pairs() -> list[tuple[str, str]]:
    """Pairs of split_edits whose anchors are each found once in the solution's app and do not
    overlap: two separate mistakes (an edit whose lines another one rewrote is not)."""
    from autograder.mutants.m02_flask_rest import solution_app, split_edits

    app, edits = solution_app(), split_edits()

    def spans(name):
        olds = [old for old, _ in edits[name][0]]
        if any(app.count(old) != 1 for old in olds):
            return None
        return [(app.index(old), app.index(old) + len(old)) for old in olds]

    pairs = []
    for first, second in itertools.combinations(sorted(edits), 2):
        a, b = spans(first), spans(second)
        if a is not None and b is not None and \
                not any(x0 < y1 and y0 < x1 for x0, x1 in a for y0, y1 in b):
            pairs.append((first, second))
    return pairs


def both_edits(first: str, second: str) -> str:
    from autograder.mutants.m02_flask_rest import edit, solution_app, split_edits

    edits = split_edits()
    return edit(solution_app(), *edits[first][0], *edits[second][0])


# The one pair whose mistakes meet: put-self-conflict's PUT refuses every name already
# taken (its own too), so with no UNIQUE on name a PUT to another menu's name is still 409.
MEET_02 = {frozenset({"duplicates-accepted", "put-self-conflict"}): (set(), {"put-duplicate"})}


def test_02_every_pair_of_separate_edits_loses_the_union(tmp_path):
    """The 144 pairs of separate single-rule edits of app.py (of 153: 9 pairs edit the same
    lines), each graded once: practice mode for the pairs at even positions, a key for the
    odd ones, so that each mode sees every edit (both modes for every pair: 70 CPU-s)."""
    from test_02_fair_inprocess import lost, run_checks

    from autograder.mutants.m02_flask_rest import split_edits

    edits = split_edits()
    pairs = edit_pairs()
    assert len(pairs) >= len(list(itertools.combinations(edits, 2))) - 10

    def grade(first, second, key):
        inputs = Inputs(key, "s1", "02-flask-rest") if key else Inputs()
        return lost(run_checks(both_edits(first, second), tmp_path / f"{first}+{second}",
                               inputs))

    logging.disable(logging.CRITICAL)  # wrong apps' 500s log tracebacks
    try:
        assert not union_of_pairs(edits, pairs, grade, [None, KEY], meet=MEET_02)
    finally:
        logging.disable(logging.NOTSET)


# --- topic 03 -------------------------------------------------------------------------------
# Every check: the pure functions, the chart, sha256_file, S3 and EC2 through moto's in-process
# mock, the credential scan and the signed requests, and the gunicorn settings (the config file
# run as gunicorn runs it); gunicorn-serves by the file it reads (gunicorn_verdict).

SKIP_03 = {"gunicorn-serves"}  # not run here: gunicorn_verdict gives its verdict
# The one pair whose mistakes meet: that mutant's download_model verifies with sha256_file,
# which the other makes an MD5, so the notebook refuses every intact model too (a third
# mistake, of the pair); s3-verify, lost by both, then says it could not test.
MEET_03 = {frozenset({"md5 instead of sha256",
                      "verified, but the corrupted file is left in place"}):
           ({"s3-download"}, set())}


class LocalAws:
    """MotoServer's interface (client, access_key, REGION, recording_size, requests_since)
    over moto's in-process mock: the notebook's boto3 calls go to moto through the default
    session, which logs each request as the grader's proxy does; the grader's own clients
    come from a session of their own and are not logged."""

    REGION = "ap-northeast-2"

    def __init__(self):
        import boto3
        from moto import mock_aws

        self.access_key = "W4" + secrets.token_hex(8).upper()
        self.log: list[dict] = []
        self.env = {"AWS_ACCESS_KEY_ID": self.access_key,
                    "AWS_SECRET_ACCESS_KEY": secrets.token_hex(20),
                    "AWS_DEFAULT_REGION": self.REGION, "AWS_REGION": self.REGION,
                    "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
                    "AWS_EC2_METADATA_DISABLED": "true",
                    # no catalogue of public images: no check reads one, and building it
                    # again for each fresh AWS costs half a second
                    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"}
        self.mock = mock_aws()
        self.boto3 = boto3
        self.grader = None
        self._clients: dict = {}

    def __enter__(self):
        self.saved = {k: os.environ.get(k) for k in [*self.env, "AWS_ENDPOINT_URL"]}
        self.mock.start()  # sets moto's own fake credentials: ours replace them below
        os.environ.pop("AWS_ENDPOINT_URL", None)  # moto's mock answers AWS's own addresses
        os.environ.update(self.env)
        self.boto3.setup_default_session()  # the notebook's: reads the variables above
        self.boto3.DEFAULT_SESSION.events.register("before-send", self._record)
        self.grader = self.boto3.session.Session()
        return self

    def __exit__(self, *exc):
        self.mock.stop()
        self.boto3.DEFAULT_SESSION = None
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def fresh(self) -> None:
        """An AWS with nothing in it, as each grading's own moto server starts."""
        self.mock.reset()
        self.log.clear()

    def _record(self, request, **kwargs):
        self.log.append({"method": request.method, "url": request.url,
                         "headers": {k: (v.decode() if isinstance(v, bytes) else v)
                                     for k, v in request.headers.items()}})

    def client(self, service: str):
        if service not in self._clients:
            self._clients[service] = self.grader.client(
                service, region_name=self.REGION, aws_access_key_id="week4-grader",
                aws_secret_access_key="week4-grader")
        return self._clients[service]

    def recording_size(self) -> int:
        return len(self.log)

    def requests_since(self, offset: int) -> list[dict]:
        return [dict(entry) for entry in self.log[offset:]]


@pytest.fixture(scope="module")
def aws():
    with LocalAws() as local:
        yield local


class Notebook03Files(Notebook03):
    """Notebook03 with the files and cells the S3 and credential checks read."""

    def __init__(self, ns, inputs, cells):
        super().__init__(ns, inputs)
        self.sandbox = types.SimpleNamespace(cells=cells)

    def read_file(self, path, limit: int = 64 << 20):
        path = Path(path)
        return path.read_bytes()[:limit] if path.is_file() and not path.is_symlink() else None


def sandbox_cells(topic: str, replacements: dict[str, str]) -> list:
    """The cells a sandbox would load from the solution with these cells replaced."""
    nb = json.loads((SOLUTIONS / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in replacements:
            cell["source"] = replacements[grade_id]
    return code_cells(nb)


def lost_03(replacements: dict[str, str], key: bytes | None, aws, only=None) -> dict[str, str]:
    """{check id: message} of the checks that fail (all, or those in `only`), on a fresh AWS
    and working folder."""
    aws.fresh()
    folder = Path(tempfile.mkdtemp(dir=Path.cwd()))
    os.chdir(folder)  # the notebook's working folder: gunicorn.conf.py, uploads, downloads
    try:
        nb = Notebook03Files(namespace_03(replacements), inputs_03(key),
                             sandbox_cells("03-cloud", replacements))
        ids = {f.check_info.id for f in check_functions("03-cloud")} if only is None else only
        lost = run_03(nb, ids - SKIP_03, aws)
        if SKIP_03 & ids:
            lost.update(gunicorn_verdict(Path("gunicorn.conf.py")))
        return lost
    finally:
        os.chdir(folder.parent)


@functools.cache
def known_configs() -> dict[bytes, dict[str, str]]:
    """{gunicorn.conf.py as written: gunicorn-serves' verdict} for the files whose verdict a
    sandbox proved: the solution's (test_03_cloud grades it full marks) and each mutant's that
    rewrites the file (graded by test_03_cloud too, losing what MUTANTS says)."""
    nb = json.loads((SOLUTIONS / "03-cloud" / "03-cloud.ipynb").read_text(encoding="utf-8"))
    known = {cell.source.encode("utf-8"): {} for cell in code_cells(nb)
             if cell.kind == "writefile" and Path(cell.target).name == "gunicorn.conf.py"}
    assert len(known) == 1, "the solution writes gunicorn.conf.py once"
    for name, (cells, loses) in m03.MUTANTS.items():
        for source in cells.values():
            first, _, body = source.partition("\n")
            if first.startswith("%%writefile") and first.split()[-1] == "gunicorn.conf.py":
                known[body.encode("utf-8")] = \
                    {"gunicorn-serves": f"as {name!r} alone"} if "gunicorn-serves" in loses else {}
    return known


def gunicorn_verdict(config: Path) -> dict[str, str]:
    """gunicorn-serves' verdict for a notebook that wrote `config`: the check reads nothing of
    the notebook but that file, so a file a sandbox has judged gets that verdict (two mutants
    never both rewrite it: they would replace the same cell). Any other file cannot be judged
    here (gunicorn in a jail), and the test stops."""
    written = config.read_bytes() if config.is_file() else None
    known = known_configs()
    assert written in known, "this pair writes a gunicorn.conf.py no sandbox has graded"
    return known[written]


@MODES
def test_03_solution_in_process(key, aws):
    """The harness itself: the solution loses nothing (moto in this process stands in for the
    grader's server and its proxy's log of signed requests)."""
    assert lost_03({}, key, aws) == {}


def test_03_every_pair_of_mutants_loses_the_union(aws):
    """96 pairs of the 15 mutants (9 pairs replace the same cell), every check (gunicorn-serves
    by the file it reads); one pair's mistakes meet (MEET_03). Practice mode
    for the pairs at even positions, a key for the odd ones (each mode sees every mutant)."""
    mutants = m03.MUTANTS
    grade = in_one_notebook(mutants, lambda cells, k: lost_03(cells, k, aws))
    assert not union_of_pairs(mutants, cell_pairs(mutants), grade, [None, KEY], meet=MEET_03)


# --- topic 04 -------------------------------------------------------------------------------
# The Lab of autograder/checks/test_04_serving.py on our own cells, in this process: the
# serving helpers run here on a Child of the namespace (the app made and served as in the
# sandbox; the checks' requests go to its WSGI callable: Lab.http), the clean child's helpers
# (audit, reference, make_untrusted) run here too, and native code uses one thread, as in the
# sandbox (OMP_NUM_THREADS=1).
#
# What train() makes depends on the cells it reads (the import cell and its own; to_frame's
# too, which the leaky mutant changes with it) and on the rows: each fit is made once per
# those sources and rows, and each grading gets its own deep copy of the pipeline. The
# grader's reference answers (grading mode) depend only on the key: computed once too.
#
# Every check runs on every pair, api-matches-pipeline and batch-order too: the 324 single
# POST /predict of the skew set are most of a pair's time (3.5 CPU-s a grading).

CELLS_04 = ["train", "to_frame", "save_model", "load_model", "schemas", "create_app"]
SKIP_04: frozenset = frozenset()  # checks left out of lost_04 (test_fair_checks_04 sets it)
# The one pair whose mistakes meet: the leaky pipeline wants `body`, so the notebook's own
# try-it cells fail and save no model/, and the cell that loads model/ at import then raises
# before it defines create_app: nothing is served (as a whole-notebook grading finds, notes
# and all). Every check of the HTTP API is lost with it.
SERVED_04 = {"http-health", "http-model", "http-predict", "api-matches-pipeline",
             "invalid-missing", "invalid-values", "invalid-extra", "invalid-body",
             "invalid-nonfinite", "batch-order", "batch-limit", "batch-invalid"}
MEET_04 = {frozenset({"leaky-features", "model-at-import"}): (SERVED_04, set())}


def namespace_04(replacements: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The notebook run here as the sandbox runs it, every cell in order (model-at-import loads
    the model that a try-it cell saved), a cell that raises skipped; and the function cells'
    sources."""
    ns: dict = {"__name__": "__main__"}
    for cell in sandbox_cells("04-serving", replacements):
        if cell.kind == "writefile":
            Path(cell.target).write_text(cell.source, encoding="utf-8")
            continue
        try:
            # dont_inherit: not this module's `from __future__ import annotations` (pydantic)
            code = compile(cell.source, f"cell {cell.index}", "exec", dont_inherit=True)
            exec(code, ns)  # noqa: S102 (our cells)
        except Exception:  # noqa: BLE001, S112 (the sandbox goes on to the next cell)
            continue
    nb = json.loads((SOLUTIONS / "04-serving" / "04-serving.ipynb").read_text(encoding="utf-8"))
    sources = {}
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in ("imports", *CELLS_04):
            sources[grade_id] = replacements.get(grade_id, cell_source(cell))
    return ns, sources


_made: dict = {}  # (helper, sources train() reaches, arguments) -> what it made


class Notebook04:
    """Submission's interface as the Lab uses it: inputs, workdir, deadline, helper, sandbox."""

    def __init__(self, ns, sources, inputs, workdir: Path):
        self.child = Child(ns)
        self.trains = tuple(sources[c] for c in ("imports", "train", "to_frame"))
        self.inputs = inputs
        self.workdir = workdir
        self.deadline = time.monotonic() + 600
        self.sandbox = types.SimpleNamespace(proc=None)
        self.hung: set = set()

    def helper(self, path, *args, shown="", timeout=None, **kwargs):
        module, function = path.split(":")
        serving = importlib.import_module(module)
        key = (function, self.trains, json.dumps(args))
        if function in ("fit", "fit_more") and key in _made:
            value, pipeline = _made[key]
            if pipeline is not None:
                serving._state["pipeline"] = copy.deepcopy(pipeline)
            return value
        try:
            value = to_plain(getattr(serving, function)(self.child, *args, **kwargs))
        except Exception as exc:  # noqa: BLE001 (the reply a sandbox would give)
            reply = Reply("error", error={"type": type(exc).__name__, "message": str(exc)})
            raise CheckFailed(f"{shown or path} {reply.explain()}") from None
        if function in ("fit", "fit_more"):
            pipeline = serving._state["pipeline"] if function == "fit" else None
            _made[key] = (value, copy.deepcopy(pipeline))
        return value


class CleanChild:
    """The clean sandbox's interface (scratch, helper, close), its helpers called here."""

    def __init__(self, scratch: Path):
        self.scratch = scratch

    def helper(self, path, *args, timeout=None):
        module, function = path.split(":")
        key = ("clean", function, json.dumps(args))
        if key in _made:
            return _made[key]
        try:
            reply = Reply("ok", to_plain(getattr(importlib.import_module(module), function)(
                None, *args)))
        except Exception as exc:  # noqa: BLE001
            return Reply("error", error={"type": type(exc).__name__, "message": str(exc)})
        if function == "reference":  # the grader's own pipeline: depends on the key alone
            _made[key] = reply
        return reply

    def close(self):
        pass


def lost_04(replacements: dict[str, str], key: bytes | None = None) -> dict[str, str]:
    from threadpoolctl import threadpool_limits
    from werkzeug.test import Client

    from autograder.checks import test_04_serving as checks

    class Lab(checks.Lab):
        def _start_clean(self):
            if self._clean is None:
                self._clean = CleanChild(Path(tempfile.mkdtemp(dir=self.nb.workdir)))
                (self._clean.scratch / "io").mkdir()

        def http(self, method, path, payload=None, raw=None, timeout=checks.HTTP_TIMEOUT):
            """The request the grader's client sends, handed to the served app's WSGI callable
            (werkzeug's test client) instead of through a socket: the same app, bytes and
            headers, without three thread wake-ups per request, which on a busy machine made
            the skew set's 324 requests take minutes. Sockets and time limits: the
            whole-notebook tests."""
            self.ready("serve")
            body = raw if raw is not None else (None if payload is None else
                                                json.dumps(payload).encode("utf-8"))
            headers = {"Content-Type": "application/json"} if body is not None else {}
            app = importlib.import_module("autograder.sandboxed.serving")._state["server"].app
            resp = Client(app).open(path, method=method, data=body, headers=headers)
            data = resp.get_data()
            resp.close()
            return checks.Response(resp.status_code, data, resp.headers.get("Content-Type", ""))

    folder = Path(tempfile.mkdtemp(dir=Path.cwd()))
    os.chdir(folder)
    lost: dict = {}
    lab = None
    logging.disable(logging.CRITICAL)  # wrong apps' 500s log tracebacks
    try:
        with threadpool_limits(1):
            ns, sources = namespace_04(replacements)
            lab = Lab(Notebook04(ns, sources, Inputs(key, "s1", "04-serving") if key else
                                 Inputs(), folder))
            for func in check_functions("04-serving"):
                if func.check_info.id not in SKIP_04:
                    try:
                        func(lab)
                    except CheckFailed as exc:
                        lost[func.check_info.id] = str(exc)
    finally:
        logging.disable(logging.NOTSET)
        if lab is not None:
            lab.close()
        server = importlib.import_module("autograder.sandboxed.serving")._state.pop("server", None)
        if server is not None:
            server.shutdown()
        os.chdir(folder.parent)
    return lost


def test_04_every_pair_of_mutants_loses_the_union():
    """32 pairs of the 10 mutants (13 pairs replace the same cell), every check: practice
    mode for the pairs at even positions, a key for the odd ones (each mode sees
    every mutant)."""
    assert SERVED_04 <= {f.check_info.id for f in check_functions("04-serving")}
    assert lost_04({}) == {}
    assert lost_04({}, KEY) == {}
    mutants = m04.MUTANTS
    assert not union_of_pairs(mutants, cell_pairs(mutants), in_one_notebook(mutants, lost_04),
                              [None, KEY], SKIP_04, MEET_04)


# --- topic 05 -------------------------------------------------------------------------------

def test_05_every_pair_of_mutants_loses_the_union():
    """140 pairs of the 18 mutants (13 pairs replace the same cell), every check: practice
    mode for the pairs at even positions, a key for the odd ones (each mode sees every
    mutant)."""
    mutants = m05.MUTANTS
    assert not union_of_pairs(mutants, cell_pairs(mutants), in_one_notebook(mutants, lost_05),
                              [None, KEY])
