"""Run student code in a sandbox and get plain data back.

The grader's process never imports or executes a submission. `Sandbox` starts
`python -m autograder.sandboxed.runtime` inside the bubblewrap profile of `autograder.jail`
(own PID/network namespaces, read-only system, unprivileged uid, rlimits, allow-listed
environment), in a scratch copy of the submission folder, and talks to it over two pipes.
A call's limit is CPU time, with the wall clock for a call that blocks: when its period ends
while the sandbox is still computing (it used at least CALL_BUSY_SHARE of the period on the
CPU: a crowded grading machine, not a stuck call), it waits on until the call has used its
limit in CPU time or CALL_WALL_FACTOR times the limit in wall time. A call that blocks (sleeps,
waits for input) uses no CPU and is cut at the period. On a timeout or a crash the whole
sandbox is killed and the next request starts a fresh one (unless loading itself failed: then
it stays down).

A sandbox that serves HTTP (topics 02 and 04) gets a listening socket the grader bound on
127.0.0.1 (`port`), passed in as `WEEK4_LISTEN_FD`: the child's own network has nothing but
its private loopback, so nobody else can reach it and it can reach nobody.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .jail import Jail, Limits, Process, base_env, isolation, mount_scratch, unmount_scratch
from .notebook import Cell
from .sandboxed.runtime import WALL_RENEWALS as LOAD_WALL_RENEWALS

from week4.i18n import current

_ = current()  # what a student reads, in the grading language

DEFAULT_MEMORY_MB = Limits().memory_mb
LOG_TAIL_LINES = 5
COPY_IGNORE = shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints", "__pycache__", ".git")
LISTEN_FD_ENV = "WEEK4_LISTEN_FD"


@dataclass
class Reply:
    status: str               # ok | error | timeout | crashed
    value: object = None
    error: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def explain(self) -> str:
        """What happened, as the rest of a sentence whose subject is the call or the notebook
        ("parse_freeze(...) " + this), in the grading language."""
        if self.status == "ok":
            return _("ran fine")
        if self.status == "timeout":
            return _("did not finish within {seconds} s (an infinite loop, or waiting for "
                     "input?)").format(seconds=f"{self.seconds:.0f}")
        if self.status == "crashed":
            return _("stopped the grading process (os._exit, a crash, or too much memory?)") + (
                f" {self.error.get('message', '')}".rstrip())
        where = place(self.error.get("where") or "")
        kind = self.error.get("type", "an error")
        if kind == "NotImplementedError":
            return (_("is not written yet (it raises NotImplementedError at {place})").format(
                place=where) if where else _("is not written yet (it raises NotImplementedError)"))
        message = self.error.get("message", "")
        said = (_("raised {error} at {place}").format(error=kind, place=where) if where
                else _("raised {error}").format(error=kind))
        return said + (f": {message}" if message else "")


# How the sandbox names a place in the notebook (autograder/sandboxed/runtime.py writes these
# in English, as plain data); read back here and said again in the grading language. Anything
# else (it is text the sandbox produced) is shown as it is.
_PLACES = [
    (re.compile(r"line (?P<line>\d+) of (?P<rest>.+)\Z", re.S), None),
    (re.compile(r"the cell that defines (?P<name>\w+)\Z"),
     lambda: _("the cell that defines {name}")),
    (re.compile(r"the cell that starts (?P<name>.+)\Z", re.S),
     lambda: _("the cell that starts {name}")),
    (re.compile(r"the %%writefile (?P<name>\S+) cell\Z"),
     lambda: _("the %%writefile {name} cell")),
    (re.compile(r"an empty cell\Z"), lambda: _("an empty cell")),
    (re.compile(r"(?P<name>\w+)\(\)\Z"), lambda: "{name}()"),
]


def place(text: str) -> str:
    """'line 4 of f()' -> the same place, in the grading language."""
    for pattern, template in _PLACES:
        found = pattern.match(text)
        if not found:
            continue
        if template is None:  # "line N of <a function or a cell>"
            return _("line {line} of {place}").format(line=found["line"],
                                                      place=place(found["rest"]))
        return template().format(**found.groupdict())
    return text


def child_env(extra: dict | None = None) -> dict:
    """The sandbox's environment: the allow-list of `jail.base_env`, plus `extra`."""
    env = base_env(None)
    env.update(extra or {})
    return env


