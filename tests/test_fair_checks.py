"""Fair checks in topics 01, 03 and 05 (issue 13, items 7 and 8), in this process.

- Real-world shapes (autograder/mutants/m0N_*.py, FAIR): a submission whose every function
  raises ValueError, the identity `return df`, seaborn's hue= bars beside their ticks, legend
  handles that are rectangles nobody sees. Each loses exactly the checks listed, in practice
  mode and under a key; error-path checks are not earned by refusing everything.
- Topic 03's chart (m03_cloud.FAIR_PLOTS): plot_scaling drawn with seaborn's hue=, steps,
  stairs, bars, fill_between, pandas, a figure legend; and wrong ones (a hidden or
  transparent line with the right data, a hidden legend): read as a person sees them.
- Pairs of single-rule mutants, every topic: tests/test_mutant_pairs.py, and each check
  alone: tests/test_fair_checks_alone.py, both with the harnesses of this module (lost_01,
  lost_05, namespace_03, Notebook03, run_03).

The notebook's functions are our own cells (solution, mutants, catalogue), defined here; the
checks run on them through the interface a sandboxed submission offers (`run`, `call`,
`failure`, and for 03 and 05 the sandboxed helpers called in this process), so that hundreds of
gradings cost seconds. Whole-notebook gradings of the same catalogues: the topics' tests.
"""

from __future__ import annotations

import importlib
import json
import time
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

from helpers import SOLUTIONS, load_solution  # noqa: E402
from hidden import (  # noqa: E402
    InProcessNotebook,
    check_functions,
    pure_functions_03,
    random_keys,
    run_pure_03,
)

from autograder.checking import CheckFailed  # noqa: E402
from autograder.keys import Inputs  # noqa: E402
from autograder.mutants import m01_virtualenv as m01  # noqa: E402
from autograder.mutants import m03_cloud as m03  # noqa: E402
from autograder.mutants import m05_eda as m05  # noqa: E402
from autograder.notebook import cell_source  # noqa: E402
from autograder.sandbox import Reply  # noqa: E402
from autograder.sandboxed.runtime import to_plain  # noqa: E402

KEY = random_keys(1, salt="fair-checks")[0]  # repeatable: WEEK4_TEST_KEYS explores others
SKIP_01: frozenset = frozenset()  # checks lost_01 leaves out: none (venv-create: below)
FUNCTIONS_01 = ["in_virtualenv", "parse_freeze", "unsatisfied", "create_venv",
                "activation_command"]


def namespace(topic: str, replacements: dict[str, str], wanted: list[str]) -> dict:
    """The solution's import cell and function cells (replaced where asked), run here."""
    nb = json.loads((SOLUTIONS / topic / f"{topic}.ipynb").read_text(encoding="utf-8"))
    ns: dict = {}
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell["cell_type"] == "code" and (grade_id == "imports" or grade_id in wanted):
            source = replacements.get(grade_id, cell_source(cell))
            exec(compile(source, f"cell-{grade_id}", "exec", dont_inherit=True), ns)  # noqa: S102
    return ns


def points(topic: str) -> dict[str, int]:
    return {f.check_info.id: f.check_info.points for f in check_functions(topic)}


class Child:
    """The sandbox child's interface to the notebook (function, namespace) for helpers."""

    def __init__(self, ns: dict):
        self.ns = ns
        self.namespace = ns

    def function(self, name):
        if not callable(self.ns.get(name)):
            raise LookupError(f"no function named {name!r} is defined in the notebook")
        return self.ns[name]


# --- topic 01 -------------------------------------------------------------------------------

class Notebook01(InProcessNotebook):
    def call(self, name, *args, shown="", timeout=None, **kwargs):
        reply = self.run(name, *args, **kwargs)
        if not reply.ok:
            raise CheckFailed(self.failure(name, reply, shown))
        return reply.value


# venv-create makes a real environment and runs its interpreter in a jail: a sandbox's work,
# seconds a run. It calls create_venv and nothing else of the notebook, so it is judged by what
# create_venv is: a notebook whose create_venv cell is the solution's, or the one mutant's that
# rewrites it, and whose names that function reads (venv, sys, Path) are bound as in the
# solution, gets the verdict a sandbox gave that cell (test_01_virtualenv grades the solution
# and every mutant whole). Anything else cannot be judged here, and the test stops.
BY_SOURCE_01 = {"venv-create"}


