"""The distribution of one customer field in a segment against all customers, as bars: the bins
(numbers), months or years (dates), top categories (categories) or yes/no (booleans), and the
share of the segment's customers and of all customers in each.

Numeric bins are laid over the bulk of all customers' values (the 1st to 99th percentile, at
most 3 interquartile ranges beyond the quartiles) with a round step ("0–50", "50–100", …
"≥ 950"), so outliers and long tails do not squash every other bar into one; the first and
last bins take the values beyond. polars is imported inside the
functions (this module is imported when the app starts).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from segtui.core.chart_model import MISSING_LABEL, OTHER_LABEL, BarChart, trim_number
from segtui.core.segment_model import CUSTOMER_ID, CriteriaError

if TYPE_CHECKING:
    import polars as pl

    from segtui.core.run_data import RunData
    from segtui.core.segment_model import FieldInfo

TOP_CATEGORIES = 8  # categories shown; the rest are one "Other" bar
MAX_PERIODS = 24  # months (or years) shown one bar each before they are grouped
LOW_QUANTILE, HIGH_QUANTILE = 0.01, 0.99
_NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
_TRUE = ["true", "1", "1.0", "yes", "y", "t"]
_FALSE = ["false", "0", "0.0", "no", "n", "f"]


@dataclass(frozen=True)
class Bins:
    """How values become bars: the labels in order, and an expression giving each value's bar
    index (null for a missing value)."""

    labels: list[str]
    index: Callable[[pl.Expr], pl.Expr]
    note: str = ""


def distribution_chart(data: RunData, segment: str, field: str, bins: int = 10) -> BarChart:
    """% of the segment's customers and % of all customers per bin of ``field``: about
    ``bins`` numeric bins (up to 2 more, to keep the edges round), a bar per month or year of
    a date, the top 8 categories and "Other", or Yes/No; a "Missing" bar when values are."""
    import polars as pl

    info = data.features.field(field)
    if info.type == "text":
        raise CriteriaError(
            f"{info.label} is free text and has no distribution to chart; pick a number, "
            "category, yes/no or date field."
        )
    if isinstance(bins, bool) or not isinstance(bins, int) or not 2 <= bins <= 50:
        raise CriteriaError(f"bins must be a whole number from 2 to 50, not {bins!r}.")
    ids = data.segment_ids(segment)
    everyone = data.features.frame.select(CUSTOMER_ID, field)
    members = everyone.join(ids.to_frame(CUSTOMER_ID), on=CUSTOMER_ID, how="semi")
    made = _bins_for(info, everyone.get_column(field), bins)
    labels = list(made.labels)
    shares: list[list[float]] = []
    counted: list[list[int]] = []
    for frame in (members, everyone):
        index = frame.select(made.index(pl.col(field)).alias("bin")).get_column("bin")
        counts = [0] * len(labels)
        for position, count in index.drop_nulls().value_counts().iter_rows():
            counts[int(position)] = int(count)
        counts.append(index.null_count())
        counted.append(counts)
    if not any(counts[-1] for counts in counted):  # a "Missing" bar only when something is
        counted = [counts[:-1] for counts in counted]
    else:
        labels.append(MISSING_LABEL)
    for counts, frame in zip(counted, (members, everyone), strict=True):
        size = frame.height
        shares.append([100 * count / size if size else 0.0 for count in counts])
    title = f"{info.label}: {segment} vs all customers"
    unit_title = f" ({data.currency})" if info.unit == "money" else ""
    return BarChart(
        title=title,
        labels=labels,
        series=[(f"% of {segment}", shares[0]), ("% of all customers", shares[1])],
        unit="%",
        label_title=info.label + unit_title,
        note=made.note,
    )


def _bins_for(info: FieldInfo, values: pl.Series, bins: int) -> Bins:
    if info.type == "number":
        return _number_bins(_apply(values, _numeric_expr), bins, info.unit)
    if info.type == "date":
        return _date_bins(values)
    if info.type == "boolean":
        return _boolean_bins(values.dtype)
    return _category_bins(values)


# -- numbers -----------------------------------------------------------------------------------


def _apply(values: pl.Series, transform: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    import polars as pl

    return values.to_frame("v").select(transform(pl.col("v"))).to_series()


def _numeric_expr(expr: pl.Expr) -> pl.Expr:
    import polars as pl

    number = expr.cast(pl.Float64, strict=False)
    return pl.when(number.is_finite()).then(number).otherwise(None)


def _round_steps(raw: float, integer: bool) -> list[float]:
    """The round steps (1, 2, 2.5 or 5 × 10ⁿ) just below and at or above ``raw``; only whole
    steps of at least 1 for whole-number data."""
    if raw <= 0:
        return [1.0]
    power = math.floor(math.log10(raw))
    steps = [
        nice * 10.0**exponent
        for exponent in range(power - 1, power + 2)
        for nice in _NICE_STEPS[:-1]
    ]
    if integer:
        steps = [step for step in steps if step >= 1 and float(step).is_integer()] or [1.0]
    below = [step for step in steps if step < raw * (1 - 1e-9)]
    above = [step for step in steps if step >= raw * (1 - 1e-9)]
    return ([below[-1]] if below else []) + ([above[0]] if above else [])


def _layout(lo: float, hi: float, step: float, integer: bool) -> tuple[float, int]:
    """The first edge and the number of bins of width ``step`` that cover lo..hi."""
    start = math.floor(lo / step + 1e-9) * step
    if integer:  # whole numbers: hi falls in the bin [hi, hi + step) at the latest
        return start, math.floor((hi - start) / step + 1e-9) + 1
    return start, max(1, math.ceil((hi - start) / step - 1e-9))


def _bounds(present: pl.Series) -> tuple[float, float]:
    """The range the bins cover: the 1st to 99th percentile, narrowed to 3 interquartile
    ranges beyond the quartiles so a long tail (spend) does not put most customers in one
    bin; the end bins take the rest."""
    lo = float(present.quantile(LOW_QUANTILE, "lower"))  # type: ignore[arg-type]
    hi = float(present.quantile(HIGH_QUANTILE, "higher"))  # type: ignore[arg-type]
    q1 = float(present.quantile(0.25))  # type: ignore[arg-type]
    q3 = float(present.quantile(0.75))  # type: ignore[arg-type]
    spread = q3 - q1
    if spread > 0:
        lo, hi = max(lo, q1 - 3 * spread), min(hi, q3 + 3 * spread)
    return lo, hi


def _number_bins(
    values: pl.Series,
    bins: int,
    unit: str = "",
    fmt: Callable[[float], str] | None = None,
    step: float | None = None,
    transform: Callable[[pl.Expr], pl.Expr] = _numeric_expr,
) -> Bins:
    """Bins with a round step over the bulk of ``values`` (see ``_bounds``); ``fmt`` writes an
    edge, ``transform`` turns the field's column into the numbers binned."""
    import polars as pl

    present = values.drop_nulls()
    if present.is_empty():  # every value is missing: only the "Missing" bar
        return Bins([], lambda expr: transform(expr).cast(pl.Int64))
    low, high = float(present.min()), float(present.max())  # type: ignore[arg-type]
    lo, hi = _bounds(present)
    integer = bool((present == present.floor()).all())
    decimals = 0
    limit = bins  # given steps (months, years) make exactly the bins needed
    if step is None:
        # round edges: up to 2 bins more than asked, never fewer than needed to cover lo..hi
        limit = bins + 2

        def misfit(step: float) -> tuple[bool, int, float]:
            count = _layout(lo, hi, step, integer)[1]
            return count > limit, abs(count - bins), step

        step = min(_round_steps((hi - lo) / bins, integer), key=misfit)
        shown = step * (100 if unit == "share" else 1)  # shares are written as percentages
        decimals = max(0, -math.floor(math.log10(shown)))
        decimals += 1 if round(shown * 10**decimals, 6) % 1 else 0  # 2.5 needs one more
    write = fmt or _edge_writer(unit, decimals)
    start, count = _layout(lo, hi, step, integer)
    count = max(1, min(count, limit))
    labels = []
    for i in range(count):
        a = start + i * step
        b = a + step
        if i == count - 1 and high >= b:  # the last bin holds everything above
            labels.append(f"≥ {write(a)}")
        elif i == 0 and low < start:
            labels.append(f"≤ {write(b - 1)}" if integer else f"< {write(b)}")
        elif integer:
            labels.append(write(a) if step == 1 else _range(write(a), write(b - 1)))
        else:
            labels.append(_range(write(a), write(b)))
    clipped = low < start or high >= start + count * step
    note = (
        "Values beyond the ranges shown are counted in the first and last bars." if clipped else ""
    )

    def index(expr: pl.Expr) -> pl.Expr:
        position = ((transform(expr) - start) / step + 1e-9).floor().clip(0, count - 1)
        return position.cast(pl.Int64)

    return Bins(labels, index, note)


