"""A matplotlib Figure read as a person sees it: trusted code that runs in the sandbox child.

It describes, it never judges: what comes back is plain data (lists of floats or None,
strings) that the checks compare with their own reference values.

Only what is drawn counts. An artist nobody can see (set_visible(False), alpha 0, a colour
with alpha 0, a line of width 0 or style 'None' without markers, no data at all, or data
entirely outside the view limits) is left out, however right its data: seaborn adds empty
lines to the Axes as legend entries, and a hidden line carrying the expected numbers shows
nothing to a reader. Every kind of artist a series is commonly drawn with becomes one entry
of `lines` ({"label", "x", "y", "drawstyle", "kind"}):

- "line": a Line2D (ax.plot, ax.step, drawstyle='steps-post', pandas, seaborn's lineplot);
- "bars": the visible bars of one ax.bar call (a BarContainer: matplotlib, pandas, seaborn's
  barplot, one container per hue), y = where each bar ends (bottom + height), x = the number
  on the tick label standing inside the bar when there is one (seaborn's categorical slots,
  dodged bars beside their tick), else the bar's centre;
- "area": each of the two edges of a fill_between (FillBetweenPolyCollection along x), with a
  step= fill read back to one point per x position;
- "points": a scatter (PathCollection) with visible markers.

ax.stairs (StepPatch) keeps its own entry, `stairs` ({"label", "values", "edges"}). Legend
entries are the texts of a visible legend (the Axes' own, or a figure legend) whose handle is
visible too: seaborn's sub-titles (handles of width 0) name no series.

Artists are read through their exact matplotlib class and its methods (never a subclass's or
an instance's own), like the bar reader of topic 05 (autograder/sandboxed/eda.py).
"""

from __future__ import annotations

import math

MAX_POINTS = 5000  # a plot with more points than this is cut: the checks need far fewer
NO_LINE = {"None", "none", "", " "}
NO_MARKER = {None, "None", "none", "", " ", ","}


def numbers(values) -> list:
    out = []
    for v in list(values)[:MAX_POINTS]:
        try:
            f = float(v)
        except (TypeError, ValueError):
            out.append(None)  # a date or a category: not a number the checks compare
            continue
        out.append(f if math.isfinite(f) else None)
    return out


def text(value) -> str:
    return str.__str__(value) if isinstance(value, str) else ""


def _opaque(alpha) -> bool:
    """An artist's alpha lets it be seen (None means fully opaque)."""
    if alpha is None:
        return True
    try:
        return float(alpha) > 0
    except (TypeError, ValueError):  # an array of alphas: seen if any is
        import numpy as np
        return bool(np.any(np.asarray(alpha, dtype=float) > 0))


def _colour_seen(colour, alpha=None) -> bool:
    from matplotlib.colors import to_rgba

    try:
        return to_rgba(colour, alpha)[3] > 0
    except (TypeError, ValueError):
        return False


def _any_colour_seen(colours) -> bool:
    import numpy as np

    array = np.asarray(colours, dtype=float)
    return array.size > 0 and bool(np.any(array.reshape(-1, 4)[:, 3] > 0))


def _visible(artist) -> bool:
    from matplotlib.artist import Artist

    return bool(Artist.get_visible(artist)) and _opaque(Artist.get_alpha(artist))


def shown_text(artist) -> str:
    """The text of a Text artist if a person can read it, else ''."""
    from matplotlib.artist import Artist
    from matplotlib.text import Text

    if artist is None or not isinstance(artist, Text) or not _visible(artist):
        return ""
    if not _colour_seen(Text.get_color(artist), Artist.get_alpha(artist)):
        return ""
    try:
        if not float(Text.get_fontsize(artist)) > 0:
            return ""
    except (TypeError, ValueError):
        return ""
    return text(Text.get_text(artist))


# --- lines ---------------------------------------------------------------------------------

def _line_marks(line) -> tuple[bool, bool]:
    """(a stroke is drawn, markers are drawn) for a Line2D, its data aside."""
    from matplotlib.artist import Artist
    from matplotlib.lines import Line2D

    if not _visible(line):
        return False, False
    alpha = Artist.get_alpha(line)
    stroke = (str(Line2D.get_linestyle(line)) not in NO_LINE
              and float(Line2D.get_linewidth(line)) > 0
              and _colour_seen(Line2D.get_color(line), alpha))
    marker = Line2D.get_marker(line)
    marker = marker if isinstance(marker, str) or marker is None else "custom"
    markers = (marker not in NO_MARKER and float(Line2D.get_markersize(line)) > 0
               and (_colour_seen(Line2D.get_markerfacecolor(line), alpha)
                    or (_colour_seen(Line2D.get_markeredgecolor(line), alpha)
                        and float(Line2D.get_markeredgewidth(line)) > 0)))
    return stroke, markers