def _same(a, b) -> bool:
    code_a, code_b = getattr(a, "__code__", None), getattr(b, "__code__", None)
    if code_a is not None and code_b is not None:
        return (code_a.co_code, code_a.co_consts, code_a.co_names) == \
            (code_b.co_code, code_b.co_consts, code_b.co_names)
    return a is b


def venv_create_verdict(replacements: dict[str, str], ns: dict) -> dict[str, str]:
    solution_ns = namespace("01-virtualenv", {}, FUNCTIONS_01)
    known = {cell_source(c): {} for c in load_solution("01-virtualenv")["cells"]
             if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "create_venv"}
    for name, (cells, loses) in m01.MUTANTS.items():
        if "create_venv" in cells:
            known[cells["create_venv"]] = \
                {"venv-create": f"as {name!r} alone"} if "venv-create" in loses else {}
    source = replacements.get("create_venv", next(iter(known)))
    assert source in known, "create_venv is none a sandbox graded: grade it in a sandbox"
    func, reference = ns.get("create_venv"), solution_ns["create_venv"]
    if source != next(iter(known)):  # the mutant's own function: compare what it reads
        reference_ns = namespace("01-virtualenv", {"create_venv": source}, FUNCTIONS_01)
        reference = reference_ns["create_venv"]
        solution_ns = reference_ns
    assert func is not None and _same(func, reference), \
        "create_venv differs from the cell graded in a sandbox"
    for name in func.__code__.co_names:
        if name in solution_ns or name in ns:
            assert _same(ns.get(name), solution_ns.get(name)), \
                f"create_venv reads {name}, which this notebook binds differently"
    return known[source]


def lost_01(replacements: dict[str, str], key: bytes | None, only=None) -> dict[str, str]:
    """{check id: message} of the checks that fail (all but SKIP_01, or those in `only`);
    venv-create by the function it calls (venv_create_verdict)."""
    ns = namespace("01-virtualenv", replacements, FUNCTIONS_01)
    nb = Notebook01({n: ns[n] for n in FUNCTIONS_01 if n in ns},
                    Inputs(key, "s1", "01-virtualenv") if key else Inputs())
    lost = {}
    for func in check_functions("01-virtualenv"):
        check_id = func.check_info.id
        if check_id in SKIP_01 or only is not None and check_id not in only:
            continue
        if check_id in BY_SOURCE_01:
            lost.update(venv_create_verdict(replacements, ns))
            continue
        try:
            func(nb)
        except CheckFailed as exc:
            lost[check_id] = str(exc)
    return lost


def test_01_venv_create_is_judged_only_where_a_sandbox_judged_the_same_function():
    """Control cases of venv_create_verdict: a create_venv no sandbox graded, and a later cell
    that rebinds a name create_venv reads (`sys`), are refused rather than guessed."""
    later = next(cell_source(c) for c in load_solution("01-virtualenv")["cells"]
                 if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") ==
                 "activation_command")
    for replacements in ({"create_venv": "def create_venv(path):\n    return str(path)\n"},
                         {"activation_command": later + "\nsys = None\n"}):
        with pytest.raises(AssertionError):
            lost_01(replacements, None, {"venv-create"})
    assert lost_01({}, None, {"venv-create"}) == {}


@pytest.mark.parametrize("key", [None, KEY], ids=["practice", "grading"])
def test_01_solution_in_process(key):
    assert lost_01({}, key) == {}


@pytest.mark.parametrize("key", [None, KEY], ids=["practice", "grading"])
@pytest.mark.parametrize("name", list(m01.FAIR))
def test_01_real_world_shapes(name, key):
    replacements, expected = m01.FAIR[name]
    lost = lost_01(replacements, key)
    assert set(lost) == expected - SKIP_01, lost
    total = sum(p for c, p in points("01-virtualenv").items() if c not in SKIP_01)
    earned = total - sum(points("01-virtualenv")[c] for c in lost)
    assert earned == total - sum(points("01-virtualenv")[c] for c in expected - SKIP_01)
    if "activate-unknown" in lost and "activate-posix" in lost and "activate-windows" in lost:
        assert lost["activate-unknown"].startswith("could not test this rule because"), lost


def test_01_raise_everything_earns_nothing():
    """The exact score: 0 of the 13 points its functions can lose (create_venv is the
    solution's: venv-create keeps its 2 of the 15), in both modes."""
    replacements, _ = m01.FAIR["every function raises ValueError"]
    for key in (None, KEY):
        lost = lost_01(replacements, key)
        assert sum(points("01-virtualenv")[c] for c in lost) == \
            sum(p for c, p in points("01-virtualenv").items() if c != "venv-create") == 13


