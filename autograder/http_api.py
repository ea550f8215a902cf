"""Grader-side HTTP for checks that talk to a student's web app (topic 02).

`ApiServer` runs the student's app as a real server inside the sandbox child (see
`autograder.sandboxed.flask_server`) and sends it plain HTTP requests with `http.client`. Student
code never runs here: the grader only reads status codes, headers and bytes.

- The database is a file in the sandbox's scratch folder, outside the child's working copy,
  so `restart()` (a new child process on the same file) shows what survived.
- `fresh(label)` gives a check a new, empty database (the seed menus only): the child builds the
  app again on another file and serves it on the same socket, so that what one check stored
  (or broke) cannot change another check's verdict.
- A 307 or 308 redirect to the same server is followed, as curl -L, Postman and browsers do,
  keeping the method and body; the Exchange keeps the redirects (`redirects`), so a check about
  a URL can still see that it was not the final one.
- Every request has a timeout. A request that gets no answer, or a server that died, costs
  that check; the server is then restarted, and after MAX_STALLS such failures the remaining
  checks fail at once, so a hanging submission costs seconds rather than minutes.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .checking import CheckFailed

from week4.i18n import current

_ = current()  # what a student reads, in the grading language

HTTP_TIMEOUT = 3.0      # seconds for each socket operation of one request
REQUEST_DEADLINE = 8.0  # seconds for a whole response, however slowly it trickles in
START_TIMEOUT = 10.0    # seconds to import the app, run create_app and start serving
MAX_STALLS = 2
MAX_BODY = 1 << 20      # bytes of a response body the grader reads
QUOTE = 160             # characters of a body quoted in messages

_MISSING = object()
REDIRECTS = (307, 308)  # the redirects that keep the method and body
MAX_REDIRECTS = 3


def quote_text(text: str, limit: int = QUOTE) -> str:
    """`text` cut to `limit` characters (a 5,000-digit id stays readable)."""
    return text if len(text) <= limit else f"{text[: limit - 30]}... ({len(text)} characters)"


def same_server_path(location: str) -> str | None:
    """The path (and query) of a Location on the server itself, or None."""
    from urllib.parse import urlsplit

    parts = urlsplit(location)
    if parts.scheme not in ("", "http") or parts.hostname not in (None, "127.0.0.1", "localhost") \
            or not parts.path.startswith("/"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def quote_bytes(data: bytes | None, limit: int = QUOTE) -> str:
    if not data:
        return _("(empty)")
    text = data.decode("utf-8", errors="backslashreplace").strip()
    text = re.sub(r"\s*\n\s*", " ", text)  # one line: HTML error pages span many
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass
class Exchange:
    """One request the grader sent and the response it got, as plain data."""

    method: str
    path: str
    body: bytes | None = None
    content_type: str | None = None
    status: int = 0
    reason: str = ""
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    data: bytes = b""
    redirects: list = field(default_factory=list)  # [(status, Location)] followed on the way

    @property
    def request_text(self) -> str:
        text = f"{self.method} {quote_text(self.path)}"
        if self.content_type:
            text += f" (Content-Type: {self.content_type})"
        if self.body is not None:
            text += " " + _("with body {body}").format(body=quote_bytes(self.body))
        return text

    @property
    def response_text(self) -> str:
        text = "".join(_("{status} redirect to {location}, then ").format(
            status=status, location=location) for status, location in self.redirects)
        text += f"{self.status} {self.reason}".strip()
        if "location" in self.headers:
            text += f", Location: {self.headers['location']}"
        return text + ", " + _("body {body}").format(body=quote_bytes(self.data))

    def __str__(self) -> str:
        return f"{self.request_text} -> {self.response_text}"

    @property
    def mimetype(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def json(self, default=_MISSING):
        """The body parsed as JSON; `default` (or CheckFailed) when it is not JSON."""
        try:
            return json.loads(self.data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            if default is not _MISSING:
                return default
            raise CheckFailed(_("{request} answered a body that is not JSON: {response}").format(
                request=self.request_text, response=self.response_text)) from None


@contextlib.contextmanager
def overall_deadline(conn: http.client.HTTPConnection, seconds: float):
    """Cut `conn` after `seconds` however slowly the server trickles its answer; yields an
    Event that is set when the deadline cut the exchange."""
    expired = threading.Event()

    def cut() -> None:
        expired.set()
        with contextlib.suppress(OSError, AttributeError):
            conn.sock.shutdown(socket.SHUT_RDWR)

    conn.connect()
    watchdog = threading.Timer(seconds, cut)
    watchdog.daemon = True
    watchdog.start()
    try:
        yield expired
    finally:
        watchdog.cancel()


class NoAnswer(Exception):
    """The server did not answer in time, or closed the connection without an answer."""


def no_complete_answer(ex) -> str:
    return _("{request} got no complete answer within {seconds} s").format(
        request=ex.request_text, seconds=f"{REQUEST_DEADLINE:.0f}")


def send(port: int, method: str, path: str, *, body: bytes | None = None,
         content_type: str | None = None, headers: dict | None = None) -> Exchange:
    """Send one request to 127.0.0.1:port over a fresh connection; raise NoAnswer on failure."""
    ex = Exchange(method, path, body, content_type)
    sent = {"Connection": "close", **(headers or {})}
    if content_type is not None:
        sent["Content-Type"] = content_type
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT)
    deadline = time.monotonic() + REQUEST_DEADLINE
    expired = threading.Event()

    def cut() -> None:  # the overall deadline: a server trickling bytes cannot hold us
        expired.set()
        with contextlib.suppress(OSError, AttributeError):
            conn.sock.shutdown(socket.SHUT_RDWR)

    watchdog = threading.Timer(REQUEST_DEADLINE, cut)
    watchdog.daemon = True
    try:
        conn.connect()
        watchdog.start()
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        ex.status, ex.reason = response.status, response.reason
        ex.headers = {k.lower(): v for k, v in response.getheaders()}
        chunks, size = [], 0
        while size < MAX_BODY:
            if time.monotonic() > deadline or expired.is_set():
                raise NoAnswer(no_complete_answer(ex))
            chunk = response.read1(MAX_BODY - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if expired.is_set():
            raise NoAnswer(no_complete_answer(ex))
        ex.data = b"".join(chunks)
    except (TimeoutError, socket.timeout):
        raise NoAnswer(_("{request} got no answer within {seconds} s (an endless loop, or a "
                         "view waiting for something?)").format(
            request=ex.request_text, seconds=f"{HTTP_TIMEOUT:.0f}")) from None
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            raise NoAnswer(no_complete_answer(ex)) from None
        raise NoAnswer(_("{request} got no answer: the connection failed ({error}); did the app "
                         "stop the server process?").format(request=ex.request_text,
                                                           error=type(exc).__name__)) from None
    finally:
        watchdog.cancel()
        conn.close()
    return ex


def follow_redirects(send_once, path: str) -> Exchange:
    """`send_once(path)`, following 307/308 redirects to the same server (at most
    MAX_REDIRECTS); the exchange keeps the path first asked for and the redirects taken."""
    redirects, first = [], path
    while True:
        ex = send_once(path)
        target = same_server_path(ex.headers.get("location", ""))
        if ex.status not in REDIRECTS or target is None or len(redirects) >= MAX_REDIRECTS:
            break
        redirects.append((ex.status, ex.headers["location"]))
        path = target
    ex.path, ex.redirects = first, redirects
    return ex


def send_following(port: int, method: str, path: str, **kwargs) -> Exchange:
    """`send`, following 307/308 redirects to the same server (at most MAX_REDIRECTS)."""
    return follow_redirects(lambda p: send(port, method, p, **kwargs), path)


def served_failure(value: dict) -> str:
    """Why the app could not be served, in the grading language, from the facts the sandboxed
    helper returned (autograder/sandboxed/flask_server.py: "failure"); its English "error"
    sentence when there are no facts."""
    facts = value.get("failure")
    if not isinstance(facts, dict):
        return str(value.get("error") or _("no port"))
    text = {k: str(v)[:300] for k, v in facts.items()}
    step = text.get("step")
    if step == "missing":
        return (_("app.py defines no function create_app") if facts.get("defined") is True else
                _("there is no create_app: write it in the notebook's %%writefile app.py cell "
                  "and run that cell"))
    if step == "returned":
        return _("create_app(...) must return the Flask app it built; it returned a "
                 "{kind}").format(kind=text.get("kind", "?"))
    kind, message = text.get("type", "Exception"), text.get("message", "")
    place = (_("({file}, line {line})").format(file=text["file"], line=text.get("line", "?"))
             if text.get("file") else "")
    if kind == "SystemExit":
        outcome = _("called sys.exit({code})").format(code=message)
    elif kind == "NotImplementedError":
        outcome = (_("raised NotImplementedError {place}: replace each `raise "
                     "NotImplementedError()` with your code").format(place=place) if place else
                   _("raised NotImplementedError: replace each `raise NotImplementedError()` "
                     "with your code"))
    else:
        outcome = (_("raised {error} {place}").format(error=kind, place=place) if place else
                   _("raised {error}").format(error=kind)) + (f": {message}" if message else "")
    if step == "import":
        return _("importing {file} {outcome}").format(file=text.get("file_name", "app.py"),
                                                      outcome=outcome)
    if step == "create_app":
        return _("{call} {outcome}").format(call=text.get("call", "create_app(...)"),
                                            outcome=outcome)
    return f"{kind}: {message}"  # the server itself could not start (step "serve")


class ApiServer:
    """The student's app, served in the sandbox child of one submission."""

    HELPER = "autograder.sandboxed.flask_server:serve"

    def __init__(self, nb, database_name: str = "grader.sqlite"):
        self.nb = nb
        self.database = nb.sandbox.scratch / database_name
        self.port: int | None = None
        self.pid: int | None = None
        self.broken = ""   # why the app cannot be served at all; later checks fail at once
        self.stalls = 0
        self.memo: dict = {}  # results that several checks share (e.g. a restart scenario)
        self.fresh_count = 0
        self.stem = Path(database_name).stem  # fresh files are this server's own

    # -- lifecycle ---------------------------------------------------------------------
    def fresh(self, label: str) -> None:
        """From now on, serve the app on a new database file of its own (the seed menus only).

        The child builds the app again (create_app) on the new file and serves it on the same
        socket; an app that cannot be built twice in one process gets a new process instead.
        """
        self.fresh_count += 1
        slug = "".join(c if c.isalnum() else "-" for c in label)[:40]
        self.database = self.nb.sandbox.scratch / \
            f"{self.stem}-{self.fresh_count:02d}-{slug}.sqlite"
        if self.broken or not self._serving():
            return  # the next request starts the server on the new file
        try:
            value = self.nb.helper("autograder.sandboxed.flask_server:fresh", str(self.database),
                                   timeout=START_TIMEOUT, shown="building your app again")
        except CheckFailed:
            value = None
        if not isinstance(value, dict) or value.get("port") != self.port:
            self.nb.sandbox.kill()  # a new process builds it once, as for the first check
            self.port = None

    def _serving(self) -> bool:
        proc = self.nb.sandbox.proc
        return (self.port is not None and proc is not None and proc.pid == self.pid
                and proc.poll() is None)

    def start(self) -> int:
        """Make sure the app is being served; return its port."""
        if self.broken:
            raise CheckFailed(self.broken)
        if self._serving():
            return self.port
        self.port = None
        try:
            value = self.nb.helper(self.HELPER, str(self.database), timeout=START_TIMEOUT,
                                   shown="serving your app (create_app, then a real server)")
        except CheckFailed as exc:
            self.broken = _("your app could not be served: {reason}").format(reason=exc.public)
            raise CheckFailed(self.broken) from None
        if not isinstance(value, dict) or not isinstance(value.get("port"), int):
            value = value if isinstance(value, dict) else {}
            # When there is no create_app, a cell that raised while loading is the likely cause.
            notes = self.nb.load_notes() if value.get("missing") else []
            reason = served_failure(value)
            self.broken = (_("your app could not be served: {reason} (while loading the "
                             "notebook, {note})").format(reason=reason, note=notes[0]) if notes
                           else _("your app could not be served: {reason}").format(reason=reason))
            raise CheckFailed(self.broken)
        self.port, self.pid = value["port"], self.nb.sandbox.proc.pid
        return self.port

    def restart(self) -> int:
        """Stop the server process and serve the app again from a new one, same database."""
        self.nb.sandbox.kill()
        self.port = None
        return self.start()

    def _stalled(self, message: str):
        self.stalls += 1
        self.nb.sandbox.kill()  # takes any stuck threads with it; the next request restarts
        self.port = None
        if self.stalls >= MAX_STALLS:
            self.broken = _("the server stopped answering {count} times, so the remaining "
                            "checks were not run (last time: {message})").format(
                count=self.stalls, message=message)
        raise CheckFailed(message)

    # -- requests ----------------------------------------------------------------------
    def request(self, method: str, path: str, *, json_body=_MISSING, body: bytes | None = None,
                content_type: str | None = None, headers: dict | None = None) -> Exchange:
        """Send one request; `json_body` is encoded as JSON with Content-Type application/json."""
        if json_body is not _MISSING:
            body = json.dumps(json_body).encode("utf-8")
            content_type = content_type or "application/json"
        self.check_budget()
        port = self.start()
        try:
            return send_following(port, method, path, body=body, content_type=content_type,
                                  headers=headers)
        except NoAnswer as exc:
            self._stalled(str(exc))

    def many(self, requests: list[dict]) -> list[Exchange]:
        """Send requests all at once from parallel threads (each a dict of `request` kwargs)."""
        import threading

        self.check_budget()
        port = self.start()
        results: list = [None] * len(requests)
        barrier = threading.Barrier(len(requests))

        def worker(i: int, spec: dict) -> None:
            spec = dict(spec)
            if "json_body" in spec:
                spec["body"] = json.dumps(spec.pop("json_body")).encode("utf-8")
                spec.setdefault("content_type", "application/json")
            try:
                barrier.wait(timeout=HTTP_TIMEOUT)
            except threading.BrokenBarrierError:
                pass
            try:
                results[i] = send_following(port, **spec)
            except NoAnswer as exc:
                results[i] = exc

        threads = [threading.Thread(target=worker, args=(i, spec), daemon=True)
                   for i, spec in enumerate(requests)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(REQUEST_DEADLINE + HTTP_TIMEOUT + 1)
        for result in results:
            if isinstance(result, NoAnswer) or result is None:
                self._stalled(str(result or _("a parallel request never finished")))
        return results

    def check_budget(self) -> None:
        if time.monotonic() >= self.nb.deadline:
            raise CheckFailed(_("grading time for this topic is used up (earlier requests "
                                "timed out)"))
