"""How the suite is shared out between pytest-xdist workers (`make test` runs two).

`make test` runs `pytest -n 2 --dist loadfile --no-loadscope-reorder`:

- `loadfile` keeps each test module on one worker, so a module's shared fixtures (a graded
  class, a built site, a running browser) are built once, not once per worker. (xdist's finer
  `loadgroup` cannot be used: with pytest 9 it no longer keeps a group together.)
- Modules are queued heaviest first (longest-processing-time first, below), so the long ones
  start at once and the short ones fill the gaps at the end instead of waiting behind them;
  `--no-loadscope-reorder` keeps that order.

Tests must not share anything but read-only repository files: write under `tmp_path` /
`tmp_path_factory`, serve on port 0 or a free port, and wait for a readiness condition (a
file, an HTTP answer, a DOM state), never for time to pass.

Without xdist (`pytest tests/test_x.py`) only the order of the modules changes.
"""

from __future__ import annotations

import os

import pytest

# The tests grade in English (the source language of every message) unless a test asks for
# Korean: a check's message is written in the language of the process that runs the checks
# (week4.i18n.current). `week4` commands run by tests/helpers.py choose their own.
os.environ["WEEK4_LANG"] = "en"

# The modules that grade several notebooks at once (test_02_flask_rest, test_03_cloud,
# test_04_serving_grading) take their number from here. Under xdist two such modules can run
# side by side, so each grades two at a time: four graders on two cores, as in a serial run,
# keeps every grader within its own time limits.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("WEEK4_TEST_PARALLEL", "2")

# Seconds each module takes on its own on a quiet 2-core machine (measured; rough is enough:
# only the order matters). Modules not listed are short and go last, in their usual order.
MODULE_SECONDS = {
    "test_grade.py": 130,
    "test_hidden_inputs.py": 150,     # lookups and mutants in grading mode, every topic
    "test_02_fair_inprocess.py": 100,  # the catalogue, pairs and check-alone runs of 02
    "test_mutant_pairs.py": 300,      # every pair of mutants, every topic, every check
    "test_hidden_solutions.py": 200,  # 02-04 solutions under 30 keys: 410 s at load 7-10
    "test_hidden_outputs.py": 100,    # two gradings per topic: 195 s at load 10
    "test_03_cloud.py": 170,
    "test_nbgrader_flow.py": 100,
    "test_04_serving_grading.py": 120,
    "test_05_eda.py": 100,
    "test_fair_checks_04.py": 200,  # each 04 check alone: 240 gradings, the skew set in 36
    "test_02_flask_rest.py": 80,
    "test_site_browser.py": 60,
    "test_writeback.py": 60,
    "test_fair_checks.py": 40,
    "test_fair_checks_alone.py": 60,  # each check alone, 01/03/05: solution, mutants, catalogue
    "test_report_browser.py": 50,
    "test_instructor_flow.py": 50,
    "test_03_cloud_demos.py": 50,
    "test_04_serving_app.py": 45,
    "test_docs_ko.py": 40,
    "test_demos_01.py": 40,
    "test_docs.py": 35,
    "test_05_eda_docs.py": 30,
    "test_docs_exercises.py": 30,
    "test_01_virtualenv.py": 30,
    "test_release.py": 25,
    "test_cli.py": 20,
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # stable: each module's tests keep their order and stay together
    items.sort(key=lambda item: -MODULE_SECONDS.get(item.path.name, 0))
