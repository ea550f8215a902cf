"""The sandbox: student code runs in a child process, and only plain data comes back."""

from __future__ import annotations

import os
import time

import pytest

from autograder.sandboxed.runtime import NotPlainData, to_plain
from autograder.notebook import Cell, code_cells
from autograder.sandbox import Sandbox


def sandbox(*sources: str, **kwargs) -> Sandbox:
    cells = [Cell(i, "code", s) for i, s in enumerate(sources, start=1)]
    return Sandbox(cells, **kwargs)


def test_functions_run_in_another_process():
    with sandbox("import os\ndef pid():\n    return os.getpid()") as box:
        reply = box.call("pid")
        assert reply.ok and reply.value != os.getpid()


def test_a_failing_cell_does_not_stop_later_cells():
    with sandbox("raise RuntimeError('boom')", "def f():\n    return 42") as box:
        load = box.start()
        assert load.ok
        assert load.value["errors"][0]["type"] == "RuntimeError"
        assert load.value["errors"][0]["cell"] == 1
        assert box.call("f").value == 42


def test_exceptions_come_back_with_type_cell_and_line():
    with sandbox("x = 1", "def f():\n    return 1 / 0") as box:
        reply = box.call("f")
        assert reply.status == "error"
        assert reply.error["type"] == "ZeroDivisionError"
        assert reply.error["where"] == "line 2 of f()"
        assert "ZeroDivisionError at line 2 of f()" in reply.explain()


def test_an_infinite_loop_times_out_and_the_next_call_gets_a_fresh_child():
    with sandbox("def spin():\n    while True: pass", "def ok():\n    return 'fine'",
                 timeout=1) as box:
        assert box.call("spin").status == "timeout"
        assert box.proc is None  # the looping child is gone...
        assert box.call("ok").value == "fine"  # ...and a fresh one answers


def test_a_used_up_topic_budget_fails_every_later_call_without_running_it(tmp_path):
    """The topic budget is what ends a grading whose every function loops: once it is used
    up, a call fails at once with that reason, and the student's function does not run. The
    budget starts after loading (which has limits of its own), so the notebook is loaded."""
    from autograder.checking import CheckFailed
    from autograder.submission import Submission

    cells = [Cell(1, "code", "def f():\n    open('called', 'w').close()\n    return 1")]
    sub = Submission("01-virtualenv", tmp_path / "n.ipynb", cells, budget=0)
    try:
        with pytest.raises(CheckFailed, match="grading time for this topic is used up"):
            sub.call("f")
        assert sub.sandbox.load_reply.ok  # loaded...
        assert not (sub.sandbox.workdir / "called").exists()  # ...but f never ran
    finally:
        sub.close()


def test_a_cell_busy_on_a_crowded_machine_is_not_cut_by_the_wall_clock():
    """A cell that computes past its wall-clock period keeps going while it uses the CPU (a
    slow import on a busy machine), and one that blocks is cut at the period."""
    # About a fifth of the CPU for 2.5 s, as on a crowded machine: 0.5 s of CPU, within the
    # cell's 1 s CPU limit, but past its 1.8 s wall period.
    busy = ("import time\nend = time.monotonic() + 2.5\nwhile time.monotonic() < end:\n"
            "    t = time.process_time()\n    while time.process_time() - t < 0.02:\n"
            "        pass\n    time.sleep(0.08)\ndone = True")
    with sandbox(busy, "def f():\n    return done", load_timeout=3) as box:
        assert box.start().value["errors"] == []
        assert box.call("f").value is True
    with sandbox("import time\ntime.sleep(30)", "def f():\n    return 1", load_timeout=3) as box:
        errors = box.start().value["errors"]
        assert errors and errors[0]["type"] == "CellTimeout"  # blocked: cut at the period
        assert box.call("f").value == 1  # and the next cell still ran


def test_a_call_busy_on_a_crowded_machine_is_not_cut_by_the_wall_clock():
    """A call's limit is CPU time: one that computes past its wall-clock period on a crowded
    machine gets its answer in; one that blocks is cut at the period; a loop is cut at its CPU
    limit."""
    # About a fifth of the CPU for 2 s, as on a crowded machine: 0.4 s of CPU, within the
    # call's 1 s limit, but twice its wall period.
    crowded = ("import time\ndef f():\n    end = time.monotonic() + 2\n"
               "    while time.monotonic() < end:\n        t = time.process_time()\n"
               "        while time.process_time() - t < 0.02:\n            pass\n"
               "        time.sleep(0.08)\n    return 'done'\n")
    blocked = "import time\ndef g():\n    time.sleep(30)\n"
    loop = "def h():\n    while True:\n        pass\n"
    with sandbox(crowded, blocked, loop, timeout=1) as box:
        assert box.call("f").value == "done"
        slept = box.call("g")
        assert slept.status == "timeout"
        spun = box.call("h")
        assert spun.status == "timeout"


def test_sys_exit_is_an_error_and_os_exit_a_crash():
    with sandbox("import os, sys\ndef a():\n    sys.exit(0)\ndef b():\n    os._exit(0)") as box:
        a = box.call("a")
        assert a.status == "error" and "sys.exit" in a.error["message"]
        assert box.call("b").status == "crashed"


