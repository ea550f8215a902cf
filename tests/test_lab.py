"""`make lab` opens JupyterLab in the student's language: Korean menus from the language pack."""

from __future__ import annotations

import json

import pytest

from week4 import lab


def test_the_korean_language_pack_is_installed():
    from jupyterlab_server.translation_utils import get_language_packs

    packs, _ = get_language_packs("ko_KR")
    assert "ko_KR" in packs


@pytest.mark.parametrize("lang,locale", [("ko", "ko_KR"), ("en", "en")])
def test_the_interface_language_follows_the_course_language(tmp_path, lang, locale):
    path = tmp_path / "overrides.json"
    path.write_text(json.dumps({"@jupyterlab/apputils-extension:themes": {"theme": "dark"}}))
    lab.set_language(lang, path)
    data = json.loads(path.read_text())
    assert data[lab.TRANSLATION]["locale"] == locale
    assert data["@jupyterlab/apputils-extension:themes"] == {"theme": "dark"}  # kept


def test_the_overrides_live_in_the_projects_venv():
    import sys

    assert str(lab.overrides_file()).startswith(sys.prefix)


def test_a_real_jupyterlab_serves_its_interface_in_korean(tmp_path):
    """JupyterLab itself, started as `make lab` starts it, answers with the Korean locale and
    the Korean language pack's words."""
    import json as json_
    import socket
    import subprocess
    import sys
    import urllib.request
    from pathlib import Path

    from helpers import wait_until_listening

    settings = tmp_path / "settings"
    lab.set_language("ko", settings / "overrides.json")
    with socket.socket() as s:  # a free port, handed straight to the server
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    jupyter = Path(sys.executable).parent / "jupyter"
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         "--ServerApp.port_retries=0", "--IdentityProvider.token=week4-test", "--allow-root",
         f"--LabApp.app_settings_dir={settings}", f"--ServerApp.root_dir={tmp_path}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=tmp_path,
        env={**__import__("os").environ, "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
             "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "user-settings"),
             "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces")})
    try:
        # Jupyter Server binds its port in an event-loop callback after printing its address;
        # the extensions start after that, and jupyter-lsp (a dependency of JupyterLab) says
        # so in this line: a readiness condition, not a guess about time.
        wait_until_listening(proc, tmp_path / "lab.log", ("Skipped non-installed server",))

        def get(path: str) -> dict:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                             headers={"Authorization": "token week4-test"})
            with urllib.request.urlopen(request, timeout=600) as response:
                return json_.loads(response.read())

        plugin = get("/lab/api/settings/@jupyterlab/translation-extension:plugin")
        # overrides change the defaults every user starts from
        assert plugin["schema"]["properties"]["locale"]["default"] == "ko_KR"
        words = get("/lab/api/translations/ko_KR")
        assert words["data"] and any("파일" in json_.dumps(v, ensure_ascii=False)
                                     for v in words["data"].values())
    finally:
        proc.terminate()
        proc.wait(timeout=600)
