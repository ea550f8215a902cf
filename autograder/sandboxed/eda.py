"""Trusted grader code for topic 05 that runs IN the sandbox child, next to the student's code.

The grader calls `evaluate` through `nb.helper`-style requests with plain data only: the name
of a student function and a list of cases `{"run": kind, "spec": variant spec, "args": [...]}`.
For each case this module builds the variant table (autograder.sandboxed.variants), calls the student's
function on a fresh copy, and turns what comes back (a DataFrame, a Series, a dict, a matplotlib
Figure) into plain data. It never judges right or wrong: the grader does that, with its own
reference code on the same variant.

Every call runs under a per-case limit (CPU time; wall time for a call that blocks), so one
function that loops forever costs a few seconds, and the same child (with pandas already
imported) goes on to the next request. The sandbox's own request timeout stays in place for
code that defeats the alarm.
"""

from __future__ import annotations

import hashlib
import math
import os
import signal
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from autograder.sandboxed.runtime import BUSY_SHARE, WALL_RENEWALS, NotPlainData, describe, to_plain

MAX_ROWS = 5000  # a table this big did not come from a 1309-row input


class WrongResult(Exception):
    """The student's function returned something of the wrong kind (said in the message)."""


class TimeUp(BaseException):
    """Raised by the alarm; a BaseException so `except Exception` in student code lets it pass."""


@contextmanager
def time_limit(seconds: float):
    """`seconds` of CPU time for one call; in wall-clock time `seconds` for a call that blocks,
    with the period renewed (up to WALL_RENEWALS times) while the call keeps computing, as on
    a crowded grading machine: the same rule as a notebook cell's (runtime._cell_alarm)."""
    state = {"cpu": time.process_time(), "renewals": 0}

    def on_signal(signum, frame):
        if signum == signal.SIGALRM and state["renewals"] < WALL_RENEWALS:
            used = time.process_time() - state["cpu"]
            if used >= BUSY_SHARE * seconds:  # busy, not blocked: another period
                state["cpu"] += used
                state["renewals"] += 1
                signal.setitimer(signal.ITIMER_REAL, seconds)
                return
        raise TimeUp()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGALRM, signal.SIGPROF)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_tables: dict[str, object] = {}


def table(spec):
    """The variant for `spec`, built once per child; callers get a copy."""
    from autograder.sandboxed import variants

    key = repr(sorted((spec or {}).items()))
    if key not in _tables:
        _tables[key] = variants.build(spec)
    return _tables[key].copy()


def prepare(cases: list[dict]) -> None:
    """Import what the checks need and build the tables before any student code is timed."""
    import pandas  # noqa: F401

    runs = {case["run"] for case in cases}
    if "dict" in runs:
        import scipy.stats  # noqa: F401  (compare_survival's chi-square test)
    if "figure" in runs:
        import matplotlib.pyplot  # noqa: F401
    for case in cases:
        if case["run"] != "plain":
            table(case.get("spec"))


# --- plain data out of pandas and matplotlib objects ----------------------------------------

def scalar(value):
    """One cell as plain data: numbers, text, or None for a missing value."""
    import numpy as np
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, tuple):
        return [scalar(v) for v in value]
    return f"<{type(value).__name__}>"


def need(value, kind, what: str):
    if not isinstance(value, kind):
        raise WrongResult(f"{what} must return a pandas {kind.__name__}; it returned a "
                        f"{type(value).__module__}.{type(value).__qualname__}")
    if len(value) > MAX_ROWS:
        raise WrongResult(f"{what} returned {len(value)} rows, far more than its input has")


def fingerprint(column) -> str:
    """A digest of a column's values as text, so 'unchanged' can be compared across processes."""
    digest = hashlib.sha256()
    for value in column.tolist():
        digest.update(repr(scalar(value)).encode("utf-8") + b"\x00")
    return digest.hexdigest()


def dtype_kind(series) -> str:
    import pandas as pd
    from pandas.api import types

    dtype = series.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        return "category"
    if types.is_bool_dtype(dtype):
        return "bool"
    if types.is_integer_dtype(dtype):
        return "int"
    if types.is_float_dtype(dtype):
        return "float"
    if isinstance(dtype, pd.StringDtype) or dtype == object:
        values = series.dropna()
        if all(isinstance(v, str) for v in values.tolist()):
            return "text"
    return f"other ({dtype})"