def live_processes(token: str) -> list[int]:
    """Host pids whose command line carries `token` (zombies count as gone)."""
    from tests.test_attacks import host_processes

    return host_processes(token)


def test_memory_is_limited():
    with sandbox("def hog():\n    return len(bytearray(8 * 1024**3))", memory_mb=1024) as box:
        reply = box.call("hog")
        assert not reply.ok
        assert reply.status == "crashed" or reply.error["type"] == "MemoryError"


def test_a_loop_while_loading_is_cut_and_the_rest_of_the_notebook_loads():
    with sandbox("while True: pass", "def f():\n    return 'loaded'", load_timeout=1) as box:
        errors = box.start().value["errors"]
        assert [e["type"] for e in errors] == ["CellTimeout"]  # cut by its CPU limit
        assert box.call("f").value == "loaded"


def test_a_load_that_never_answers_keeps_the_sandbox_down_without_retrying():
    # a cell that turns off its own limits: only the grader's wait for the load can end it
    deaf = ("import signal\nfor s in (signal.SIGPROF, signal.SIGALRM):\n"
            "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass")
    with sandbox(deaf, load_timeout=1) as box:
        first = box.call("f")
        assert first.status == "timeout"
        assert box.call("g") is first  # the same verdict: no second child, no second wait
        assert box.proc is None


def test_every_process_of_the_sandbox_ends_with_it():
    token = f"week4-test-{os.getpid()}-{time.monotonic_ns()}"
    src = ("import subprocess, sys\n"
           f"child = subprocess.Popen([sys.executable, '-c', 'import signal; signal.pause()', {token!r}])\n"
           "def pid():\n    return child.pid")
    box = sandbox(src)
    assert box.call("pid").ok
    assert live_processes(token)
    box.close()
    assert not live_processes(token)


def test_secrets_are_not_passed_to_student_code(monkeypatch):
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "do-not-leak")
    monkeypatch.setenv("GITHUB_TOKEN", "do-not-leak")
    with sandbox("import os\ndef env():\n    return dict(os.environ)") as box:
        env = box.call("env").value
        assert "do-not-leak" not in env.values()
        assert "WEEK4_SANDBOX" not in env  # nothing for a notebook to test against


def test_only_plain_data_crosses_back():
    class Rigged(str):
        def __eq__(self, other):
            return True

        def __str__(self):
            return "rigged"

    class Sneaky(int):
        def __index__(self):
            return 99

    value = to_plain({"a": (Rigged("real"), Sneaky(3)), 1: None})
    assert value == {"a": ["real", 3], "1": None}
    assert type(value["a"][0]) is str
    for bad in (object(), {1, 2}, b"bytes", {(1, 2): 3}):
        try:
            to_plain(bad)
        except NotPlainData:
            continue
        raise AssertionError(f"{bad!r} crossed as plain data")


def test_unplain_return_values_are_errors_not_pickles():
    with sandbox("class Always:\n    def __eq__(self, o): return True\n"
                 "def f():\n    return Always()") as box:
        reply = box.call("f")
        assert reply.status == "error" and "not plain data" in reply.error["message"]


def test_student_output_never_mixes_with_replies():
    with sandbox("print('{\"id\": 2, \"ok\": true, \"value\": 1}')\n"
                 "def f():\n    print('noise'); return 'real'") as box:
        assert box.call("f").value == "real"


def test_writefile_cells_write_into_the_working_folder():
    cells = [Cell(1, "writefile", "def hello():\n    return 'hi'\n", "app.py"),
             Cell(2, "code", "from app import hello")]
    with Sandbox(cells) as box:
        assert box.call("hello").value == "hi"
        assert (box.workdir / "app.py").is_file()


def test_magics_and_shell_lines_are_skipped_and_test_cells_ignored():
    nb = {"cells": [
        {"cell_type": "code", "source": "%pip install requests\n!rm -rf /\nx = 1\n"},
        {"cell_type": "code", "source": "%%bash\necho hi\n"},
        {"cell_type": "code", "source": "%%time\ny = 2\n"},
        {"cell_type": "code", "source": "%%writefile -a notes.txt\nline\n"},
        {"cell_type": "code", "source": "assert False",
         "metadata": {"nbgrader": {"grade": True, "solution": False}}},
        {"cell_type": "markdown", "source": "text"},
    ]}
    cells = code_cells(nb)
    assert [c.kind for c in cells] == ["code", "code", "writefile"]
    assert "pass  # skipped by the grader: %pip install requests" in cells[0].source
    assert cells[0].source.splitlines() == [
        "pass  # skipped by the grader: %pip install requests",
        "pass  # skipped by the grader: !rm -rf /",
        "x = 1"]
    assert cells[1].source.strip() == "y = 2"
    assert cells[2].target == "notes.txt" and cells[2].append


def test_a_looping_cell_is_cut_short_and_later_cells_still_load():
    with sandbox("def f():\n    return 'defined before'",
                 "while True:\n    try:\n        pass\n    except Exception:\n        pass",
                 "def g():\n    return 'defined after'", load_timeout=3) as box:
        load = box.start()
        assert load.ok
        assert load.value["errors"][0]["type"] == "CellTimeout"
        assert load.value["errors"][0]["cell"] == 2
        assert box.call("g").value == "defined after"
