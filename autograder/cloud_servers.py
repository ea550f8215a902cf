"""Servers the cloud checks run next to the sandbox: moto (a local AWS) and gunicorn.

Both are separate processes that the grader starts and always stops; neither ever runs
inside the grader's process. Each one:

- runs in its own process group (`stop()` kills the whole group, workers included);
- dies with the grader (Linux: PR_SET_PDEATHSIG), so a killed grader leaves nothing behind;
- carries a marker in its environment, `WEEK4_CLOUD_RUN=<token>`: `stop()` also kills every
  process that still carries the token, e.g. a gunicorn that daemonised itself out of the
  process group (Linux only: it reads /proc).

`STARTED` lists every pid started from this process, so tests can prove none survives.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

try:
    import resource
except ImportError:  # Windows: no resource limits
    resource = None

MARKER = "WEEK4_CLOUD_RUN"
STARTED: list[int] = []
TOKENS: list[str] = []
SERVER_MEMORY_MB = 2048


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def marked_processes(token: str) -> list[int]:
    """Pids of the live processes whose environment carries `WEEK4_CLOUD_RUN=<token>`."""
    needle = f"{MARKER}={token}".encode()
    found = []
    proc = Path("/proc")
    if not proc.is_dir():
        return found
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state = stat.rsplit(")", 1)[-1].split()[0] if ")" in stat else ""
        if state != "Z" and needle in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _prepare(memory_mb: int):
    # Everything the child needs is looked up here, before the fork: between fork and exec
    # it must not import (another thread of the grader may hold the import lock).
    prctl = None
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            prctl = ctypes.CDLL(None, use_errno=True).prctl
    limit = memory_mb * 1024 * 1024

    def apply():  # runs in the new process between fork and exec
        if resource is not None:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if prctl is not None:
            prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the grader
    return apply


class Server:
    """One server process (and its children), started by the grader."""

    def __init__(self, name: str, argv: list[str], *, cwd: Path, env: dict, log_path: Path,
                 memory_mb: int = SERVER_MEMORY_MB, jail=None, pass_fds: tuple = ()):
        """With `jail` (an `autograder.jail.Jail`), the server runs inside that sandbox: for
        anything a submission controls, such as gunicorn reading the student's config."""
        self.jail = jail
        self.pass_fds = tuple(pass_fds)
        self.jailed = None
        self.name = name
        self.argv = argv
        self.cwd = Path(cwd)
        self.token = f"{os.getpid()}-{secrets.token_hex(8)}"
        self.env = {**env, MARKER: self.token}
        self.log_path = Path(log_path)
        self.memory_mb = memory_mb
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        if self.jail is not None:
            from .jail import Process

            with open(self.log_path, "ab") as log:
                self.jailed = Process(self.jail, self.argv, env=self.env, cwd=self.cwd,
                                      stdout=log, stderr=subprocess.STDOUT,
                                      pass_fds=self.pass_fds)
            self.proc = self.jailed.proc
            STARTED.append(self.proc.pid)
            TOKENS.append(self.token)
            return
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                preexec_fn=_prepare(self.memory_mb),  # noqa: PLW1509 (imports nothing)
            )
        STARTED.append(self.proc.pid)
        TOKENS.append(self.token)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> bool:
        """Kill the server, its process group and anything else that carries its token.

        Returns True when nothing of it is left (always, unless a process refuses to die).
        """
        if self.jailed is not None:
            self.jailed.stop()  # the whole sandbox: gunicorn, its workers, anything they forked
        if self.proc is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # until no process with the token is left
            pids = marked_processes(self.token)
            if not pids:
                break
            for pid in pids:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        return not self.running() and not marked_processes(self.token)

    def output_tail(self, lines: int = 8) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def http_get(port: int, path: str, timeout: float = 2.0) -> tuple[int, dict, bytes]:
    """GET http://127.0.0.1:<port><path>: (status, headers, body); raises OSError if no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read(65536)
    finally:
        conn.close()


def wait_until_up(server: Server, port: int, path: str, timeout: float):
    """Poll GET `path` until the server answers; (status, headers, body) or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return http_get(port, path, timeout=min(2.0, max(0.2, deadline - time.monotonic())))
        except (OSError, http.client.HTTPException):
            if not server.running():
                return None  # it exited: no point in waiting
            time.sleep(0.05)
    return None


