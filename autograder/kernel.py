"""A Jupyter kernel in the bubblewrap sandbox, for `nbgrader autograde` (kernelspec `week4-sandboxed`).

nbgrader executes the whole student notebook in a kernel with the instructor's rights
(nbgrader #483). This launcher is what the kernelspec starts instead of ipykernel:

    python -m autograder.kernel -f CONNECTION_FILE

- it runs `ipykernel` inside `autograder.jail` (no network, read-only system, unprivileged uid,
  allow-listed environment: no WEEK4_KEY, no secrets), in the notebook's folder;
- the kernel listens on unix sockets (ZeroMQ's `ipc` transport) in a private folder, and this
  launcher relays the TCP ports the client chose to them byte for byte (ZMTP is the same on
  both), so the client needs no change and the sandbox needs no network;
- the notebook's test cells (`autograder.cell.check`) cannot grade inside the sandbox, where
  the checks and the key are not; they ask this launcher over one more unix socket, and the
  launcher grades the saved notebook with `python -m autograder` (student code again runs only
  in its own sandbox), outside the kernel.

When the client shuts the kernel down, or kills this launcher, the sandbox and everything in it
ends. A kernel's word is still only a student's word (code in the notebook can rebind
`check`): `week4 grade --write-back` makes the isolated grade the one nbgrader keeps.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .jail import COURSE_MOUNTS, Jail, Process, base_env
from .sandboxed.relay import _pipe

CHANNELS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
GRADE_SOCKET_ENV = "WEEK4_GRADE_SOCKET"
CONNECT_PATIENCE = 60.0  # seconds a relay waits for the kernel to bind its socket


def _connect_unix(path: str, stop: threading.Event) -> socket.socket | None:
    """Connect to the kernel's socket once it exists (it binds it while starting up)."""
    deadline = time.monotonic() + CONNECT_PATIENCE
    delay = 0.01
    while not stop.is_set() and time.monotonic() < deadline:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except OSError:
            sock.close()
            stop.wait(delay)  # the kernel is still starting: back off, bounded
            delay = min(delay * 2, 0.2)
    return None


def _relay(listener: socket.socket, path: str, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            client, _ = listener.accept()
        except OSError:
            return
        upstream = _connect_unix(path, stop)
        if upstream is None:
            client.close()
            continue
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True).start()


def _grade_service(listener: socket.socket, folder: Path, env: dict) -> None:
    """Answer `{"topic": ...}` with the grader's JSON for the saved notebook in `folder`."""
    while True:
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            try:
                request = json.loads(conn.makefile("rb").readline(4096) or b"{}")
                topic = str(request.get("topic", ""))
                if "hint" in request:  # `hint(topic, check)` in a cell: the checks live here
                    from .cell import hint_data
                    from .runner import grading_lang

                    conn.sendall(json.dumps(hint_data(topic, str(request["hint"]),
                                                      grading_lang())).encode("utf-8") + b"\n")
                    continue
                from .runner import find_notebook
                from .topics import get_topic

                notebook = find_notebook(folder, get_topic(topic))
                proc = subprocess.run([sys.executable, "-m", "autograder", topic, str(notebook)],
                                      capture_output=True, text=True, env=env, timeout=900,
                                      cwd=folder)
                answer = proc.stdout.strip() or json.dumps(
                    {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1][-300:]})
            except (KeyError, ValueError, OSError, subprocess.SubprocessError) as exc:
                answer = json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]})
            try:
                conn.sendall(answer.encode("utf-8") + b"\n")
            except OSError:
                pass


# What the kernel sees of the course beyond COURSE_MOUNTS: the check cells' module and the
# words they print (the catalogs and the site's address), all read-only.
KERNEL_MOUNTS = ["autograder/cell.py", "week4/i18n.py", "week4/site.py", "week4/locale"]

# A unix socket's path holds at most 107 bytes; the kernel's sockets live in its private folder.
SOCKET_PATH_MAX = 107
PRIVATE_PREFIX = "week4-kernel-"


def private_folder() -> Path:
    """A new private folder for the kernel's sockets: in $TMPDIR, or in /tmp when $TMPDIR is
    so deep that a socket path in it would be too long to bind."""
    base = tempfile.gettempdir()
    longest = len(f"{base}/{PRIVATE_PREFIX}xxxxxxxx/grade.sock")  # the longest name used below
    if longest > SOCKET_PATH_MAX:
        base = "/tmp"
    return Path(tempfile.mkdtemp(prefix=PRIVATE_PREFIX, dir=base))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.kernel")
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args(argv)
    info = json.loads(Path(args.connection_file).read_text(encoding="utf-8"))
    folder = Path.cwd()

    private = private_folder()
    inner = dict(info, transport="ipc", ip=str(private / "k"))
    (private / "kernel.json").write_text(json.dumps(inner), encoding="utf-8")

    stop = threading.Event()
    listeners = []
    for channel in CHANNELS:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((info.get("ip") or "127.0.0.1", int(info[channel])))
        sock.listen(16)
        listeners.append(sock)
        threading.Thread(target=_relay, args=(sock, f"{private / 'k'}-{info[channel]}", stop),
                         daemon=True).start()

    grade_path = private / "grade.sock"
    grader = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    grader.bind(str(grade_path))
    grader.listen(4)
    grader_env = {k: v for k, v in os.environ.items()}  # the grader's own (WEEK4_KEY included)
    threading.Thread(target=_grade_service, args=(grader, folder, grader_env),
                     daemon=True).start()

    env = base_env(folder)
    env[GRADE_SOCKET_ENV] = str(grade_path)
    # the check cells speak the student's language and link to the course site
    from .runner import grading_lang

    env["WEEK4_LANG"] = grading_lang()
    if os.environ.get("WEEK4_SITE_URL"):
        env["WEEK4_SITE_URL"] = os.environ["WEEK4_SITE_URL"]
    jail = Jail(private, workdir=folder, course=COURSE_MOUNTS + KERNEL_MOUNTS, extra_rw=[folder])
    kernel = Process(jail, [sys.executable, "-m", "ipykernel_launcher", "-f",
                            str(private / "kernel.json")], env=env, cwd=folder)

    def finish(signum=None, frame=None):
        stop.set()
        kernel.stop()
        for sock in listeners + [grader]:
            sock.close()
        import shutil
        shutil.rmtree(private, ignore_errors=True)
        if signum is not None:
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, finish)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is for the kernel, not us
    try:
        return kernel.proc.wait() or 0
    finally:
        finish()


if __name__ == "__main__":
    sys.exit(main())
