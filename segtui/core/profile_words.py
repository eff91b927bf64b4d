"""Profile numbers written for people: money with the project's currency, percentages with one
decimal, lifts as "3.2×", and the one-line sentences that say what sets a segment apart
("Total spend: mean £1,234 vs £385 overall (3.2×)").

Plain functions of numbers and strings, so the profile, the comparison, the screen and the
exports all write a figure the same way.
"""

from __future__ import annotations

import math

MISSING = "—"


def fmt_money(value: float | None, currency: str) -> str:
    """£1,234 for large amounts, £38.50 for small ones, £0, -£20.00 (sign before the symbol);
    a currency code gets a space ("EUR 1,234")."""
    if value is None or not math.isfinite(value):
        return MISSING
    decimals = 0 if abs(value) >= 100 or value == 0 else 2
    sign = "-" if value < 0 else ""
    gap = " " if currency[-1:].isalpha() else ""
    return f"{sign}{currency}{gap}{abs(value):,.{decimals}f}"


def fmt_plain(value: float | None) -> str:
    """1,234 / 42.5 / 3.14: fewer decimals the larger the number (whole numbers stay whole)."""
    if value is None or not math.isfinite(value):
        return MISSING
    if float(value).is_integer():
        return f"{int(value):,}"
    size = abs(value)
    decimals = 0 if size >= 100 else 1 if size >= 10 else 2
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fmt_pct(share: float | None) -> str:
    """0.4567 -> "45.7%"."""
    if share is None or not math.isfinite(share):
        return MISSING
    return f"{100 * share:.1f}%"


def fmt_lift(lift: float | None) -> str:
    """3.24 -> "3.2×"; below 0.1 two decimals ("0.07×") so a small lift does not read 0."""
    if lift is None or not math.isfinite(lift):
        return MISSING
    if lift == 0:
        return "0×"
    if abs(lift) >= 10:
        return f"{lift:,.0f}×"
    return f"{lift:.2f}×" if abs(lift) < 0.1 else f"{lift:.1f}×"


def fmt_value(value: float | None, unit: str, currency: str) -> str:
    """A feature's value in its unit: money, a share as a percentage, anything else plain."""
    if unit == "money":
        return fmt_money(value, currency)
    if unit == "share":
        return fmt_pct(value)
    return fmt_plain(value)


def uses_median(unit: str) -> bool:
    """Day counts (recency, tenure, days since a date) are told by their median: a few very
    old customers pull the mean far from the typical customer."""
    return unit == "days"


def numeric_text(
    label: str,
    unit: str,
    segment: tuple[float | None, float | None],
    population: tuple[float | None, float | None],
    lift: float | None,
    currency: str,
) -> str:
    """ "Total spend: mean £1,234 vs £385 overall (3.2×)" or, for day counts,
    "Days since last order: median 12 vs 140 overall". ``segment`` and ``population`` are
    (mean, median)."""
    if uses_median(unit):
        return (
            f"{label}: median {fmt_value(segment[1], unit, currency)} vs "
            f"{fmt_value(population[1], unit, currency)} overall"
        )
    text = (
        f"{label}: mean {fmt_value(segment[0], unit, currency)} vs "
        f"{fmt_value(population[0], unit, currency)} overall"
    )
    return f"{text} ({fmt_lift(lift)})" if lift is not None else text


def category_text(
    label: str, value: str, segment_share: float, population_share: float, lift: float | None
) -> str:
    """ "Favourite category: Garden for 46.0% vs 12.0% overall (3.8×)"."""
    text = f"{label}: {value} for {fmt_pct(segment_share)} vs {fmt_pct(population_share)} overall"
    return f"{text} ({fmt_lift(lift)})" if lift is not None else text


def numeric_cell(mean: float | None, median: float | None, unit: str, currency: str) -> str:
    """One side of a comparison: "mean £1,234 · median £900" (median first for day counts)."""
    if mean is None and median is None:
        return MISSING
    parts = [
        f"mean {fmt_value(mean, unit, currency)}",
        f"median {fmt_value(median, unit, currency)}",
    ]
    return " · ".join(reversed(parts) if uses_median(unit) else parts)


def ratio_note(a_name: str, b_name: str, a: float | None, b: float | None) -> str:
    """ "2.6× as high in Champions" — which side is higher, and by how much when that is a
    meaningful ratio (both positive)."""
    if a is None or b is None or a == b:
        return "same" if a is not None and a == b else ""
    high, low, name = (a, b, a_name) if a > b else (b, a, b_name)
    if low > 0:
        return f"{fmt_lift(high / low)} as high in {name}"
    return f"higher in {name}"