# --- topic 03 -------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, KEY], ids=["practice", "grading"])
@pytest.mark.parametrize("name", list(m03.FAIR))
def test_03_real_world_shapes(name, key):
    replacements, expected = m03.FAIR[name]
    lost = run_pure_03(pure_functions_03(replacements), key)
    assert set(lost) == expected, lost
    assert lost["service-model-invalid"].startswith("could not test this rule because"), lost


def test_03_gate_passes_one_right_model():
    """The control asks for one real model classified right: a mistake about the others is
    service-model's rule, and service-model-invalid is still judged (and earned)."""
    replacements, expected = m03.MUTANTS["service model by counting the customer's layers"]
    for key in (None, KEY):
        assert set(run_pure_03(pure_functions_03(replacements), key)) == expected


# Topic 03's charts: plot_scaling drawn the ways real submissions draw it, read by the sandboxed
# helper (autograder/sandboxed/cloud.py:figure_data) called in this process on our own cells.

PLOT_CHECKS = {"plot-lines", "plot-labels"}
CELLS_03 = ["service_model", "deployment_model", "instances_needed", "scaling_costs",
            "plot_scaling", "sha256_file", "s3_functions", "ec2_functions", "gunicorn_conf"]


def namespace_03(replacements: dict[str, str], wanted=CELLS_03) -> dict:
    """The solution's import cell and the `wanted` cells (replaced where asked), run here; a
    %%writefile cell writes its file into the working folder, as in the notebook."""
    nb = json.loads((SOLUTIONS / "03-cloud" / "03-cloud.ipynb").read_text(encoding="utf-8"))
    ns: dict = {}
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if cell["cell_type"] != "code" or not (grade_id == "imports" or grade_id in wanted):
            continue
        source = replacements.get(grade_id, cell_source(cell))
        if source.startswith("%%writefile"):
            first, _, body = source.partition("\n")
            Path(first.split(maxsplit=1)[1]).write_text(body, encoding="utf-8")
            continue
        source = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
        exec(compile(source, f"cell-{grade_id}", "exec", dont_inherit=True), ns)  # noqa: S102
    return ns


class Notebook03(InProcessNotebook):
    """Submission's interface for topic 03 over our own cells: `run` calls a function, `helper`
    a sandboxed helper (on a Child of the same namespace), whose value is turned into plain
    data as the sandbox child does."""

    def __init__(self, ns: dict, inputs, workdir: Path | None = None):
        super().__init__(ns, inputs)
        self.child = Child(ns)
        self.workdir = Path(workdir or Path.cwd())
        self.deadline = time.monotonic() + 600

    def helper(self, path, *args, shown="", timeout=None, **kwargs):
        module, function = path.split(":")
        try:
            return to_plain(getattr(importlib.import_module(module), function)(
                self.child, *args, **kwargs))
        except Exception as exc:  # noqa: BLE001 (the reply a sandbox would give)
            reply = Reply("error", error={"type": type(exc).__name__, "message": str(exc)})
            raise CheckFailed(self.failure(shown or path, reply, shown)) from None


def run_03(nb, only, *args) -> dict[str, str]:
    """{check id: message} of the topic-03 checks in `only` that fail on `nb` (one grading:
    the checks' shared results are cleared before and after); `args` after `nb`."""
    import autograder.checks.test_03_cloud as checks

    checks._cache.clear()
    lost = {}
    try:
        for func in check_functions("03-cloud"):
            if func.check_info.id in only:
                try:
                    func(nb, *args[:func.__code__.co_argcount - 1])
                except CheckFailed as exc:
                    lost[func.check_info.id] = str(exc)
    finally:
        checks._cache.clear()
    return lost


def inputs_03(key: bytes | None):
    return Inputs(key, "s1", "03-cloud") if key else Inputs()


def lost_03_plot(replacements: dict[str, str], key: bytes | None) -> dict[str, str]:
    ns = namespace_03(replacements, ["plot_scaling"])
    return run_03(Notebook03(ns, inputs_03(key)), PLOT_CHECKS)


@pytest.mark.parametrize("key", [None, KEY], ids=["practice", "grading"])
def test_03_solution_chart_in_process(key):
    assert lost_03_plot({}, key) == {}
    replacements, expected = m03.MUTANTS["a plot without title, labels or legend"]
    assert set(lost_03_plot(replacements, key)) == expected