def listening_socket() -> socket.socket:
    """A TCP socket listening on 127.0.0.1 (a free port), ready to hand to a sandbox."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


# See the module's docstring: how a call's CPU-time limit meets the wall clock.
CALL_BUSY_SHARE = 0.05
CALL_WALL_FACTOR = 4
_TICK = os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float | None:
    """CPU seconds (user and system, children waited for included) used by `pid` and every
    process below it, read from /proc; None when /proc cannot tell."""
    total, todo, seen = 0.0, [pid], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        try:
            with open(f"/proc/{current}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15]) / _TICK  # utime stime cutime cstime
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", "rb") as fh:
                    todo += [int(c) for c in fh.read().split()]
        except (OSError, ValueError, IndexError):
            if current == pid:
                return None
    return total


class Sandbox:
    """A child process that holds one submission's notebook code."""

    def __init__(self, cells: list[Cell], source_dir: Path | None = None, *,
                 timeout: float = 10.0, load_timeout: float = 60.0,
                 memory_mb: int = DEFAULT_MEMORY_MB, env: dict | None = None,
                 read_only: list[Path] = (), listen: bool = False):
        self.cells = cells
        self.source_dir = Path(source_dir) if source_dir else None
        self.timeout = timeout
        self.load_timeout = load_timeout
        self.memory_mb = memory_mb
        self.extra_env = env or {}
        self.read_only = [Path(p) for p in read_only]
        self.scratch = Path(tempfile.mkdtemp(prefix="week4-sandbox-"))
        self.limits = Limits(memory_mb=memory_mb)
        self.tmpfs = mount_scratch(self.scratch, self.limits.scratch_mb)
        self.workdir = self.scratch / "work"
        self.listener = listening_socket() if listen else None
        self.jail: Jail | None = None
        self.proc: subprocess.Popen | None = None
        self.load_reply: Reply | None = None
        self.fatal: Reply | None = None   # set when loading itself timed out or crashed
        self._next_id = 0
        self._buffer = b""

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def isolated(self) -> bool:
        """True when student code runs in the bubblewrap sandbox (not just a child process)."""
        return isolation().isolated

    @property
    def port(self) -> int | None:
        """The grader-side port of the socket the sandbox serves HTTP on (`listen=True`)."""
        return self.listener.getsockname()[1] if self.listener else None

    def start(self) -> Reply:
        """Start the child and run the notebook's cells; returns the load reply."""
        if self.fatal:
            return self.fatal
        if self.proc is not None:
            return self.load_reply
        if self.workdir.exists():
            shutil.rmtree(self.workdir, ignore_errors=True)
        if self.source_dir and self.source_dir.is_dir():
            shutil.copytree(self.source_dir, self.workdir, ignore=COPY_IGNORE, symlinks=True)
        else:
            self.workdir.mkdir(parents=True)
        cells_file = self.scratch / "cells.json"
        cells_file.write_text(json.dumps([asdict(c) for c in self.cells]), encoding="utf-8")

        req_r, req_w = os.pipe()
        rep_r, rep_w = os.pipe()
        self.log_path = self.scratch / "output.log"
        log = open(self.log_path, "ab")
        self.jail = Jail(self.scratch, workdir=self.workdir, read_only=self.read_only,
                         limits=self.limits)
        self.jail.prepare()
        env = child_env(self.extra_env)
        fds = [req_r, rep_w]
        if self.listener is not None:
            env[LISTEN_FD_ENV] = str(self.listener.fileno())
            fds.append(self.listener.fileno())
        argv = [sys.executable, "-I", "-m", "autograder.sandboxed.runtime", str(req_r), str(rep_w)]
        try:
            self.jailed = Process(self.jail, argv, cwd=self.workdir, env=env, stdout=log,
                                  stderr=log, pass_fds=tuple(fds))
            self.proc = self.jailed.proc
        finally:
            log.close()
            os.close(req_r)
            os.close(rep_w)
        self._req, self._rep, self._buffer = req_w, rep_r, b""
        # Each cell gets a share of the load time, so one looping "try it" cell costs only
        # its share and the rest of the notebook still loads (as nbgrader carries on).
        cell_timeout = max(1.0, self.load_timeout / 3)
        # The child enforces each cell's limits (CPU time; wall time for a cell that blocks,
        # renewed while a cell is busy on a crowded machine: see runtime.WALL_RENEWALS). This
        # wait only guards against a child that stops answering, so it allows those renewals.
        reply = self._send({"op": "load", "cells": str(cells_file),
                            "cell_timeout": cell_timeout,       # CPU seconds per cell
                            "cell_wall": max(cell_timeout, self.load_timeout * 0.6)},  # wall s
                           self.load_timeout * (1 + LOAD_WALL_RENEWALS))
        if not reply.ok:
            # Loading never returned: there is no point in restarting for every check.
            self.fatal = reply
        self.load_reply = reply
        return reply

    def kill(self) -> None:
        if self.proc is None:
            return
        self.jailed.stop()  # every process of the sandbox, and waits until they are gone
        for fd in (self._req, self._rep):
            try:
                os.close(fd)
            except OSError:
                pass
        self.proc = None

    def close(self) -> None:
        self.kill()
        if self.listener is not None:
            self.listener.close()
            self.listener = None
        if self.tmpfs:
            unmount_scratch(self.scratch)
            self.tmpfs = False
        shutil.rmtree(self.scratch, ignore_errors=True)

    # -- requests ----------------------------------------------------------------------
    def call(self, name: str, *args, timeout: float | None = None, **kwargs) -> Reply:
        """Call the student's function `name` with plain-data arguments."""
        return self.request({"op": "call", "name": name, "args": list(args), "kwargs": kwargs},
                            timeout)

    def helper(self, helper: str, *args, timeout: float | None = None, **kwargs) -> Reply:
        """Run trusted grader code `module:function` in the child, next to the student's code."""
        return self.request({"op": "helper", "helper": helper, "args": list(args),
                             "kwargs": kwargs}, timeout)

    def request(self, payload: dict, timeout: float | None = None) -> Reply:
        load = self.start()
        if self.fatal:
            return self.fatal
        if not load.ok:
            return load
        reply = self._send(payload, timeout or self.timeout, cpu_limited=True)
        if reply.status in ("timeout", "crashed"):
            self.kill()  # the next request gets a fresh child
        return reply

    def output_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def _send(self, payload: dict, timeout: float, cpu_limited: bool = False) -> Reply:
        self._next_id += 1
        # A fresh unguessable id per request: replies written ahead of time by student code
        # (forged onto the reply pipe) can never match a later request.
        payload = {"id": f"{self._next_id}-{secrets.token_hex(8)}", **payload}
        data = (json.dumps(payload) + "\n").encode("utf-8")
        start = time.monotonic()
        deadline = start + timeout
        pid = self.proc.pid if self.proc else None
        watch = {"pid": pid, "cpu0": tree_cpu(pid) if cpu_limited and pid else None}
        watch.update(cpu=watch["cpu0"], at=start)
        try:
            while data:
                _, ready, _ = select.select([], [self._req], [], max(0.0, deadline - time.monotonic()))
                if not ready:
                    return self._timeout(timeout)
                data = data[os.write(self._req, data):]
        except (BrokenPipeError, OSError):
            return self._crashed(start)
        while True:
            while b"\n" in self._buffer:
                line, self._buffer = self._buffer.split(b"\n", 1)
                try:
                    message = json.loads(line)
                except ValueError:
                    continue  # not ours: ignore
                if isinstance(message, dict) and message.get("id") == payload["id"]:
                    elapsed = time.monotonic() - start
                    if message.get("ok") is True:
                        return Reply("ok", message.get("value"), seconds=elapsed)
                    error = message.get("error")
                    return Reply("error", error=error if isinstance(error, dict) else {},
                                 seconds=elapsed)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._rep], [], [], remaining)[0]:
                deadline = self._busy_until(start, timeout, watch) if cpu_limited else None
                if deadline is None:
                    return self._timeout(timeout)
                continue
            chunk = os.read(self._rep, 1 << 20)
            if not chunk:
                return self._crashed(start)
            self._buffer += chunk

    @staticmethod
    def _busy_until(start: float, limit: float, watch: dict) -> float | None:
        """A call's period is over: the new deadline while it is computing and within its CPU
        limit and the wall-clock cap, else None (a timeout)."""
        if watch["cpu0"] is None:
            return None
        now, cpu = time.monotonic(), tree_cpu(watch["pid"])
        if cpu is None:
            return None
        used, recent = cpu - watch["cpu0"], cpu - watch["cpu"]
        cap = start + limit * CALL_WALL_FACTOR
        if used >= limit or now >= cap or recent < CALL_BUSY_SHARE * (now - watch["at"]):
            return None  # at its CPU limit, past the wall cap, or blocked
        watch.update(cpu=cpu, at=now)
        return min(cap, now + max(0.1, limit - used))

    def _timeout(self, limit: float) -> Reply:
        """The request ran out of its limit: say the limit (what the student can act on), not
        the wall time a crowded machine stretched it to."""
        self.kill()
        return Reply("timeout", seconds=limit)

    def _crashed(self, start: float) -> Reply:
        code = self.proc.poll() if self.proc else None
        if self.proc and code is None:
            try:
                code = self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                code = None
        self.kill()
        detail = f"(exit status {code})" if code is not None else ""
        return Reply("crashed", error={"message": detail}, seconds=time.monotonic() - start)
