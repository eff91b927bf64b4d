"""Home: the open project (name, file, settings), its datasets and what can be done next."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Static

from segtui.tui.formatting import date_range, display_path, fmt_int
from segtui.tui.screens.base import Command, SegtuiScreen
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.tabbar import ScreenTabs

if TYPE_CHECKING:
    from segtui.core.model import DatasetInfo
    from segtui.core.project import ProjectSettings

DATASET_COLUMNS = ("Name", "Kind", "Rows", "Rejected", "Cols", "Customers", "Date range")
NUMERIC = {"Rows", "Rejected", "Cols", "Customers"}


def cell(text: str, numeric: bool = False) -> Text:
    """A table cell with one space before it: the table has no cell padding so that seven
    columns fit in 80 terminal columns (the default padding puts two spaces between)."""
    return Text(f" {text}", justify="right" if numeric else "left")


def analysis_date_text(settings: ProjectSettings) -> str:
    if settings.analysis_date is None:
        return "not set (automatic: the day after the last order, once orders are imported)"
    if settings.analysis_date_override is not None:
        return f"{settings.analysis_date.isoformat()} (set by you)"
    return f"{settings.analysis_date.isoformat()} (automatic: day after the last order)"


def next_steps(datasets: list[DatasetInfo]) -> list[str]:
    kinds = {d.kind for d in datasets}
    steps = []
    if not datasets:
        steps.append("Import a customers or orders file: press 2 or i.")
    elif "transactions" not in kinds:
        steps.append(
            "Import the orders (transactions) file too: press i. Orders give recency, "
            "frequency and spend."
        )
    elif "customers" not in kinds:
        steps.append(
            "Optionally import a customers file (press i) for names, emails and demographics."
        )
    else:
        steps.append("Customers and orders are imported. Press i to import another file.")
    for d in datasets:
        if d.rejected:
            rows = "1 row was" if d.rejected == 1 else f"{fmt_int(d.rejected)} rows were"
            steps.append(f"{rows} rejected in {d.name}: Enter on it shows why.")
    if datasets:
        steps.append("Enter on a dataset shows its import report; d deletes it (asks first).")
    steps.append("e edits the project name, currency and analysis date.")
    return steps


class HomeScreen(SegtuiScreen):
    PURPOSE = "The project: its settings, its datasets and what to do next."
    CSS_PATH = "home.tcss"
    BINDINGS: ClassVar = [
        Binding(
            "e",
            "app.settings",
            "Settings",
            id="home.settings",
            tooltip="Edit the project name, currency and analysis date (saved at once).",
        ),
        Binding(
            "i",
            "app.import_file",
            "Import",
            id="home.import",
            tooltip="Import a customers or orders file (the Import screen).",
        ),
        Binding(
            "d",
            "delete",
            "Delete",
            id="home.delete",
            tooltip="Delete the highlighted dataset from the project (asks first).",
        ),
    ]

    def compose(self) -> ComposeResult:
        yield ScreenTabs("home", [(s.mode, s.title, s.key) for s in self.segtui.main_screens])
        with VerticalScroll(id="home"):
            yield Static("", id="project-title", markup=False)
            yield Static("", id="project-file", classes="muted", markup=False)
            with Horizontal(id="settings-line"):
                yield Static("", id="project-settings", markup=False)
            yield Static("Datasets", classes="section-title")
            table: DataTable[object] = DataTable(
                id="datasets", cursor_type="row", zebra_stripes=True, cell_padding=0
            )
            table.tooltip = "The project's datasets: Enter shows the import report and rejects."
            yield table
            yield Static("Next", classes="section-title")
            yield Static("", id="next-steps", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#datasets", DataTable)
        for label in DATASET_COLUMNS:
            table.add_column(cell(label, label in NUMERIC), key=label)
        self.segtui.project_changed.subscribe(self, lambda _: self.render_project())
        self.render_project()
        table.focus()

    def render_project(self) -> None:
        project, settings = self.project, self.segtui.settings
        if project is None:
            return
        self.query_one("#project-file", Static).update(f"File: {display_path(project.path)}")
        if settings is None:
            self.query_one("#project-title", Static).update("Loading the project…")
            return
        self.query_one("#project-title", Static).update(settings.name)
        self.query_one("#project-settings", Static).update(
            f"Currency: {settings.currency or '—'}    Analysis date: {analysis_date_text(settings)}"
        )
        datasets = self.segtui.datasets
        table = self.query_one("#datasets", DataTable)
        highlighted = table.cursor_row
        table.clear()
        for d in datasets:
            table.add_row(
                cell(d.name),
                cell(d.kind),
                cell(fmt_int(d.rows), True),
                cell(fmt_int(d.rejected), True),
                cell(fmt_int(len(d.columns)), True),
                cell(fmt_int(d.customers), True),
                cell(date_range(d.date_min, d.date_max)),
                key=d.name,
            )
        if datasets:
            table.move_cursor(row=min(highlighted, len(datasets) - 1))
        else:
            table.add_row(cell("(none yet)"), *([""] * (len(DATASET_COLUMNS) - 1)))
        self.query_one("#next-steps", Static).update(
            "\n".join(f"• {step}" for step in next_steps(datasets))
        )
        self.refresh_bindings()

    def _highlighted_dataset(self) -> str | None:
        table = self.query_one("#datasets", DataTable)
        if not self.segtui.datasets or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.segtui.datasets and event.row_key.value:
            self.segtui.show_dataset(event.row_key.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "delete":
            return bool(self.segtui.datasets)
        return True

    def action_delete(self) -> None:
        name = self._highlighted_dataset()
        if name:
            self.segtui.confirm_delete(name)

    def commands(self) -> list[Command]:
        name = self._highlighted_dataset()
        if not name:
            return []
        return [
            Command(
                f"dataset: report of {name}",
                lambda: self.segtui.show_dataset(name),
                "Import report and first rejects of the highlighted dataset",
            )
        ]