@pytest.mark.parametrize("key", [None, KEY], ids=["practice", "grading"])
@pytest.mark.parametrize("name", list(m03.FAIR_PLOTS))
def test_03_charts_drawn_other_ways(name, key):
    """A chart is judged by what a person sees: the capacity as steps, stairs, bars, an area
    or seaborn's hue= lines earns plot-lines; a hidden or transparent line earns nothing,
    whatever its data; a legend counts only if it is shown, and only entries whose handle
    is shown (seaborn's sub-titles name no line). Exact points: 1 per plot check kept."""
    replacements, expected = m03.FAIR_PLOTS[name]
    lost = lost_03_plot(replacements, key)
    assert set(lost) == expected, lost
    assert 2 - sum(points("03-cloud")[c] for c in lost) == 2 - len(expected)


def figure_of(name: str) -> dict:
    """figure_data of a FAIR_PLOTS chart on practice mode's day (load, instances, capacity)."""
    from autograder.checks.test_03_cloud import PLOT_CAPACITY, PLOT_INSTANCES, PLOT_LOAD
    from autograder.sandboxed.cloud import figure_data

    ns = namespace_03(m03.FAIR_PLOTS[name][0], ["plot_scaling"])
    return to_plain(figure_data(Child(ns), "plot_scaling", PLOT_LOAD, PLOT_INSTANCES,
                                PLOT_CAPACITY))


def test_03_figure_read_as_a_person_sees_it():
    """The exact series the helper reads from charts drawn other ways: bars (seaborn's dodged
    hue= bars at the hour of their tick), an area's two edges, stairs, seaborn's lines without
    its empty legend lines, and nothing of a hidden or transparent line."""
    from autograder.checks.test_03_cloud import PLOT_CAPACITY, PLOT_INSTANCES, PLOT_LOAD

    hours = [float(h) for h in range(len(PLOT_LOAD))]
    load = [float(v) for v in PLOT_LOAD]
    capacity = [float(n * PLOT_CAPACITY) for n in PLOT_INSTANCES]

    def series(data):
        return [(s["kind"], s["x"], s["y"]) for s in data["axes"][0]["lines"]]

    got = figure_of("seaborn barplot with hue=series (dodged bars)")
    assert series(got) == [("bars", hours, load), ("bars", hours, capacity)]
    assert got["axes"][0]["legend"] == ["load", "capacity"]
    got = figure_of("seaborn lineplot with hue=series")
    assert series(got) == [("line", hours, load), ("line", hours, capacity)]
    assert [s["drawstyle"] for s in got["axes"][0]["lines"]] == ["steps-post"] * 2
    got = figure_of("seaborn lineplot with hue and style (legend sub-titles)")
    assert got["axes"][0]["legend"] == ["load", "capacity", "hourly"]
    got = figure_of("capacity as a filled area (fill_between, step='post')")
    assert series(got) == [("line", hours, load), ("area", hours, capacity),
                           ("area", hours, [0.0] * len(hours))]
    got = figure_of("capacity as ax.stairs, load as a scatter")
    assert series(got) == [("points", hours, load)]
    assert got["axes"][0]["stairs"] == [{"label": "capacity", "values": capacity,
                                         "edges": hours + [float(len(hours))]}]
    got = figure_of("capacity as bars behind the load")
    assert series(got) == [("line", hours, load), ("bars", hours, capacity)]
    for name in ("the right capacity on a hidden line, instances shown instead",
                 "capacity drawn with alpha=0"):
        got = figure_of(name)
        assert capacity not in [s["y"] for s in got["axes"][0]["lines"]], name
    assert figure_of("capacity drawn with alpha=0")["axes"][0]["legend"] == ["load"]
    assert figure_of("a legend made and hidden")["axes"][0]["legend"] == []
    assert figure_of("a legend with a heading whose handle is invisible")["axes"][0][
        "legend"] == ["load", "capacity"]
    got = figure_of("pandas DataFrame.plot, a figure legend and a title on the left")
    assert got["axes"][0]["legend"] == ["load", "capacity"]
    assert got["axes"][0]["title"] == "Auto-scaling"


# --- topic 05 -------------------------------------------------------------------------------

FUNCTIONS_05 = list(m05.FUNCTIONS)


class Sandbox05:
    """The sandbox's `helper`, called in this process on our own cells."""

    def __init__(self, ns: dict):
        self.child = Child(ns)

    def helper(self, path: str, *args, timeout=None):
        module, function = path.split(":")
        try:
            return Reply("ok", getattr(importlib.import_module(module), function)(
                self.child, *args))
        except Exception as exc:  # noqa: BLE001 (the reply a sandbox would give)
            return Reply("error", error={"type": type(exc).__name__, "message": str(exc)})


