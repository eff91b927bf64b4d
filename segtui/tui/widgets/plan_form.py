"""The Import screen's right-hand form for one planned file: how it is read, its kind, the
preview, the columns, the dataset name and the Import button with its progress bar.

It shows a plan and holds no state of its own; the screen owns the options and the workers.
The option edits a user makes here are pure functions below, so they are easy to test.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, ProgressBar, Select, Static, Switch

from segtui.tui.formatting import fmt_int
from segtui.tui.widgets.plan_tables import ColumnsTable, PlanView, PreviewTable
from segtui.tui.widgets.source_settings import SourceSettings

if TYPE_CHECKING:
    from segtui.core.model import ColumnPlan, ReadOptions
    from segtui.tui.screens.column_modal import ColumnChoice

KIND_CHOICES = [("customers", "customers"), ("transactions (orders)", "transactions")]
# Settings that change which columns exist: the user's per-column choices no longer apply.
STRUCTURAL = {"format", "sep", "has_header", "sheet"}


def with_setting(options: ReadOptions, field: str, value: Any) -> ReadOptions:
    changes: dict[str, Any] = {field: value}
    if field in STRUCTURAL:
        changes.update(types={}, date_formats={}, roles={})
    return replace(options, **changes)


def with_column_choice(
    options: ReadOptions, before: ColumnPlan, choice: ColumnChoice
) -> ReadOptions:
    """The options after a column's type, date format or role was changed (role "" = none).

    A role taken away is sent as role -> "" so that detection does not guess it back."""
    types, formats, roles = dict(options.types), dict(options.date_formats), dict(options.roles)
    if choice.type != before.type:
        types[choice.name] = choice.type  # type: ignore[assignment]
    if choice.date_format and choice.date_format != before.date_format:
        formats[choice.name] = choice.date_format
    if (choice.role or None) != before.role:
        for role, column in list(roles.items()):
            if column == choice.name:
                roles[role] = ""  # type: ignore[assignment]
        if before.role:
            roles[before.role] = ""  # type: ignore[assignment]
        if choice.role:
            roles[choice.role] = choice.name  # type: ignore[index]
    return replace(options, types=types, date_formats=formats, roles=roles)


class PlanForm(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("How the file is read", classes="section-title")
        yield SourceSettings(id="settings")
        with Horizontal(id="kind-row", classes="form-row"):
            yield Label("Kind", classes="form-label")
            yield Select(
                KIND_CHOICES,
                allow_blank=False,
                compact=True,
                id="kind",
                tooltip="Customers: one row per customer. Transactions: one row per order "
                "(customer id, date, amount).",
            )
        yield Static("", id="kind-reason", classes="muted", markup=False)
        yield Static("", id="preview-title", classes="section-title")
        yield PreviewTable(id="preview")
        yield Static(
            "Columns: Enter on one edits its type, date format and role",
            classes="section-title",
        )
        yield ColumnsTable(id="columns")
        with Horizontal(id="name-row", classes="form-row"):
            yield Label("Dataset name", classes="form-label")
            yield Input(
                id="dataset-name",
                compact=True,
                tooltip="Lower-case letters, digits and _; the table in the project file is "
                "data_<name>.",
            )
        with Horizontal(id="replace-row", classes="form-row"):
            yield Label("Replace existing", classes="form-label")
            yield Switch(
                id="replace",
                tooltip="Replace a dataset of the same name (asks first; the old one stays if "
                "the import fails).",
            )
        with Horizontal(id="run-row"):
            yield Button("Import (ctrl+s)", id="run", variant="primary")
            yield ProgressBar(total=100, show_eta=False, id="progress")
        yield Static("", id="progress-label", classes="muted", markup=False)

    def on_mount(self) -> None:
        self.query_one("#progress").display = False

    def show(self, view: PlanView, *, new_file: bool) -> None:
        plan = view.plan
        self.query_one(SourceSettings).show(plan)
        with self.prevent(Select.Changed):
            self.query_one("#kind", Select).value = plan.kind
        self.query_one("#kind-reason", Static).update(f"Kind: {plan.kind_reason}.")
        self.query_one("#preview-title", Static).update(
            f"Preview: the first {fmt_int(len(view.preview_rows))} rows as they will be imported"
        )
        self.query_one(PreviewTable).show(view)
        self.query_one(ColumnsTable).show(plan)
        if new_file:
            self.query_one("#dataset-name", Input).value = view.default_name
            self.query_one("#replace", Switch).value = False

    def set_running(self, running: bool) -> None:
        # Nothing can be changed while the file is being imported as it was planned.
        for editable in self.query("SourceSettings, #kind, #columns, #dataset-name, #replace"):
            editable.disabled = running
        self.query_one("#run", Button).disabled = running
        bar = self.query_one("#progress", ProgressBar)
        bar.display = running
        bar.update(progress=0)
        self.query_one("#progress-label", Static).update(
            "Escape cancels the import (nothing is saved)." if running else ""
        )

    def set_progress(self, fraction: float, text: str) -> None:
        self.query_one("#progress", ProgressBar).update(progress=100 * fraction)
        self.query_one("#progress-label", Static).update(text)
