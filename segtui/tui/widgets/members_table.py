"""The members table and what it shows: textual-fastdatatable's Arrow-backed DataTable over a
polars frame of a run's members, the quick search and the sort (both done in polars), and how
each column is labelled, formatted and sized.

Nothing here converts a whole column to Python: the table reads only the cells it paints, and
formats them then (money with the project's currency, shares as percentages); column widths
are measured once per member list, in polars, where the backend would measure every string of
every column again each time the data changes.

Imported only when a member list is opened (it loads pyarrow and the table widget).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from rich.cells import cell_len, set_cell_size
from rich.control import strip_control_codes
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual_fastdatatable import ArrowBackend
from textual_fastdatatable.data_table import DataTable

from segtui.core.run_data import SEGMENT
from segtui.core.segment_model import CUSTOMER_ID

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

    from segtui.core.run_data import RunData

# From this many rows on, searching and sorting run in a thread worker (at 1M rows a search
# takes a few hundred ms); below it they run at once, so a small list never shows a stale page.
LARGE = 50_000
MAX_COLUMN_WIDTH = 30  # long texts (emails, interests) are cut with "…"
NULL = "—"

# The score columns a run adds: their label and unit (they have no FieldInfo).
SCORE_COLUMNS: dict[str, tuple[str, str]] = {
    "r_score": ("R score", ""),
    "f_score": ("F score", ""),
    "m_score": ("M score", ""),
    "recency": ("Recency (days)", "days"),
    "frequency": ("Frequency", "orders"),
    "monetary": ("Monetary", "money"),
    "distance": ("Distance", ""),
    "probability": ("Probability", "share"),
}
Format = Callable[[Any], str]
Justify = Literal["left", "right", "center"]


@dataclass(frozen=True)
class Sort:
    column: str
    descending: bool

    @property
    def arrow(self) -> str:
        return "▼" if self.descending else "▲"


@dataclass(frozen=True)
class MemberColumn:
    """One column of the list: its name in the frame, its header and how a value is shown
    (None: as the table shows it)."""

    name: str
    label: str
    format: Format | None = None
    searchable: bool = False  # the quick search looks in it (ids, text and categories)
    numeric: bool = False  # sorted largest first on the first press


@dataclass(frozen=True)
class View:
    """What the table shows now: the members left by the search, in the sort's order."""

    frame: pl.DataFrame
    table: pa.Table
    query: str
    sort: Sort | None


def _money(currency: str) -> Format:
    def show(value: float) -> str:
        sign = "-" if value < 0 else ""
        return f"{sign}{currency}{abs(value):,.2f}"

    return show


def _format_for(series: pl.Series, unit: str, computed: bool, currency: str) -> Format | None:
    """Readable numbers: money with the currency and 2 decimals, shares as percentages,
    thousands separators on counts. Integer attributes stay raw (years, postcodes)."""
    dtype = series.dtype
    if dtype.is_float():
        if unit == "money":
            return _money(currency)
        if unit == "share":
            return lambda value: f"{100 * value:.1f}%"
        whole = series.drop_nans().drop_nulls()
        if unit == "days" or (whole == whole.round()).all():  # e.g. RFM frequency
            return lambda value: f"{value:,.0f}"
        return lambda value: f"{value:,.2f}"
    if dtype.is_integer() and (computed or unit):
        return lambda value: f"{value:,}"
    return None


def member_columns(data: RunData, frame: pl.DataFrame) -> list[MemberColumn]:
    """How each column of ``frame`` (a ``data.members()`` frame) is labelled and shown."""
    import polars as pl

    fields = data.features.by_name
    columns = []
    for name, dtype in frame.schema.items():
        info = fields.get(name)
        if name == CUSTOMER_ID:
            label, unit, computed, searchable = "Customer", "", False, True
        elif name == SEGMENT:
            label, unit, computed, searchable = "Segment", "", False, True
        elif name in SCORE_COLUMNS and info is None:
            (label, unit), computed, searchable = SCORE_COLUMNS[name], True, False
        elif info is not None:
            label, unit, computed = info.label, info.unit, info.computed
            searchable = info.type in ("text", "category")
        else:
            label, unit, computed, searchable = name, "", False, dtype == pl.String
        formatted = _format_for(frame.get_column(name), unit, computed, data.currency)
        numeric = dtype.is_numeric() or dtype.is_temporal() or dtype == pl.Boolean
        columns.append(MemberColumn(name, label, formatted, searchable, numeric))
    return columns


