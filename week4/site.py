"""Links into the course site, in the reader's language, to the exact section.

A check names its docs section as a path in this repository (`docs/topics/01-virtualenv.md#pip-freeze`);
what a student reads is the address of that section on the built site: the local one that
`make docs` serves (http://127.0.0.1:8000/), or the published one when `WEEK4_SITE_URL` is set.
The Korean site lives under `ko/` and its pages keep the English pages' section ids.
"""

from __future__ import annotations

import os

LOCAL_SITE = "http://127.0.0.1:8000/"  # `make docs` (and site_url in mkdocs.yml)


def base() -> str:
    url = os.environ.get("WEEK4_SITE_URL", "").strip() or LOCAL_SITE
    return url if url.endswith("/") else url + "/"


def url(docs: str, lang: str) -> str:
    """`docs/topics/x.md#part` -> `<site>/[ko/]topics/x/#part`; anything else is returned as it is."""
    path, _, anchor = docs.partition("#")
    if not (path.startswith("docs/") and path.endswith(".md")):
        return docs
    page = path[len("docs/"):-len(".md")]
    page = "" if page == "index" else (page[:-len("index")] if page.endswith("/index") else page + "/")
    return base() + ("ko/" if lang == "ko" else "") + page + (f"#{anchor}" if anchor else "")
