"""The chart specs the Segments screen draws and exports: plain frozen dataclasses whose data is
fully prepared (percentages, bin labels, grid cells), plus the label and number formatting they
share. charts.py builds them; chart_render.py draws them with plotext or writes them as text.

Pure Python: nothing heavy is imported here, so every screen can use the types for free.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeAlias

LABEL_WIDTH = 24  # bar labels and legend names are shortened to this many characters
MISSING_LABEL = "Missing"
OTHER_LABEL = "Other"


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars: one row per label and series (first label at the top).

    ``unit`` is "%", a currency symbol or "" (plain numbers). ``label_title`` names what the
    labels are (the table's first column); ``note`` is a sentence shown under the chart.
    """

    title: str
    labels: list[str]
    series: list[tuple[str, list[float]]]
    unit: str
    label_title: str = ""
    note: str = ""


@dataclass(frozen=True)
class HeatGrid:
    """A grid of values (None: no customers in the cell), optionally with a name per cell."""

    title: str
    row_title: str
    col_title: str
    row_labels: list[str]
    col_labels: list[str]
    values: list[list[float | None]]
    names: list[list[str]] | None
    unit: str
    note: str = ""


@dataclass(frozen=True)
class LineChart:
    """Series of y values over the shared x values; ``marked_x`` gets a vertical line."""

    title: str
    x_label: str
    x: list[float]
    series: list[tuple[str, list[float]]]
    marked_x: float | None
    note: str


@dataclass(frozen=True)
class Scatter:
    """Points in groups (one group per segment, in run order; a group may be empty)."""

    title: str
    x_label: str
    y_label: str
    groups: list[tuple[str, list[float], list[float]]]
    note: str


Chart: TypeAlias = BarChart | HeatGrid | LineChart | Scatter


def shorten(label: str, width: int = LABEL_WIDTH) -> str:
    """``label`` cut to ``width`` characters at a word boundary where one is close, with "…"."""
    if len(label) <= width:
        return label
    if width <= 1:
        return "…"[:width]
    cut = label[: width - 1]
    space = cut.rfind(" ")
    # inside a word: back to the last word boundary when that keeps most of the label
    if label[width - 1] != " " and space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ·,-–:;/") + "…"


def short_labels(labels: list[str], width: int = LABEL_WIDTH) -> list[str]:
    """Every label shortened, kept distinct (clashes get a number: "Lapsed · Big…2")."""
    short = [shorten(label, width) for label in labels]
    if len(set(short)) == len(short):
        return short
    distinct: list[str] = []
    for label, cut in zip(labels, short, strict=True):
        if cut in distinct or short.count(cut) > 1:
            number = str(len(distinct) + 1)
            cut = shorten(label, width - len(number)) + number
        distinct.append(cut)
    return distinct


def trim_number(value: float, decimals: int) -> str:
    """``value`` with thousands separators and at most ``decimals`` decimals (no trailing 0s)."""
    text = f"{value:,.{max(decimals, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_value(value: float | None, unit: str) -> str:
    """A chart value for people: "12.3%", "£1,234.50", "1,234" or "0.42"; "—" when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if unit:
        sign = "-" if value < 0 else ""
        return f"{sign}{unit}{abs(value):,.2f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) >= 10 else f"{value:.3f}"


def short_number(value: float) -> str:
    """A narrow axis label: 17,712 -> 18k, 1,250,000 -> 1.2M, 0.4321 -> 0.43."""
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.1f}M"
    if size >= 10_000:
        return f"{value / 1_000:.0f}k"
    if size >= 1_000:
        return f"{value / 1_000:.1f}k"
    return f"{value:.2f}" if size < 10 else f"{value:.0f}"
