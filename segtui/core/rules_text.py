"""Condition trees in plain English, for the segment list, the client report and the editor:
"Age 25–34 and at least 2 orders and last order in the last 90 days".

Labels are lower-cased after the first word of the sentence (not when they start with an
acronym such as "RFM"); money has two decimals and thousands separators; shares read as
percentages; nested groups of another kind go in parentheses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from segtui.core.rules import OPERATORS, Condition, Node, SegmentRef
from segtui.core.segment_model import FieldInfo

_SYMBOLS = {"=": "is", "!=": "is not", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}
_COUNT_PHRASES = {
    "=": "exactly",
    "<": "fewer than",
    "<=": "at most",
    ">": "more than",
    ">=": "at least",
}
_RECENCY_PHRASES = {
    "<": "less than",
    "<=": "at most",
    ">": "more than",
    ">=": "at least",
    "=": "exactly",
}


def describe(node: Node, fields: Mapping[str, FieldInfo]) -> str:
    """The tree in words, as one sentence-cased phrase."""
    text = _describe(node, fields, None)
    return text[:1].upper() + text[1:]


def _describe(node: Node, fields: Mapping[str, FieldInfo], parent: str | None) -> str:
    if isinstance(node, SegmentRef):
        prefix = "not in segment" if node.negate else "in segment"
        return f"{prefix} {node.segment} of {node.segmentation}"
    if isinstance(node, Condition):
        return describe_condition(node, fields.get(node.field))
    if not node.children:
        return "no conditions yet"
    if node.kind == "not":
        inner_parent = None if len(node.children) == 1 else "not"
        parts = [_describe(child, fields, inner_parent) for child in node.children]
        return f"none of ({'; '.join(parts)})"
    if len(node.children) == 1:  # a group of one says what its only condition says
        return _describe(node.children[0], fields, parent)
    parts = [_describe(child, fields, node.kind) for child in node.children]
    text = (" and " if node.kind == "all" else " or ").join(parts)
    return f"({text})" if parent is not None and parent != node.kind else text


def lower_label(label: str) -> str:
    """ "Total spend" -> "total spend", but "RFM score" stays."""
    if len(label) > 1 and label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def format_number(value: Any, unit: str = "") -> str:
    """1234.5 -> "1,234.50" for money, 0.25 -> "25%" for a share, 1234 -> "1,234"."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return str(value)
    if unit == "money":
        return f"{value:,.2f}"
    if unit == "share":
        return f"{value * 100:,.1f}".rstrip("0").rstrip(".") + "%"
    if isinstance(value, int) or value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def format_date(value: Any) -> str:
    """ "2025-01-31" -> "31 Jan 2025" (unambiguous in every country)."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day:%b %Y}"


def _with_unit(text: str, value: Any, info: FieldInfo) -> str:
    """ "365" -> "365 days" for a days field whose label does not already say so."""
    if info.unit in ("days", "months") and info.unit not in info.label.lower():
        unit = info.unit[:-1] if value == 1 else info.unit
        return f"{text} {unit}"
    return text


def _singular(noun: str) -> str:
    """ "orders" -> "order", "orders per month" -> "order per month"."""
    first, _, rest = noun.partition(" ")
    first = first[:-1] if first.endswith("s") and not first.endswith("ss") else first
    return f"{first} {rest}" if rest else first


def _join_values(values: list[str], last: str) -> str:
    if len(values) == 1:
        return values[0]
    return f"{', '.join(values[:-1])} {last} {values[-1]}"


def _period(value: Any) -> tuple[int, str]:
    n, unit = value["n"], value["unit"]
    return n, unit[:-1] if n == 1 else unit


def describe_condition(node: Condition, info: FieldInfo | None) -> str:
    """One condition in words; a field the project no longer has is named as it was stored."""
    if info is None:
        return f"{node.field} {node.op} {node.value}".strip()
    label = lower_label(info.label)
    op, value = node.op, node.value
    if op in ("is_empty", "is_not_empty"):
        return f"{label} {'is empty' if op == 'is_empty' else 'is not empty'}"
    if info.type == "number":
        return _describe_number(label, op, value, info)
    if info.type == "date":
        return _describe_date(label, op, value)
    if info.type == "boolean":
        return f"{label} {'is true' if op == 'is_true' else 'is false'}"
    return _describe_text(label, op, value)


def _describe_number(label: str, op: str, value: Any, info: FieldInfo) -> str:
    def number(item: Any) -> str:
        return format_number(item, info.unit)

    if info.unit == "orders" and (op in _COUNT_PHRASES or op == "between"):
        noun = label
        if op == "between":
            return f"{number(value[0])}–{number(value[1])} {noun}"
        return f"{_COUNT_PHRASES[op]} {number(value)} {_singular(noun) if value == 1 else noun}"
    if info.name == "recency_days" and (op in _RECENCY_PHRASES or op == "between"):
        if op == "between":
            return f"last order {number(value[0])}–{number(value[1])} days ago"
        day_word = "day" if value == 1 else "days"
        return f"last order {_RECENCY_PHRASES[op]} {number(value)} {day_word} ago"
    if op == "between":
        return f"{label} {_with_unit(f'{number(value[0])}–{number(value[1])}', value[1], info)}"
    symbol = _SYMBOLS.get(op, dict(OPERATORS["number"]).get(op, op))
    return f"{label} {symbol} {_with_unit(number(value), value, info)}"


def _describe_date(label: str, op: str, value: Any) -> str:
    # "last order date in the last 90 days" reads better as "last order in the last 90 days"
    subject = label[: -len(" date")] if label.lower().endswith(" date") else label
    if op == "before":
        return f"{subject} before {format_date(value)}"
    if op == "after":
        return f"{subject} after {format_date(value)}"
    if op == "between":
        return f"{subject} between {format_date(value[0])} and {format_date(value[1])}"
    if op == "in_last":
        n, unit = _period(value)
        return f"{subject} in the last {unit}" if n == 1 else f"{subject} in the last {n} {unit}"
    if op == "more_than_ago":
        n, unit = _period(value)
        return f"{subject} more than {n} {unit} ago"
    return f"{subject} {op} {value}"


def _describe_text(label: str, op: str, value: Any) -> str:
    if op == "is":
        return f"{label} is {value}"
    if op == "is_not":
        return f"{label} is not {value}"
    if op == "in":
        return f"{label} is {_join_values(list(value), 'or')}"
    if op == "not_in":
        values = list(value)
        if len(values) == 1:
            return f"{label} is not {values[0]}"
        if len(values) == 2:
            return f"{label} is neither {values[0]} nor {values[1]}"
        return f"{label} is none of {', '.join(values)}"
    if op == "contains":
        return f'{label} contains "{value}"'
    if op == "starts_with":
        return f'{label} starts with "{value}"'
    return f"{label} {op} {value}"
