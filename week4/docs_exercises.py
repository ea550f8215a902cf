"""MkDocs hook: one read-only page per released exercise notebook, made at build time.

Each `exercises/<topic>/<topic>.ipynb` becomes `exercises/<topic>.md`: its markdown cells in
the site's language (the notebooks hold both: `week4/notebook_lang.py`), its code cells as
Python blocks, test cells labelled as checks. The notebook stays the only source; the page says
how to open it locally.
"""

from __future__ import annotations

import json
from pathlib import Path

from mkdocs.structure.files import File

from week4.notebook_lang import in_language

ROOT = Path(__file__).resolve().parent.parent

LAB = "http://localhost:8888/lab/tree/{topic}/{topic}.ipynb"  # where `make lab` serves it
INTRO = {
    "en": ('!!! info "Read-only copy"\n    This page shows the exercise notebook '
           "`exercises/{topic}/{topic}.ipynb`. To solve it, run `make lab` in your clone and "
           "[open the notebook in your local JupyterLab](" + LAB + "), or "
           "[download it]({topic}/{topic}.ipynb). Check your work with `make check` "
           "(or `week4 check {topic}`).\n"),
    "ko": ('!!! info "읽기 전용 사본"\n    이 페이지는 연습 노트북 `exercises/{topic}/{topic}.ipynb`를 '
           "보여 줘요. 문제를 풀려면 내 컴퓨터의 저장소에서 `make lab`을 실행한 뒤 "
           "[로컬 JupyterLab에서 노트북을 열거나](" + LAB + ") "
           "[노트북 파일을 내려받으세요]({topic}/{topic}.ipynb). 채점은 `make check`(또는 "
           "`week4 check {topic}`)로 해요.\n"),
}


def notebook_markdown(path: Path, topic: str, lang: str) -> str:
    nb = json.loads(path.read_text(encoding="utf-8"))
    parts = []
    for cell in nb["cells"]:
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "markdown":
            parts.append(in_language(source, lang))
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
        # the notebook itself, for the download link (the page is exercises/<topic>/)
        files.append(File.generated(config, f"exercises/{topic}/{topic}.ipynb",
                                    content=nb.read_bytes()))
    return files
