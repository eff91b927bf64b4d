"""Drawing chart specs with plotext, their minimum readable size, their table form and their
plain-text form (for export and for the table fallback).

``draw`` takes either the ``plotext`` module or a textual-plotext ``PlotextPlot.plt``: both
have plotext's functions. It never sets colours, so the widget's theme (which follows the app)
decides them; series differ by marker too ("█" and "▒" bars, ●/◆/▲ points), so nothing
depends on colour alone and the plain-text export stays readable.

Bars are drawn as filled scatter points (one terminal row per bar): plotext's own bar
rectangles straddle rows at terminal resolution and overwrite their neighbours. plotext is
imported inside the functions.
"""

from __future__ import annotations

import textwrap
from typing import Any

from segtui.core.chart_model import (
    LABEL_WIDTH,
    BarChart,
    Chart,
    HeatGrid,
    LineChart,
    Scatter,
    format_value,
    short_labels,
    short_number,
    shorten,
    trim_number,
)

BAR_MARKERS = ("█", "▒", "░", "▓")
POINT_MARKERS = ("●", "◆", "▲", "■", "○", "◇", "△", "□", "+", "x", "*", "#")
LINE_MARKER = "hd"  # half blocks: a smoother line than whole cells
GRID_NAME_WIDTH = 8  # the narrowest a grid cell's segment name is cut to
# Rows a plotext chart spends outside its plot area: title, top and bottom frame, x ticks,
# x label.
CHART_FRAME_ROWS = 5


# -- drawing -----------------------------------------------------------------------------------


def draw(
    plt: Any, chart: BarChart | LineChart | Scatter, size: tuple[int, int] | None = None
) -> None:
    """Draw ``chart`` on ``plt`` (the plotext module or a PlotextPlot's ``plt``), replacing
    whatever it showed. ``size`` (the widget's width and height, when known) lets bars be laid
    out a whole number of rows each, evenly; without it they are spread over the height."""
    plt.clear_figure()  # data, ticks, limits and labels: a redraw must not stack
    if isinstance(chart, BarChart):
        _draw_bars(plt, chart, size)
    elif isinstance(chart, LineChart):
        _draw_lines(plt, chart)
    elif isinstance(chart, Scatter):
        _draw_scatter(plt, chart)
    else:
        raise TypeError(f"{type(chart).__name__} is shown as a table: use chart_text.")


def _bar_rows(chart: BarChart) -> tuple[int, int]:
    """(rows per label, plot rows): a blank row between labels when there are two series."""
    count = len(chart.series)
    step = count + 1 if count > 1 else 1
    return step, max(len(chart.labels) * step - (step - count), 1)


def bar_legend(chart: BarChart) -> str:
    """The key to the series ("█ % of VIPs  ▒ % of all customers"); plotext's own legend
    would cover the top bars."""
    if len(chart.series) == 1:
        return chart.series[0][0]
    return "  ".join(
        f"{BAR_MARKERS[i % len(BAR_MARKERS)]} {name}" for i, (name, _) in enumerate(chart.series)
    )