def column_widths(frame: pl.DataFrame, columns: Sequence[MemberColumn]) -> list[int]:
    """The width of each column's widest cell as shown (capped), measured in polars."""
    import polars as pl

    strings = [c.name for c in columns if frame.schema[c.name] == pl.String]
    lengths = (
        frame.select(pl.col(strings).str.len_chars().max()).row(0, named=True)
        if strings and frame.height
        else {}
    )
    widths = []
    for column in columns:
        series = frame.get_column(column.name)
        dtype = series.dtype
        if column.name in strings:
            width = lengths.get(column.name) or 1
        elif dtype.is_numeric() and series.null_count() < series.len():
            show = column.format or str
            width = max(len(show(series.min())), len(show(series.max())))  # type: ignore[arg-type]
        elif dtype == pl.Date:
            width = 10
        elif dtype == pl.Datetime:
            width = 19
        elif dtype == pl.Boolean:
            width = 3
        else:
            width = 1 if dtype.is_numeric() or dtype == pl.Null else 12
        widths.append(min(max(width, 1), MAX_COLUMN_WIDTH))
    return widths


def build_view(
    base: pl.DataFrame, columns: Sequence[MemberColumn], query: str, sort: Sort | None
) -> View:
    """The members whose id or any text/category value contains ``query`` (any case), in
    ``sort``'s order (stable: ties keep the run's order; empty values last)."""
    import polars as pl

    frame = base
    query = query.strip()
    searched = [c.name for c in columns if c.searchable]
    if query and searched:
        pattern = "(?i)" + re.escape(query)
        frame = frame.filter(
            pl.any_horizontal(
                pl.col(name).cast(pl.String).str.contains(pattern).fill_null(False)
                for name in searched
            )
        )
    if sort is not None:
        frame = frame.sort(
            sort.column, descending=sort.descending, nulls_last=True, maintain_order=True
        )
    # Arrow string views: no copy of the text columns (a plain to_arrow() copies every one).
    table = frame.to_arrow(compat_level=pl.CompatLevel.newest())
    return View(frame, table, query, sort)


class MembersBackend(ArrowBackend):
    """The Arrow backend with our cell formats and with the widths measured up front."""

    def __init__(
        self, data: pa.Table, formats: Sequence[Format | None], widths: Sequence[int]
    ) -> None:
        super().__init__(data)
        self._formats = list(formats)
        self._widths = list(widths)

    @property
    def column_content_widths(self) -> list[int]:
        return self._widths

    def cell_text(self, row_index: int, column_index: int) -> tuple[str, Justify]:
        """A cell as one line of text and its alignment."""
        return self._shown(column_index, super().get_cell_at(row_index, column_index))

    def _shown(self, column: int, value: Any) -> tuple[str, Justify]:
        if value is None:
            return NULL, "center"
        if isinstance(value, str):
            return value, "left"
        show = self._formats[column]
        if show is not None:
            return show(value), "right"
        if isinstance(value, bool):
            return ("yes" if value else "no"), "left"
        if isinstance(value, dt.datetime):
            return value.isoformat(sep=" ", timespec="seconds"), "right"
        if isinstance(value, (int, float, dt.date)):
            return str(value), "right"
        return str(value), "left"

    def get_cell_at(self, row_index: int, column_index: int) -> Any:
        # What the table's messages and tooltips see: the cell as shown.
        text, justify = self.cell_text(row_index, column_index)
        return Text(text, justify=justify)

    def get_row_at(self, index: int) -> Sequence[Any]:
        values = super().get_row_at(index)
        return [Text(*self._shown(i, value)) for i, value in enumerate(values)]


