"""Preprocessing for clustering: how each chosen feature becomes numeric matrix columns, chosen
automatically from the data and described in one line per feature so the user sees it.

- numbers: missing values imputed with the median; right-skewed non-negative values (skew > 1,
  minimum >= 0: amounts, counts, days) go through log1p; then standardised (mean 0, sd 1);
- dates: days before the analysis date, then treated as numbers;
- booleans: 0/1 (missing -> the most common value), not standardised, like one-hot columns;
- categories (and text fields with at most 30 distinct values): missing values become a
  "missing" level (or the most common level when under 5% are missing); more than 8 levels are
  grouped into the top levels covering 90% of customers (at most 7) plus "other"; one-hot 0/1.

One-hot and boolean columns stay 0/1 on purpose: the variances of a feature's 0/1 columns add up
to at most 1, the variance of one standardised number, so a category weighs about as much as a
number and a rare flag cannot dominate the distances (standardising it would).

A plan is plain data (medians, levels, means, sds), so ``matrix`` applies it to any frame.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

from segtui.core.segment_model import CriteriaError, Features, FieldInfo, FieldType

MAX_TEXT_LEVELS = 30  # a "text" field with more distinct values is free text
MAX_ONE_HOT = 8  # columns per category; more levels are grouped
TOP_COVERAGE = 0.9  # grouped categories keep the top levels covering this share
MISSING_LEVEL_SHARE = 0.05  # from this share of missing values, "missing" becomes a level
SKEW_LIMIT = 1.0
MISSING = "missing"
OTHER = "other"


@dataclass
class FeaturePrep:
    """How one chosen feature becomes matrix columns."""

    name: str
    label: str
    type: FieldType
    kind: Literal["numeric", "binary", "onehot"]
    line: str = ""
    missing: int = 0
    fill: float | str | None = None  # imputed value: a number (raw units) or a level
    log: bool = False
    skew: float | None = None
    center: float = 0.0  # of the (logged) value; numeric only
    scale: float = 1.0
    levels: list[str] = field(default_factory=list)  # one-hot columns, in order
    grouped: bool = False  # levels outside ``levels`` become "other" (the last level)
    reference_date: dt.date | None = None  # dates: days are counted back from here

    @property
    def columns(self) -> list[str]:
        if self.kind == "onehot":
            return [f"{self.name}={level}" for level in self.levels]
        return [self.name]


@dataclass
class PrepPlan:
    """The preprocessing of every usable chosen feature, in the order chosen."""

    features: list[FeaturePrep]
    rows: int
    warnings: list[str] = field(default_factory=list)  # dropped features and why

    @property
    def lines(self) -> list[str]:
        return [prep.line for prep in self.features]

    @property
    def columns(self) -> list[str]:
        return [column for prep in self.features for column in prep.columns]


def plan_preprocessing(features: Features, names: list[str]) -> PrepPlan:
    """Choose the preprocessing of each named feature from the data in ``features.frame``.

    Raises CriteriaError when nothing is chosen, a field is free text, or no feature varies.
    """
    chosen = list(dict.fromkeys(names))
    if not chosen:
        raise CriteriaError("Pick at least one feature to cluster on.")
    frame = features.frame
    plan = PrepPlan(features=[], rows=frame.height)
    for name in chosen:
        info = features.field(name)
        if name not in frame.columns:
            raise CriteriaError(f"{info.label} is not in the features table; rebuild features.")
        prep = _plan_feature(info, frame, features.analysis_date, plan.warnings)
        if prep is not None:
            plan.features.append(prep)
    if not plan.features:
        raise CriteriaError(
            "None of the chosen features varies between customers; pick other features."
        )
    return plan


def matrix(plan: PrepPlan, frame: pl.DataFrame, dtype: type = np.float64) -> np.ndarray:
    """The preprocessed numeric matrix: one row per row of ``frame``, ``plan.columns`` columns."""
    exprs: list[pl.Expr] = []
    for prep in plan.features:
        if prep.kind == "onehot":
            level = _level_expr(prep)
            exprs += [
                (level == value).cast(pl.Float64).alias(column)
                for value, column in zip(prep.levels, prep.columns, strict=True)
            ]
        elif prep.kind == "binary":
            exprs.append(raw_expr(prep).alias(prep.name))
        else:
            value = raw_expr(prep)
            if prep.log:
                value = value.log1p()
            exprs.append(((value - prep.center) / prep.scale).alias(prep.name))
    return frame.select(exprs).to_numpy().astype(dtype, copy=False)


def raw_expr(prep: FeaturePrep) -> pl.Expr:
    """A numeric, binary or date feature as a float with missing values imputed, before log
    and scaling (dates as days before the reference date)."""
    value = _numeric_expr(prep.name, prep.type, prep.reference_date)
    return value.fill_null(prep.fill) if prep.fill is not None else value


# -- planning ------------------------------------------------------------------------------


def _plan_feature(
    info: FieldInfo, frame: pl.DataFrame, analysis_date: dt.date | None, warnings: list[str]
) -> FeaturePrep | None:
    column = frame.get_column(info.name)
    if info.type in ("text", "category"):
        return _plan_category(info, column, warnings)
    reference = None
    if info.type == "date":
        reference = analysis_date or _day_after_last(column)
    kind: Literal["numeric", "binary"] = "binary" if info.type == "boolean" else "numeric"
    prep = FeaturePrep(info.name, info.label, info.type, kind, reference_date=reference)
    values = frame.select(_numeric_expr(info.name, info.type, reference)).to_series()
    present = values.drop_nulls()
    prep.missing = frame.height - present.len()
    if present.len() == 0:
        warnings.append(f"{info.label} has no values and was dropped.")
        return None
    if present.n_unique() < 2:
        warnings.append(f"{info.label} has the same value for every customer and was dropped.")
        return None
    parts: list[str] = []
    if info.type == "date":
        parts.append(f"days before {reference.isoformat()}")  # type: ignore[union-attr]
    if kind == "binary":
        prep.fill = float(present.mode().sort()[0]) if prep.missing else None
        if prep.missing:
            word = "yes" if prep.fill else "no"
            parts.append(f"{_missing(prep.missing, frame.height)} set to {word}, the most common")
        parts.append("yes/no → 1/0")
        prep.line = f"{info.label}: " + "; ".join(parts)
        return prep
    median = float(present.median())  # type: ignore[arg-type]
    if prep.missing:
        prep.fill = median
        parts.append(
            f"{_missing(prep.missing, frame.height)} imputed with the median {_number(median)}"
        )
    skew = present.skew()
    prep.skew = None if skew is None or math.isnan(skew) else float(skew)
    non_negative = float(present.min()) >= 0  # type: ignore[arg-type]
    if prep.skew is not None and prep.skew > SKEW_LIMIT and non_negative:
        prep.log = True
        parts.append(f"skewed (skew {prep.skew:.1f}) → log1p, standardised")
    else:
        parts.append("standardised")
    final = values.fill_null(median)
    if prep.log:
        final = final.log1p()
    prep.center = float(final.mean())  # type: ignore[arg-type]
    scale = float(final.std(ddof=0))  # type: ignore[arg-type]
    prep.scale = scale if scale > 0 else 1.0
    prep.line = f"{info.label}: " + "; ".join(parts)
    return prep


def _plan_category(info: FieldInfo, column: pl.Series, warnings: list[str]) -> FeaturePrep | None:
    rows = column.len()
    text = column.cast(pl.String)
    present = text.drop_nulls()
    distinct = present.n_unique()
    if info.type == "text" and distinct > MAX_TEXT_LEVELS:
        raise CriteriaError(
            f"{info.label} has {distinct:,} distinct values and cannot be clustered; "
            "pick numbers or categories."
        )
    prep = FeaturePrep(info.name, info.label, info.type, "onehot")
    prep.missing = rows - present.len()
    if present.len() == 0:
        warnings.append(f"{info.label} has no values and was dropped.")
        return None
    counts = _counts(present)
    parts: list[str] = []
    if prep.missing:
        if prep.missing / rows >= MISSING_LEVEL_SHARE:
            prep.fill = MISSING
            how = 'kept as the level "missing"'
        else:
            prep.fill = str(counts["level"][0])
            how = f"set to the most common level ({prep.fill})"
        parts.append(f"{_missing(prep.missing, rows)} {how}")
    filled = text.fill_null(prep.fill) if prep.fill is not None else text
    counts = _counts(filled)
    levels = [str(level) for level in counts["level"]]
    if len(levels) < 2:
        warnings.append(f"{info.label} has the same value for every customer and was dropped.")
        return None
    if len(levels) <= MAX_ONE_HOT:
        prep.levels = levels
        parts.append(f"{len(levels)} levels, one-hot ({len(levels)} columns)")
    else:
        kept, covered = [], 0
        for level, n in zip(levels, counts["n"], strict=True):
            if len(kept) == MAX_ONE_HOT - 1 or (kept and covered / rows >= TOP_COVERAGE):
                break
            kept.append(level)
            covered += n
        prep.levels = [*kept, OTHER]
        prep.grouped = True
        parts.append(
            f"{len(levels)} levels → top {len(kept)} ({covered / rows:.1%} of customers) "
            f"+ other, one-hot ({len(prep.levels)} columns)"
        )
    prep.line = f"{info.label}: " + "; ".join(parts)
    return prep


# -- expressions ---------------------------------------------------------------------------


def _numeric_expr(name: str, type_: FieldType, reference: dt.date | None) -> pl.Expr:
    column = pl.col(name)
    if type_ == "date":
        days = (pl.lit(reference, dtype=pl.Date) - column.cast(pl.Date)).dt.total_days()
        return days.cast(pl.Float64)
    if type_ == "boolean":
        text = column.cast(pl.String).str.to_lowercase().str.strip_chars()
        truthy = text.is_in(["true", "1", "1.0", "yes", "y", "t"])
        falsy = text.is_in(["false", "0", "0.0", "no", "n", "f"])
        return pl.when(truthy).then(1.0).when(falsy).then(0.0).otherwise(None)
    value = column.cast(pl.Float64, strict=False)
    return pl.when(value.is_finite()).then(value).otherwise(None)


def _level_expr(prep: FeaturePrep) -> pl.Expr:
    level = pl.col(prep.name).cast(pl.String)
    if prep.fill is not None:
        level = level.fill_null(pl.lit(prep.fill))
    if prep.grouped:
        level = pl.when(level.is_in(prep.levels[:-1])).then(level).otherwise(pl.lit(OTHER))
    return level


def _counts(values: pl.Series) -> pl.DataFrame:
    """Levels and counts, most common first (ties by level, so plans are deterministic)."""
    counts = values.rename("level").value_counts(name="n")
    return counts.sort(["n", "level"], descending=[True, False])


def _day_after_last(column: pl.Series) -> dt.date:
    last = column.cast(pl.Date).max()
    return (last or dt.date.today()) + dt.timedelta(days=1)  # type: ignore[operator]


def _missing(count: int, rows: int) -> str:
    return f"{count:,} missing ({count / rows:.1%})"


def _number(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