class MotoServer:
    """moto's server mode on 127.0.0.1: S3 and EC2 without an AWS account.

    Student code never talks to it directly: the sandbox has no network, so `attach()` puts
    an `AwsProxy` on a unix socket in the sandbox's scratch folder, and a relay inside the
    sandbox (`autograder.sandboxed.relay`) forwards boto3's connections to it. The proxy
    refuses moto's own control API (`/moto-api/`: reset, recorder, ...) and logs every
    request (method, URL, headers), so a check can see which credentials signed them.
    """

    REGION = "ap-northeast-2"  # Seoul, where the course's own account runs

    def __init__(self, scratch: Path | None = None, start_timeout: float = 20.0):
        self.scratch = Path(scratch or tempfile.mkdtemp(prefix="week4-moto-"))
        self.recording = self.scratch / "moto-requests.jsonl"
        self.start_timeout = start_timeout
        # The credentials the student's code gets: random, known only to this server's grading.
        self.access_key = "W4" + secrets.token_hex(8).upper()
        self.server: Server | None = None
        self.port = 0
        self._clients: dict[str, object] = {}
        self._session = None
        self.proxies: list[AwsProxy] = []
        self.log: list[dict] = []

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(self.scratch),
               "PYTHONDONTWRITEBYTECODE": "1"}
        for attempt in range(3):  # the free port may be taken before moto binds it
            self.port = free_port()
            self.server = Server("moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1",
                                          "-p", str(self.port)],
                                 cwd=self.scratch, env=env, log_path=self.scratch / "moto.log")
            self.server.start()
            if wait_until_up(self.server, self.port, "/moto-api/", self.start_timeout):
                self._warm_up()
                return
            self.server.stop()
        raise RuntimeError(f"moto_server did not start: {self.server.output_tail()}")

    def stop(self) -> None:
        for proxy in self.proxies:
            proxy.stop()
        if self.server is not None:
            self.server.stop()

    def attach(self, sandbox) -> dict:
        """Let `sandbox` reach this server; returns the variables its child needs."""
        path = Path(sandbox.scratch) / f"aws-{secrets.token_hex(4)}.sock"
        proxy = AwsProxy(path, self.port, self.log)
        proxy.start()
        self.proxies.append(proxy)
        port = RELAY_PORT
        return {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "WEEK4_AWS_RELAY": f"{port}:{path}"}

    def client(self, service: str):
        """A boto3 client of the grader's own, pointed at this server only."""
        if service not in self._clients:
            import boto3
            from botocore.config import Config
            if self._session is None:
                self._session = boto3.session.Session()  # not the default one: ours alone
            self._clients[service] = self._session.client(
                service, endpoint_url=self.endpoint, region_name=self.REGION,
                aws_access_key_id="week4-grader", aws_secret_access_key="week4-grader",
                config=Config(retries={"max_attempts": 1}, connect_timeout=5, read_timeout=30),
            )
        return self._clients[service]

    def _warm_up(self) -> None:
        """Let moto build its EC2 backend (seconds of CPU) while the notebook loads.

        A bare HTTP request is enough: moto reads the region and the service from the
        credential scope and needs no valid signature.
        """
        def run():
            body = b"Action=DescribeInstances&Version=2016-11-15"
            headers = {"Content-Type": "application/x-www-form-urlencoded",
                       "Authorization": "AWS4-HMAC-SHA256 Credential=week4-grader/20240101/"
                                        f"{self.REGION}/ec2/aws4_request, SignedHeaders=host, "
                                        "Signature=0"}
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            with contextlib.suppress(OSError, http.client.HTTPException):
                conn.request("POST", "/", body=body, headers=headers)
                conn.getresponse().read()
            conn.close()
        threading.Thread(target=run, daemon=True, name="moto-warm-up").start()

    def recording_size(self) -> int:
        """How many requests the proxies have logged so far (an offset for requests_since)."""
        return len(self.log)

    def requests_since(self, offset: int) -> list[dict]:
        """The requests the student's code sent after `offset`: method, url, headers."""
        return [dict(entry) for entry in self.log[offset:]]


