"""The Import screen's two tables: the preview (first rows as the importer will read them,
typed) and the column list (name, source name, type, date format, role, detail).

``plan_view`` runs in a worker: it plans the file and turns the typed preview into display
cells there, so the UI thread never touches polars.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.widgets import DataTable

from segtui.core.model import ROLE_LABELS

if TYPE_CHECKING:
    from segtui.core.model import ImportPlan, ReadOptions

# Integers that are labels, not quantities: no thousands separators.
ID_ROLES = {"customer_id", "order_id", "postcode", "phone", "birth_year"}
MAX_CELL = 40


@dataclass
class PlanView:
    """A plan plus what the screen shows of it."""

    path: str
    plan: ImportPlan
    description: str
    default_name: str
    preview_columns: list[tuple[str, bool]]  # (name, numeric)
    preview_rows: list[list[Text]]


def cell(value: Any, role: str | None = None) -> Text:
    """One preview value as text: numbers right-aligned with separators, missing as a dash."""
    if value is None:
        return Text("—", style="dim", justify="center")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, int):
        text = str(value) if role in ID_ROLES else f"{value:,}"
        return Text(text, justify="right")
    if isinstance(value, float):
        text = f"{value:,.2f}" if round(value, 2) == value else f"{value:,.6f}".rstrip("0")
        return Text(text, justify="right")
    if isinstance(value, dt.datetime):
        return Text(value.strftime("%Y-%m-%d %H:%M:%S"))
    if isinstance(value, dt.date):
        return Text(value.isoformat())
    text = str(value).replace("\n", " ")
    return Text(text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…")


def plan_view(path: str, options: ReadOptions) -> PlanView:
    """Plan a file (in a worker) and prepare its preview cells."""
    from segtui.core.import_report import describe_source
    from segtui.core.ingest import default_dataset_name, plan_import

    plan = plan_import(path, options)
    roles = {c.name: c.role for c in plan.columns}
    if plan.derived_amount:
        roles.setdefault("amount", "amount")
    frame = plan.preview
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    rows = [
        [cell(value, roles.get(name)) for name, value in zip(frame.columns, row, strict=True)]
        for row in frame.iter_rows()
    ]
    return PlanView(
        path=path,
        plan=plan,
        description=describe_source(plan),
        default_name=default_dataset_name(path),
        preview_columns=list(zip(frame.columns, numeric, strict=True)),
        preview_rows=rows,
    )


class PreviewTable(DataTable[Text]):
    """The first rows of the file as they will be imported."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="cell", **kwargs)
        self.tooltip = "The first rows as they will be imported (typed): check types and dates."

    def show(self, view: PlanView) -> None:
        self.clear(columns=True)
        for name, numeric in view.preview_columns:
            self.add_column(Text(name, justify="right") if numeric else name, key=name)
        self.add_rows(view.preview_rows)


class ColumnsTable(DataTable[Text]):
    """The columns to import; Enter on one edits its type, date format and role."""

    HEADERS = ("Column", "In file", "Type", "Date format", "Role", "Detail")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="row", **kwargs)
        self.tooltip = "The columns to import: Enter on one edits its type, date format and role."

    def on_mount(self) -> None:
        for header in self.HEADERS:
            self.add_column(header, key=header)

    def show(self, plan: ImportPlan) -> None:
        row = self.cursor_row
        self.clear()
        for col in plan.columns:
            self.add_row(
                Text(col.name, style="bold"),
                Text(col.source_name if col.source_name != col.name else "="),
                Text(col.type),
                Text(col.date_format or ""),
                Text(ROLE_LABELS.get(col.role, "") if col.role else "", style="italic"),
                Text(col.detail or ""),
                key=col.name,
            )
        if plan.derived_amount:
            self.add_row(
                Text("amount", style="bold"),
                Text("(derived)"),
                Text("decimal"),
                Text(""),
                Text("amount", style="italic"),
                Text("quantity × unit price"),
                key="__derived_amount",
            )
        if self.row_count:
            self.move_cursor(row=min(row, self.row_count - 1))