def _range(low: str, high: str) -> str:
    """ "50–100", or "-50 to -40" where a dash would read as a minus sign."""
    return f"{low} to {high}" if "-" in low + high else f"{low}–{high}"


def _edge_writer(unit: str, decimals: int) -> Callable[[float], str]:
    if unit == "share":
        return lambda value: trim_number(100 * value, decimals) + "%"
    return lambda value: trim_number(value, decimals)


# -- dates -------------------------------------------------------------------------------------


def _date_bins(values: pl.Series) -> Bins:
    """One bar per month up to 24 months, else per year up to 24 years, else year ranges."""
    import polars as pl

    def months(expr: pl.Expr) -> pl.Expr:
        date = expr.cast(pl.Date, strict=False)
        return (date.dt.year() * 12 + date.dt.month() - 1).cast(pl.Float64)

    def years(expr: pl.Expr) -> pl.Expr:
        return expr.cast(pl.Date, strict=False).dt.year().cast(pl.Float64)

    month_values = _apply(values, months)
    present = month_values.drop_nulls()
    if not present.is_empty():
        lo = float(present.quantile(LOW_QUANTILE, "lower"))  # type: ignore[arg-type]
        hi = float(present.quantile(HIGH_QUANTILE, "higher"))  # type: ignore[arg-type]
        if hi - lo < MAX_PERIODS:
            return _number_bins(month_values, MAX_PERIODS, fmt=_month, step=1, transform=months)
    year_values = _apply(values, years)
    present = year_values.drop_nulls()
    if not present.is_empty():
        lo = float(present.quantile(LOW_QUANTILE, "lower"))  # type: ignore[arg-type]
        hi = float(present.quantile(HIGH_QUANTILE, "higher"))  # type: ignore[arg-type]
        if hi - lo < MAX_PERIODS:
            return _number_bins(year_values, MAX_PERIODS, fmt=_year, step=1, transform=years)
    return _number_bins(year_values, 10, fmt=_year, transform=years)