def _in_view(ax, artist, xs, ys) -> bool:
    """Some of the data lies inside the Axes' view limits (when drawn in data coordinates)."""
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

    if Artist.get_transform(artist) is not ax.transData:
        return True  # axes or blended coordinates: not judged here
    points = [(x, y) for x, y in zip(xs, ys) if x is not None and y is not None]
    if not points:
        return False
    x0, x1 = sorted(float(v) for v in Axes.get_xlim(ax))
    y0, y1 = sorted(float(v) for v in Axes.get_ylim(ax))
    return (min(p[0] for p in points) <= x1 and max(p[0] for p in points) >= x0
            and min(p[1] for p in points) <= y1 and max(p[1] for p in points) >= y0)


def line_series(ax, line) -> dict | None:
    """A Line2D as a series, or None when nobody sees it."""
    from matplotlib.lines import Line2D

    if type(line) is not Line2D:
        return None
    stroke, markers = _line_marks(line)
    xy = Line2D.get_xydata(line)
    xs, ys = numbers(xy[:, 0]), numbers(xy[:, 1])
    finite = sum(1 for x, y in zip(xs, ys) if x is not None and y is not None)
    if not ((stroke and finite >= 2) or (markers and finite >= 1)) or \
            not _in_view(ax, line, xs, ys):
        return None
    return {"label": text(Line2D.get_label(line)), "x": numbers(Line2D.get_xdata(line)),
            "y": numbers(Line2D.get_ydata(line)), "drawstyle": text(Line2D.get_drawstyle(line)),
            "kind": "line"}


# --- bars ----------------------------------------------------------------------------------

def _patch_seen(patch) -> bool:
    from matplotlib.patches import Patch

    if not _visible(patch):
        return False
    return _colour_seen(Patch.get_facecolor(patch)) or (
        _colour_seen(Patch.get_edgecolor(patch)) and float(Patch.get_linewidth(patch)) > 0)


def x_ticks(ax) -> list[tuple[float, str]]:
    """(position, label) of the x ticks a person sees."""
    from matplotlib.axes import Axes

    out = []
    for loc, label in zip(Axes.get_xticks(ax), Axes.get_xticklabels(ax)):
        loc = float(loc)
        if math.isfinite(loc):
            out.append((loc, shown_text(label)))
    return out


