"""Grading results: plain data that prints as a scoreboard and serialises to JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class CheckResult:
    id: str
    points: float
    max: float
    passed: bool
    message: str  # what was expected and what was found (empty when passed)
    hint: str
    docs: str
    public_message: str = ""  # the same without hidden inputs or expected values

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k != "public_message"}


@dataclass
class TopicResult:
    topic: str
    checks: list[CheckResult] = field(default_factory=list)
    error: str = ""  # why the topic could not be graded at all, if it could not
    notes: list[str] = field(default_factory=list)  # e.g. cells that raised while loading

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max(self) -> float:
        return sum(c.max for c in self.checks)

    def to_json(self) -> dict:
        data = {"score": self.score, "max": self.max, "checks": [c.to_json() for c in self.checks]}
        if self.error:
            data["error"] = self.error
        if self.notes:
            data["notes"] = list(self.notes)
        return data


@dataclass
class Report:
    topics: dict[str, TopicResult] = field(default_factory=dict)
    # grading mode: {"mode": "grading", "key_id": ..., "grader_version": ...}; empty in practice
    meta: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return sum(t.score for t in self.topics.values())

    @property
    def max(self) -> float:
        return sum(t.max for t in self.topics.values())

    def to_json(self) -> dict:
        return {
            "score": self.score,
            "max": self.max,
            "topics": {name: t.to_json() for name, t in self.topics.items()},
            **self.meta,
        }
