"""Segment profiles: what sets each segment of a run apart from the population, ranked and in
plain words, and two segments side by side.

The statistics (and how each field type is profiled) live in profile_stats.py, the wording in
profile_words.py and the segments table in profile_summary.py; this module puts them together
and is the one the screen, the exports and the benchmark import (the table's names are
re-exported here).

A distinction's score is a standardised difference: |segment mean − population mean| ÷
population std for a number, and the largest |p_seg − p_pop| ÷ √(p_pop(1 − p_pop)) over its
values for a category or yes/no field — the same measure a 0/1 number would get, so the two
kinds rank on one scale. Every feature is kept, including the ones that defined the segment
(an RFM segment is rightly told apart by its recency). Constant features (population std 0,
or a single value) and features the segment has no values of are not ranked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from segtui.core.profile_stats import (
    SEG,
    CategoricalStat,
    CategoryStat,
    NumericStat,
    SegmentStats,
    prepare,
    profiled_fields,
    segment_stats,
)
from segtui.core.profile_summary import RunSummary, SegmentRow, summarise, summary_frame
from segtui.core.profile_words import (
    MISSING,
    category_text,
    fmt_pct,
    numeric_cell,
    numeric_text,
    ratio_note,
    uses_median,
)
from segtui.core.run_data import SEGMENT
from segtui.core.segment_model import CUSTOMER_ID, Cancelled, Progress, stop_if_cancelled

if TYPE_CHECKING:
    from collections.abc import Sequence

    from segtui.core.run_data import RunData

__all__ = [
    "CategoricalStat",
    "CategoryStat",
    "Comparison",
    "ComparisonRow",
    "Distinction",
    "NumericStat",
    "RunSummary",
    "SegmentProfile",
    "SegmentRow",
    "compare_segments",
    "profile_run",
    "profile_segment",
    "summarise",
    "summary_frame",
]

CANCELLED = "profiling cancelled."


@dataclass(frozen=True)
class Distinction:
    field: str
    label: str
    score: float  # ≥ 0; comparable between numeric and categorical features
    lift: float | None
    text: str  # plain words, e.g. "Total spend: mean £1,234 vs £385 overall (3.2×)"
    value: str = ""  # for a category: the value that sets the segment apart


@dataclass(frozen=True)
class SegmentProfile:
    segment: str
    customers: int
    numeric: list[NumericStat]
    categorical: list[CategoricalStat]
    ranked: list[Distinction]  # most distinguishing first


def _numeric_distinction(stat: NumericStat, currency: str) -> Distinction | None:
    if stat.std_diff is None:
        return None
    text = numeric_text(
        stat.label,
        stat.unit,
        (stat.segment_mean, stat.segment_median),
        (stat.population_mean, stat.population_median),
        stat.lift,
        currency,
    )
    return Distinction(stat.field, stat.label, abs(stat.std_diff), stat.lift, text)


def _categorical_distinction(stat: CategoricalStat) -> Distinction | None:
    level = stat.distinct
    if stat.score is None or level is None:
        return None
    text = category_text(
        stat.label, level.value, level.segment_share, level.population_share, level.lift
    )
    return Distinction(stat.field, stat.label, stat.score, level.lift, text, level.value)


def _profile(segment: str, stats: SegmentStats, currency: str) -> SegmentProfile:
    customers = stats.sizes.get(segment, 0)
    if not customers:
        return SegmentProfile(segment, 0, [], [], [])
    numeric = stats.numeric[segment]
    categorical = stats.categorical[segment]
    found = [_numeric_distinction(s, currency) for s in numeric]
    found += [_categorical_distinction(s) for s in categorical]
    ranked = [d for d in found if d is not None]
    ranked.sort(key=lambda d: -d.score)  # stable: ties keep the features' order
    return SegmentProfile(segment, customers, numeric, categorical, ranked)


def _stats(
    data: RunData, segments: Sequence[str] | None = None, cancelled: Cancelled | None = None
) -> SegmentStats:
    """The statistics of some segments (all when None), every profiled feature at once."""
    import polars as pl

    fields = profiled_fields(data.features)
    population = prepare(data.features.frame, fields, data.features.analysis_date)
    stop_if_cancelled(cancelled, CANCELLED)
    rows = data.assignments
    if segments is not None:
        rows = rows.filter(pl.col(SEGMENT).is_in(list(segments)))
    ids = rows.get_column(CUSTOMER_ID)
    if rows.height == population.height and ids.equals(population.get_column(CUSTOMER_ID)):
        # An exclusive run of everyone stores its rows in the features' order: no join needed.
        members = population.with_columns(rows.get_column(SEGMENT).alias(SEG))
    else:
        members = rows.select(CUSTOMER_ID, pl.col(SEGMENT).alias(SEG)).join(
            population, on=CUSTOMER_ID, how="left"
        )
    stop_if_cancelled(cancelled, CANCELLED)
    return segment_stats(members, population, fields, cancelled)


def profile_segment(data: RunData, segment: str) -> SegmentProfile:
    """One segment against the population (CriteriaError when the run has no such segment)."""
    data.check_segment(segment)
    return _profile(segment, _stats(data, [segment]), data.currency)


def profile_run(
    data: RunData, progress: Progress | None = None, cancelled: Cancelled | None = None
) -> dict[str, SegmentProfile]:
    """Every segment of the run against the population, in run order (RunCancelled when
    ``cancelled`` says so)."""
    if progress:
        progress(0.0, "profiling segments")
    stats = _stats(data, None, cancelled)
    if progress:
        progress(0.9, "ranking features")
    profiles = {name: _profile(name, stats, data.currency) for name in data.segments}
    if progress:
        progress(1.0, "done")
    return profiles


# --- two segments side by side ---------------------------------------------------------------


@dataclass(frozen=True)
class ComparisonRow:
    field: str
    label: str
    a: str  # segment a's figure in words, e.g. "mean £1,234 · median £900"
    b: str
    population: str
    note: str  # e.g. "2.6× as high in Champions", "Garden: 46.0% vs 12.0%"
    score: float  # |a − b| on the distinction scale (÷ population std); 0 when not comparable


@dataclass(frozen=True)
class Comparison:
    a: SegmentRow
    b: SegmentRow
    rows: list[ComparisonRow]  # most different first


def _numeric_row(
    pop: NumericStat,
    a: NumericStat | None,
    b: NumericStat | None,
    names: tuple[str, str],
    currency: str,
) -> ComparisonRow:
    def cell(stat: NumericStat | None) -> str:
        if stat is None:
            return MISSING
        return numeric_cell(stat.segment_mean, stat.segment_median, stat.unit, currency)

    def shown(stat: NumericStat | None) -> float | None:
        if stat is None:
            return None
        return stat.segment_median if uses_median(stat.unit) else stat.segment_mean

    score = 0.0
    if a and b and a.segment_mean is not None and b.segment_mean is not None and pop.population_std:
        score = abs(a.segment_mean - b.segment_mean) / pop.population_std
    return ComparisonRow(
        pop.field,
        pop.label,
        cell(a),
        cell(b),
        cell(pop),
        ratio_note(names[0], names[1], shown(a), shown(b)),
        score,
    )


def _top(stat: CategoricalStat | None) -> str:
    if stat is None or not stat.top:
        return MISSING
    return f"{stat.top[0].value} {fmt_pct(stat.top[0].segment_share)}"


def _categorical_row(
    pop: CategoricalStat, a: CategoricalStat | None, b: CategoricalStat | None
) -> ComparisonRow:
    """The value whose share differs most between a and b (on the population's scale)."""
    score, note = 0.0, ""
    if a and b and a.top and b.top:
        shares_a = {c.value: c.segment_share for c in a.levels}
        shares_b = {c.value: c.segment_share for c in b.levels}
        best: tuple[float, float] | None = None
        for level in pop.levels:
            p = level.population_share
            if not 0 < p < 1:
                continue
            p_a, p_b = shares_a.get(level.value, 0.0), shares_b.get(level.value, 0.0)
            diff = abs(p_a - p_b) / (p * (1 - p)) ** 0.5
            if best is None or (diff, max(p_a, p_b)) > best:
                best = (diff, max(p_a, p_b))
                note = f"{level.value}: {fmt_pct(p_a)} vs {fmt_pct(p_b)}"
        score = best[0] if best else 0.0
    return ComparisonRow(pop.field, pop.label, _top(a), _top(b), _top(pop), note, score)


def compare_segments(data: RunData, a: str, b: str) -> Comparison:
    """Segments a and b side by side: their table rows, and every profiled feature as each
    one has it and as the population has it, most different first."""
    data.check_segment(a)
    data.check_segment(b)
    stats = _stats(data, [a, b])
    summary = summarise(data)
    rows: list[ComparisonRow] = []
    for i, pop in enumerate(stats.population_numeric):
        num_a, num_b = stats.numeric.get(a), stats.numeric.get(b)
        rows.append(
            _numeric_row(
                pop,
                num_a[i] if num_a else None,
                num_b[i] if num_b else None,
                (a, b),
                data.currency,
            )
        )
    for i, pop_cat in enumerate(stats.population_categorical):
        cat_a, cat_b = stats.categorical.get(a), stats.categorical.get(b)
        rows.append(
            _categorical_row(pop_cat, cat_a[i] if cat_a else None, cat_b[i] if cat_b else None)
        )
    rows.sort(key=lambda r: -r.score)
    return Comparison(summary.row(a), summary.row(b), rows)