def fit(text: str, width: int, justify: Justify) -> str:
    """``text`` on one line in exactly ``width`` cells: padded, or cut with "…"."""
    if width <= 0:
        return ""
    line, _, rest = text.partition("\n")
    line = strip_control_codes(line.split("\r", 1)[0].replace("\t", " "))
    size = cell_len(line)
    if size > width or (rest and size == width):
        return set_cell_size(line, width - 1) + "…"
    if rest:
        line, size = line + "…", size + 1
    space = width - size
    if justify == "right":
        return " " * space + line
    if justify == "center":
        return " " * (space // 2) + line + " " * (space - space // 2)
    return line + " " * space


class MembersTable(DataTable):
    """A page of members: ↑ ↓ ← → move, PgUp/PgDn page; the screen adds search and sort."""

    def __init__(self, **kwargs: Any) -> None:
        import pyarrow as pa

        super().__init__(
            backend=MembersBackend(pa.table({}), [], []),  # empty until the members are read
            max_column_content_width=MAX_COLUMN_WIDTH,
            fixed_columns=1,  # the customer id stays in sight when scrolling right
            zebra_stripes=True,
            null_rep=NULL,
            render_markup=False,  # names with [brackets] are shown as typed
            **kwargs,
        )
        self.view: View | None = None
        self.columns: list[MemberColumn] = []
        self.widths: list[int] = []

    def show(
        self,
        view: View,
        columns: Sequence[MemberColumn] | None = None,
        widths: Sequence[int] | None = None,
    ) -> None:
        """Show ``view`` (with these columns, or the ones shown so far), the cursor on its
        first row and in the same column."""
        if columns is not None and widths is not None:
            self.columns, self.widths = list(columns), list(widths)
        column = self.cursor_column
        backend = MembersBackend(view.table, [c.format for c in self.columns], self.widths)
        backend.render_markup = False
        sort = view.sort
        labels: list[str | Text] = [
            Text(f"{c.label} {sort.arrow}" if sort and sort.column == c.name else c.label)
            for c in self.columns
        ]
        # fastdatatable 0.19.5 has no call to swap the data (clear() raises and says to mount
        # a new table, which costs a resize and so a second full paint); this is what its own
        # add_rows/remove_row do to the same state.
        self.backend = backend
        self._column_labels = labels
        self._ordered_columns = None
        self._update_count += 1
        self._require_update_dimensions = True
        self.view = view
        self.move_cursor(row=0, column=column)
        self.refresh(layout=True)
        self.check_idle()

    def _render_cell(
        self,
        row_index: int,
        column_index: int,
        base_style: Style,
        width: int,
        cursor: bool = False,
        hover: bool = False,
        in_range: bool = False,
    ) -> list[list[Segment]]:
        """A data cell drawn as one padded segment. fastdatatable draws every cell through
        rich (a Padding in a Styled, rendered to lines): about 5 times the work, and a page
        of cells is what scrolling costs. Same cache and same styles as its own; the header
        is still drawn by it."""
        if row_index < 0 or column_index < 0:
            return super()._render_cell(
                row_index, column_index, base_style, width, cursor, hover, in_range
            )
        key = (
            row_index,
            column_index,
            base_style,
            cursor,
            hover,
            in_range,
            self._show_hover_cursor,
            self._update_count,
            self._pseudo_class_state,
        )
        lines = self._cell_render_cache.get(key)
        if lines is None:
            fixed = row_index < self.fixed_rows or column_index < self.fixed_columns
            component, post = self._get_styles_to_render_cell(
                False,
                False,
                fixed,
                hover,
                cursor,
                in_range,
                self.show_cursor,
                self._show_hover_cursor,
                self.cursor_type == "range",
                self.cursor_foreground_priority == "css",
                self.cursor_background_priority == "css",
            )
            meta = Style.from_meta({"row": row_index, "column": column_index})
            assert isinstance(self.backend, MembersBackend)
            text, justify = self.backend.cell_text(row_index, column_index)
            line = f" {fit(text, width - 2, justify)} "
            lines = [[Segment(line, base_style + meta + component + post)]]
            self._cell_render_cache[key] = lines
        return lines
