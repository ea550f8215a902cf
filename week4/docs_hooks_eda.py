"""MkDocs hook for topic 05: draw the EDA figures from the real data at build time.

The figures on docs/topics/05-eda.md are not pasted images. On every build this hook runs the
functions in week4/demos/eda_figures.py on the shipped Titanic table and adds the SVG files to
the site as generated files under topics/assets/eda/ (nothing is written into docs/), so the
page's relative image links, e.g. `assets/eda/survival-by-sex.svg`, resolve and are checked
like any other link. The figures' titles and labels are in the site's language (the theme's
`language`: English, or Korean for mkdocs.ko.yml). Enable it in mkdocs.yml:

    hooks:
      - week4/docs_hooks_eda.py
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

ASSET_DIR = "topics/assets/eda"


def on_files(files, config, **kwargs):
    # Imported here: `mkdocs` loads hooks before building, and matplotlib is slow to import.
    from week4.data import DataNotFound, load_titanic
    from week4.demos.eda_figures import LANGUAGES, render_all

    try:
        titanic = load_titanic()
    except DataNotFound as exc:
        raise PluginError(f"topic 05 figures: {exc}") from None
    lang = config["theme"]["language"]
    for name, svg in render_all(titanic, lang if lang in LANGUAGES else "en").items():
        files.append(File.generated(config, f"{ASSET_DIR}/{name}", content=svg))
    return files