def _month(value: float) -> str:
    year, month = divmod(int(value), 12)
    return f"{year}-{month + 1:02d}"


def _year(value: float) -> str:
    return str(int(value))


# -- categories and yes/no ---------------------------------------------------------------------


def _category_bins(values: pl.Series) -> Bins:
    """The 8 most common categories of all customers (ties by name), then "Other"."""
    import polars as pl

    text = values.cast(pl.String).drop_nulls()
    counts = (
        text.rename("level").value_counts(name="n").sort(["n", "level"], descending=[True, False])
    )
    levels = [str(level) for level in counts.get_column("level")]
    top = levels[:TOP_CATEGORIES]
    labels = top + ([OTHER_LABEL] if len(levels) > len(top) else [])
    positions = {level: i for i, level in enumerate(top)}

    def index(expr: pl.Expr) -> pl.Expr:
        level = expr.cast(pl.String)
        known = level.replace_strict(positions, default=len(top), return_dtype=pl.Int64)
        return pl.when(level.is_null()).then(None).otherwise(known)

    return Bins(labels, index)


def _boolean_bins(dtype: pl.DataType) -> Bins:
    """Yes, then No; text spellings (true/1/yes, false/0/no) count too."""
    import polars as pl

    def index(expr: pl.Expr) -> pl.Expr:
        if dtype == pl.Boolean:  # no text to parse: 10× faster on a million customers
            return pl.when(expr).then(0).when(expr.not_()).then(1).otherwise(None)
        text = expr.cast(pl.String).str.to_lowercase().str.strip_chars()
        return pl.when(text.is_in(_TRUE)).then(0).when(text.is_in(_FALSE)).then(1).otherwise(None)

    return Bins(["Yes", "No"], index)
