"""MkDocs hooks: serve the diagram and math libraries from the site itself.

The JavaScript comes from npm packages (`make setup-dev` installs them into node_modules/)
and is copied into the built site, so pages render with no internet connection.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
VENDOR = {
    "mermaid.min.js": "node_modules/mermaid/dist/mermaid.min.js",
    "katex.min.js": "node_modules/katex/dist/katex.min.js",
    "katex.min.css": "node_modules/katex/dist/katex.min.css",
    # ours, shared by the English and the Korean build (each has its own docs folder)
    "katex-init.js": "week4/docs_assets/katex-init.js",
    "code-wrap.css": "week4/docs_assets/code-wrap.css",
}


def on_config(config, **kwargs):
    # Edit links need a published repository (WEEK4_REPO_URL); without one, no edit button.
    if not config.get("repo_url"):
        config["edit_uri"] = None
    return config


def on_post_build(config, **kwargs):
    target = Path(config["site_dir"]) / "assets" / "vendor"
    target.mkdir(parents=True, exist_ok=True)
    for name, source in VENDOR.items():
        path = ROOT / source
        if not path.is_file():
            raise PluginError(f"{source} is missing: run 'make setup-dev' (it runs npm ci)")
        shutil.copyfile(path, target / name)
    fonts = ROOT / "node_modules/katex/dist/fonts"
    if fonts.is_dir():
        shutil.copytree(fonts, target / "fonts", dirs_exist_ok=True)
