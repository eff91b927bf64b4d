"""Condition trees as polars expressions: one Boolean expression per node, never null.

Missing values (and blank text): a condition on a missing value does not match, whatever the
operator, except "is empty". So "country is not France" leaves out customers whose country is
unknown, and so do "age ≠ 30" and "country is none of France, Spain": a marketer who excludes
France does not mean to target people of unknown country. A "not" group is different by
design: "none of (country is France)" is everyone that condition does not match, unknowns
included.

Relative dates count back from the analysis date D: "in the last 90 days" is
D − 90 days ≤ date ≤ D (so it agrees with "days since last order ≤ 90"); "more than 90 days ago"
is date < D − 90 days. Months and years are calendar ones, with the day clamped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping

import polars as pl

from segtui.core.rules import Condition, Group, Node, SegmentRef, is_empty_rule, location
from segtui.core.rules_values import shift_back
from segtui.core.segment_model import CUSTOMER_ID, CriteriaError, FieldInfo

Members = Callable[[str, str], Collection[str]]


def compile_node(
    node: Node,
    fields: Mapping[str, FieldInfo],
    analysis_date: dt.date | None,
    members: Members | None = None,
    *,
    where: str = "",
    skip_empty: bool = False,
) -> pl.Expr:
    """A Boolean expression that is true for the customers the node matches (never null).

    ``members(segmentation, segment)`` gives the customer ids of a segment of another
    segmentation. ``skip_empty`` leaves out empty groups, as if they were not there, for live
    previews of half-built rules (an empty rule then matches nobody); otherwise an empty
    "all" or "not" group matches everyone and an empty "any" group nobody.
    """
    return _compile(node, fields, analysis_date, members, where, (), skip_empty).fill_null(False)


def _compile(
    node: Node,
    fields: Mapping[str, FieldInfo],
    analysis_date: dt.date | None,
    members: Members | None,
    where: str,
    path: tuple[int, ...],
    skip_empty: bool,
) -> pl.Expr:
    if isinstance(node, Group):
        children = [
            _compile(child, fields, analysis_date, members, where, (*path, index), skip_empty)
            for index, child in enumerate(node.children)
            if not (skip_empty and is_empty_rule(child))
        ]
        if skip_empty and not path and not children:
            return pl.lit(False)
        if not children:
            return pl.lit(node.kind != "any")
        if node.kind == "all":
            return pl.all_horizontal(children)
        matched = pl.any_horizontal(children)
        return matched.not_() if node.kind == "not" else matched
    place = location(where, path)
    prefix = f"{place}: " if place else ""
    if isinstance(node, SegmentRef):
        if members is None:
            raise CriteriaError(
                f"{prefix}segments of other segmentations cannot be used here; "
                "remove the in-segment condition"
            )
        ids = pl.Series(values=[str(i) for i in members(node.segmentation, node.segment)])
        inside = pl.col(CUSTOMER_ID).is_in(ids.cast(pl.String).implode()).fill_null(False)
        return inside.not_() if node.negate else inside
    info = fields.get(node.field)
    if info is None:
        raise CriteriaError(
            f"{prefix}field {node.field!r} is not a field of this project; pick one from the list."
        )
    return _leaf(node, info, analysis_date, prefix).fill_null(False)


def _leaf(node: Condition, info: FieldInfo, analysis_date: dt.date | None, prefix: str) -> pl.Expr:
    column = pl.col(node.field)
    op, value = node.op, node.value
    if info.type == "number":
        return _number(column.fill_nan(None), op, value)
    if info.type == "date":
        return _date(column.cast(pl.Date), op, value, analysis_date, info, prefix)
    if info.type == "boolean":
        return _boolean(column.cast(pl.Boolean), op)
    return _text(column.cast(pl.String), op, value)


def _unknown(op: str) -> CriteriaError:
    return CriteriaError(f"operator {op!r} is not known; pick one from the list")


def _number(column: pl.Expr, op: str, value: object) -> pl.Expr:
    comparisons = {
        "=": column.__eq__,
        "!=": column.__ne__,
        "<": column.__lt__,
        "<=": column.__le__,
        ">": column.__gt__,
        ">=": column.__ge__,
    }
    if op in comparisons:
        return comparisons[op](value)
    if op == "between":
        low, high = value  # type: ignore[misc]
        return column.is_between(low, high, closed="both")
    if op == "is_empty":
        return column.is_null()
    if op == "is_not_empty":
        return column.is_not_null()
    raise _unknown(op)


def _text(column: pl.Expr, op: str, value: object) -> pl.Expr:
    trimmed = column.str.strip_chars()
    if op == "is":
        return trimmed == value
    # a blank value is as unknown as a missing one: "is not France" leaves both out
    if op == "is_not":
        return (trimmed != value) & (trimmed != "")
    if op in ("in", "not_in"):
        listed = pl.Series(values=list(value), dtype=pl.String)  # type: ignore[call-overload]
        inside = trimmed.is_in(listed.implode())
        return (inside.not_() & (trimmed != "")) if op == "not_in" else inside
    if op == "contains":
        return column.str.to_lowercase().str.contains(str(value).lower(), literal=True)
    if op == "starts_with":
        return trimmed.str.to_lowercase().str.starts_with(str(value).lower())
    if op == "is_empty":
        return column.is_null() | (trimmed == "")
    if op == "is_not_empty":
        return trimmed != ""
    raise _unknown(op)


def _date(
    column: pl.Expr,
    op: str,
    value: object,
    analysis_date: dt.date | None,
    info: FieldInfo,
    prefix: str,
) -> pl.Expr:
    if op == "is_empty":
        return column.is_null()
    if op == "is_not_empty":
        return column.is_not_null()
    if op == "before":
        return column < pl.lit(dt.date.fromisoformat(str(value)))
    if op == "after":
        return column > pl.lit(dt.date.fromisoformat(str(value)))
    if op == "between":
        low, high = (dt.date.fromisoformat(str(day)) for day in value)  # type: ignore[attr-defined]
        return column.is_between(pl.lit(low), pl.lit(high), closed="both")
    if op in ("in_last", "more_than_ago"):
        if analysis_date is None:
            raise CriteriaError(
                f"{prefix}{info.label} is measured back from the analysis date, which is not set; "
                "set the project's analysis date or use before/after with a fixed date"
            )
        start = pl.lit(shift_back(analysis_date, value["n"], value["unit"]))  # type: ignore[index]
        if op == "more_than_ago":
            return column < start
        return column.is_between(start, pl.lit(analysis_date), closed="both")
    raise _unknown(op)


def _boolean(column: pl.Expr, op: str) -> pl.Expr:
    if op == "is_true":
        return column
    if op == "is_false":
        return column.not_()
    if op == "is_empty":
        return column.is_null()
    if op == "is_not_empty":
        return column.is_not_null()
    raise _unknown(op)
