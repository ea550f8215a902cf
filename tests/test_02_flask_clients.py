"""Topic 02 with real clients: the lecture demo, the docs' commands (flask, curl, raw HTTP,
newman, gunicorn) against real servers, and the shape of the docs page, notebook and release.

The reference API is the solution notebook's `app.py`, written to a temporary folder and
started with the very commands the docs show (only the port differs: a free one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from autograder.checking import checks_in
from autograder.notebook import load_cells, read_notebook
from helpers import BIN, EXERCISES, ROOT, SOLUTIONS, wait_until_listening

TOPIC = "02-flask-rest"
DEMOS = ROOT / "week4" / "demos"
PAGE = ROOT / "docs" / "topics" / f"{TOPIC}.md"
COLLECTION = "menus.postman_collection.json"
SEED = [{"id": 1, "name": "Espresso", "price": 3800}, {"id": 2, "name": "Americano", "price": 4100},
        {"id": 3, "name": "CafeLatte", "price": 4600}]

# The server commands exactly as the docs page shows them; tests only change the port.
FLASK_HELLO = "flask --app week4.demos.hello_flask run"
FLASK_ROUTES = "flask --app week4.demos.hello_flask routes"
FLASK_MENUS = "flask --app app run"
FLASK_MENUS_PORT = "flask --app app run --port 5001"
GUNICORN = 'gunicorn -w 2 -b 127.0.0.1:8000 "app:create_app()"'
NEWMAN = ("node_modules/.bin/newman run exercises/02-flask-rest/menus.postman_collection.json "
          "--env-var baseUrl=http://127.0.0.1:5000")


def tool_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "WERKZEUG_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@contextmanager
def serving(command: list[str], cwd: Path, port: int, ready: str):
    """Run a server command until the block ends; stop its whole process group after."""
    log = cwd / f"server-{port}.log"
    proc = subprocess.Popen(command, cwd=cwd, env=tool_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_until_listening(proc, log, ("Running on", "Listening at"))
        # bound is not yet serving (gunicorn's workers are still booting): the first request
        # may wait in the backlog, so it gets a hang guard, not a deadline to meet
        assert get(f"http://127.0.0.1:{port}{ready}", timeout=120)[0] < 500
        yield f"http://127.0.0.1:{port}"
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue


def command(text: str, **replace: str) -> list[str]:
    """A documented command as argv, with the port swapped: `command(GUNICORN, **{"8000": "9"})`."""
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    argv = re.findall(r'"[^"]*"|\S+', text)
    argv = [a.strip('"') for a in argv]
    tool = BIN / argv[0]
    if tool.exists():
        argv[0] = str(tool)
    return argv


@pytest.fixture
def reference_dir(tmp_path) -> Path:
    """A folder holding the solution's app.py, as the notebook's %%writefile cell writes it."""
    cells = load_cells(SOLUTIONS / TOPIC / f"{TOPIC}.ipynb")
    source = next(c.source for c in cells if c.kind == "writefile" and c.target == "app.py")
    (tmp_path / "app.py").write_text(source, encoding="utf-8")
    return tmp_path


@pytest.fixture
def menu_api(reference_dir):
    """The reference API on a new database, started with the docs' `flask --app app run`."""
    port = free_port()
    with serving(command(FLASK_MENUS_PORT, **{"5001": str(port)}), reference_dir, port,
                 "/menus") as base:
        yield base


def statuses(output: str) -> list[int]:
    return [int(code) for code in re.findall(r"^HTTP/1\.[01] (\d{3})", output, re.MULTILINE)]


