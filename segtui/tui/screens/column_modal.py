"""Edit one column of an import: its type, its date format and its role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from segtui.core.model import COLUMN_TYPES, ROLE_LABELS, ROLES
from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from segtui.core.model import ColumnPlan

NO_ROLE = ""


@dataclass
class ColumnChoice:
    """What the user chose for a column (role "" = no role)."""

    name: str
    type: str
    date_format: str | None
    role: str


def check_date_format(text: str) -> str | None:
    """A problem with a typed date format, or None."""
    text = text.strip()
    if not text or text == "excel" or "%" in text:
        return None
    return "Use strftime codes such as %d/%m/%Y or %Y-%m-%d, or 'excel' for serial numbers."


class ColumnModal(SegtuiModal[ColumnChoice | None]):
    PURPOSE = "A column's type, date format and role; the preview updates when you save."
    BINDINGS: ClassVar = [
        Binding(
            "ctrl+s",
            "save",
            "Apply",
            id="column.apply",
            tooltip="Apply the choices; the file is planned again and the preview updates.",
        ),
    ]

    def __init__(self, column: ColumnPlan) -> None:
        super().__init__()
        self.column = column

    def compose(self) -> ComposeResult:
        col = self.column
        with Vertical(classes="dialog column-dialog"):
            yield Static(f"Column {col.name}", classes="dialog-title", markup=False)
            if col.source_name != col.name:
                yield Static(f"In the file: {col.source_name}", classes="muted", markup=False)
            if col.detail:
                yield Static(col.detail, classes="muted", markup=False)
            yield Label("Type")
            yield Select(
                [(t, t) for t in COLUMN_TYPES],
                value=col.type,
                allow_blank=False,
                id="column-type",
                tooltip="How the values are read: integer, decimal, boolean, date, datetime or "
                "text. Values that do not fit go to the rejects.",
            )
            yield Label("Date format", classes="date-format")
            yield Input(
                col.date_format or "",
                placeholder="detected; e.g. %d/%m/%Y, or excel",
                id="column-date-format",
                classes="date-format",
                tooltip="strftime codes for dates written as text; 'excel' for serial numbers; "
                "blank to detect.",
            )
            yield Static("", id="date-format-problem", classes="problem date-format")
            yield Label("Role")
            yield Select(
                [("(no role)", NO_ROLE), *((ROLE_LABELS[r], r) for r in ROLES)],
                value=col.role or NO_ROLE,
                allow_blank=False,
                id="column-role",
                tooltip="What the column means (customer id, order date, amount…); each role "
                "belongs to at most one column.",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply (ctrl+s)", id="apply", variant="primary")
                yield Button("Cancel (esc)", id="cancel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self._show_date_format(self.column.type)
        self.query_one("#column-type", Select).focus()

    def _show_date_format(self, type_: object) -> None:
        for node in self.query(".date-format"):
            node.display = type_ in ("date", "datetime")

    @on(Select.Changed, "#column-type")
    def type_changed(self, event: Select.Changed) -> None:
        self._show_date_format(event.value)

    @on(Button.Pressed, "#cancel")
    def cancel(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def action_save(self) -> None:
        type_ = str(self.query_one("#column-type", Select).value)
        date_format = self.query_one("#column-date-format", Input).value.strip()
        if type_ in ("date", "datetime"):
            problem = check_date_format(date_format)
            self.query_one("#date-format-problem", Static).update(problem or "")
            if problem:
                self.query_one("#column-date-format", Input).focus()
                return
        else:
            date_format = ""
        role = self.query_one("#column-role", Select).value
        self.dismiss(
            ColumnChoice(
                self.column.name,
                type_,
                date_format or None,
                role if isinstance(role, str) else NO_ROLE,
            )
        )
