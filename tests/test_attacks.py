"""The attack catalogue: what a hostile submission tries, and what the sandbox gives it.

Each attack is the code a student would put in a notebook cell. It runs in a real bubblewrap
sandbox (these tests are skipped where bubblewrap cannot run: see `autograder.jail`), and the
test asserts that it gains nothing, changes nothing outside its sandbox, leaves no process
behind and lets the grader carry on.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import threading
import uuid
from pathlib import Path

import pytest

from autograder.http_api import REQUEST_DEADLINE, NoAnswer, send
from autograder.jail import REPO, isolation
from autograder.notebook import Cell
from autograder.runner import grade_topic
from autograder.sandbox import Sandbox

requires_bwrap = pytest.mark.skipif(not isolation().isolated,
                                reason=f"no bubblewrap sandbox here: {isolation().reason}")


def sandbox(source: str, **kwargs) -> Sandbox:
    return Sandbox([Cell(1, "code", source)], None, **kwargs)


def call(source: str, name: str = "attack", *args, **kwargs):
    """Run `source` in a fresh sandbox, call `name`, return the reply (sandbox closed)."""
    with sandbox(source, **kwargs) as box:
        return box.call(name, *args)


def host_processes(token: str) -> list[int]:
    """Live host pids whose command line carries `token`."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry.name}/cmdline").read_bytes()
            state = Path(f"/proc/{entry.name}/stat").read_text().rsplit(")", 1)[-1].split()[0]
        except OSError:
            continue
        if token.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """A temp folder of this test's own for sandbox scratch folders (others run in parallel)."""
    import tempfile

    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def sandbox_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- files ------------------------------------------------------------------------------------

@requires_bwrap
def test_solutions_checks_and_reference_code_are_not_visible():
    reply = call("""
import autograder, os, pathlib, importlib
def attack():
    repo = pathlib.Path(autograder.__file__).resolve().parents[1]
    seen = {}
    for rel in ["solutions", "autograder/checks", "autograder/mutants", "tests", "exercises",
                ".nbgrader", "week4/serving", "week4/grading"]:
        seen[rel] = (repo / rel).exists()
    mods = {}
    for mod in ["autograder.checks", "autograder.runner", "week4.serving.app", "week4.grading"]:
        try:
            importlib.import_module(mod)
            mods[mod] = True
        except ImportError:
            mods[mod] = False
    return {"paths": seen, "modules": mods, "home": os.path.exists("/root/.ssh"),
            "shadow": os.path.exists("/etc/shadow"), "repo": sorted(os.listdir(repo))}
""")
    assert reply.ok, reply
    assert not any(reply.value["paths"].values()), reply.value
    assert not any(reply.value["modules"].values()), reply.value
    assert not reply.value["shadow"] and not reply.value["home"]
    assert reply.value["repo"] == sorted(["autograder", "week4", ".venv"])


@requires_bwrap
def test_the_solution_cannot_be_copied_through_the_package_path():
    """The attack from the issue: exec the solution notebook's cells found via autograder.__file__."""
    nb = REPO / "exercises" / "01-virtualenv" / "01-virtualenv.ipynb"
    data = json.loads(nb.read_text(encoding="utf-8"))
    data["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                          "source": (
        "import autograder, json, pathlib\n"
        "src = pathlib.Path(autograder.__file__).resolve().parents[1] / 'solutions' / "
        "'01-virtualenv' / '01-virtualenv.ipynb'\n"
        "for c in json.loads(src.read_text())['cells']:\n"
        "    if c['cell_type'] == 'code' and 'autograder.cell' not in ''.join(c['source']):\n"
        "        exec(''.join(c['source']), globals())\n")})
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"attack-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    try:
        path = folder / nb.name
        path.write_text(json.dumps(data), encoding="utf-8")
        result = grade_topic("01-virtualenv", path)
        assert result.score == 0, [c.id for c in result.checks if c.passed]
    finally:
        import shutil
        shutil.rmtree(folder, ignore_errors=True)


@requires_bwrap
def test_the_installed_packages_cannot_be_poisoned_for_a_later_grading():
    site = next(p for p in Path(os.sys.prefix).glob("lib/python3*/site-packages"))
    target = site / f"zz_week4_poison_{uuid.uuid4().hex[:8]}.pth"
    reply = call(f"""
import os
def attack():
    outcomes = []
    for path in [{str(target)!r}, {str(REPO / 'autograder' / 'sandboxed' / 'zz_poison.py')!r}]:
        try:
            with open(path, "w") as fh:
                fh.write("import os")
            outcomes.append("written")
        except OSError as exc:
            outcomes.append(type(exc).__name__)
    return outcomes
""")
    assert reply.ok, reply
    assert "written" not in reply.value
    assert not target.exists()
    assert not (REPO / "autograder" / "sandboxed" / "zz_poison.py").exists()