def _draw_bars(plt: Any, chart: BarChart, size: tuple[int, int] | None) -> None:
    step, total = _bar_rows(chart)
    # rows per bar: with the height known, a whole number so every bar is equally thick
    rows = size[1] - CHART_FRAME_ROWS if size else 0
    thick = max(1, rows // total) if rows else 1
    lowest = total + 0.5 - rows / thick if rows >= total else 0.5  # spare rows at the bottom
    offsets = [(j - (thick - 1) / 2) / thick for j in range(thick)]
    values = [v for _, series in chart.series for v in series]
    for i, (_, series) in enumerate(chart.series):
        # the first label on the top row; each bar is points filled to the y axis
        points = [
            (v, total - j * step - i + offset)
            for j, v in enumerate(series)
            if v > 0
            for offset in offsets
        ]
        if points:
            xs, ys = zip(*points, strict=True)
            plt.scatter(list(xs), list(ys), marker=BAR_MARKERS[i % len(BAR_MARKERS)], filly=True)
    ticks = [total - j * step + offsets[-1] for j in range(len(chart.labels))]  # top row
    if ticks:
        plt.yticks(ticks, short_labels(chart.labels))
    plt.ylim(lowest, total + 0.5)
    top = max(values, default=0.0)
    plt.xlim(0, top if top > 0 else 1)
    plt.title(chart.title)
    plt.xlabel(bar_legend(chart))


def _draw_lines(plt: Any, chart: LineChart) -> None:
    single = len(chart.series) == 1
    values: list[float] = []
    for i, (name, ys) in enumerate(chart.series):
        marker = POINT_MARKERS[i % len(POINT_MARKERS)]
        label = None if single else shorten(name)
        plt.plot(chart.x, ys, marker=LINE_MARKER, label=label)
        plt.scatter(chart.x, ys, marker=marker)
        values += ys
    if chart.marked_x is not None:
        plt.vertical_line(chart.marked_x)
    plt.xticks(chart.x, [_x_text(x) for x in chart.x])
    if chart.x:
        # a margin so a line marking the first or last x is not drawn over the frame
        low, high = min(chart.x), max(chart.x)
        margin = max((high - low) * 0.04, 0.1)
        plt.xlim(low - margin, high + margin)
    if values:
        low, high = min(values), max(values)
        ticks = [low, (low + high) / 2, high] if high > low else [low]
        plt.yticks(ticks, [short_number(t) for t in ticks])
    plt.title(chart.title)
    plt.xlabel(chart.x_label)
    if single:
        plt.ylabel(chart.series[0][0])


def _draw_scatter(plt: Any, chart: Scatter) -> None:
    for i, (name, xs, ys) in enumerate(chart.groups):
        if xs:
            marker = POINT_MARKERS[i % len(POINT_MARKERS)]
            plt.scatter(xs, ys, marker=marker, label=shorten(name))
    plt.title(chart.title)
    plt.xlabel(chart.x_label)
    plt.ylabel(chart.y_label)


def _x_text(x: float) -> str:
    return trim_number(x, 2).replace(",", "")


# -- size --------------------------------------------------------------------------------------


def min_size(chart: Chart) -> tuple[int, int]:
    """(width, height) below which ``chart`` is unreadable: show ``chart_table`` instead."""
    if isinstance(chart, BarChart):
        labels = max((len(label) for label in short_labels(chart.labels)), default=0)
        legend = len(bar_legend(chart))
        return max(labels + 24, legend + labels + 4, 40), _bar_rows(chart)[1] + CHART_FRAME_ROWS
    if isinstance(chart, LineChart):
        return max(40, 8 + 4 * len(chart.x)), 12
    if isinstance(chart, Scatter):  # the legend takes a row per group at the top
        return 50, max(16, len(chart.groups) + 10)
    lines = _grid_lines(chart, GRID_NAME_WIDTH)
    return max(len(line) for line in lines), len(lines)


# -- tables and text ---------------------------------------------------------------------------


def chart_table(chart: Chart) -> tuple[list[str], list[list[str]]]:
    """The chart as a table: a header and rows of text (the fallback when it does not fit,
    and what text export writes next to it)."""
    if isinstance(chart, BarChart):
        header = [chart.label_title or "Label", *(name for name, _ in chart.series)]
        rows = [
            [label, *(format_value(series[j], chart.unit) for _, series in chart.series)]
            for j, label in enumerate(chart.labels)
        ]
        return header, rows
    if isinstance(chart, HeatGrid):
        header = [chart.row_title, *chart.col_labels]
        rows = []
        for r, label in enumerate(chart.row_labels):
            cells = []
            for c, value in enumerate(chart.values[r]):
                text = format_value(value, chart.unit)
                cells.append(f"{text} ({chart.names[r][c]})" if chart.names else text)
            rows.append([label, *cells])
        return header, rows
    if isinstance(chart, LineChart):
        header = [chart.x_label, *(name for name, _ in chart.series)]
        rows = []
        for j, x in enumerate(chart.x):
            marked = " ◂" if chart.marked_x is not None and x == chart.marked_x else ""
            rows.append([_x_text(x) + marked, *(_plain(ys[j]) for _, ys in chart.series)])
        return header, rows
    x_name, y_name = (label.split(" (")[0] for label in (chart.x_label, chart.y_label))
    header = ["Segment", "Customers shown", f"Mean {x_name}", f"Mean {y_name}"]
    rows = [
        [
            name,
            f"{len(xs):,}",
            _plain(sum(xs) / len(xs)) if xs else "—",
            _plain(sum(ys) / len(ys)) if ys else "—",
        ]
        for name, xs, ys in chart.groups
    ]
    return header, rows


def _plain(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:,.0f}"


def table_text(header: list[str], rows: list[list[str]]) -> str:
    """A header and rows as aligned plain-text columns (text left, numbers right)."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        parts = [
            cell.ljust(width) if i == 0 else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("─" * width for width in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)])


def chart_text(chart: Chart, width: int = 100, height: int = 30) -> str:
    """The chart as plain text (no colour codes), at least its minimum size, its note below.
    A HeatGrid is written as a grid of names and values."""
    if isinstance(chart, HeatGrid):
        name_width = max(GRID_NAME_WIDTH, (width - 6) // max(len(chart.col_labels), 1) - 2)
        lines = _grid_lines(chart, min(name_width, LABEL_WIDTH))
    else:
        from plotext._figure import _figure_class
        from plotext._utility import uncolorize

        least_width, least_height = min_size(chart)
        size = max(width, least_width), max(height, least_height)
        figure = _figure_class()  # a private figure: no global plotext state, thread-safe
        draw(figure, chart, size)
        figure._limit_size(False, False)  # plotext would cap the size at the terminal's
        figure.plot_size(*size)
        figure.clear_color()
        lines = [line.rstrip() for line in uncolorize(figure.build()).splitlines()]
    note = getattr(chart, "note", "")
    if note:
        lines += ["", *textwrap.wrap(note, max(width, 40))]
    return "\n".join(lines).strip("\n") + "\n"


def _grid_lines(chart: HeatGrid, name_width: int) -> list[str]:
    """Title, the column labels, then per row its label, the names (when given) and values."""
    cols = len(chart.col_labels)
    values = [[format_value(v, chart.unit) for v in row] for row in chart.values]
    # names repeat across cells (one segment, many cells): shortened, never numbered
    names = [[shorten(n, name_width) for n in row] for row in chart.names] if chart.names else None
    widths = []
    for c in range(cols):
        cells = [chart.col_labels[c], *(row[c] for row in values)]
        cells += [row[c] for row in names] if names else []
        widths.append(max(len(cell) for cell in cells))
    label_width = max((len(label) for label in chart.row_labels), default=0)

    def line(first: str, cells: list[str], right: bool) -> str:
        parts = [
            cell.rjust(w) if right else cell.ljust(w) for cell, w in zip(cells, widths, strict=True)
        ]
        return (first.ljust(label_width) + "  " + "  ".join(parts)).rstrip()

    lines = [chart.title, f"Rows: {chart.row_title} · columns: {chart.col_title}", ""]
    lines.append(line("", list(chart.col_labels), right=False))
    for r, label in enumerate(chart.row_labels):
        if names:
            lines.append(line(label, names[r], right=False))
            lines.append(line("", values[r], right=False))
        else:
            lines.append(line(label, values[r], right=True))
    return lines
