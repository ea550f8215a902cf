"""The built site in a real browser (Debian chromium driven by Playwright), both languages.

Every page loads with no console errors and no failed or outside requests (the site works
offline); internal links and images resolve; mermaid diagrams become SVG; math renders;
search finds an English and a Korean word. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urldefrag, urlparse

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="chromium is missing: run 'make test' (it installs it)")


def build(config: str, out: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config,
                           "-d", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Both sites built as `make docs-build` does, served on 127.0.0.1."""
    out = tmp_path_factory.mktemp("site") / "site"
    build("mkdocs.yml", out)
    build("mkdocs.ko.yml", out / "ko")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


def page_urls(out: Path, base: str) -> list[str]:
    urls = []
    for html in sorted(out.rglob("index.html")):
        rel = html.parent.relative_to(out).as_posix()
        urls.append(f"{base}/" if rel == "." else f"{base}/{rel}/")
    return urls


HANG_GUARD_MS = 600_000


class Visit:
    """Open one page and record everything that went wrong."""

    def __init__(self, browser, url: str, origin: str):
        self.page = browser.new_page()
        # Every wait below is for a condition (a worker's answer, a rendered SVG); this is
        # only a hang guard, far above what a busy machine needs, never a deadline to meet.
        self.page.set_default_timeout(HANG_GUARD_MS)
        # Material draws mermaid diagrams into closed shadow roots; open them so the test can
        # look inside (this changes nothing else on the page).
        self.page.add_init_script(
            "const attach = Element.prototype.attachShadow;"
            "Element.prototype.attachShadow = function (init) {"
            "  return attach.call(this, Object.assign({}, init, {mode: 'open'})); };")
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.url}"))

        def outside(request):
            if not request.url.startswith((origin, "data:", "blob:", "about:")):
                self.problems.append(f"request outside the site: {request.url}")

        self.page.on("request", outside)
        response = self.page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            self.problems.append(f"HTTP {response.status if response else 'no response'}")

    def close(self):
        self.page.close()


def resolves(out: Path, base: str, href: str) -> bool:
    path = urlparse(urldefrag(href)[0]).path
    target = out / path.lstrip("/")
    if path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target.is_file()


def test_every_page_loads_cleanly_with_working_links_and_images(site, browser):
    out, base = site
    urls = page_urls(out, base)
    assert len(urls) >= 2 * 12  # every page, in both languages
    assert any("/ko/" in u for u in urls)
    problems = []
    for url in urls:
        visit = Visit(browser, url, base)
        page = visit.page
        # every image has finished loading or failing (the load event does not cover images
        # that scripts add)
        page.wait_for_function("[...document.images].every(img => img.complete)")
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            if href.startswith(base) and not resolves(out, base, href):
                visit.problems.append(f"broken link: {href}")
        broken = page.eval_on_selector_all(
            "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)")
        visit.problems += [f"broken image: {src}" for src in broken]
        problems += [f"{url}: {p}" for p in visit.problems]
        visit.close()
    assert not problems, "\n".join(problems[:40])


def pages_with(out: Path, marker: str) -> list[Path]:
    return [p for p in out.rglob("index.html") if marker in p.read_text(encoding="utf-8")]


def test_mermaid_diagrams_render_to_svg(site, browser):
    out, base = site
    pages = pages_with(out, 'class="mermaid"')
    assert any("/ko/" in p.as_posix() for p in pages) and len(pages) >= 4
    for html in pages:
        rel = html.parent.relative_to(out).as_posix()
        visit = Visit(browser, f"{base}/{rel}/", base)
        page = visit.page
        count = page.locator(".mermaid").count()
        assert not visit.problems, f"{rel}: {visit.problems}"
        try:
            page.wait_for_function(
                """n => [...document.querySelectorAll('.mermaid')].filter(
                       el => (el.shadowRoot || el).querySelector('svg')).length === n""",
                arg=count)
        except Exception as exc:
            raise AssertionError(f"{rel}: mermaid diagrams did not render ({exc})") from None
        assert not visit.problems, visit.problems
        visit.close()


def test_math_renders(site, browser):
    out, base = site
    pages = pages_with(out, 'class="arithmatex"')
    assert pages, "no page has math"
    for html in pages[:2] + [p for p in pages if "/ko/" in p.as_posix()][:1]:
        rel = html.parent.relative_to(out).as_posix()
        visit = Visit(browser, f"{base}/{rel}/", base)
        visit.page.wait_for_selector(".arithmatex .katex")
        assert visit.page.locator(".arithmatex .katex").count() == visit.page.locator(
            ".arithmatex").count()
        assert not visit.problems, visit.problems
        visit.close()


def initial_search_meta(out: Path, path: str) -> str:
    """The search status line of a page as served, before any script ran."""
    html = (out / path.lstrip("/") / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<div class="md-search-result__meta">\s*(.*?)\s*</div>', html, re.S)
    assert match, "the page has no search status line"
    return match[1]


@pytest.mark.parametrize("lang,query,expected", [
    ("en", "idempotent", "topics/02-flask-rest/"),
    ("ko", "가상환경", "ko/topics/01-virtualenv/"),
])
def test_search_finds_the_right_page(site, browser, lang, query, expected):
    out, base = site
    home = f"{base}/" if lang == "en" else f"{base}/ko/"
    visit = Visit(browser, home, base)
    page = visit.page
    # Material sends queries only once its web worker has built the index, and answers the
    # first (empty) one by replacing the "Initializing search" line that the page is served
    # with: wait for that, however long the worker takes.
    served = initial_search_meta(out, home[len(base):])
    page.wait_for_function(
        "served => document.querySelector('.md-search-result__meta').textContent.trim() !== served",
        arg=served)
    box = page.locator("input.md-search__input")
    box.fill(query)
    # Material reads the box on keyup (fill sends none, and the Korean query cannot be typed
    # key by key), so send the keyup a user's last keystroke would.
    box.dispatch_event("keyup")
    page.wait_for_selector(".md-search-result__item")
    links = page.eval_on_selector_all(".md-search-result__item a",
                                      "els => els.map(e => e.href)")
    assert any(expected in link for link in links), links
    visit.close()


@pytest.mark.parametrize("name,path", [
    ("home-en", "/"), ("topic-en", "/topics/02-flask-rest/"),
    ("home-ko", "/ko/"), ("topic-ko", "/ko/topics/02-flask-rest/"),
])
def test_screenshots_are_saved_as_artifacts(site, browser, name, path, tmp_path):
    _, base = site
    visit = Visit(browser, base + path, base)
    shot = tmp_path / f"{name}.png"
    visit.page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert not visit.problems, visit.problems
    visit.close()
    # published whole: a run beside this one (another worker, another pytest) never sees half
    SHOTS.mkdir(parents=True, exist_ok=True)
    partial = SHOTS / f".{name}.{os.getpid()}.png"
    shutil.copyfile(shot, partial)
    os.replace(partial, SHOTS / f"{name}.png")


def test_language_switcher_links_both_sites(site, browser):
    _, base = site
    visit = Visit(browser, base + "/", base)
    hrefs = visit.page.eval_on_selector_all(".md-select__link", "els => els.map(e => e.href)")
    assert any(h.rstrip("/").endswith("/ko") for h in hrefs), hrefs
    visit.close()
