"""The class report's plots, drawn by matplotlib from the results and inlined as SVG.

The figures use matplotlib's object API (no pyplot, no global backend switch) and keep their
text as SVG text, so Korean labels render with the reader's fonts and the numbers are
searchable. Each SVG's ids get a prefix: several figures live in one HTML page.
"""

from __future__ import annotations

import io
import re
from html import escape

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.font_manager import fontManager
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from .report_data import Section, Stats
from .report_i18n import t

INK = "#1f2328"
MUTED = "#656d76"
GRID = "#d0d7de"
TRACK = "#eef1f4"
BAR = "#4c72b0"
MEDIAN = "#1f2328"
IQR = "#f2b134"
LOW, MID, HIGH = "#cf4446", "#e8a33d", "#2a9d8f"  # pass rate < 50 %, < 80 %, otherwise
CJK_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic",
             "Apple SD Gothic Neo")


def _fonts() -> list[str]:
    """A Korean-capable font first when matplotlib knows one (it only measures the text)."""
    known = {f.name for f in fontManager.ttflist}
    return [f for f in CJK_FONTS if f in known][:1] + ["DejaVu Sans"]


def _style() -> dict:
    return {"svg.fonttype": "none", "font.family": "sans-serif", "font.sans-serif": _fonts(),
            "font.size": 9, "axes.edgecolor": GRID, "axes.labelcolor": INK,
            "xtick.color": MUTED, "ytick.color": MUTED, "text.color": INK,
            "axes.spines.top": False, "axes.spines.right": False}


def to_svg(fig: Figure, prefix: str, label: str) -> str:
    """The figure as an inline <svg> that scales to its container, with ids made unique."""
    buf = io.StringIO()
    with rc_context({"svg.hashsalt": prefix}):
        fig.savefig(buf, format="svg", bbox_inches="tight", pad_inches=0.04,
                    metadata={"Date": None})
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r'\sid="([^"]+)"', rf' id="{prefix}-\1"', svg)
    svg = re.sub(r'url\(#([^)]+)\)', rf'url(#{prefix}-\1)', svg)
    svg = re.sub(r'xlink:href="#([^"]+)"', rf'xlink:href="#{prefix}-\1"', svg)
    # size it with CSS (viewBox keeps the proportions); say what it shows
    head_end = svg.index(">")
    head = re.sub(r'\s(width|height)="[^"]*"', "", svg[:head_end])
    natural = float(re.search(r'viewBox="[\d.]+ [\d.]+ ([\d.]+)', head).group(1)) * 4 / 3
    head += (f' role="img" aria-label="{escape(label)}" class="plot"'
             f' style="max-width:{natural:.0f}px"')  # shrink to fit, never blow up
    return head + svg[head_end:]


def distribution_svg(stats: list[Stats], lang: str) -> str:
    """Small multiples on the same axes, one column per assignment: a box plot (quartiles,
    median, range) above a histogram of the scores in percent, the median marked on both."""
    count = len(stats)
    bins = list(range(0, 101, 10))
    bins[-1] = 100.0001  # full marks fall in the last bin
    with rc_context(_style()):
        fig = Figure(figsize=(max(2.1 * count, 5.2), 2.6))
        grid = fig.subplots(2, count, sharex=True, sharey="row", squeeze=False,
                            gridspec_kw={"height_ratios": [1, 4.2], "hspace": 0.06,
                                         "wspace": 0.22})
        for column, s in enumerate(stats):
            box, hist = grid[0][column], grid[1][column]
            full = s.full or 1
            median = 100 * s.median / full
            q1, q3, low, high = (100 * v / full for v in (s.q1, s.q3, s.low, s.high))
            box.hlines(1, low, high, color=INK, lw=0.8, zorder=1)  # whiskers: lowest to highest
            box.vlines([low, high], 0.8, 1.2, color=INK, lw=0.8, zorder=1)
            box.barh(1, q3 - q1, left=q1, height=0.62, color=IQR, edgecolor=INK, lw=0.8,
                     zorder=2)
            box.vlines(median, 0.69, 1.31, color=MEDIAN, lw=1.8, zorder=3)
            box.set_ylim(0.45, 1.55)
            box.set_yticks([])
            box.spines["left"].set_visible(False)
            box.spines["bottom"].set_visible(False)
            box.tick_params(axis="x", length=0)
            box.set_title(s.assignment, fontsize=9.5, color=INK, pad=3)
            hist.hist(s.percents, bins=bins, color=BAR, edgecolor="white", linewidth=0.6)
            hist.axvline(median, color=MEDIAN, lw=1, ls=(0, (3, 2)))
            hist.text(0.97, 0.97, f"{t(lang, 'legend_median')} {median:.0f}%",
                      transform=hist.transAxes, ha="right", va="top", fontsize=8, color=INK,
                      gid=f"median-{s.assignment}",
                      bbox={"facecolor": "white", "edgecolor": "none", "pad": 1, "alpha": 0.85})
            hist.set_xlim(-2, 102)
            hist.set_xticks([0, 50, 100])
            hist.tick_params(length=2, labelsize=8)
            hist.grid(axis="y", color=GRID, lw=0.5)
            hist.set_axisbelow(True)
        tallest = max(max(hist.get_ylim()[1] for hist in grid[1]), 1)
        grid[1][0].set_ylim(0, tallest * 1.22)  # room for the median's label
        grid[1][0].set_ylabel(t(lang, "axis_students"))
        grid[1][0].yaxis.get_major_locator().set_params(integer=True)
        fig.supxlabel(t(lang, "axis_score"), fontsize=9, y=-0.02)
        return to_svg(fig, "dist", t(lang, "dist_aria"))


