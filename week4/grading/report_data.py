"""The numbers behind the class report and the feedback pages, computed from the results.

Plain data, no HTML: score statistics per assignment, pass rates per check grouped by the docs
section each check teaches, the students who need attention, how grading went (time, grader
version, key id, isolation), and links to the docs site in the report's language.
"""

from __future__ import annotations

import re
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from autograder.topics import ALL_TOPICS
from week4.i18n import LANGS, t

from .jobs import NO_NOTEBOOK, TOOK_TOO_LONG

DOCS_ROOT = Path(__file__).resolve().parents[2] / "docs"
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*\{#([A-Za-z0-9_-]+)[^}]*\}\s*$")
TITLE = re.compile(r"^#\s+(.*?)\s*(\{[^}]*\})?\s*$")

# Ways the grader says a submission ran out of time: the whole job (week4.grading.jobs), one
# call ("did not finish within 3 s", or "in time" in grading mode), or the topic's budget.
# The results carry no structured status for this, so the public wording is matched, in each
# language the grading may have used: the fixed part of each sentence in its catalog.
TIMEOUT_SENTENCES = (TOOK_TOO_LONG,
                     "{what} did not finish in time (an infinite loop, or waiting for input?)",
                     "did not finish within {seconds} s (an infinite loop, or waiting for input?)",
                     "grading time for this topic is used up (earlier calls timed out)",
                     "grading time for this topic is used up (earlier requests timed out)")
GRADER_BUG = "the check itself failed ({error}); please report it"  # the grader's fault


def fixed_parts(sentence: str) -> list[str]:
    """The texts between the placeholders of `sentence` (8 characters or more, so they say
    something), in every course language."""
    return [part.strip() for lang in LANGS for part in re.split(r"\{[^}]*\}", t(lang)(sentence))
            if len(part.strip()) >= 8]


TIMEOUT_MARKERS = tuple(part for s in TIMEOUT_SENTENCES for part in fixed_parts(s))
MISSING = tuple(t(lang)(NO_NOTEBOOK) for lang in LANGS)
GRADER_BUG_STARTS = tuple(t(lang)(GRADER_BUG).split("{")[0] for lang in LANGS)

Results = dict[tuple[str, str], dict]


def assignment_order(names) -> list[str]:
    """The course's topic order, then anything else alphabetically."""
    known = [t.id for t in ALL_TOPICS]
    return sorted(set(names), key=lambda a: (known.index(a) if a in known else len(known), a))


# ---- docs links ------------------------------------------------------------------------------

from ..site import base as site_url, url as docs_url  # noqa: E402,F401 (one place for links)


def section_of(docs: str) -> str:
    """The docs anchor a check teaches: 'docs/topics/02-flask-rest.md#status-codes' -> 'status-codes'."""
    return docs.partition("#")[2] or docs


@cache
def _headings(page: str, lang: str) -> tuple[str, dict[str, str]]:
    """(page title, {anchor: heading}) of a docs page in one language; empty when absent."""
    rel = page.removeprefix("docs/")
    source = DOCS_ROOT / ("ko" if lang == "ko" else "") / rel
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except OSError:
        return "", {}
    title, found = "", {}
    for line in lines:
        match = HEADING.match(line)
        if match:
            found[match.group(2)] = match.group(1)
        elif not title and (m := TITLE.match(line)):
            title = m.group(1)
    return title, found


def section_title(docs: str, lang: str) -> str:
    """The heading of the section a docs link points to, in `lang` (the anchor if unknown)."""
    path, _, anchor = docs.partition("#")
    return _headings(path, lang)[1].get(anchor, anchor or path)


def assignment_title(assignment: str, lang: str) -> str:
    """The title of the assignment's docs page, e.g. '01 · 가상환경'."""
    for topic in ALL_TOPICS:
        if topic.id == assignment:
            title = _headings(topic.docs_page, lang)[0]
            return title or topic.title
    return assignment


# ---- what happened to one submission ---------------------------------------------------------

def is_missing(data: dict) -> bool:
    return data.get("notebook", "") is None or data.get("error") in MISSING


def is_timeout(data: dict) -> bool:
    texts = [data.get("error") or ""] + [c.get("public") or c.get("message") or ""
                                         for c in data.get("checks", ())]
    return any(marker in text for text in texts for marker in TIMEOUT_MARKERS)


def reasons(data: dict, flagged: bool = False) -> list[str]:
    """Why a submission needs attention (empty: it does not), most specific first."""
    found = []
    if is_missing(data):
        found.append("missing")
    else:
        error = data.get("error") or ""
        if (error and not any(m in error for m in TIMEOUT_MARKERS)) or any(
                (c.get("message") or "").startswith(GRADER_BUG_STARTS)
                for c in data.get("checks", ())):
            found.append("error")
        if is_timeout(data):
            found.append("timeout")
    if flagged:
        found.append("flagged")
    if data.get("isolated") is False:  # missing: not recorded, so not flagged
        found.append("not_isolated")
    if not is_missing(data) and data.get("max", 0) > 0 and data.get("score", 0) == 0:
        found.append("zero")
    return found


@dataclass
class Attention:
    student: str
    items: list[tuple[str, list[str], float, float]] = field(default_factory=list)
    # (assignment, reasons, score, max)


def attention(results: Results, flags: list[dict]) -> list[Attention]:
    flagged = {(f["student"], f["assignment"]) for f in flags}
    order = assignment_order(a for _, a in results)
    people: dict[str, Attention] = {}
    for (student, assignment), data in sorted(results.items(),
                                              key=lambda kv: (kv[0][0], order.index(kv[0][1]))):
        why = reasons(data, (student, assignment) in flagged)
        if why:
            people.setdefault(student, Attention(student)).items.append(
                (assignment, why, data["score"], data["max"]))
    return [people[s] for s in sorted(people)]


# ---- numbers per assignment ------------------------------------------------------------------

@dataclass
class Stats:
    assignment: str
    n: int
    full: float
    mean: float
    median: float
    q1: float
    q3: float
    low: float
    high: float
    percents: list[float]


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Q1, median, Q3 with linear interpolation (numpy's and pandas' default)."""
    if len(values) == 1:
        return values[0], values[0], values[0]
    q1, q2, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q2, q3


def score_stats(results: Results) -> list[Stats]:
    by_assignment: dict[str, list[dict]] = defaultdict(list)
    for (_, assignment), data in results.items():
        by_assignment[assignment].append(data)
    out = []
    for assignment in assignment_order(by_assignment):
        items = by_assignment[assignment]
        scores = sorted(float(d["score"]) for d in items)
        full = max(float(d["max"]) for d in items)
        q1, median, q3 = quartiles(scores)
        out.append(Stats(assignment, len(scores), full, statistics.fmean(scores), median, q1, q3,
                         scores[0], scores[-1],
                         [100 * float(d["score"]) / float(d["max"]) if d["max"] else 0.0
                          for d in items]))
    return out


@dataclass
class CheckRate:
    id: str
    passed: int
    total: int
    docs: str
    order: int  # position in the check module: ties keep the course's order

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


@dataclass
class Section:
    anchor: str
    docs: str  # the docs link its checks share, e.g. docs/topics/02-flask-rest.md#routes
    checks: list[CheckRate]

    @property
    def passed(self) -> int:
        return sum(c.passed for c in self.checks)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.checks)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def pass_rates(results: Results) -> dict[str, list[Section]]:
    """{assignment: sections, weakest first; in each section its checks, weakest first}."""
    counts: dict[str, dict[str, CheckRate]] = defaultdict(dict)
    for (_, assignment), data in results.items():
        for index, c in enumerate(data["checks"]):
            rate = counts[assignment].setdefault(
                c["id"], CheckRate(c["id"], 0, 0, c.get("docs", ""), index))
            rate.passed += bool(c["passed"])
            rate.total += 1
    out = {}
    for assignment in assignment_order(counts):
        groups: dict[str, list[CheckRate]] = defaultdict(list)
        for rate in counts[assignment].values():
            groups[rate.docs].append(rate)
        sections = [Section(section_of(docs), docs,
                            sorted(checks, key=lambda c: (c.rate, c.order)))
                    for docs, checks in groups.items()]
        sections.sort(key=lambda s: (s.rate, min(c.order for c in s.checks)))
        out[assignment] = sections
    return out


# ---- how grading went ------------------------------------------------------------------------

@dataclass
class RunInfo:
    seconds: float | None  # wall-clock of this run, when the command measured it
    graded_now: int | None
    jobs: int | None
    per_submission: list[tuple[float, str, str]]  # (seconds, student, assignment)
    versions: Counter
    key_ids: Counter
    isolated: Counter  # True / False / None (not recorded)


def run_info(results: Results, run: dict | None = None) -> RunInfo:
    run = run or {}
    timed = sorted((float(d["seconds"]), s, a) for (s, a), d in results.items()
                   if isinstance(d.get("seconds"), (int, float)))
    return RunInfo(
        seconds=run.get("seconds"), graded_now=run.get("graded_now"), jobs=run.get("jobs"),
        per_submission=timed,
        versions=Counter(str(d["grader_version"]) for d in results.values()
                         if d.get("grader_version")),
        key_ids=Counter(str(d["key_id"]) for d in results.values() if d.get("key_id")),
        isolated=Counter(d.get("isolated") if isinstance(d.get("isolated"), bool) else None
                         for d in results.values()),
    )