@requires_bwrap
def test_nothing_written_inside_outlives_the_sandbox(private_tmp):
    reply = call("""
def attack():
    open("/tmp/left-behind", "w").write("x")
    open("left-in-work", "w").write("x")
    return True
""")
    assert reply.ok
    assert not Path("/tmp/left-behind").exists()
    assert sandbox_leftovers(private_tmp) == []


# --- processes ----------------------------------------------------------------------------------

@requires_bwrap
def test_a_double_forked_setsid_process_dies_with_the_sandbox():
    token = f"week4-orphan-{uuid.uuid4().hex}"
    box = sandbox(f"""
import os, sys
def attack():
    ready_r, ready_w = os.pipe()  # closes on exec: EOF once the orphan is running
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv(sys.executable, [sys.executable, "-c", "import signal; signal.pause()", {token!r}])
        os._exit(0)
    os.close(ready_w)
    os.read(ready_r, 1)
    return True
""")
    try:
        assert box.call("attack").ok
        assert host_processes(token), "the orphan should be running while the sandbox is"
    finally:
        box.close()
    assert host_processes(token) == []


@requires_bwrap
def test_the_grader_cannot_be_seen_or_signalled():
    reply = call(f"""
import os, signal
def attack():
    out = {{"ppid": os.getppid(), "pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit())}}
    for pid in (os.getppid(), {os.getpid()}, 1):
        try:
            os.kill(pid, signal.SIGKILL)
            out[str(pid)] = "sent"
        except OSError as exc:
            out[str(pid)] = type(exc).__name__
    return out
""")
    # The grader (this process) is alive, and the sandbox saw only its own few processes.
    assert os.getpid() not in reply.value.get("pids", []) if reply.ok else True
    if reply.ok:
        assert len(reply.value["pids"]) <= 4
        assert reply.value[str(os.getpid())] in ("ProcessLookupError", "PermissionError")


@requires_bwrap
def test_the_graders_proc_entries_and_stdout_are_out_of_reach(monkeypatch):
    monkeypatch.setenv("WEEK4_TEST_GRADER_SECRET", "grader-only-value")
    reply = call(f"""
import os
def attack():
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            found.append(open(f"/proc/{{pid}}/environ", "rb").read().decode(errors="replace"))
        except OSError:
            pass
    try:
        open("/proc/{os.getpid()}/fd/1", "w").write('{{"forged": true}}')
        wrote = True
    except OSError:
        wrote = False
    return {{"environ": "\\n".join(found), "wrote": wrote}}
""")
    assert reply.ok, reply
    assert "grader-only-value" not in reply.value["environ"]
    assert reply.value["wrote"] is False


@requires_bwrap
def test_the_sandbox_runs_as_an_unprivileged_uid_without_capabilities():
    reply = call("""
import os
def attack():
    status = open("/proc/self/status").read()
    caps = {line.split(":")[0]: line.split()[1] for line in status.splitlines()
            if line.startswith(("CapEff", "CapPrm", "NoNewPrivs"))}
    return {"uid": os.getuid(), "euid": os.geteuid(), **caps}
""")
    assert reply.ok, reply
    assert reply.value["uid"] != 0 and reply.value["euid"] != 0
    assert int(reply.value["CapEff"], 16) == 0 and int(reply.value["CapPrm"], 16) == 0
    assert reply.value["NoNewPrivs"] == "1"


# --- network ------------------------------------------------------------------------------------

@requires_bwrap
def test_no_route_off_the_machine():
    reply = call("""
import socket
def attack():
    s = socket.socket()
    try:
        s.connect(("10.11.12.13", 80))
        return "connected"
    except OSError as exc:
        return exc.errno
""")
    assert reply.ok
    assert reply.value == errno.ENETUNREACH  # refused by the kernel at once: no route at all