def run_load(func, name, spec):
    """Write the variant as a CSV with '?' for missing values and let the student read it."""
    import pandas as pd

    from week4.data import titanic_csv_path

    if spec:
        path = Path(tempfile.mkdtemp(prefix="titanic-", dir=os.getcwd())) / "titanic.csv"
        table(spec).to_csv(path, index=False, na_rep="?")
    else:
        path = titanic_csv_path()
    frame = func(str(path))
    need(frame, pd.DataFrame, f"{name}(path)")
    columns = [str(c) for c in frame.columns]
    out = {"shape": [len(frame), len(columns)], "columns": columns,
           "dtypes": {}, "missing": {}, "categories": {}, "survived_mean": None}
    for name in frame.columns:
        column = frame[name]
        if not isinstance(column, pd.Series):
            continue  # duplicated column names: reported as a shape/columns mismatch
        out["dtypes"][str(name)] = dtype_kind(column)
        out["missing"][str(name)] = int(column.isna().sum())
        if isinstance(column.dtype, pd.CategoricalDtype):
            out["categories"][str(name)] = [scalar(c) for c in column.cat.categories]
    if "survived" in frame.columns and out["dtypes"].get("survived") in ("int", "float", "bool"):
        out["survived_mean"] = float(frame["survived"].mean())
    return out


def run_frame(func, name, spec, *args):
    import pandas as pd

    frame = func(table(spec), *args)
    need(frame, pd.DataFrame, f"{name}(...)")
    return {"index": [scalar(i) for i in frame.index],
            "columns": [scalar(c) for c in frame.columns],
            "data": {str(c): [scalar(v) for v in frame[c].tolist()]
                     for c in frame.columns if isinstance(frame[c], pd.Series)}}


def run_series(func, name, spec, *args):
    import pandas as pd

    series = func(table(spec), *args)
    need(series, pd.Series, f"{name}(...)")
    return {"index": [scalar(i) for i in series.index],
            "values": [scalar(v) for v in series.tolist()]}


def run_filled(func, name, spec, *args):
    """The imputed table, plus whether the function changed the table it was given."""
    import pandas as pd

    given = table(spec)
    pristine = given.copy()
    frame = func(given, *args)
    need(frame, pd.DataFrame, f"{name}(...)")
    out = {"index": [scalar(i) for i in frame.index],
           "columns": [scalar(c) for c in frame.columns],
           "age": None, "fingerprints": {},
           "input_changed": not (given.shape == pristine.shape and given.equals(pristine))}
    for name in frame.columns:
        column = frame[name]
        if not isinstance(column, pd.Series):
            continue
        if name == "age":
            out["age"] = [scalar(v) for v in column.tolist()]
        else:
            out["fingerprints"][str(name)] = fingerprint(column)
    return out


def run_onehot(func, name, spec, columns):
    """The new table's columns; the values of the columns the input did not have, as numbers."""
    import pandas as pd

    given = table(spec)
    frame = func(given, list(columns))
    need(frame, pd.DataFrame, f"{name}(...)")
    out = {"index": [scalar(i) for i in frame.index],
           "columns": [scalar(c) for c in frame.columns], "new": {}}
    for name in frame.columns:
        if name in given.columns or not isinstance(frame[name], pd.Series):
            continue
        try:
            values = pd.to_numeric(frame[name].astype("object"), errors="raise")
            out["new"][str(name)] = [scalar(v) for v in values.tolist()]
        except (TypeError, ValueError):
            out["new"][str(name)] = f"not numbers (dtype {frame[name].dtype})"
    return out


def run_dict(func, name, spec, *args):
    return to_plain(func(table(spec), *args))