class Notebook05:
    def __init__(self, ns: dict, inputs):
        self.sandbox = Sandbox05(ns)
        self.inputs = inputs
        self.hung: set = set()
        self.deadline = time.monotonic() + 600

    def failure(self, name, reply, shown=""):
        return f"{shown or name} {reply.explain()}"


def lost_05(replacements: dict[str, str], key: bytes | None, only=None) -> dict[str, str]:
    """{check id: message} of the checks that fail (all, or those in `only`)."""
    ns = namespace("05-eda", replacements, FUNCTIONS_05)
    nb = Notebook05(ns, Inputs(key, "s1", "05-eda") if key else Inputs())
    lost = {}
    for func in check_functions("05-eda"):
        if only is not None and func.check_info.id not in only:
            continue
        try:
            func(nb)
        except CheckFailed as exc:
            lost[func.check_info.id] = str(exc)
    return lost


@pytest.fixture(autouse=True)
def in_tmp(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # load_data's variants are written to the working folder


@pytest.mark.parametrize("key", [None, KEY], ids=["practice", "grading"])
def test_05_solution_in_process(key):
    assert lost_05({}, key) == {}


@pytest.mark.parametrize("key", [None, KEY], ids=["practice", "grading"])
@pytest.mark.parametrize("name", list(m05.FAIR))
def test_05_real_world_shapes(name, key):
    replacements, expected = m05.FAIR[name]
    expected = set(points("05-eda")) if expected is None else expected
    lost = lost_05(replacements, key)
    assert set(lost) == expected, lost
    earned = sum(p for c, p in points("05-eda").items() if c not in lost)
    assert earned == sum(p for c, p in points("05-eda").items() if c not in expected)
    if "impute-copy" in expected and "impute-copy" in lost and name != \
            "every function raises ValueError":
        assert "could not test this rule because" in lost["impute-copy"], lost


def test_05_bars_read_as_a_person_sees_them():
    """The helper's reading of seaborn's hue= chart: three visible bars, each labelled by the
    tick inside its span, and none of seaborn's zero-size legend handles."""
    from autograder.sandboxed.eda import run_figure

    ns = namespace("05-eda", m05.FAIR["seaborn barplot with hue=column"][0], FUNCTIONS_05)
    got = run_figure(ns["plot_survival_rate"], "plot_survival_rate", None, "sex")
    assert [b["label"] for b in got["bars"]] == ["female", "male"], got["bars"]
    assert all(b["width"] > 0 and b["height"] > 0 for b in got["bars"])
    got = run_figure(ns["plot_survival_rate"], "plot_survival_rate", None, "pclass")
    assert [b["label"] for b in got["bars"]] == ["1", "2", "3"], got["bars"]


# --- messages (item 9) ------------------------------------------------------------------------

def test_errors_name_the_function_and_the_cell_not_a_cell_number(tmp_path):
    """JupyterLab shows no cell numbers (and they would count markdown cells): an error names
    the function and its line counted from the def line; a cell that raised while loading is
    named by what it defines or how it starts; a note is one line, long messages cut short."""
    from autograder.notebook import Cell
    from autograder.sandbox import Sandbox
    from autograder.submission import load_note

    cells = [Cell(2, "code", "import math\n\n\ndef f(x):\n    y = x + 1\n    return 1 / 0\n"),
             Cell(4, "code", "x = 1\nraise ValueError('first line\\nsecond line ' + '9' * 400)"),
             Cell(6, "code", "def g():\n    pass\n\nraise KeyError('k')\n")]
    with Sandbox(cells, tmp_path) as box:
        load = box.start()
        reply = box.call("f", 1)
    assert reply.error["where"] == "line 3 of f()", reply.error
    assert "ZeroDivisionError at line 3 of f()" in reply.explain()
    notes = [load_note(e) for e in load.value["errors"]]
    assert notes[0].startswith("the cell that starts 'x = 1' raised ValueError at line 2: "
                               "first line second line 999"), notes
    assert "\n" not in notes[0] and len(notes[0]) <= 300 and notes[0].endswith("...")
    assert notes[1].startswith("the cell that defines g raised KeyError at line 4"), notes
    assert not any("cell 4" in n or "cell 6" in n for n in notes)


# --- each check alone gives the verdict of the full run ------------------------------------------
# For the solution, every mutant and this catalogue, every check: tests/test_fair_checks_alone.py.