def run_script(name: str, base: str) -> str:
    proc = subprocess.run(["bash", str(DEMOS / name)], env={**tool_env(), "BASE": base},
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


# --- the lecture demo ----------------------------------------------------------------------------

def test_hello_demo_with_the_test_client():
    from week4.demos.hello_flask import create_app

    client = create_app({"TESTING": True}).test_client()
    assert client.get("/hello/Mina").get_json() == {"message": "Hello, Mina!"}
    echoed = client.post("/echo?size=tall", json={"drink": "latte"}).get_json()
    assert echoed == {"method": "POST", "path": "/echo", "query": {"size": "tall"},
                      "content_type": "application/json", "json": {"drink": "latte"}}
    assert client.post("/sum", json={"numbers": [1, 2, 3]}).get_json() == {"total": 6}
    for response, status in ((client.post("/sum", json={"numbers": [True]}), 400),
                             (client.post("/sum", json=[1]), 400),
                             (client.post("/sum", data="numbers=1"), 415),
                             (client.delete("/echo"), 405), (client.get("/nope"), 404)):
        assert response.status_code == status
        assert response.is_json and response.get_json()["error"]


def test_hello_demo_over_http_with_the_documented_commands(tmp_path):
    port = free_port()
    with serving(command(FLASK_HELLO) + ["--port", str(port)], tmp_path, port,
                 "/hello/x") as base:
        output = run_script("02-curl-hello.sh", base)
    assert statuses(output) == [200, 200, 200, 200, 400, 415]
    assert '"message":"Hello, Mina!"' in output
    assert '"query":{"shots":"2","size":"tall"}' in output
    assert '"json":{"drink":"latte"}' in output
    assert '"total":7900' in output


def test_flask_routes_lists_the_demo_routes(tmp_path):
    proc = subprocess.run(command(FLASK_ROUTES), cwd=tmp_path, env=tool_env(),
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    for rule in ("/hello/<name>", "/echo", "/sum"):
        assert rule in proc.stdout


def test_duplicate_view_names_fail_as_documented():
    proc = subprocess.run([str(BIN / "python"), str(DEMOS / "02-duplicate-views.py")],
                          capture_output=True, text=True, timeout=600, env=tool_env())
    assert proc.returncode != 0
    assert ("AssertionError: View function mapping is overwriting an existing endpoint "
            "function: menus") in proc.stderr


# --- the menu API, with real clients -------------------------------------------------------------

def test_curl_commands_of_the_docs(menu_api):
    output = run_script("02-curl-menus.sh", menu_api)
    assert statuses(output) == [200, 200, 200, 201, 409, 400, 415, 404, 405, 200, 204, 404]
    assert re.search(r"^Location: /menus/4\r?$", output, re.MULTILINE)
    assert '{"id":4,"name":"Mocha","price":5000}' in output


def test_raw_http_request_of_the_docs(menu_api):
    raw = (DEMOS / "02-post-menu.http").read_text(encoding="utf-8")
    head, body = raw.split("\n\n", 1)
    body = body.rstrip("\n").encode("utf-8")
    assert f"Content-Length: {len(body)}" in head  # the page's example is a valid message
    port = int(menu_api.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(head.replace("\n", "\r\n").encode("ascii") + b"\r\n\r\n" + body)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    got_head, got_body = answer.decode("utf-8").split("\r\n\r\n", 1)
    shown = (DEMOS / "02-post-menu-response.http").read_text(encoding="utf-8")
    shown_head, shown_body = shown.split("\n\n", 1)
    got_lines = got_head.split("\r\n")
    shown_lines = shown_head.split("\n")
    assert got_lines[0] == shown_lines[0]
    assert set(shown_lines[1:]) <= set(got_lines[1:])
    assert got_body == shown_body.rstrip("\n") + "\n"


def test_newman_runs_the_postman_collection(menu_api):
    argv = command(NEWMAN, **{"http://127.0.0.1:5000": menu_api})
    for _ in range(2):  # a second run works too: the collection makes unique names
        proc = subprocess.run(argv, cwd=ROOT, env=tool_env(), capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, proc.stdout[-3000:]
    assert re.search(r"assertions\s*│\s*(\d+)\s*│\s*0\s*│", proc.stdout)


def test_newman_catches_a_wrong_status(reference_dir):
    """The collection's tests have teeth: 200 instead of 201 fails the run."""
    app = reference_dir / "app.py"
    source = app.read_text(encoding="utf-8")
    app.write_text(source.replace('return jsonify(menu), 201,', 'return jsonify(menu), 200,'),
                   encoding="utf-8")
    port = free_port()
    with serving(command(FLASK_MENUS_PORT, **{"5001": str(port)}), reference_dir, port,
                 "/menus") as base:
        proc = subprocess.run(command(NEWMAN, **{"http://127.0.0.1:5000": base}), cwd=ROOT,
                              env=tool_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "answers 201 Created" in proc.stdout


def test_gunicorn_command_serves_the_api(reference_dir):
    port = free_port()
    with serving(command(GUNICORN, **{"8000": str(port)}), reference_dir, port, "/menus") as base:
        status, body = get(f"{base}/menus")
    assert status == 200 and json.loads(body) == SEED  # two workers, seeded once


# --- the docs page, the notebook and the release -------------------------------------------------

def test_docs_page_shows_the_commands_the_tests_run():
    page = PAGE.read_text(encoding="utf-8")
    for text in (FLASK_HELLO, FLASK_ROUTES, FLASK_MENUS, FLASK_MENUS_PORT, GUNICORN, NEWMAN):
        assert f"\n{text}\n" in page, text
    for included in re.findall(r'--8<-- "([^":]+)(?::\w+)?"', page):
        assert (ROOT / included).is_file(), included
    for name in ("02-curl-hello.sh", "02-curl-menus.sh", "hello_flask.py",
                 "02-post-menu.http", "02-post-menu-response.http", "02-duplicate-views.py"):
        assert f"week4/demos/{name}" in page


def test_docs_page_structure_and_anchors():
    import autograder.checks.test_02_flask_rest as module

    page = PAGE.read_text(encoding="utf-8")
    anchors = set(re.findall(r"\{#([\w-]+)\}", page))
    for info in checks_in(module):
        path, _, anchor = info.docs.partition("#")
        assert path == f"docs/topics/{TOPIC}.md" and anchor in anchors, info.docs
    blocks = re.findall(r'^!!! (\w+) "([^"]+)"', page, re.MULTILINE)
    assert blocks[0] == ("abstract", "Objectives")
    assert blocks[-1] == ("success", "Key points")
    assert "```mermaid\nsequenceDiagram" in page


def test_notebook_has_one_test_cell_per_check():
    import autograder.checks.test_02_flask_rest as module

    nb = read_notebook(SOLUTIONS / TOPIC / f"{TOPIC}.ipynb")
    graded = [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade")]
    found = [(c["metadata"]["nbgrader"]["grade_id"], c["metadata"]["nbgrader"]["points"],
              "".join(c["source"])) for c in graded]
    expected = [(i.id, i.points,
                 f'# Check "{i.id}" ({i.points:g} point{"s" if i.points != 1 else ""}): graded '
                 f'by the course autograder.\nfrom autograder.cell import check\n'
                 f'check("{TOPIC}", "{i.id}")') for i in checks_in(module)]
    assert found == expected


def test_release_holds_the_exercise_and_the_collection_only():
    folder = EXERCISES / TOPIC
    assert sorted(p.name for p in folder.iterdir()) == [f"{TOPIC}.ipynb", COLLECTION]
    assert (folder / COLLECTION).read_bytes() == (SOLUTIONS / TOPIC / COLLECTION).read_bytes()
    cells = load_cells(folder / f"{TOPIC}.ipynb")
    app = next(c.source for c in cells if c.kind == "writefile" and c.target == "app.py")
    assert "BEGIN SOLUTION" not in app and app.count("raise NotImplementedError()") == 5
    assert "def create_app(config=None):" in app and "def get_db():" in app


def test_postman_collection_is_v21_with_a_base_url():
    data = json.loads((SOLUTIONS / TOPIC / COLLECTION).read_text(encoding="utf-8"))
    assert data["info"]["schema"].endswith("/collection/v2.1.0/collection.json")
    assert {"key": "baseUrl", "value": "http://127.0.0.1:5000"} in data["variable"]
    for item in data["item"]:
        assert item["request"]["url"]["raw"].startswith("{{baseUrl}}/menus")
        assert any(e["listen"] == "test" for e in item["event"])


def test_sequence_diagram_parses_with_mermaid(tmp_path):
    """The page's diagram is valid mermaid (the same npm package renders it on the site)."""
    node = shutil.which("node")
    mermaid = ROOT / "node_modules" / "mermaid" / "dist" / "mermaid.core.mjs"
    if node is None or not mermaid.is_file():
        pytest.skip("needs node and the npm packages (make setup-dev)")
    diagram = re.search(r"```mermaid\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S).group(1)
    (tmp_path / "diagram.mmd").write_text(diagram, encoding="utf-8")
    script = tmp_path / "parse.mjs"
    script.write_text(
        "import fs from 'fs';\n"
        f"const mermaid = (await import({json.dumps(mermaid.as_uri())})).default;\n"
        "const result = await mermaid.parse(fs.readFileSync(process.argv[2], 'utf8'));\n"
        "console.log(result.diagramType);\n", encoding="utf-8")
    proc = subprocess.run([node, str(script), str(tmp_path / "diagram.mmd")],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0 and proc.stdout.strip() == "sequence", proc.stderr[-1000:]
