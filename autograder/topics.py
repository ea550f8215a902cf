"""The course's topics: one docs page, one notebook and one check module each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CHECKS_DIR = Path(__file__).parent / "checks"


@dataclass(frozen=True)
class Topic:
    id: str           # used for folders, the CLI and the docs alike
    title: str
    check_module: str  # module in autograder/checks/ that holds the topic's checks

    @property
    def notebook_name(self) -> str:
        return f"{self.id}.ipynb"

    @property
    def docs_page(self) -> str:
        return f"docs/topics/{self.id}.md"

    @property
    def check_file(self) -> Path:
        return CHECKS_DIR / f"{self.check_module}.py"


ALL_TOPICS = [
    Topic("01-virtualenv", "Virtual environments", "test_01_virtualenv"),
    Topic("02-flask-rest", "Web and REST APIs with Flask", "test_02_flask_rest"),
    Topic("03-cloud", "Cloud basics and deployment", "test_03_cloud"),
    Topic("04-serving", "Serving a scikit-learn model", "test_04_serving"),
    Topic("05-eda", "Exploratory data analysis of the Titanic data", "test_05_eda"),
]

# A topic is live once its checks exist; until then the CLI and docs list it as planned.
TOPICS: dict[str, Topic] = {t.id: t for t in ALL_TOPICS if t.check_file.exists()}


def get_topic(topic_id: str) -> Topic:
    try:
        return TOPICS[topic_id]
    except KeyError:
        known = ", ".join(TOPICS)
        raise KeyError(f"unknown topic {topic_id!r} (known topics: {known})") from None
