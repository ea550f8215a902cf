"""Core and stretch: which checks every student does this week, and which are extra.

Each topic page says at its top what its core is (what everybody does this week) and what is
stretch (for those who finish early), with the time each takes; the core of all five topics
fits in about 15 hours. This module is the one place that says which *checks* are stretch:
every check of a topic that is not listed here is core.

The scoreboard reports the two separately, and a core grade is computed from core checks only,
so a stretch check can never lower it. Check modules stay unaware of levels: a check id
listed here that a topic does not have is an error (tests/test_levels.py).
"""

from __future__ import annotations

from dataclasses import dataclass

# {topic id: the ids of its stretch checks}. Everything else is core.
STRETCH: dict[str, frozenset[str]] = {
    # PEP 508 direct references and environment markers; environments made from code.
    "01-virtualenv": frozenset({"freeze-direct-url", "unsatisfied-markers", "venv-create"}),
    # Robustness beyond the contract: 20 POSTs at once, 200 randomized malformed requests.
    "02-flask-rest": frozenset({"concurrent-posts", "no-5xx-fuzz"}),
    # EC2 from Python and the production server (gunicorn under systemd, behind nginx).
    "03-cloud": frozenset({
        "ec2-launch", "ec2-tags", "ec2-user-data", "ec2-running-by-tag",
        "gunicorn-bind-default", "gunicorn-bind-env", "gunicorn-workers", "gunicorn-timeout",
        "gunicorn-logs", "gunicorn-production", "gunicorn-serves",
    }),
    # skops trust lists, non-finite numbers, and the batch endpoint.
    "04-serving": frozenset({"load-rejects-untrusted", "invalid-nonfinite",
                             "batch-order", "batch-limit", "batch-invalid"}),
    # The chi-square test of a hypothesis.
    "05-eda": frozenset({"compare-rates", "compare-pvalue"}),
}

CORE, STRETCH_LEVEL = "core", "stretch"


def level(topic: str, check_id: str) -> str:
    """"core" or "stretch" for one check of a topic."""
    return STRETCH_LEVEL if check_id in STRETCH.get(topic, frozenset()) else CORE


@dataclass(frozen=True)
class Split:
    """A score split into its core and stretch parts."""

    core: float = 0.0
    core_max: float = 0.0
    stretch: float = 0.0
    stretch_max: float = 0.0

    def __add__(self, other: Split) -> Split:
        return Split(self.core + other.core, self.core_max + other.core_max,
                     self.stretch + other.stretch, self.stretch_max + other.stretch_max)

    @property
    def core_percent(self) -> float:
        """The core grade: core points only, so stretch checks cannot lower it."""
        return 100 * self.core / self.core_max if self.core_max else 0.0


def split(result) -> Split:
    """Split a TopicResult's points (its `topic` and `checks`) into core and stretch."""
    parts = {CORE: [0.0, 0.0], STRETCH_LEVEL: [0.0, 0.0]}
    for check in result.checks:
        part = parts[level(result.topic, check.id)]
        part[0] += check.points
        part[1] += check.max
    return Split(*parts[CORE], *parts[STRETCH_LEVEL])


def split_report(report) -> Split:
    """The core and stretch totals of a whole Report."""
    total = Split()
    for result in report.topics.values():
        total = total + split(result)
    return total