def _tick_number(label: str) -> float | None:
    try:
        value = float(label.replace("\u2212", "-").replace(",", "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def bar_series(ax, container, ticks) -> dict | None:
    """The visible bars of one vertical BarContainer as a series, or None if none is seen."""
    from matplotlib.axes import Axes
    from matplotlib.container import BarContainer
    from matplotlib.patches import Rectangle

    if type(container) is not BarContainer or getattr(container, "orientation", None) != "vertical":
        return None
    low, high = sorted(float(v) for v in Axes.get_xlim(ax))
    xs, ys = [], []
    for patch in list(container.patches)[:MAX_POINTS]:
        if type(patch) is not Rectangle or patch.axes is not ax or not _patch_seen(patch):
            continue
        x, width = float(Rectangle.get_x(patch)), float(Rectangle.get_width(patch))
        bottom, height = float(Rectangle.get_y(patch)), float(Rectangle.get_height(patch))
        if not all(map(math.isfinite, (x, width, bottom, height))) or width == 0:
            continue
        left, right = sorted((x, x + width))
        if right < low or left > high:
            continue  # outside the view
        slack = 1e-9 * max(1.0, abs(width))
        inside = [label for loc, label in ticks if left - slack <= loc <= right + slack]
        tick = _tick_number(inside[0]) if len(inside) == 1 else None
        xs.append(tick if tick is not None else (left + right) / 2)
        ys.append(bottom + height)
    if not xs:
        return None
    return {"label": text(container.get_label()), "x": xs, "y": ys, "drawstyle": "bars",
            "kind": "bars"}


# --- areas and points ----------------------------------------------------------------------

def _collection_seen(collection) -> bool:
    import numpy as np
    from matplotlib.collections import Collection

    if not _visible(collection):
        return False
    widths = np.asarray(Collection.get_linewidth(collection), dtype=float)
    return _any_colour_seen(Collection.get_facecolor(collection)) or (
        _any_colour_seen(Collection.get_edgecolor(collection)) and bool(np.any(widths > 0)))


def _unstep(points: list, step: str | None) -> list:
    """The data points of a curve that fill_between(step=...) expanded into steps."""
    if step in ("pre", "post"):
        return points[::2]  # the data points are the even ones; odd ones are the corners
    if step == "mid" and len(points) % 2 == 0 and points:
        ys = [p[1] for p in points[::2]]
        xs = [points[0][0]]
        for i in range(1, len(ys)):  # x[i] = 2 * (the midpoint before it) - x[i-1]
            mid = points[2 * i - 1][0]
            xs.append(points[-1][0] if i == len(ys) - 1 else 2 * mid - xs[-1])
        return list(zip(xs, ys))
    return points


def area_series(ax, collection) -> list[dict]:
    """The two edges of a fill_between along x as series (none when the area is not seen)."""
    import matplotlib.collections as mcoll
    from matplotlib.path import Path

    kind = getattr(mcoll, "FillBetweenPolyCollection", None)
    if kind is None or type(collection) is not kind or \
            getattr(collection, "t_direction", "x") != "x" or not _collection_seen(collection):
        return []
    step = getattr(collection, "_step", None)
    first, second = [], []
    for path in mcoll.PolyCollection.get_paths(collection):
        vertices = [(float(x), float(y)) for x, y in path.vertices]
        codes = path.codes
        if codes is not None and len(codes) == len(vertices) and codes[-1] == Path.CLOSEPOLY:
            vertices = vertices[:-1]
        if len(vertices) < 4 or len(vertices) % 2:
            continue
        n = (len(vertices) - 2) // 2  # start, n points of y1, end, n points of y2 backwards
        first += _unstep(vertices[1:n + 1], step)
        second += _unstep(vertices[n + 2:][::-1], step)
    out = []
    for edge in (first, second):
        xs, ys = numbers(p[0] for p in edge), numbers(p[1] for p in edge)
        if edge and _in_view(ax, collection, xs, ys):
            out.append({"label": text(collection.get_label()), "x": xs, "y": ys,
                        "drawstyle": f"steps-{step}" if step else "default", "kind": "area"})
    return out


def points_series(ax, collection) -> dict | None:
    """A scatter's visible markers as a series, or None."""
    import numpy as np
    from matplotlib.collections import PathCollection

    if type(collection) is not PathCollection or not _collection_seen(collection):
        return None
    sizes = np.asarray(PathCollection.get_sizes(collection), dtype=float)
    if sizes.size and not np.any(sizes > 0):
        return None
    offsets = np.asarray(PathCollection.get_offsets(collection), dtype=float).reshape(-1, 2)
    xs, ys = numbers(offsets[:, 0]), numbers(offsets[:, 1])
    if not offsets.size or not _in_view(ax, collection, xs, ys):
        return None
    return {"label": text(collection.get_label()), "x": xs, "y": ys, "drawstyle": "points",
            "kind": "points"}


def stairs_entry(patch) -> dict | None:
    """An ax.stairs StepPatch, or None when nobody sees it."""
    from matplotlib.patches import StepPatch

    if type(patch) is not StepPatch or not _patch_seen(patch):
        return None
    data = StepPatch.get_data(patch)
    values = numbers(data.values)
    if not any(v is not None for v in values):
        return None
    return {"label": text(StepPatch.get_label(patch)), "values": values,
            "edges": numbers(data.edges)}


# --- legends -------------------------------------------------------------------------------

def _handle_seen(handle) -> bool:
    from matplotlib.collections import Collection
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    if handle is None:
        return False
    if isinstance(handle, Line2D):
        return any(_line_marks(handle))
    if isinstance(handle, Patch):
        return _patch_seen(handle)
    if isinstance(handle, Collection):
        return _collection_seen(handle)
    return _visible(handle)


def legend_names(legend) -> list[str]:
    """The entries of a visible legend whose text and handle a person sees."""
    from matplotlib.legend import Legend

    if not isinstance(legend, Legend) or not _visible(legend):
        return []
    handles = getattr(legend, "legend_handles", None) or getattr(legend, "legendHandles", [])
    names = []
    for label, handle in zip(Legend.get_texts(legend), handles):
        name = shown_text(label)
        if name.strip() and _handle_seen(handle):
            names.append(name)
    return names


# --- the whole figure ----------------------------------------------------------------------

def describe_axes(ax, figure_legends: list) -> dict:
    from matplotlib.legend import Legend

    ticks = x_ticks(ax)
    lines = [s for line in list(ax.get_lines()) if (s := line_series(ax, line))]
    lines += [s for c in list(ax.containers) if (s := bar_series(ax, c, ticks))]
    for collection in list(ax.collections):
        lines += area_series(ax, collection)
        if (s := points_series(ax, collection)):
            lines.append(s)
    legends = []
    for child in [ax.get_legend(), *ax.get_children()]:
        if isinstance(child, Legend) and not any(child is seen for seen in legends):
            legends.append(child)
    names = [name for legend in legends + figure_legends for name in legend_names(legend)]
    titles = [shown_text(t) for t in (ax.title, getattr(ax, "_left_title", None),
                                      getattr(ax, "_right_title", None))]
    return {
        "title": " ".join(t for t in titles if t.strip()),
        "xlabel": shown_text(ax.xaxis.label),
        "ylabel": shown_text(ax.yaxis.label),
        "legend": names,
        "lines": lines[:MAX_POINTS],
        "stairs": [s for p in list(ax.patches) if (s := stairs_entry(p))][:MAX_POINTS],
    }


def describe(fig) -> dict:
    """{"axes": [...], "suptitle": ...} of a Figure: only visible Axes and what is seen."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    figure_legends = list(getattr(fig, "legends", []))
    axes = [describe_axes(ax, figure_legends) for ax in Figure.get_axes(fig)
            if isinstance(ax, Axes) and _visible(ax)]
    return {"axes": axes, "suptitle": shown_text(getattr(fig, "_suptitle", None))}
