"""RFM segmentation: recency, frequency and monetary scores per customer, and the segment map.

Scores are 1 (worst) to ``bins`` (best). By default a dimension is cut into quantiles *after
ranking*: with ``min_rank`` the rank of the customer's value among the ``n`` scored customers
(polars ``rank(method="min")``, oriented so higher is better: fewer days since the last order
is better),

    score = 1 + floor(bins × (min_rank − 1) / n)

so tied values always share a score and bin edges never split a tie. When a dimension has too
few distinct values (most customers bought once) it makes fewer bins than asked, and the run
says so. Custom cut points replace quantiles per dimension: for frequency and monetary a value
at or above a cut moves up one score (``1 + cuts ≤ value``); for recency fewer days are better
(``bins − cuts ≤ days``, so days under the first cut get the top score).

Customers without orders are not scored: they are in "No purchases yet". The segment maps (the
R × F grid and the R/F/M range template) live in rfm_map.py, the settings in rfm_settings.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from segtui.core.rfm_map import (
    NO_PURCHASES,
    OTHERS,
    RangeCheck,
    RangeRule,
    check_ranges,
    default_grid,
    derive_grid,
    grid_segments,
    move_cell,
    ranges_segments,
    rename_segment,
    standard_ranges,
)
from segtui.core.rfm_settings import DIMENSION_NAMES, DIMENSIONS, RfmSettings
from segtui.core.segment_model import (
    CUSTOMER_ID,
    Cancelled,
    CriteriaError,
    Features,
    MethodResult,
    Progress,
    stop_if_cancelled,
)

__all__ = [
    "NO_PURCHASES",
    "OTHERS",
    "RangeCheck",
    "RangeRule",
    "RfmScores",
    "RfmSettings",
    "check_ranges",
    "default_grid",
    "derive_grid",
    "grid_counts",
    "move_cell",
    "rename_segment",
    "run_rfm",
    "score",
    "standard_ranges",
]

NEEDS_TRANSACTIONS = (
    "RFM needs a transactions dataset with order dates and amounts; import one first."
)

# The features columns each measure comes from.
_SOURCE = {"recency": "recency_days", "frequency": "orders"}
_MONETARY_SOURCE = {"total": "total_spend", "aov": "avg_order_value"}
_VALUE = {"r": "recency", "f": "frequency", "m": "monetary"}
_HAS = "__has_orders"


@dataclass
class RfmScores:
    """Scores of the customers with orders.

    ``frame``: customer_id, recency (days), frequency (orders), monetary (Float64), r_score,
    f_score, m_score (Int64). ``thresholds[dim]``: per score 1..bins its ``min`` and ``max``
    value and ``customers`` (min/max None when empty). ``made[dim]``: the scores in use.
    """

    frame: pl.DataFrame
    bins: int
    thresholds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    made: dict[str, list[int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _require_transactions(features: Features, settings: RfmSettings) -> None:
    needed = {_SOURCE["recency"], _SOURCE["frequency"], _MONETARY_SOURCE[settings.monetary]}
    if not features.has_transactions or not needed <= set(features.frame.columns):
        raise CriteriaError(NEEDS_TRANSACTIONS)


def _values(features: Features, settings: RfmSettings) -> pl.DataFrame:
    """Every customer with its raw measures (Float64) and whether it has orders."""
    orders = pl.col(_SOURCE["frequency"]).cast(pl.Int64).fill_null(0)
    has = (orders > 0) & pl.col(_SOURCE["recency"]).is_not_null()
    money = pl.col(_MONETARY_SOURCE[settings.monetary]).cast(pl.Float64)
    return features.frame.select(
        pl.col(CUSTOMER_ID).cast(pl.String),
        pl.when(has).then(pl.col(_SOURCE["recency"]).cast(pl.Float64)).alias("recency"),
        orders.cast(pl.Float64).alias("frequency"),
        # a scored customer always has a monetary value (a missing amount counts as 0)
        pl.when(has).then(money.fill_nan(0.0).fill_null(0.0)).otherwise(money).alias("monetary"),
        has.alias(_HAS),
    )


def _score_expr(dim: str, settings: RfmSettings) -> pl.Expr:
    """The score of ``dim`` for customers with orders (null for the others)."""
    value = pl.when(pl.col(_HAS)).then(pl.col(_VALUE[dim]))
    bins = settings.bins
    cuts = settings.cuts.get(dim)
    if cuts is not None:
        reached = pl.sum_horizontal([(value >= cut).cast(pl.Int64) for cut in cuts])
        scored = (bins - reached) if dim == "r" else (1 + reached)
    else:
        # recency: more days is worse, so rank descending (the most days gets rank 1)
        rank = value.rank(method="min", descending=dim == "r").cast(pl.Int64)
        scored = 1 + (bins * (rank - 1)) // value.count().cast(pl.Int64)
    return pl.when(pl.col(_HAS)).then(scored).cast(pl.Int64).alias(f"{dim}_score")


def _number(dim: str, value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if dim in ("r", "f") and float(value).is_integer() else float(value)


def _fmt(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:,.2f}"


def _thresholds(frame: pl.DataFrame, dim: str, bins: int) -> list[dict[str, Any]]:
    column = _VALUE[dim]
    stats = frame.group_by(f"{dim}_score").agg(
        pl.col(column).min().alias("min"), pl.col(column).max().alias("max"), pl.len()
    )
    found = {row[0]: row for row in stats.iter_rows()}
    rows = []
    for s in range(1, bins + 1):
        _, low, high, count = found.get(s, (s, None, None, 0))
        rows.append(
            {
                "score": s,
                "min": _number(dim, low),
                "max": _number(dim, high),
                "customers": int(count),
            }
        )
    return rows


def _why_fewer(frame: pl.DataFrame, dim: str, settings: RfmSettings, made: list[int]) -> str:
    """Why ``dim`` made fewer bins than asked: its largest group of tied values."""
    if dim in settings.cuts:
        empty = [str(s) for s in range(1, settings.bins + 1) if s not in made]
        cuts = ", ".join(_fmt(c) for c in settings.cuts[dim])
        return f"no customer falls in score {', '.join(empty)} with the cut points {cuts}"
    column = _VALUE[dim]
    top = frame.group_by(column).len().sort("len", column, descending=[True, False]).row(0)
    value, count = top
    if count == 1:
        return f"only {frame.height} customers have orders"
    share = f"{100 * count / frame.height:.1f}% of customers"
    plural = "" if value == 1 else "s"
    if dim == "f":
        return f"{share} have exactly {value:g} order{plural}"
    if dim == "r":
        return f"{share} last ordered {value:g} day{plural} before the analysis date"
    if settings.monetary == "aov":
        return f"{share} have an average order value of exactly {value:,.2f}"
    return f"{share} spent exactly {value:,.2f}"


def _score_all(features: Features, settings: RfmSettings) -> tuple[pl.DataFrame, RfmScores]:
    """Every customer with its measures and scores (null for customers without orders)."""
    settings.validate()
    _require_transactions(features, settings)
    everyone = _values(features, settings).with_columns(
        [_score_expr(dim, settings) for dim in DIMENSIONS]
    )
    frame = everyone.filter(pl.col(_HAS)).drop(_HAS)
    scores = RfmScores(frame, settings.bins)
    for dim in DIMENSIONS:
        rows = _thresholds(frame, dim, settings.bins)
        made = [row["score"] for row in rows if row["customers"]]
        scores.thresholds[dim] = rows
        scores.made[dim] = made
        if frame.height and len(made) < settings.bins:
            label = DIMENSION_NAMES[dim].capitalize()
            scores.warnings.append(
                f"{label}: asked for {settings.bins} bins, made {len(made)} "
                f"(scores {', '.join(map(str, made))}): "
                f"{_why_fewer(frame, dim, settings, made)}."
            )
    return everyone, scores


def score(features: Features, settings: RfmSettings) -> RfmScores:
    """Recency, frequency and monetary scores of the customers with orders."""
    return _score_all(features, settings)[1]


def grid_counts(scores: RfmScores, settings: RfmSettings) -> list[list[int]]:
    """Customers per R × F cell, oriented like the grid (rows R = bins..1, columns F = 1..bins)."""
    bins = settings.bins
    counts = [[0] * bins for _ in range(bins)]
    for r, f, count in scores.frame.group_by("r_score", "f_score").len().iter_rows():
        if 1 <= r <= bins and 1 <= f <= bins:
            counts[bins - r][f - 1] = int(count)
    return counts


def _check(cancelled: Cancelled | None) -> None:
    stop_if_cancelled(cancelled, "The RFM run was cancelled; nothing was saved.")


def run_rfm(
    features: Features,
    settings: RfmSettings,
    progress: Progress | None = None,
    cancelled: Cancelled | None = None,
) -> MethodResult:
    """Score every customer with orders and put every customer in exactly one segment."""
    report: Progress = progress or (lambda _fraction, _message: None)
    _check(cancelled)
    report(0.0, "Scoring recency, frequency and monetary")
    everyone, scores = _score_all(features, settings)
    _check(cancelled)
    report(0.6, "Mapping scores to segments")
    bins = settings.bins
    warnings = list(scores.warnings)
    details: dict[str, Any] = {"settings": settings.to_json()}
    if settings.template == "grid":
        grid = settings.effective_grid()
        segments = grid_segments(grid)
        mapping = {
            r * 10 + f: grid[bins - r][f - 1]
            for r in range(1, bins + 1)
            for f in range(1, bins + 1)
        }
        key = pl.col("r_score") * 10 + pl.col("f_score")
        details["grid"] = grid
    else:
        ranges = settings.effective_ranges()
        check = check_ranges(ranges, bins)
        segments = ranges_segments(ranges, check)
        mapping = {r * 100 + f * 10 + m: name for (r, f, m), name in check.winners.items()}
        key = pl.col("r_score") * 100 + pl.col("f_score") * 10 + pl.col("m_score")
        details["ranges"] = [rule.to_json() for rule in ranges]
        details["ranges_check"] = check.to_json()
        warnings.append(check.summary())
    segment = (
        pl.when(pl.col(_HAS))
        .then(key.replace_strict(mapping, default=None, return_dtype=pl.String))
        .otherwise(pl.lit(NO_PURCHASES))
    )
    assignments = everyone.select(
        CUSTOMER_ID,
        segment.alias("segment"),
        "recency",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
    )
    without = everyone.height - scores.frame.height
    if without:
        segments.append(NO_PURCHASES)
    if everyone.height and not scores.frame.height:
        warnings.append(f"No customer has an order yet: everyone is in {NO_PURCHASES!r}.")
    _check(cancelled)
    details.update(
        {
            "thresholds": scores.thresholds,
            "made": scores.made,
            "cells": grid_counts(scores, settings),
            "customers": {"scored": scores.frame.height, "without_orders": without},
            "warnings": warnings,
        }
    )
    report(1.0, "Done")
    return MethodResult(assignments, segments, details, warnings)