def visible_bar(ax, patch, ticks: list[tuple[float, str]]) -> dict | None:
    """A bar as a reader sees it, or None for what nobody sees.

    Only drawn rectangles count: visible, not fully transparent, with a width and a height,
    and inside the axes' x range (seaborn adds zero-size rectangles as legend handles). Its
    label is the tick label of the slot it stands in: the tick nearest to its centre, when no
    other tick is as near and the centre is within half a tick spacing of it (or inside the
    bar). seaborn >= 0.13 with hue= draws the bars beside the tick (dodged), not on it."""
    from matplotlib.axes import Axes
    from matplotlib.patches import Rectangle

    if type(patch) is not Rectangle or not patch.get_visible():
        return None
    alpha = patch.get_alpha()
    if alpha is not None and alpha <= 0:
        return None
    face, edge = patch.get_facecolor(), patch.get_edgecolor()
    if face[3] <= 0 and (edge[3] <= 0 or patch.get_linewidth() <= 0):
        return None
    x, width = float(Rectangle.get_x(patch)), float(Rectangle.get_width(patch))
    height = float(Rectangle.get_height(patch))
    if not all(map(math.isfinite, (x, width, height))) or width == 0 or height == 0:
        return None
    left, right = sorted((x, x + width))
    low, high = sorted(float(v) for v in Axes.get_xlim(ax))
    if right < low or left > high:
        return None
    centre = (left + right) / 2
    locs = sorted((loc, text) for loc, text in ticks if low <= loc <= high and math.isfinite(loc))
    label = None
    if locs:
        distance = sorted((abs(loc - centre), i) for i, (loc, _) in enumerate(locs))
        near, i = distance[0]
        gaps = [abs(locs[j][0] - locs[i][0]) for j in (i - 1, i + 1) if 0 <= j < len(locs)]
        unique = len(distance) == 1 or near < distance[1][0]
        if unique and (left <= locs[i][0] <= right or (gaps and near < min(gaps) / 2)):
            label = locs[i][1]
    return {"x": centre, "height": height, "label": label, "width": abs(width)}


def run_figure(func, name, spec, *args):
    """Title, axis labels and bars of the returned Figure, read through matplotlib itself."""
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    plt.close("all")  # pandas draws on the "current" axes: start every call from nothing
    fig = func(table(spec), *args)
    try:
        if type(fig) is not Figure:
            hint = " (an Axes: return ax.figure)" if isinstance(fig, Axes) else ""
            raise WrongResult(f"{name}(...) must return a matplotlib Figure; it returned "
                            f"a {type(fig).__module__}.{type(fig).__qualname__}{hint}")
        axes = [ax for ax in Figure.get_axes(fig) if isinstance(ax, Axes)]
        if not axes:
            return {"axes": 0}
        ax = axes[0]
        ticks = [(float(loc), str(label.get_text()))
                 for loc, label in zip(Axes.get_xticks(ax), Axes.get_xticklabels(ax))]
        bars = [bar for patch in ax.patches if (bar := visible_bar(ax, patch, ticks))]
        return {"axes": len(axes), "title": str(Axes.get_title(ax)),
                "suptitle": str(Figure.get_suptitle(fig)),
                "xlabel": str(Axes.get_xlabel(ax)), "ylabel": str(Axes.get_ylabel(ax)),
                "bars": bars[:MAX_ROWS]}
    finally:
        plt.close("all")


def run_plain(func, name, spec, *args):
    return to_plain(func(*args))


RUNS = {"load": run_load, "frame": run_frame, "series": run_series, "filled": run_filled,
        "onehot": run_onehot, "dict": run_dict, "figure": run_figure, "plain": run_plain}


def evaluate(child, name: str, cases: list[dict], seconds: float) -> list[dict]:
    """Call the student's function `name` once per case; one plain outcome per case.

    After a case runs out of time the remaining cases are skipped: the function is stuck.
    """
    prepare(cases)
    func = child.function(name)  # LookupError when missing: the grader reports it
    outcomes = []
    for case in cases:
        if outcomes and outcomes[-1]["status"] in ("timeout", "skipped"):
            outcomes.append({"status": "skipped"})
            continue
        start = time.monotonic()
        try:
            with time_limit(seconds):
                value = RUNS[case["run"]](func, name, case.get("spec"), *case.get("args", []))
                value = to_plain(value)
            outcomes.append({"status": "ok", "value": value})
        except TimeUp:
            outcomes.append({"status": "timeout", "seconds": time.monotonic() - start})
        except (WrongResult, NotPlainData) as exc:
            outcomes.append({"status": "wrong", "message": str(exc)[:500]})
        except BaseException as exc:  # noqa: BLE001 (student code may raise anything, even SystemExit)
            outcomes.append({"status": "error", "error": describe(exc)})
    return outcomes
