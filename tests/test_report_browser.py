"""The class report and a feedback page of the demo class in a real browser (Debian chromium
driven by Playwright, launched as in test_site_browser.py).

Both pages load with no console errors and no outside request (they are self-contained files);
every link resolves: feedback links and in-page anchors to local files and ids, docs links to
a well-formed address on the course site whose section exists in the docs (and in the built
site, when `make docs-build` has made one). Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from test_reports import ASSIGNMENTS, MISSING, attention_in, graded_demo
from test_site_browser import CHROMIUM, LAUNCH_ARGS, SHOTS

from week4.grading import report_data as rd

ROOT = Path(__file__).resolve().parent.parent
BUILT_SITE = ROOT / "site"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(),
                                reason="chromium is missing: run 'make test' (it installs it)")

# every <a>, HTML or SVG (matplotlib's links are SVG <a xlink:href>)
LINKS = """() => [...document.querySelectorAll('a')].map(a => {
    const href = (typeof a.href === 'string') ? a.href
        : (a.href.baseVal || a.getAttribute('xlink:href') || '');
    return href; })"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The graded demo class's output folder, served on 127.0.0.1."""
    _, out, expected = graded_demo(tmp_path_factory)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield out, f"http://127.0.0.1:{server.server_address[1]}", expected
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


HANG_GUARD_MS = 600_000


class Visit:
    """Open one page and record everything that went wrong."""

    def __init__(self, browser, url: str, origin: str):
        self.page = browser.new_page(viewport={"width": 1100, "height": 1400})
        # Every wait below is for a condition (a worker's answer, a rendered SVG); this is
        # only a hang guard, far above what a busy machine needs, never a deadline to meet.
        self.page.set_default_timeout(HANG_GUARD_MS)
        self.problems: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.problems.append(
            f"console error: {m.text}"))
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(
            f"request failed: {r.url}"))
        self.page.on("request", lambda r: r.url.startswith((origin, "data:", "about:")) or
                     self.problems.append(f"request outside the page: {r.url}"))
        response = self.page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            self.problems.append(f"HTTP {response.status if response else 'no response'}")

    def close(self):
        self.page.close()


def docs_anchor_exists(url: str, lang: str) -> bool:
    """The section a docs link points to exists in the docs source, and in the built site if
    there is one."""
    parsed = urlparse(url)
    page = parsed.path[len(urlparse(rd.site_url()).path):]
    if lang == "ko":
        assert page.startswith("ko/"), url
        page = page[len("ko/"):]
    source = ROOT / "docs" / ("ko" if lang == "ko" else "") / (page.rstrip("/") + ".md")
    if not source.is_file() or f"{{#{parsed.fragment}" not in source.read_text(encoding="utf-8"):
        return False
    built = BUILT_SITE / ("ko" if lang == "ko" else "") / page / "index.html"
    if BUILT_SITE.joinpath("index.html").is_file():
        return built.is_file() and f'id="{parsed.fragment}"' in built.read_text(encoding="utf-8")
    return True


def link_problems(visit: Visit, out: Path, base: str, lang: str) -> list[str]:
    problems = []
    hrefs = visit.page.evaluate(LINKS)
    assert hrefs, "no links at all"
    site = rd.site_url()
    here = (out / unquote(urlparse(visit.page.url).path).lstrip("/")).resolve()
    for href in hrefs:
        parsed = urlparse(href)
        if href.startswith(base):
            path = out / unquote(parsed.path).lstrip("/")
            if not path.is_file():
                problems.append(f"broken link: {href}")
            elif (parsed.fragment and path.resolve() == here
                    and not visit.page.locator(f"[id='{parsed.fragment}']").count()):
                problems.append(f"no element for the anchor: {href}")
        elif href.startswith(site):
            well_formed = (parsed.scheme in ("http", "https") and parsed.netloc
                           and re.fullmatch(r"/([\w.-]+/)*", parsed.path) and parsed.fragment)
            if not well_formed:
                problems.append(f"malformed docs link: {href}")
            elif not docs_anchor_exists(href, lang):
                problems.append(f"docs link to a section that does not exist: {href}")
        else:
            problems.append(f"link to neither the output folder nor the course site: {href}")
    return problems


def test_report_loads_cleanly_with_working_links(served, browser):
    out, base, _ = served
    visit = Visit(browser, f"{base}/report.html", base)
    page = visit.page
    assert page.locator("html").get_attribute("lang") == "ko"
    # per assignment: a distribution panel and a pass-rate chart, drawn and visible
    assert page.locator("#distribution svg.plot").count() == 1
    assert page.locator("#rates svg.plot").count() == len(ASSIGNMENTS)
    box = page.locator("#distribution svg.plot").bounding_box()
    assert box["width"] > 150 * len(ASSIGNMENTS) and box["height"] > 150
    for assignment in ASSIGNMENTS:
        assert page.get_by_text(assignment, exact=True).first.is_visible()
    # the attention list: a row per problem student, each opening a feedback page
    rows = page.locator("table.attention tr[data-student]")
    html = (out / "report.html").read_text(encoding="utf-8")
    assert rows.count() == len({s for s, _ in attention_in(html)}) > 0
    problems = visit.problems + link_problems(visit, out, base, "ko")
    assert not problems, "\n".join(problems[:40])
    visit.close()


def test_feedback_page_loads_cleanly_with_working_links(served, browser):
    out, base, _ = served
    student = MISSING[0]
    visit = Visit(browser, f"{base}/feedback/{student}.html", base)
    page = visit.page
    assert page.locator("table.summary tr").count() == 1 + len(ASSIGNMENTS)
    assert page.locator(f"#a-{MISSING[1]}").is_visible()  # the one-line missing assignment
    assert not page.locator("details ul").first.is_visible()  # passed checks start folded
    problems = visit.problems + link_problems(visit, out, base, "ko")
    assert not problems, "\n".join(problems[:40])
    visit.close()


def test_the_report_opens_a_feedback_page(served, browser):
    _, base, _ = served
    visit = Visit(browser, f"{base}/report.html", base)
    link = visit.page.locator("table.attention a").first
    name = link.inner_text()
    link.click()
    visit.page.wait_for_load_state("load")
    assert visit.page.url == f"{base}/feedback/{name}.html"
    assert name in visit.page.locator("h1").inner_text()
    assert not visit.problems, visit.problems
    visit.close()


@pytest.mark.parametrize("name,path,media", [
    ("report-ko", "report.html", "screen"),
    ("report-ko-print", "report.html", "print"),
    ("feedback-ko", None, "screen"),
])
def test_screenshots_are_saved_as_artifacts(served, browser, name, path, media):
    _, base, expected = served
    if path is None:  # a student with failed and passed checks
        student = next(s for s in sorted(expected)
                       if any(v["role"].startswith("mutant: ") for v in expected[s].values()))
        path = f"feedback/{student}.html"
    SHOTS.mkdir(parents=True, exist_ok=True)
    visit = Visit(browser, f"{base}/{path}", base)
    visit.page.emulate_media(media=media)
    if media == "print":  # A4 width at 96 dpi, as the printed page lays out
        visit.page.set_viewport_size({"width": 794, "height": 1123})
        assert not visit.page.locator("nav.toc").is_visible()
    target = SHOTS / f"{name}.png"
    visit.page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 10_000
    assert not visit.problems, visit.problems
    visit.close()