RELAY_PORT = 4566  # where AWS_ENDPOINT_URL points inside the sandbox (its private loopback)
MAX_PROXY_BODY = 64 << 20
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-connection", "content-length", "host"}


class AwsProxy:
    """An HTTP proxy on a unix socket, from one sandbox to moto: logs, and refuses /moto-api/."""

    def __init__(self, path: Path, upstream_port: int, log: list):
        import http.server
        import socketserver

        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 30  # per read: a silent client is dropped

            def log_message(self, *args):  # no stderr line per request
                pass

            def address_string(self):
                return "sandbox"

            def _body(self) -> bytes:
                if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                    out = b""
                    while True:
                        size = int(self.rfile.readline(100).split(b";")[0].strip() or b"0", 16)
                        if size == 0:
                            while self.rfile.readline(8192) not in (b"\r\n", b"\n", b""):
                                pass
                            return out
                        if len(out) + size > MAX_PROXY_BODY:
                            raise ValueError("body too large")
                        out += self.rfile.read(size)
                        self.rfile.readline(10)
                length = int(self.headers.get("Content-Length") or 0)
                if length > MAX_PROXY_BODY:
                    raise ValueError("body too large")
                return self.rfile.read(length) if length else b""

            def _answer(self, status: int, body: bytes, headers: list | None = None) -> None:
                self.send_response(status)
                for name, value in headers or [("Content-Type", "text/plain")]:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _forward(self) -> None:
                try:
                    body = self._body()
                except (ValueError, OSError):
                    self.close_connection = True
                    return self._answer(400, b"bad request body")
                path = self.path
                if path.split("?")[0].lower().startswith(("/moto-api", "//moto-api")) or \
                        not path.startswith("/"):
                    return self._answer(403, b"not available to submissions")
                headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
                proxy.log.append({"method": self.command, "url": path, "headers": dict(headers)})
                conn = http.client.HTTPConnection("127.0.0.1", proxy.upstream_port, timeout=60)
                try:
                    conn.request(self.command, path, body=body, headers=headers)
                    response = conn.getresponse()
                    data = response.read()
                    out = [(k, v) for k, v in response.getheaders() if k.lower() not in HOP_BY_HOP]
                    self._answer(response.status, data, out)
                except (OSError, http.client.HTTPException):
                    self._answer(502, b"the local AWS did not answer")
                finally:
                    conn.close()

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = do_PATCH = do_OPTIONS = _forward

        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True

        self.path = Path(path)
        self.upstream_port = upstream_port
        self.log = log
        self.server = Server(str(self.path), Handler)
        os.chmod(self.path, 0o600)  # the sandbox's uid gets it when the sandbox starts
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        # stop() waits up to one poll of serve_forever: 0.05 s, not the default 0.5 s, at
        # the end of every grading
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True, name="week4-aws-proxy")
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def gunicorn_argv(config: str, bind: str, app: str, workers: int = 1) -> list[str]:
    """The command that runs gunicorn with a config file, with bind and workers overridden."""
    argv = [sys.executable, "-m", "gunicorn", "--config", config, "--bind", bind,
            "--workers", str(workers)]
    try:
        from gunicorn.config import KNOWN_SETTINGS
        if any(s.name == "control_socket_disable" for s in KNOWN_SETTINGS):
            argv.append("--no-control-socket")  # gunicorn >= 24: no shared socket in $HOME
    except ImportError:
        pass
    return argv + [app]
