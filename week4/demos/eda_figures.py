"""Topic 05 demo: the plots an analyst reaches for first, drawn from the real data.

Each function takes the Titanic table and returns a matplotlib `Figure`. The docs build
(week4/docs_hooks_eda.py) renders them as SVG into the site, so the page always shows what the
current data and code produce; tests/test_05_eda_docs.py checks each figure's bars and labels.

The figures are made with `Figure()` rather than `pyplot`: no global "current figure", no GUI
backend, nothing to close; the way matplotlib recommends for code that runs in a server.
"""

from __future__ import annotations

import io

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

DIED, SURVIVED = "#b4464b", "#3a7ca5"


# --8<-- [start:bar]
def survival_rate_bars(df: pd.DataFrame, column: str) -> Figure:
    """Bar chart: survival rate per value of `column`, with the overall rate for reference."""
    rates = df.groupby(column, observed=True)["survived"].mean()
    fig = Figure(figsize=(4.5, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.bar([str(v) for v in rates.index], rates.to_numpy(), color=SURVIVED)
    ax.axhline(df["survived"].mean(), color="grey", linestyle="--", label="all passengers")
    ax.set_title(f"Survival rate by {column}")
    ax.set_xlabel(column)
    ax.set_ylabel("survival rate")
    ax.set_ylim(0, 1)
    ax.legend(loc="upper right")
    return fig
# --8<-- [end:bar]


# --8<-- [start:hist]
def age_histogram_by_outcome(df: pd.DataFrame) -> Figure:
    """Overlaid histograms of age for those who died and those who survived."""
    fig = Figure(figsize=(5.5, 3.2), layout="constrained")
    ax = fig.subplots()
    bins = range(0, 85, 5)  # the same 5-year bins for both groups, or the bars do not compare
    for outcome, label, color in [(0, "died", DIED), (1, "survived", SURVIVED)]:
        ages = df.loc[df["survived"] == outcome, "age"].dropna()
        ax.hist(ages, bins=bins, alpha=0.6, label=f"{label} (n={len(ages)})", color=color)
    ax.set_title("Age of passengers by outcome (known ages only)")
    ax.set_xlabel("age (years)")
    ax.set_ylabel("passengers")
    ax.legend()
    return fig
# --8<-- [end:hist]


# --8<-- [start:box]
def fare_box_by_class(df: pd.DataFrame) -> Figure:
    """Box plot of fare per ticket class, on a log scale (fares span 0 to 512 pounds)."""
    classes = sorted(df["pclass"].unique())
    fares = [df.loc[(df["pclass"] == c) & (df["fare"] > 0), "fare"].dropna() for c in classes]
    fig = Figure(figsize=(4.5, 3.2), layout="constrained")
    ax = fig.subplots()
    ax.boxplot(fares)  # boxes at x = 1, 2, 3
    ax.set_xticks(range(1, len(classes) + 1), [str(c) for c in classes])
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


def to_svg(fig: Figure) -> bytes:
    """The figure as SVG bytes, the same bytes for the same figure (no date, fixed ids)."""
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "week4", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None}, facecolor="white")
    return buffer.getvalue()


def render_all(df: pd.DataFrame) -> dict[str, bytes]:
    """Every figure of the page, rendered: {file name: SVG bytes}."""
    return {name: to_svg(draw(df)) for name, draw in FIGURES.items()}
