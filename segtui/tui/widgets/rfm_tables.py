"""What the RFM editor shows beside its map: the scores of one set of scoring settings
(ScoreView: the thresholds, warnings and customers per cell, computed by score_view in a
thread worker), the customers per segment, and the tables built from them: segment totals,
score thresholds, the range rules in order and the score cells no rule or several rules match.

A segment's colour sample comes from rfm_grid's colours, so a segment looks the same in the
tables as in the map.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text

from segtui.core.rfm_map import (
    NO_PURCHASES,
    OTHERS,
    RangeCheck,
    check_ranges,
    grid_segments,
    ranges_segments,
)
from segtui.tui.formatting import fmt_int, fmt_money, fmt_pct
from segtui.tui.widgets.rfm_grid import swatch

if TYPE_CHECKING:
    from rich.style import Style

    from segtui.core.rfm_settings import RfmSettings
    from segtui.core.segment_model import Features


@dataclass
class ScoreView:
    """The scores of one set of scoring settings (bins, monetary, cut points), as shown."""

    key: tuple[object, ...]
    thresholds: dict[str, list[dict[str, Any]]]
    warnings: list[str]
    counts: list[list[int]]  # customers per R × F cell, oriented like the grid
    cells: dict[tuple[int, int, int], int]  # customers per (r, f, m) cell
    scored: int  # customers with orders
    population: int  # every customer


def scoring_key(settings: RfmSettings) -> tuple[object, ...]:
    """What the scores depend on: a map edit keeps it, so the counts per cell stay."""
    cuts = tuple((dim, tuple(values)) for dim, values in sorted(settings.cuts.items()))
    return (settings.bins, settings.monetary, cuts)


def score_view(features: Features, settings: RfmSettings) -> ScoreView:
    """Score the customers (run this in a thread worker: it imports and uses polars)."""
    from segtui.core.rfm import grid_counts, score

    scores = score(features, settings)
    by_cell = scores.frame.group_by("r_score", "f_score", "m_score").len().iter_rows()
    return ScoreView(
        scoring_key(settings),
        scores.thresholds,
        list(scores.warnings),
        grid_counts(scores, settings),
        {(int(r), int(f), int(m)): int(n) for r, f, m, n in by_cell},
        scores.frame.height,
        features.frame.height,
    )


def segment_totals(
    settings: RfmSettings, view: ScoreView, check: RangeCheck | None = None
) -> dict[str, int]:
    """Customers per segment in display order (as a run lists them), "No purchases yet" last."""
    if settings.template == "grid":
        grid = settings.effective_grid()
        totals = dict.fromkeys(grid_segments(grid), 0)
        for names, counts in zip(grid, view.counts, strict=False):
            for name, count in zip(names, counts, strict=False):
                totals[name] += count
    else:
        ranges = settings.effective_ranges()
        check = check or check_ranges(ranges, settings.bins)
        totals = dict.fromkeys(ranges_segments(ranges, check), 0)
        for cell, count in view.cells.items():
            totals[check.winners[cell]] += count
    if view.population > view.scored:
        totals[NO_PURCHASES] = view.population - view.scored
    return totals


def totals_table(totals: dict[str, int], population: int, colours: dict[str, Style]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    table.add_column("", width=2)
    table.add_column("Segment")
    table.add_column("Customers", justify="right")
    table.add_column("Share", justify="right")
    for name, count in totals.items():
        table.add_row(swatch(name, colours), name, fmt_int(count), fmt_pct(count, population))
    table.add_row("", Text("All customers", style="italic"), fmt_int(population), "100.0%")
    return table


def _span(low: float | None, high: float | None, money: str | None) -> str:
    if low is None or high is None:
        return "none"
    text = [fmt_money(v, money) if money is not None else fmt_int(int(v)) for v in (low, high)]
    return text[0] if text[0] == text[1] else f"{text[0]}–{text[1]}"


def thresholds_table(view: ScoreView, bins: int, currency: str) -> Table:
    """Per score (best first): the recency days, orders and money it stands for."""
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for title in ("Score", "Recency", "Frequency", "Monetary"):
        table.add_column(title, justify="right")
    for score in range(bins, 0, -1):
        table.add_row(
            str(score),
            *(
                _span(row["min"], row["max"], currency if dim == "m" else None)
                for dim in ("r", "f", "m")
                for row in [view.thresholds[dim][score - 1]]
            ),
        )
    return table


def rules_table(
    settings: RfmSettings, check: RangeCheck, view: ScoreView, colours: dict[str, Style]
) -> Table:
    """The range rules in order (first match wins) with the cells and customers each wins."""
    won: dict[str, list[int]] = {}
    for cell, name in check.winners.items():
        entry = won.setdefault(name, [0, 0])
        entry[0] += 1
        entry[1] += view.cells.get(cell, 0)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for title in ("#", "", "Segment", "R", "F", "M", "Cells won", "Customers"):
        table.add_column(
            title, justify="right" if title in ("#", "Cells won", "Customers") else "left"
        )
    rows = [(str(n), rule.name, (rule.r, rule.f, rule.m))
            for n, rule in enumerate(settings.effective_ranges(), start=1)]  # fmt: skip
    if check.uncovered:
        rows.append(("", OTHERS, None))
    for number, name, spans in rows:
        cells, customers = won.get(name, [0, 0])
        shown = ["", "", ""] if spans is None else [
            f"{lo}–{hi}" if lo < hi else (str(lo) if lo == hi else "none") for lo, hi in spans
        ]  # fmt: skip
        table.add_row(
            number,
            swatch(name, colours),
            name if spans is not None else Text(f"{OTHERS} (no rule)", style="italic"),
            *shown,
            fmt_int(cells) if cells else Text("never first", style="bold"),
            fmt_int(customers),
        )
    return table


def problem_rows(check: RangeCheck, view: ScoreView) -> list[tuple[str, int, str, str]]:
    """(cell, customers, rules that match in order, where it goes) for every uncovered or
    overlapping cell, most customers first."""
    rows = [(cell, "no rule", OTHERS) for cell in check.uncovered]
    rows += [(cell, ", ".join(names), names[0]) for cell, names in check.overlaps]
    table = [
        (f"R{c[0]} F{c[1]} M{c[2]}", view.cells.get(c, 0), matches, goes)
        for c, matches, goes in rows
    ]
    return sorted(table, key=lambda row: -row[1])