@requires_bwrap
def test_a_classmates_server_is_unreachable_while_the_grader_reaches_both():
    """Two students graded side by side: one tries to DELETE the other's menus."""
    app = """
import os, socket, threading
from http.server import BaseHTTPRequestHandler, HTTPServer
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a): pass
def serve():
    sock = socket.socket(fileno=int(os.environ["WEEK4_LISTEN_FD"]))
    server = HTTPServer(("127.0.0.1", 0), H, bind_and_activate=False)
    server.socket = sock
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return True
def attack(port):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("127.0.0.1", port))
        s.sendall(b"DELETE /menus/1 HTTP/1.0\\r\\n\\r\\n")
        return "reached"
    except OSError as exc:
        return type(exc).__name__
"""
    with sandbox(app, listen=True) as victim, sandbox(app, listen=True) as attacker:
        assert victim.call("serve").ok and attacker.call("serve").ok
        assert send(victim.port, "GET", "/").status == 200
        assert send(attacker.port, "GET", "/").status == 200
        reply = attacker.call("attack", victim.port)
        assert reply.ok and reply.value != "reached"


@requires_bwrap
def test_a_trickled_answer_is_cut_at_the_overall_deadline():
    app = """
import os, socket, threading, time
def serve():
    sock = socket.socket(fileno=int(os.environ["WEEK4_LISTEN_FD"]))
    def trickle():
        conn, _ = sock.accept()
        conn.recv(65536)
        for byte in b"HTTP/1.1 200 OK\\r\\nContent-Length: 100000\\r\\n\\r\\n" + b"x" * 100000:
            conn.send(bytes([byte]))
            time.sleep(1)
    threading.Thread(target=trickle, daemon=True).start()
    return True
"""
    with sandbox(app, listen=True) as box:
        assert box.call("serve").ok
        done = threading.Event()
        outcome: list = []

        def client():
            try:
                outcome.append(send(box.port, "GET", "/"))
            except NoAnswer as exc:
                outcome.append(exc)
            done.set()

        threading.Thread(target=client, daemon=True).start()
        # The deadline, not this wait, ends the exchange: the wait is only a safety net.
        assert done.wait(REQUEST_DEADLINE * 4)
        assert isinstance(outcome[0], NoAnswer)


# --- environment ------------------------------------------------------------------------------

@requires_bwrap
def test_only_allow_listed_variables_reach_student_code(monkeypatch):
    for name in ("DB_PASS", "OPENAI_KEY", "DATABASE_URL", "WEEK4_KEY", "SSH_AUTH_SOCK"):
        monkeypatch.setenv(name, "secret-" + name)
    reply = call("import os\ndef attack():\n    return dict(os.environ)")
    assert reply.ok
    assert not any(v.startswith("secret-") for v in reply.value.values())
    from autograder.jail import base_env
    assert set(reply.value) - set(base_env(None)) <= {"WEEK4_LISTEN_FD", "PWD"}


# --- floods ------------------------------------------------------------------------------------

@requires_bwrap
def test_a_fork_bomb_is_bounded_and_the_grader_carries_on():
    reply = call("""
import os
def attack():
    n = 0
    try:
        while n < 100000:
            if os.fork() == 0:
                import signal
                signal.pause()
                os._exit(0)
            n += 1
    except OSError:
        pass
    return n
""", timeout=30)
    assert reply.ok, reply
    assert reply.value < 1000


@requires_bwrap
def test_a_disk_flood_is_bounded():
    reply = call("""
def attack():
    written = 0
    try:
        with open("flood.bin", "wb") as fh:
            while written < (8 << 30):
                fh.write(b"x" * (1 << 20))
                written += 1 << 20
    except (OSError, MemoryError):
        pass
    return written
""", timeout=60)
    # Either the file-size limit (SIGXFSZ: a crash) or the scratch cap stops it early.
    assert reply.status in ("ok", "crashed")
    if reply.ok:
        assert reply.value <= (1 << 30)


@requires_bwrap
def test_memory_and_output_floods_are_bounded():
    reply = call("def attack():\n    return len(bytearray(16 * 1024**3))", memory_mb=1024)
    assert not reply.ok
    with sandbox("import sys\ndef attack():\n    while True:\n        sys.stdout.write('x' * 65536)",
                 timeout=10) as box:
        reply = box.call("attack")
        assert not reply.ok
        assert box.log_path.stat().st_size <= (512 << 20)


def test_the_grader_never_reads_through_a_link_the_submission_made(tmp_path):
    from autograder.submission import read_student_file

    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "real.bin").write_bytes(b"model")
    (tmp_path / "work" / "model.skops").symlink_to("/etc/passwd")
    (tmp_path / "swapped").symlink_to("/etc")
    assert read_student_file(tmp_path, tmp_path / "work" / "real.bin") == b"model"
    assert read_student_file(tmp_path, tmp_path / "work" / "model.skops") is None
    assert read_student_file(tmp_path, tmp_path / "swapped" / "passwd") is None
    assert read_student_file(tmp_path, Path("/etc/passwd")) is None
