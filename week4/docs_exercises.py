"""MkDocs hook: one read-only page per released exercise notebook, made at build time.

Each `exercises/<topic>/<topic>.ipynb` becomes `exercises/<topic>.md`: its markdown cells as
they are, its code cells as Python blocks, test cells labelled as checks. The notebook stays
the only source; the page says how to open it locally.
"""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.structure.files import File

ROOT = Path(__file__).resolve().parent.parent

INTRO = {
    "en": ('!!! info "Read-only copy"\n    This page shows the exercise notebook '
           "`exercises/{topic}/{topic}.ipynb`. To solve it, open it locally with `make lab` "
           "and check your work with `make check` (or `week4 check {topic}`).\n"),
    "ko": ('!!! info "읽기 전용 사본"\n    이 페이지는 연습 노트북 `exercises/{topic}/{topic}.ipynb`를 '
           "보여 줍니다. 문제를 풀려면 `make lab`으로 노트북을 열고, `make check`(또는 "
           "`week4 check {topic}`)로 채점해 보세요.\n"),
}


def notebook_markdown(path: Path, topic: str, lang: str) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "markdown":
            parts.append(source)
            if not parts[1:] or len(parts) == 1:
                parts.append(INTRO[lang].format(topic=topic))
        elif cell["cell_type"] == "code":
            title = ""
            if meta.get("grade") and not meta.get("solution"):
                title = f' title="check: {meta.get("grade_id")} ({meta.get("points", 0):g} pt)"'
            elif meta.get("solution"):
                title = ' title="your answer goes here"'
            parts.append(f"```python{title}\n{source.rstrip()}\n```")
    return "\n\n".join(parts) + "\n"


def on_files(files, config, **kwargs):
    lang = config["theme"]["language"] if config["theme"]["language"] in INTRO else "en"
    for nb in sorted((ROOT / "exercises").glob("*/*.ipynb")):
        topic = nb.parent.name
        if nb.stem != topic:
            continue
        files.append(File.generated(config, f"exercises/{topic}.md",
                                    content=notebook_markdown(nb, topic, lang)))
    return files
