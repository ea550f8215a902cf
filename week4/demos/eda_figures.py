"""Topic 05 demo: the plots an analyst reaches for first, drawn from the real data.

Each function takes the Titanic table and returns a matplotlib `Figure`. The docs build
(week4/docs_hooks_eda.py) renders them as SVG into the site, so the page always shows what the
current data and code produce; tests/test_05_eda_docs.py checks each figure's bars and labels.
On the Korean site the same figures get Korean titles and axis labels (`translate`).

The figures are made with `Figure()` rather than `pyplot`: no global "current figure", no GUI
backend, nothing to close; the way matplotlib recommends for code that runs in a server. The
exercises follow the same rule: a function that returns a figure makes it with `Figure()`.
"""

from __future__ import annotations

import io
import re
from contextlib import nullcontext

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

DIED, SURVIVED = "#b4464b", "#3a7ca5"


# --8<-- [start:bar]
def survival_rate_bars(df: pd.DataFrame, column: str) -> Figure:
    """Survival rate per value of `column`, and the overall rate."""
    rates = df.groupby(column, observed=True)["survived"].mean()
    fig = Figure(figsize=(4.5, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.bar([str(v) for v in rates.index], rates.to_numpy(),
           color=SURVIVED)
    ax.axhline(df["survived"].mean(), color="grey", linestyle="--",
               label="all passengers")
    ax.set_title(f"Survival rate by {column}")
    ax.set_xlabel(column)
    ax.set_ylabel("survival rate")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right")
    return fig
# --8<-- [end:bar]


# --8<-- [start:hist]
def age_histogram_by_outcome(df: pd.DataFrame) -> Figure:
    """Overlaid histograms of age: those who died, those who survived."""
    fig = Figure(figsize=(5.5, 3.2), layout="constrained")
    ax = fig.subplots()
    bins = range(0, 85, 5)  # the same 5-year bins for both groups
    groups = [(0, "died", DIED), (1, "survived", SURVIVED)]
    for outcome, label, color in groups:
        ages = df.loc[df["survived"] == outcome, "age"].dropna()
        ax.hist(ages, bins=bins, alpha=0.6, color=color,
                label=f"{label} (n={len(ages)})")
    ax.set_title("Age of passengers by outcome (known ages only)")
    ax.set_xlabel("age (years)")
    ax.set_ylabel("passengers")
    ax.legend()
    return fig
# --8<-- [end:hist]


# --8<-- [start:box]
def fare_box_by_class(df: pd.DataFrame) -> Figure:
    """Fare per ticket class, on a log scale (0 to 512 pounds)."""
    classes = sorted(df["pclass"].unique())
    paid = df[df["fare"] > 0]  # a fare of 0 has no logarithm
    fares = [paid.loc[paid["pclass"] == c, "fare"] for c in classes]
    fig = Figure(figsize=(4.5, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.boxplot(fares)  # boxes at x = 1, 2, 3
    ax.set_xticks(range(1, len(classes) + 1),
                  [str(c) for c in classes])
    ax.set_yscale("log")
    ax.set_title("Fare by ticket class (fares above 0)")
    ax.set_xlabel("pclass")
    ax.set_ylabel("fare (pounds, log scale)")
    return fig
# --8<-- [end:box]


def missing_bars(df: pd.DataFrame) -> Figure:
    """Horizontal bars: percent of values missing per column, labelled with the count."""
    counts = df.isna().sum().loc[lambda s: s > 0].sort_values()
    fig = Figure(figsize=(4.5, 2.8), layout="constrained")
    ax = fig.subplots()
    bars = ax.barh(counts.index, 100 * counts.to_numpy() / len(df), color="grey")
    ax.bar_label(bars, labels=[str(n) for n in counts], padding=3)
    ax.set_title(f"Missing values per column ({len(df)} passengers)")
    ax.set_xlabel("percent of passengers")
    ax.set_xlim(0, 100)
    return fig


# File name in the site -> how to draw it. The docs page links to these names.
FIGURES = {
    "missing-values.svg": missing_bars,
    "survival-by-sex.svg": lambda df: survival_rate_bars(df, "sex"),
    "survival-by-class.svg": lambda df: survival_rate_bars(df, "pclass"),
    "age-by-outcome.svg": age_histogram_by_outcome,
    "fare-by-class.svg": fare_box_by_class,
}

# The figures' words in Korean, for the Korean site: {English pattern: Korean replacement}.
# Column names and data values (sex, female, pclass) stay as the table spells them.
KOREAN = {
    r"Survival rate by (\S+)": r"\1별 생존율",
    r"all passengers": "전체 승객",
    r"survival rate": "생존율",
    r"Age of passengers by outcome \(known ages only\)": "생존 여부별 승객 나이(나이를 아는 승객만)",
    r"age \(years\)": "나이(세)",
    r"passengers": "승객 수",
    r"died \(n=(\d+)\)": r"사망 (n=\1)",
    r"survived \(n=(\d+)\)": r"생존 (n=\1)",
    r"Fare by ticket class \(fares above 0\)": "객실 등급별 운임(운임이 0보다 큰 승객)",
    r"fare \(pounds, log scale\)": "운임(파운드, 로그 눈금)",
    r"Missing values per column \((\d+) passengers\)": r"열별 결측값(승객 \1명)",
    r"percent of passengers": "승객 중 비율(%)",
}
LANGUAGES = {"en": {}, "ko": KOREAN}
# Fonts with Hangul, tried in order after matplotlib's own (which has none).
HANGUL_FONTS = ["Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic",
                "Apple SD Gothic Neo", "AppleGothic"]


def translate(fig: Figure, words: dict[str, str]) -> Figure:
    """Replace the titles, axis labels and legend entries that match a pattern in `words`."""
    def swap(text: str) -> str:
        for pattern, replacement in words.items():
            if re.fullmatch(pattern, text):
                return re.sub(pattern, replacement, text)
        return text

    for ax in fig.axes:
        ax.set_title(swap(ax.get_title()))
        ax.set_xlabel(swap(ax.get_xlabel()))
        ax.set_ylabel(swap(ax.get_ylabel()))
        legend = ax.get_legend()
        for text in legend.get_texts() if legend else []:
            text.set_text(swap(text.get_text()))
    return fig


def fonts_for(lang: str):
    """An rc context with a font that can draw the language (a no-op for English)."""
    if lang == "en":
        return nullcontext()
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    fallback = [name for name in HANGUL_FONTS if name in installed]
    # A list of families (not the "sans-serif" alias) lets matplotlib fall back per glyph.
    return matplotlib.rc_context({"font.family": ["DejaVu Sans", *fallback]})


def to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes, the same bytes for the same figure (no date, fixed ids)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "week4", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    return buffer.getvalue()


def render_all(df: pd.DataFrame, lang: str = "en") -> dict[str, bytes]:
    """Every figure of the page in the page's language: {file name: SVG bytes}."""
    if lang not in LANGUAGES:
        raise ValueError(f"no figure labels for language {lang!r}")
    with fonts_for(lang):  # fonts are chosen when the texts are made, so draw inside
        return {name: to_svg(translate(draw(df), LANGUAGES[lang]))
                for name, draw in FIGURES.items()}