def _color(rate: float) -> str:
    return LOW if rate < 0.5 else MID if rate < 0.8 else HIGH


def rates_svg(assignment: str, sections: list[Section], titles: dict[str, str],
              urls: dict[str, str], lang: str, prefix: str) -> str:
    """Horizontal bars: each check's pass rate, under a header row per docs section. Section
    names, check names and bars link to the section's docs (`urls`, keyed by docs link)."""
    rows = sum(len(s.checks) + 1 for s in sections)
    row_h = 0.21
    with rc_context(_style()):
        fig = Figure(figsize=(7.6, row_h * rows + 0.45))
        ax = fig.add_axes((0.27, 0.32 / (row_h * rows + 0.45), 0.6,
                           row_h * rows / (row_h * rows + 0.45)))
        ax.set_xlim(0, 100)
        ax.set_ylim(rows - 0.5, -0.5)
        left = blended_transform_factory(ax.transAxes, ax.transData)
        y = 0
        for section in sections:
            url = urls.get(section.docs)
            ax.add_patch(Rectangle((-0.45, y - 0.5), 1.62, 1.0, transform=left, clip_on=False,
                                   facecolor=TRACK, edgecolor="none", zorder=0))
            ax.text(-0.44, y, titles.get(section.docs, section.anchor), transform=left,
                    ha="left", va="center", fontsize=9, fontweight="bold", url=url)
            ax.text(1.015, y, f"{100 * section.rate:.0f}%", transform=left, ha="left",
                    va="center", fontsize=9, fontweight="bold",
                    gid=f"section-{assignment}-{section.anchor}")
            y += 1
            for check in section.checks:
                ax.barh(y, 100, height=0.62, color=TRACK, zorder=1)
                bar = ax.barh(y, 100 * check.rate, height=0.62, color=_color(check.rate),
                              zorder=2)
                for patch in bar:
                    patch.set_url(url)
                ax.text(-0.015, y, check.id, transform=left, ha="right", va="center",
                        fontsize=8.5, url=url, family="DejaVu Sans Mono")
                ax.text(1.015, y, f"{check.passed}/{check.total} ({100 * check.rate:.0f}%)",
                        transform=left, ha="left", va="center", fontsize=8, color=MUTED,
                        gid=f"rate-{assignment}-{check.id}")
                y += 1
        ax.set_yticks([])
        ax.set_xticks([0, 25, 50, 75, 100], ["0", "25", "50", "75", "100%"])
        ax.tick_params(axis="x", length=2, labelsize=8)
        for x in (25, 50, 75):
            ax.axvline(x, color="white", lw=0.8, zorder=3)
        ax.spines["left"].set_visible(False)
        return to_svg(fig, prefix, t(lang, "rates_aria", assignment=assignment))
