"""The numbers behind segment profiles: which features are profiled and how, and their
statistics for every segment of a run against the population (all customers of the features
frame), computed for all segments at once.

How each field type is profiled (one rule everywhere, so profiles, comparisons and rankings
agree):
- numbers: mean and median (nulls left out), lift = segment mean ÷ population mean, and a
  standardised difference (segment mean − population mean) ÷ population standard deviation
  (ddof 0: the population is every customer, not a sample);
- categories: the share of each value among the customers that have one (nulls are reported as
  ``missing_share``), a lift per value, and a score = the largest |p_seg − p_pop| ÷
  √(p_pop(1 − p_pop)) over the values — the same standardised difference a 0/1 number would
  get, so numeric and categorical scores are comparable;
- yes/no fields: a category with the values "yes" and "no" (their shares read naturally: "yes
  for 72.0% vs 55.0% overall"); the score equals the standardised difference of the share true;
- dates: as a number of days before the analysis date ("Days since signup date"); the computed
  first and last order dates are left out because tenure and recency already say the same;
- free text and the customer id: not profiled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from segtui.core.rules_text import lower_label
from segtui.core.segment_model import CUSTOMER_ID, Cancelled, stop_if_cancelled

if TYPE_CHECKING:
    import datetime as dt

    import polars as pl

    from segtui.core.segment_model import Features

CANCELLED = "profiling cancelled."
SEG = "__segment"  # the segment column of prepared frames (an attribute may be called "segment")
TOP_CATEGORIES = 5
_COUNT = "__count"
# Computed dates whose day count is already a feature of its own.
_DATE_TWINS = {"last_order_date": "recency_days", "first_order_date": "tenure_days"}


@dataclass(frozen=True)
class NumericStat:
    field: str
    label: str
    unit: str
    segment_mean: float | None
    segment_median: float | None
    population_mean: float | None
    population_median: float | None
    lift: float | None  # segment mean ÷ population mean; None when the latter is 0 or missing
    std_diff: float | None  # (segment mean − population mean) ÷ population std; None when std 0
    missing_share: float  # of the segment's customers with no value
    population_std: float | None = None
    population_missing_share: float = 0.0


@dataclass(frozen=True)
class CategoryStat:
    value: str
    segment_share: float  # among the segment's customers with a value
    population_share: float
    lift: float | None  # segment share ÷ population share


@dataclass(frozen=True)
class CategoricalStat:
    field: str
    label: str
    top: list[CategoryStat]  # at most 5, by segment share (values the segment has)
    missing_share: float = 0.0
    population_missing_share: float = 0.0
    score: float | None = None  # None when nothing can be compared (no values, one level)
    distinct: CategoryStat | None = None  # the value that sets the segment apart most
    levels: list[CategoryStat] = field(default_factory=list)  # every population value


@dataclass(frozen=True)
class ProfiledField:
    name: str  # the column in the features frame and in prepared frames
    label: str
    unit: str
    kind: Literal["numeric", "categorical"]
    source_type: str  # the field's FieldType


def profiled_fields(features: Features) -> list[ProfiledField]:
    """The features a profile describes, in the features' order."""
    columns = features.frame.schema
    out = []
    for info in features.fields:
        if info.name == CUSTOMER_ID or info.name not in columns or info.type == "text":
            continue
        if info.type == "number" and columns[info.name].is_numeric():
            out.append(ProfiledField(info.name, info.label, info.unit, "numeric", "number"))
        elif info.type == "date":
            twin = _DATE_TWINS.get(info.name)
            if features.analysis_date is None or (info.computed and twin in columns):
                continue
            label = f"Days since {lower_label(info.label)}"
            out.append(ProfiledField(info.name, label, "days", "numeric", "date"))
        elif info.type in ("category", "boolean"):
            out.append(ProfiledField(info.name, info.label, "", "categorical", info.type))
    return out


def prepare(
    frame: pl.DataFrame, fields: list[ProfiledField], analysis_date: dt.date | None
) -> pl.DataFrame:
    """customer_id and each profiled field as it is measured: numbers as floats, dates as days
    before the analysis date, yes/no as "yes"/"no", categories as text."""
    import polars as pl

    exprs: list[pl.Expr] = [pl.col(CUSTOMER_ID)]
    for f in fields:
        col = pl.col(f.name)
        if f.source_type == "date":
            expr = (pl.lit(analysis_date) - col.cast(pl.Date)).dt.total_days().cast(pl.Float64)
        elif f.source_type == "boolean":
            flag = col.cast(pl.Boolean)
            expr = pl.when(flag).then(pl.lit("yes")).when(~flag).then(pl.lit("no"))
        elif f.kind == "categorical":
            expr = col.cast(pl.String)
        else:
            expr = col.cast(pl.Float64)
        exprs.append(expr.alias(f.name))
    return frame.select(exprs)


def _numeric_aggs(numeric: list[ProfiledField], population: bool) -> list[pl.Expr]:
    import polars as pl

    aggs = [pl.len().alias("__n")]
    for i, f in enumerate(numeric):
        col = pl.col(f.name)
        aggs += [
            col.mean().alias(f"{i}_mean"),
            col.median().alias(f"{i}_median"),
            col.null_count().alias(f"{i}_nulls"),
        ]
        if population:
            aggs.append(col.std(ddof=0).alias(f"{i}_std"))
    return aggs


