"""Child-side helper for topic 02: serve the student's Flask app over real HTTP.

This is trusted grader code that runs in the sandbox child, next to the student's objects
(`nb.helper("autograder.sandboxed.flask_server:serve", database)`). It builds the app with the
grader's config and serves it with werkzeug, on the listening socket the grader bound and
passed in (`WEEK4_LISTEN_FD`; the sandbox's own network reaches nobody), from a daemon
thread, so the child's request loop stays free to answer the grader. The server lives and
dies with the child: the sandbox kills the child's whole process group.

It returns plain data: {"port": int}, or {"error": "a sentence the student can act on",
"failure": {...}} (with "missing": True when there is no create_app at all). "failure" holds
the same facts as data (the step that failed, the exception's type, file, line and message), so
that the grader can say them in the student's language (`http_api.served_failure`).

`fresh(child, database)` builds the app again on another database file and passes the served
socket's requests to it from then on: each check starts from a new database without the cost
of a new process (module-level state in the student's code stays, as it would in production).
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
import traceback

APP_FILE = "app.py"


def _is_students_app(filename: str) -> bool:
    """True for the student's own app.py (in the working folder), never for a library's
    app.py (flask/app.py, flask/sansio/app.py)."""
    own = os.path.realpath(os.path.join(os.getcwd(), APP_FILE))
    return os.path.realpath(os.path.join(os.getcwd(), filename)) == own


def _place(exc: BaseException) -> tuple[str, int] | None:
    """(file, line) of the student's deepest frame: app.py, or 'cell N' of the notebook."""
    place = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        name = frame.f_code.co_filename
        if _is_students_app(name):
            place = (APP_FILE, lineno)
        elif name.startswith("<cell "):
            place = (name[1:-1], lineno)
    if isinstance(exc, SyntaxError) and exc.lineno:
        place = (os.path.basename(exc.filename or APP_FILE), exc.lineno)
    return place


def _failure(step: str, exc: BaseException | None = None, **facts) -> dict:
    """{"step": ..., "type": ..., "file": ..., "line": ..., "message": ...}: plain data."""
    data = {"step": step, **facts}
    if exc is not None:
        message = exc.msg if isinstance(exc, SyntaxError) else str(exc)  # where comes apart
        if isinstance(exc, SystemExit):
            message = repr(exc.code)
        place = _place(exc)
        data.update(type=type(exc).__name__, message=message[:300],
                    file=place[0] if place else "", line=place[1] if place else 0)
    return data


def _describe(exc: BaseException) -> str:
    """The failure in English, for logs and callers that want one sentence."""
    place = _place(exc)
    where = f" ({place[0]}, line {place[1]})" if place else ""
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r})"
    if isinstance(exc, NotImplementedError):
        return (f"raised NotImplementedError{where}: replace each "
                "`raise NotImplementedError()` with your code")
    message = exc.msg if isinstance(exc, SyntaxError) else str(exc)
    if len(message) > 300:
        message = message[:297] + "..."
    return f"raised {type(exc).__name__}{where}" + (f": {message}" if message else "")


def find_create_app(child):
    """The student's create_app: defined in the notebook, or in app.py (the %%writefile cell)."""
    func = child.namespace.get("create_app")
    if callable(func):
        return func
    if not os.path.exists(APP_FILE):
        raise LookupError("there is no create_app: write it in the notebook's %%writefile app.py "
                          "cell and run that cell")
    module = importlib.import_module("app")
    func = getattr(module, "create_app", None)
    if not callable(func):
        raise LookupError(f"{APP_FILE} defines no function create_app")
    return func


def listen_fd() -> int | None:
    """The listening socket the grader bound and passed in (None: bind a port here)."""
    value = os.environ.get("WEEK4_LISTEN_FD")
    return int(value) if value and value.isdigit() else None


class _Switch:
    """The WSGI app the server calls: it passes each request to the app built last."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


_SERVED: dict = {}  # "switch": the served _Switch, "port": its port


def build(child, database: str):
    """The student's app on `database`, or {"error": ...}."""
    import flask

    config = {"DATABASE": database, "TESTING": False}
    try:
        create_app = find_create_app(child)
    except LookupError as exc:
        return {"error": str(exc), "missing": True,
                "failure": _failure("missing", defined=os.path.exists(APP_FILE))}
    except BaseException as exc:  # importing app.py runs student code: it may raise anything
        return {"error": f"importing {APP_FILE} {_describe(exc)}",
                "failure": _failure("import", exc, file_name=APP_FILE)}
    try:
        app = create_app(config)
    except BaseException as exc:
        return {"error": f"create_app({config!r}) {_describe(exc)}",
                "failure": _failure("create_app", exc, call=f"create_app({config!r})")}
    if not isinstance(app, flask.Flask):
        kind = f"{type(app).__module__}.{type(app).__qualname__}"
        return {"error": f"create_app(...) must return the Flask app it built; it returned a "
                         f"{kind}", "failure": _failure("returned", kind=kind)}
    return app


def serve(child, database: str) -> dict:
    """Build the student's app on `database`, serve it; return {"port": ...} or {"error": ...}."""
    from werkzeug.serving import make_server

    app = build(child, database)
    if isinstance(app, dict):
        return app
    switch = _Switch(app)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no log line per grader request
    try:
        server = make_server("127.0.0.1", 0, switch, threaded=True, fd=listen_fd())
    except Exception as exc:
        return {"error": f"the app could not be served: {type(exc).__name__}: {exc}",
                "failure": _failure("serve", exc)}
    thread = threading.Thread(target=server.serve_forever, name="week4-http", daemon=True)
    thread.start()
    _SERVED.update(switch=switch, port=int(server.socket.getsockname()[1]))
    return {"port": _SERVED["port"]}


def fresh(child, database: str) -> dict:
    """Build the app again on `database` and serve it on the same socket from now on."""
    if "switch" not in _SERVED:
        return {"error": "no server is running"}
    app = build(child, database)
    if isinstance(app, dict):
        return app
    _SERVED["switch"].app = app
    return {"port": _SERVED["port"]}
