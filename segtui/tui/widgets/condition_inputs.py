"""What the condition dialog's inputs show, as data: the field list (listed by group under a
heading, or the fuzzy matches of what is typed, best first; with an entry for "a segment of
another segmentation") and a stored value as it is typed back into the value box.
"""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from textual.fuzzy import Matcher
from textual.widgets.option_list import Option

from segtui.core.segment_model import FIELD_GROUPS, FieldInfo

SEGMENT_FIELD = "__segment__"  # the field list's entry for "in segment X of segmentation Y"


def _field_row(label: str, group: str, kind: str) -> Table:
    grid = Table.grid(expand=True, padding=(0, 1, 0, 0))
    grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
    grid.add_column(width=13, no_wrap=True, style="dim")
    grid.add_column(width=8, no_wrap=True, style="dim")
    grid.add_row(label, group, kind)
    return grid


def field_options(fields: list[FieldInfo], query: str, with_segments: bool) -> list[Option]:
    """The field list: by group under a heading, or the matches for ``query`` best first."""
    entries = [(f.label, f.group, f.type, f.name) for f in fields]
    if with_segments:
        entries.append(("Segment of another segmentation", "segments", "segment", SEGMENT_FIELD))
    if query.strip():
        matcher = Matcher(query.strip())
        scored = [(max(matcher.match(e[0]), matcher.match(e[3])), e) for e in entries]
        ranked = sorted((pair for pair in scored if pair[0] > 0), key=lambda pair: -pair[0])
        return [Option(_field_row(*e[:3]), id=e[3]) for _score, e in ranked]
    options = []
    for group in (*FIELD_GROUPS, "segments"):
        members = [e for e in entries if e[1] == group]
        if members:
            options.append(Option(Text(group.capitalize(), style="bold"), disabled=True))
            options.extend(Option(_field_row(*e[:3]), id=e[3]) for e in members)
    return options


def value_text(info: FieldInfo, op: str, value: Any) -> str:
    """A stored value as it would be typed in the value box (to edit a condition)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return f"{value['n']} {value['unit']}"

    def one(item: Any) -> str:
        if info.unit == "share" and isinstance(item, int | float):
            return f"{item * 100:g}%"
        return str(item)

    if isinstance(value, list):
        if op == "between":
            return f"{one(value[0])} to {one(value[1])}"
        return ", ".join(one(item) for item in value)
    return one(value)
