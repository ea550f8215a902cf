"""The program that runs student code, inside the sandbox (see `autograder.jail`).

It reads one JSON request per line from the request pipe and writes one JSON reply per
line to the reply pipe. Student output (print, warnings, tracebacks) goes to the child's
stdout/stderr, which the parent sends to a log file, so it can never be mistaken for a reply.

Requests:
  {"id": 1, "op": "load", "cells": "cells.json"}        run the notebook's cells
  {"id": 2, "op": "call", "name": "f", "args": [...], "kwargs": {...}}
  {"id": 3, "op": "helper", "helper": "module:function", "args": [...]}
A helper is trusted grader code that runs here, next to the student's objects, and turns
them into plain data (a DataFrame into records, a figure into its bars, ...).

Replies: {"id": 1, "ok": true, "value": ...} or {"id": 1, "ok": false, "error": {...}}.
Values must be plain data (see `to_plain`); anything else is an error, never a pickle.
"""

from __future__ import annotations

import importlib
import json
import linecache
import os
import re
import signal
import sys
import time
import traceback
import types

MAX_MESSAGE = 500


def cell_name(label: str) -> str:
    """A cell as a student finds it in JupyterLab, which shows no cell numbers (and the
    numbers would count markdown cells): by the function it defines, else by its first line."""
    lines = linecache.cache.get(label, (0, None, [], label))[2]
    for line in lines:
        match = re.match(r"\s*(?:async\s+)?(?:def|class)\s+(\w+)", line)
        if match:
            return f"the cell that defines {match.group(1)}"
    first = next((line.strip() for line in lines if line.strip()), "")
    if len(first) > 40:
        first = first[:37] + "..."
    return f"the cell that starts {first!r}" if first else "an empty cell"


def where_in_cell(code, lineno: int) -> str:
    """'line N of name()' (N counted from the function's def line, 1) for a frame in a
    function, else the line of the cell."""
    label = code.co_filename
    if code.co_name != "<module>" and not code.co_name.startswith("<"):
        return f"line {lineno - code.co_firstlineno + 1} of {code.co_name}()"
    return f"line {lineno} of {cell_name(label)}"


def describe(exc: BaseException) -> dict:
    """The exception as plain data, with the student's function (or cell) and line when we
    can tell."""
    where = ""
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if name.startswith("<cell "):
            where = where_in_cell(frame.f_code, lineno)
    if isinstance(exc, SyntaxError) and (exc.filename or "").startswith("<cell "):
        where = f"line {exc.lineno} of {cell_name(exc.filename)}"
    message = str(exc)
    if isinstance(exc, SystemExit):
        message = f"the code called sys.exit({exc.code!r})"
    if len(message) > MAX_MESSAGE:
        message = message[: MAX_MESSAGE - 3] + "..."
    return {"type": type(exc).__name__, "message": message, "where": where}


class NotPlainData(TypeError):
    pass


class CellTimeout(BaseException):
    """A notebook cell ran too long while loading (a BaseException: `except Exception` in
    student code cannot swallow it)."""


# A cell's wall-clock limit is meant for cells that block (app.run(), input(), sleep). A cell
# that is computing on a crowded machine (imports, say) gets fewer CPU cycles per second, not
# stuck: when the wall period ends while the cell used at least BUSY_SHARE of it on the CPU, the
# period starts again, at most WALL_RENEWALS times. Its CPU limit still stops a loop.
BUSY_SHARE = 0.05
WALL_RENEWALS = 3
_wall = {"period": 0.0, "cpu": 0.0, "renewals": 0}


def _arm_cell_limits(cpu_limit: float, wall_limit: float) -> None:
    _wall.update(period=wall_limit, cpu=time.process_time(), renewals=0)
    signal.setitimer(signal.ITIMER_PROF, cpu_limit)
    signal.setitimer(signal.ITIMER_REAL, wall_limit)


def _cell_alarm(signum, frame):
    if signum == signal.SIGALRM and _wall["renewals"] < WALL_RENEWALS:
        used = time.process_time() - _wall["cpu"]
        if used >= BUSY_SHARE * _wall["period"]:  # busy, not blocked: another period
            _wall["cpu"] += used
            _wall["renewals"] += 1
            signal.setitimer(signal.ITIMER_REAL, _wall["period"])
            return
    raise CellTimeout("the cell ran too long while the notebook was loading "
                      "(an infinite loop, or a call that waits forever?)")


