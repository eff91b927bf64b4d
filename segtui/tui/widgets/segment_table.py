"""The table of a run's segments: customers, shares, revenue, value index, AOV, orders and
recency, sorted by any column (value index, highest first, by default) with the totals kept
as the last row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable

from segtui.tui.formatting import fmt_int, fmt_money, fmt_number

if TYPE_CHECKING:
    from segtui.core.profile import RunSummary, SegmentRow

TOTAL_KEY = "\x00total"  # a row key no segment can have
NAME_WIDTH = 24  # longer names are cut in the table; the profile shows them whole


@dataclass(frozen=True)
class Column:
    attribute: str
    header: str
    tooltip: str


COLUMNS: tuple[Column, ...] = (
    Column("name", "Segment", "the segment's name"),
    Column("customers", "Customers", "customers in the segment"),
    Column("share", "Share", "share of all customers"),
    Column("revenue_share", "Rev. share", "share of all revenue"),
    Column("value_index", "Value ×", "revenue share ÷ customer share: above 1 is worth more"),
    Column("revenue", "Revenue", "total spend of its customers"),
    Column("aov", "AOV", "average order value"),
    Column("orders", "Orders", "orders of its customers"),
    Column("median_recency", "Recency", "median days since the last order"),
)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def cell_text(row: SegmentRow, attribute: str, currency: str) -> str:
    value = getattr(row, attribute)
    if attribute == "name":
        return str(value) if len(value) <= NAME_WIDTH else value[: NAME_WIDTH - 1] + "…"
    if attribute in ("share", "revenue_share"):
        return _pct(value)
    if attribute == "revenue":  # whole units: the table stays narrow
        return "—" if value is None else f"{currency}{value:,.0f}"
    if attribute == "aov":
        return fmt_money(value, currency)
    if attribute == "value_index":
        return fmt_number(value, 2)
    if attribute == "median_recency":
        return "—" if value is None else f"{value:,.0f} d"
    return fmt_int(value)


class SegmentTable(DataTable[Text]):
    """Segments of one run; ``s`` sorts by the next column, ``S`` reverses."""

    DEFAULT_SORT: ClassVar[str] = "value_index"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.summary: RunSummary | None = None
        self.currency = ""
        self.sort_by = self.DEFAULT_SORT
        self.descending = True

    BINDINGS: ClassVar = [
        Binding("enter", "select_cursor", "Members", id="segment_table.members",
                tooltip="List the highlighted segment's customers with their features."),
    ]  # fmt: skip

    def on_mount(self) -> None:
        self._add_columns()

    def _add_columns(self) -> None:
        for column in COLUMNS:
            self.add_column(self._header(column), key=column.attribute)

    def _header(self, column: Column) -> Text:
        mark = ""
        if column.attribute == self.sort_by:
            mark = " ▼" if self.descending else " ▲"
        justify = "left" if column.attribute == "name" else "right"
        return Text(column.header + mark, justify=justify)  # type: ignore[arg-type]

    def show(self, summary: RunSummary | None, currency: str) -> None:
        """Fill the table (keeping the highlighted segment where it can)."""
        current = self.highlighted_segment
        self.summary = summary
        self.currency = currency
        self.clear(columns=True)  # columns too: their widths follow the new names
        self._add_columns()
        if summary is None:
            return
        for row in self.sorted_rows():
            self.add_row(*self._cells(row), key=row.name)
        total = self._cells(summary.total, bold=True)
        self.add_row(*total, key=TOTAL_KEY)
        self.select(current)

    def _cells(self, row: SegmentRow, bold: bool = False) -> list[Text]:
        style = "bold" if bold else ""
        return [
            Text(
                cell_text(row, c.attribute, self.currency),
                style=style,
                justify="left" if c.attribute == "name" else "right",
            )
            for c in COLUMNS
        ]

    def sorted_rows(self) -> list[SegmentRow]:
        """The segments in the current order; missing values last either way."""
        assert self.summary is not None
        attribute = self.sort_by

        def key(row: SegmentRow) -> tuple[int, Any]:
            value = getattr(row, attribute)
            if isinstance(value, str):
                value = value.casefold()
            return (value is None, value if value is not None else 0)

        present = [r for r in self.summary.rows if getattr(r, attribute) is not None]
        missing = [r for r in self.summary.rows if getattr(r, attribute) is None]
        return sorted(present, key=key, reverse=self.descending) + missing

    def sort_segments(self, attribute: str | None = None, *, reverse: bool = False) -> None:
        """Sort by ``attribute`` (names A→Z, numbers highest first), the next column when
        None, or reverse the order."""
        if reverse:
            self.descending = not self.descending
        else:
            names = [c.attribute for c in COLUMNS]
            if attribute is None:
                attribute = names[(names.index(self.sort_by) + 1) % len(names)]
            self.sort_by = attribute
            self.descending = attribute != "name"
        self.show(self.summary, self.currency)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        key = str(event.column_key.value)
        if key == self.sort_by:
            self.sort_segments(reverse=True)
        else:
            self.sort_segments(key)

    @property
    def highlighted_segment(self) -> str | None:
        """The segment under the cursor (None on the totals row or when empty)."""
        if self.row_count == 0:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return None if row_key.value == TOTAL_KEY else row_key.value

    def select(self, segment: str | None) -> None:
        """Put the cursor on a segment (the first row when it is not there)."""
        if self.summary is None or self.row_count == 0:
            return
        order = [r.name for r in self.sorted_rows()]
        self.move_cursor(row=order.index(segment) if segment in order else 0, animate=False)
