"""Trusted helpers for topic 03 that run in the sandbox child, next to the student's code.

Each one turns something the notebook made (a variable, a matplotlib Figure, a gunicorn
config file) into plain data, which the checks then judge in the grader's process.
"""

from __future__ import annotations

import contextlib
import os
import runpy


def global_value(child, name: str):
    """The value of the notebook's global `name` (the child turns it into plain data)."""
    if name not in child.namespace:
        raise LookupError(f"no variable named {name!r} is defined in the notebook")
    return child.namespace[name]


def figure_data(child, name: str, *args):
    """Call the notebook's plotting function and describe the Figure it returns as a person
    sees it (autograder/sandboxed/figures.py): visible series only, whatever drew them
    (plot, step, stairs, bar, fill_between, scatter, seaborn, pandas), and the legend entries
    a visible legend shows."""
    from matplotlib.figure import Figure

    from autograder.sandboxed import figures

    fig = child.function(name)(*args)
    if not isinstance(fig, Figure):  # said by the check, in the student's language
        return {"not_a_figure": f"{type(fig).__module__}.{type(fig).__qualname__}"}
    try:
        return figures.describe(fig)
    finally:
        with contextlib.suppress(Exception):
            import matplotlib.pyplot as plt
            plt.close(fig)


@contextlib.contextmanager
def _cpu_count(n: int | None):
    """Make every usual way of asking for the number of CPUs answer `n`."""
    if n is None:
        yield
        return
    saved = {name: getattr(os, name) for name in ("cpu_count", "process_cpu_count",
                                                 "sched_getaffinity") if hasattr(os, name)}
    os.cpu_count = lambda: n
    if "process_cpu_count" in saved:
        os.process_cpu_count = lambda: n
    if "sched_getaffinity" in saved:
        os.sched_getaffinity = lambda pid=0: set(range(n))
    try:
        yield
    finally:
        for name, func in saved.items():
            setattr(os, name, func)


# Settings that are not gunicorn's but that a development config sometimes sets.
EXTRA_NAMES = {"debug"}


def gunicorn_settings(child, path: str = "gunicorn.conf.py", env: dict | None = None,
                      cpus: int | None = None) -> dict:
    """Run a gunicorn config file like gunicorn does and return its settings as plain data.

    `env` replaces the variables gunicorn configs usually read (BIND, PORT, WEB_CONCURRENCY,
    ...) for the run; `cpus` is what os.cpu_count() and friends answer meanwhile.
    """
    from gunicorn.config import KNOWN_SETTINGS

    known = {s.name for s in KNOWN_SETTINGS} | EXTRA_NAMES
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path} does not exist: write it with a `%%writefile {path}` "
                                "cell and run that cell")
    saved_env = dict(os.environ)
    for name in ("BIND", "PORT", "HOST", "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS"):
        os.environ.pop(name, None)
    os.environ.update(env or {})
    try:
        with _cpu_count(cpus):
            namespace = runpy.run_path(path, run_name="__config__")
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
    settings = {}
    for name, value in namespace.items():
        if name not in known:
            continue
        if callable(value):
            settings[name] = "<function>"  # a server hook such as post_fork
        elif value is None or isinstance(value, (bool, int, float, str)):
            settings[name] = value
        elif isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            settings[name] = list(value)
        else:
            settings[name] = repr(value)[:200]
    return settings
