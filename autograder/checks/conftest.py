"""Fixtures for the checks.

Under `week4 check` the grading plugin provides the submission. The checks also run as a
plain pytest suite, e.g. `pytest autograder/checks/test_01_virtualenv.py --submission exercises`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.runner import Collector, find_notebook, limits
from autograder.notebook import load_cells
from autograder.submission import Submission
from autograder.topics import get_topic


def pytest_addoption(parser):
    parser.addoption("--submission", default="solutions",
                     help="folder with the exercises/ layout to check (default: solutions)")


def pytest_configure(config):
    config.addinivalue_line("markers", "week4_check(info): a graded check")


@pytest.fixture(scope="module")
def nb(request):
    """The student's notebook for the topic of the requesting check module."""
    plugin = next((p for p in request.config.pluginmanager.get_plugins()
                   if isinstance(p, Collector)), None)
    if plugin is not None:
        yield plugin.submission
        return
    topic = get_topic(request.module.TOPIC)
    notebook = find_notebook(Path(request.config.getoption("--submission")) / topic.id, topic)
    submission = Submission(topic.id, notebook, load_cells(notebook), **limits(topic))
    yield submission
    submission.close()