def to_plain(value, depth: int = 0):
    """Copy `value` into exact built-in types (dict, list, str, int, float, bool, None).

    Subclasses are read through their base type, so an object with a rigged `__eq__` or
    `__str__` cannot pass for something it is not. NumPy scalars become Python scalars.
    """
    if depth > 50:
        raise NotPlainData("the value is nested more than 50 levels deep")
    if value is None or value is True or value is False:  # bool cannot be subclassed
        return value
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, (list, tuple)):
        return [to_plain(v, depth + 1) for v in (list.__iter__(value) if isinstance(value, list)
                                                 else tuple.__iter__(value))]
    if isinstance(value, dict):
        out = {}
        for k, v in dict.items(value):
            key = to_plain(k, depth + 1)
            if not isinstance(key, str):
                if isinstance(key, (int, float, bool)) or key is None:
                    key = json.dumps(key)
                else:
                    raise NotPlainData(f"a dict key of type {type(k).__name__} is not plain data")
            out[key] = to_plain(v, depth + 1)
        return out
    module = type(value).__module__ or ""
    if module == "numpy" and hasattr(value, "item") and getattr(value, "shape", None) == ():
        return to_plain(value.item(), depth + 1)
    raise NotPlainData(
        f"returned a {type(value).__module__}.{type(value).__qualname__}, which is not plain "
        "data (expected dict, list, str, int, float, bool or None)"
    )


class Child:
    def __init__(self) -> None:
        self.module = types.ModuleType("__main__")
        self.module.__dict__["display"] = lambda *args, **kwargs: None  # IPython's display()
        self.namespace = self.module.__dict__
        self.load_errors: list[dict] = []

    def load(self, cells_file: str, cell_timeout: float = 0, cell_wall: float = 0) -> dict:
        """Run the cells in order; like nbgrader, a cell that fails or runs too long is
        reported and the next cell still runs."""
        with open(cells_file, encoding="utf-8") as fh:
            cells = json.load(fh)
        # A cell's limit is CPU time (an endless loop), so that a busy grading machine cannot
        # make a slow import fail; a cell that blocks without using CPU (app.run(), sleep)
        # meets the wall-clock limit `cell_wall` instead.
        if cell_timeout:
            signal.signal(signal.SIGPROF, _cell_alarm)
            signal.signal(signal.SIGALRM, _cell_alarm)
        # Student code sees itself as __main__, like in a notebook kernel.
        sys.modules["__main__"] = self.module
        for cell in cells:
            label = f"<cell {cell['index']}>"
            try:
                if cell["kind"] == "writefile":
                    mode = "a" if cell.get("append") else "w"
                    with open(cell["target"], mode, encoding="utf-8") as fh:
                        fh.write(cell["source"])
                    continue
                linecache.cache[label] = (len(cell["source"]), None,
                                          cell["source"].splitlines(True), label)
                code = compile(cell["source"], label, "exec")
                if cell_timeout:
                    _arm_cell_limits(cell_timeout, cell_wall or cell_timeout)
                try:
                    exec(code, self.namespace)
                finally:
                    if cell_timeout:
                        signal.setitimer(signal.ITIMER_PROF, 0)
                        signal.setitimer(signal.ITIMER_REAL, 0)
            except BaseException as exc:  # a cell may raise anything, even SystemExit
                error = describe(exc)
                error["cell"] = cell["index"]
                error["cell_name"] = (f"the %%writefile {cell['target']} cell"
                                      if cell["kind"] == "writefile" else cell_name(label))
                self.load_errors.append(error)
        names = sorted(k for k, v in self.namespace.items()
                       if callable(v) and not k.startswith("_"))
        return {"errors": self.load_errors, "names": names}

    def function(self, name: str):
        func = self.namespace.get(name)
        if func is None:
            raise LookupError(f"no function named {name!r} is defined in the notebook")
        if not callable(func):
            raise LookupError(f"{name!r} is defined in the notebook but is not a function")
        return func

    def handle(self, request: dict):
        op = request.get("op")
        if op == "load":
            return self.load(request["cells"], request.get("cell_timeout", 0),
                             request.get("cell_wall", 0))
        if op == "call":
            func = self.function(request["name"])
            return to_plain(func(*request.get("args", []), **request.get("kwargs", {})))
        if op == "helper":
            module_name, _, func_name = request["helper"].partition(":")
            helper = getattr(importlib.import_module(module_name), func_name)
            return to_plain(helper(self, *request.get("args", []), **request.get("kwargs", {})))
        raise ValueError(f"unknown request {op!r}")


def main() -> None:
    request_fd, reply_fd = int(sys.argv[1]), int(sys.argv[2])
    requests = os.fdopen(request_fd, "rb", buffering=0)
    reply = os.fdopen(reply_fd, "wb", buffering=0)
    from autograder.sandboxed import relay

    relay.start_from_env()  # boto3 -> the grader's AWS proxy (topic 03), before any student code
    child = Child()
    sys.path.insert(0, os.getcwd())  # so that `import app` finds a %%writefile'd app.py
    buffer = b""
    while True:
        chunk = requests.read(65536)
        if not chunk:
            return
        buffer += chunk
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            request = json.loads(line)
            try:
                answer = {"id": request["id"], "ok": True, "value": child.handle(request)}
                data = json.dumps(answer, allow_nan=True)
            except BaseException as exc:  # report everything, including SystemExit
                data = json.dumps({"id": request["id"], "ok": False, "error": describe(exc)})
            reply.write(data.encode("utf-8") + b"\n")


if __name__ == "__main__":
    main()
