"""The `week4-sandboxed` kernel that `nbgrader autograde` uses: student code in it is jailed."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.jail import REPO, isolation

pytestmark = pytest.mark.skipif(not isolation().isolated,
                                reason=f"no bubblewrap sandbox here: {isolation().reason}")


def run(tmp_path: Path, source: str, monkeypatch, allow_errors: bool = False) -> list:
    monkeypatch.setenv("JUPYTER_PATH", str(REPO / "autograder" / "jupyter"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    NotebookClient(nb, kernel_name="week4-sandboxed", timeout=120, allow_errors=allow_errors,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb.cells[0].outputs


def test_the_kernel_sees_neither_solutions_nor_secrets_and_runs_unprivileged(tmp_path, monkeypatch):
    monkeypatch.setenv("WEEK4_KEY", "/somewhere/grading.key")
    monkeypatch.setenv("DB_PASS", "secret-value")
    outputs = run(tmp_path, (
        "import os, socket, json\n"
        f"s = socket.socket()\n"
        "try:\n"
        "    s.connect(('10.11.12.13', 80)); net = 'open'\n"
        "except OSError as e:\n"
        "    net = e.errno\n"
        "print(json.dumps({'uid': os.getuid(), 'solutions': os.path.exists("
        f"{str(REPO / 'solutions')!r}), 'checks': os.path.exists({str(REPO / 'autograder' / 'checks')!r}), "
        "'env': sorted(os.environ), 'net': net, 'cwd_writable': os.access('.', os.W_OK)}))\n"), monkeypatch)
    import json
    seen = json.loads("".join(o.get("text", "") for o in outputs if o.output_type == "stream"))
    assert seen["uid"] != 0
    assert seen["solutions"] is False and seen["checks"] is False
    assert "WEEK4_KEY" not in seen["env"] and "DB_PASS" not in seen["env"]
    assert seen["net"] != "open"
    assert seen["cwd_writable"] is True


def test_the_kernel_leaves_nothing_behind(tmp_path, monkeypatch):
    import tempfile
    # a short $TMPDIR of this test's own (a deep one sends the sockets to /tmp: see below)
    folder = Path(tempfile.mkdtemp(prefix="w4t-", dir="/tmp"))
    try:
        monkeypatch.setattr(tempfile, "tempdir", str(folder))
        monkeypatch.setenv("TMPDIR", str(folder))
        run(tmp_path, "print('hello')", monkeypatch)
        assert not any(p.name.startswith("week4-kernel-") for p in folder.iterdir())
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_deep_tmpdir_does_not_stop_the_kernel(tmp_path, monkeypatch):
    """Unix socket paths are short (107 bytes): with a deep $TMPDIR the kernel's sockets go
    to /tmp instead of failing to bind."""
    import tempfile
    deep = tmp_path / ("d" * 60) / "tmp"
    deep.mkdir(parents=True)
    monkeypatch.setattr(tempfile, "tempdir", str(deep))
    monkeypatch.setenv("TMPDIR", str(deep))
    outputs = run(tmp_path, "print('hello')", monkeypatch)
    assert outputs[0]["text"].strip() == "hello"


def test_a_check_cell_speaks_korean_without_a_traceback_and_hints_on_request(tmp_path, monkeypatch):
    """What a student working only in JupyterLab sees: the failed check's message, concept hint
    and a link into the Korean site, no traceback wall; `hint(...)` gives the code-level hint
    (looked up by the launcher: the checks are not inside the sandbox)."""
    from autograder.checking import hint_in
    from autograder.runner import check_infos
    from autograder.topics import TOPICS

    topic = "01-virtualenv"
    shutil.copy(REPO / "exercises" / topic / f"{topic}.ipynb", tmp_path / f"{topic}.ipynb")
    monkeypatch.setenv("WEEK4_LANG", "ko")
    outputs = run(tmp_path, (
        "from autograder.cell import check, hint\n"
        f"hint({topic!r}, 'freeze-pins')\n"
        f"check({topic!r}, 'freeze-pins')\n"), monkeypatch, allow_errors=True)
    info = next(i for i in check_infos(TOPICS[topic]) if i.id == "freeze-pins")
    printed = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert hint_in(info, "ko", "code") in printed and hint_in(info, "ko") in printed
    [error] = [o for o in outputs if o.output_type == "error"]
    shown = "\n".join(error["traceback"])
    assert "실패(FAIL) freeze-pins" in shown and hint_in(info, "ko") in shown
    assert "http://127.0.0.1:8000/ko/topics/01-virtualenv/#pip-freeze" in shown
    assert "Traceback" not in shown and "File " not in shown and "cell.py" not in shown
    assert "NotImplementedError" in shown  # the exercise is untouched: the reason is named
