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
