"""`make lab`: JupyterLab on the exercises, in the student's language.

With Korean chosen (`--lang`, `WEEK4_LANG`, the locale, else the course default: week4.i18n),
JupyterLab's own menus come from the `jupyterlab-language-pack-ko-KR` package, and the check
cells speak Korean too (the kernels inherit `WEEK4_LANG`). The language is set in `.venv`'s
JupyterLab overrides, so nothing outside the project changes.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from .i18n import choose

LOCALES = {"ko": "ko_KR", "en": "en"}
TRANSLATION = "@jupyterlab/translation-extension:plugin"


def overrides_file(prefix: str = sys.prefix) -> Path:
    return Path(prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"


def set_language(lang: str, path: Path | None = None) -> Path:
    """Write JupyterLab's interface language into its overrides, keeping any other setting."""
    path = path or overrides_file()
    data = {}
    if path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            data = {}
    data.setdefault(TRANSLATION, {})["locale"] = LOCALES[lang]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m week4.lab")
    parser.add_argument("--lang", metavar="ko|en")
    parser.add_argument("--port", default="8888")
    parser.add_argument("folder", nargs="?", default="exercises")
    args = parser.parse_args(argv)
    try:
        lang = choose(args.lang)
    except ValueError as exc:
        print(f"week4: error: {exc}", file=sys.stderr)
        return 2
    set_language(lang)
    os.environ["WEEK4_LANG"] = lang  # the kernels' check cells speak it too
    jupyter = str(Path(sys.executable).parent / "jupyter")
    os.execv(jupyter, [jupyter, "lab", "--port", args.port, args.folder])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
