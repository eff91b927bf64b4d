"""A dataset's import report and its first rejected rows, with delete (asks first)."""

from __future__ import annotations

import dataclasses
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from segtui.core.model import ImportReport, RejectedRow
from segtui.tui.formatting import display_path, fmt_int
from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.footer import KeysFooter

FIRST_REJECTS = 50


def report_from_json(data: dict[str, Any]) -> ImportReport:
    """The stored report (ImportReport.to_json) back as an ImportReport."""
    known = {f.name for f in dataclasses.fields(ImportReport)}
    values = {key: value for key, value in data.items() if key in known}
    values["reject_samples"] = [
        RejectedRow(line=r.get("line", 0), reason=r.get("reason", ""), column=r.get("column"))
        for r in data.get("reject_samples", [])
    ]
    values.setdefault("source_path", "")
    values.setdefault("dataset", "")
    values.setdefault("kind", "customers")
    return ImportReport(**values)


def report_text(lines: list[str]) -> str:
    return "\n".join(lines)


class DatasetModal(SegtuiModal[None]):
    PURPOSE = "A dataset's import report and its first rejected rows."
    BINDINGS: ClassVar = [
        Binding(
            "d",
            "delete",
            "Delete",
            id="dataset.delete",
            tooltip="Delete this dataset from the project (asks first).",
        ),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.dataset_name = name

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog report-dialog"):
            yield Static(f"Dataset {self.dataset_name}", classes="dialog-title", markup=False)
            with VerticalScroll(id="report-scroll"):
                yield Static("Loading…", id="report", markup=False)
                yield Static("", id="rejects-title", classes="section-title", markup=False)
                table: DataTable[object] = DataTable(id="rejects", cursor_type="row")
                table.tooltip = "The first rejected rows: source line, column and reason."
                yield table
            yield Static("d deletes the dataset · Escape closes", classes="dialog-hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#rejects", DataTable)
        table.display = False
        for label in ("Line", "Column", "Reason", "Raw"):
            table.add_column(label, key=label)
        self.load(self.dataset_name)

    @work(thread=True, exclusive=True, exit_on_error=False, name="load_dataset")
    def load(self, name: str) -> tuple[list[str], int, list[tuple[Any, ...]]]:
        from segtui.core.import_report import report_lines

        project = self.project
        assert project is not None
        info = project.dataset(name)
        report = report_from_json(info.report)
        lines = [
            f"Source: {display_path(info.source_path)}",
            f"Imported: {info.imported_at[:19].replace('T', ' ')}",
            "",
            *report_lines(report),
        ]
        rejects = project.read_rejects(name)
        return lines, rejects.height, rejects.head(FIRST_REJECTS).rows()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != "load_dataset" or event.state != WorkerState.SUCCESS:
            return
        lines, total, rows = event.worker.result
        self.query_one("#report", Static).update(report_text(lines))
        if not total:
            self.query_one("#rejects-title", Static).update("No rejected rows.")
            return
        shown = min(total, FIRST_REJECTS)
        more = f" (first {shown} shown)" if shown < total else ""
        self.query_one("#rejects-title", Static).update(f"Rejected rows: {fmt_int(total)}{more}")
        table = self.query_one("#rejects", DataTable)
        table.display = True
        for line, column, reason, raw in rows:
            table.add_row(
                Text(fmt_int(line), justify="right"), column or "—", reason, (raw or "")[:80]
            )

    def show_error(self, message: str) -> None:
        self.query_one("#report", Static).update(message)

    def action_delete(self) -> None:
        name = self.dataset_name
        self.dismiss(None)
        self.segtui.confirm_delete(name)