def _ratio(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole == 0 or not math.isfinite(whole):
        return None
    return part / whole


def _numeric_stat(
    f: ProfiledField, i: int, seg: dict[str, float | None], pop: dict[str, float | None]
) -> NumericStat:
    mean, pop_mean, std = seg[f"{i}_mean"], pop[f"{i}_mean"], pop[f"{i}_std"]
    std_diff = None
    if mean is not None and pop_mean is not None and std:
        std_diff = (mean - pop_mean) / std
    return NumericStat(
        field=f.name,
        label=f.label,
        unit=f.unit,
        segment_mean=mean,
        segment_median=seg[f"{i}_median"],
        population_mean=pop_mean,
        population_median=pop[f"{i}_median"],
        lift=_ratio(mean, pop_mean),
        std_diff=std_diff,
        missing_share=(seg[f"{i}_nulls"] or 0) / (seg["__n"] or 1),
        population_std=std,
        population_missing_share=(pop[f"{i}_nulls"] or 0) / (pop["__n"] or 1),
    )


LevelCounts = dict[str | None, int]  # value (None: missing) -> customers


def _counts_aggs(names: list[str]) -> list[pl.Expr]:
    # value_counts per field inside one aggregation: one pass over the segments for every
    # categorical field (several times faster than a group-by per field).
    import polars as pl

    return [pl.col(name).value_counts(name=_COUNT) for name in names]


def _as_counts(items: list[dict[str, Any]] | None, name: str) -> LevelCounts:
    return {item[name]: int(item[_COUNT]) for item in items or []}


def _level_score(seg: float, pop: float) -> float | None:
    if not 0 < pop < 1:
        return None
    return abs(seg - pop) / math.sqrt(pop * (1 - pop))


def categorical_stat(f: ProfiledField, seg: LevelCounts, pop: LevelCounts) -> CategoricalStat:
    """Shares of every population value in the segment against the population, the top five
    and the value that differs most (ties: the over-represented one, then the larger share)."""
    seg_known = sum(n for v, n in seg.items() if v is not None)
    pop_known = sum(n for v, n in pop.items() if v is not None)
    seg_all, pop_all = seg_known + seg.get(None, 0), pop_known + pop.get(None, 0)
    levels = []
    for value, n in pop.items():
        if value is None:
            continue
        p_seg = seg.get(value, 0) / seg_known if seg_known else 0.0
        p_pop = n / pop_known
        levels.append(CategoryStat(value, p_seg, p_pop, _ratio(p_seg, p_pop)))
    # Values of segment customers missing from the population (the data changed since the run).
    levels += [
        CategoryStat(v, n / seg_known, 0.0, None)
        for v, n in seg.items()
        if v is not None and v not in pop
    ]
    levels.sort(key=lambda c: (-c.segment_share, -c.population_share, c.value))
    best: tuple[float, bool, float] | None = None
    distinct = None
    if seg_known:
        for level in levels:
            score = _level_score(level.segment_share, level.population_share)
            if score is None:
                continue
            key = (score, level.segment_share > level.population_share, level.segment_share)
            if best is None or key > best:
                best, distinct = key, level
    return CategoricalStat(
        field=f.name,
        label=f.label,
        top=[c for c in levels if c.segment_share > 0][:TOP_CATEGORIES],
        missing_share=seg.get(None, 0) / seg_all if seg_all else 0.0,
        population_missing_share=pop.get(None, 0) / pop_all if pop_all else 0.0,
        score=None if best is None else best[0],
        distinct=distinct,
        levels=levels,
    )


@dataclass
class SegmentStats:
    """Per segment: its customers, its numeric and its categorical statistics (empty lists
    for a segment without customers); and the population described the same way."""

    sizes: dict[str, int]
    numeric: dict[str, list[NumericStat]]
    categorical: dict[str, list[CategoricalStat]]
    population_numeric: list[NumericStat]
    population_categorical: list[CategoricalStat]


def segment_stats(
    members: pl.DataFrame,
    population: pl.DataFrame,
    fields: list[ProfiledField],
    cancelled: Cancelled | None = None,
) -> SegmentStats:
    """Statistics of every segment in ``members`` (a prepared frame with SEG) against the
    prepared ``population``: one group-by for every field at once."""
    numeric = [f for f in fields if f.kind == "numeric"]
    categorical = [f for f in fields if f.kind == "categorical"]
    names = [f.name for f in categorical]
    pop_row = population.select(
        *_numeric_aggs(numeric, population=True), *(a.implode() for a in _counts_aggs(names))
    ).row(0, named=True)
    stop_if_cancelled(cancelled, CANCELLED)
    seg_rows = (
        members.group_by(SEG)
        .agg(*_numeric_aggs(numeric, population=False), *_counts_aggs(names))
        .to_dicts()
    )
    stop_if_cancelled(cancelled, CANCELLED)
    sizes = {row[SEG]: int(row["__n"]) for row in seg_rows}
    by_segment = {row[SEG]: row for row in seg_rows}
    num_stats = {
        row[SEG]: [_numeric_stat(f, i, row, pop_row) for i, f in enumerate(numeric)]
        for row in seg_rows
    }
    pop_numeric = [_numeric_stat(f, i, pop_row, pop_row) for i, f in enumerate(numeric)]
    pop_categorical = []
    cat_stats: dict[str, list[CategoricalStat]] = {seg: [] for seg in sizes}
    for f in categorical:
        pop_levels = _as_counts(pop_row[f.name], f.name)
        pop_categorical.append(categorical_stat(f, pop_levels, pop_levels))
        for seg in sizes:
            levels = _as_counts(by_segment[seg][f.name], f.name)
            cat_stats[seg].append(categorical_stat(f, levels, pop_levels))
    return SegmentStats(sizes, num_stats, cat_stats, pop_numeric, pop_categorical)
