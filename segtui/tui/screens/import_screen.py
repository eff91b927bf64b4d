"""Import: pick a file, check how it will be read (settings, preview, columns, kind), name the
dataset and import it in a cancellable worker with a progress bar, then see the report.

Every change of a setting plans the file again in a worker; only the user's own changes are
sent back to the importer (everything else stays "detect"), so detection is never pinned.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Button,
    DataTable,
    DirectoryTree,
    Input,
    Select,
    Static,
    Switch,
)
from textual.worker import Worker, WorkerState, get_current_worker

from segtui.core.errors import ProjectError
from segtui.core.model import ReadOptions
from segtui.tui.formatting import display_path, fmt_int
from segtui.tui.screens.base import Command, SegtuiScreen
from segtui.tui.screens.column_modal import ColumnChoice, ColumnModal
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.dataset_modal import DatasetModal
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.paths import IMPORTABLE_SUFFIXES, ImportableTree, PathSuggester
from segtui.tui.widgets.plan_form import PlanForm, with_column_choice, with_setting
from segtui.tui.widgets.plan_tables import ColumnsTable, PlanView, plan_view
from segtui.tui.widgets.source_settings import SourceSettings
from segtui.tui.widgets.tabbar import ScreenTabs

if TYPE_CHECKING:
    from segtui.core.model import DatasetInfo, ImportReport


class ImportProgress(Message):
    """Progress of the running import (coalesces: only the latest matters)."""

    def __init__(self, fraction: float, text: str) -> None:
        super().__init__()
        self.fraction = fraction
        self.text = text

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ImportProgress)


class ImportScreen(SegtuiScreen):
    PURPOSE = "Import a customers or orders file: check how it is read, then import it."
    CSS_PATH = "import.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar = [
        Binding(
            "ctrl+s",
            "run_import",
            "Import",
            id="import.run",
            tooltip="Import the file as planned into the project (a progress bar shows; "
            "Escape cancels).",
        ),
        Binding(
            "escape",
            "escape",
            "Cancel/back",
            id="import.escape",
            tooltip="Cancel the running import (nothing is saved), or go back to Home.",
        ),
        Binding(
            "ctrl+o",
            "focus_path",
            "Choose file",
            id="import.file",
            tooltip="Type the path of the file to import (→ completes), or pick it in the tree.",
        ),
        Binding(
            "ctrl+r",
            "redetect",
            "Re-detect",
            show=False,
            id="import.redetect",
            tooltip="Forget your changes to settings, kind and columns and detect them again.",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.view: PlanView | None = None
        self.options = ReadOptions()
        self.importing = False
        self._planning: str | None = None
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield ScreenTabs("import", [(s.mode, s.title, s.key) for s in self.segtui.main_screens])
        with Horizontal(id="import-body"):
            with Vertical(id="picker"):
                yield Static("File", classes="section-title")
                yield Input(
                    placeholder="path of a file to import",
                    id="import-path",
                    suggester=PathSuggester(IMPORTABLE_SUFFIXES),
                    tooltip="Type the file's path and press Enter; → accepts the grey "
                    "completion. Or pick it in the tree below.",
                )
                tree = ImportableTree(".", id="tree")
                tree.tooltip = (
                    "Importable files under the working folder (csv, tsv, txt, dat, gz, xlsx, "
                    "parquet, json, ndjson): Enter picks one."
                )
                tree.show_root = False
                yield tree
            with VerticalScroll(id="plan-pane"):
                yield Static(
                    "Pick a file on the left (Enter in the tree) or type its path and press "
                    "Enter. You will see how it will be read before anything is imported.",
                    id="import-status",
                    markup=False,
                )
                yield PlanForm(id="plan")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(PlanForm).display = False
        self.focus_path()

    # --- status and errors ----------------------------------------------------------------

    def _status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#import-status", Static)
        status.set_class(error, "error")
        status.update(message)

    def show_error(self, message: str) -> None:
        self._status(message, error=True)

    def focus_path(self) -> None:
        self.query_one("#import-path", Input).focus()

    def action_focus_path(self) -> None:
        self.focus_path()

    # --- choosing a file and planning -----------------------------------------------------

    @on(Input.Submitted, "#import-path")
    def path_typed(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        if not text:
            self.show_error("Type the path of a file to import first.")
            return
        self.choose(str(Path(text).expanduser()))

    @on(DirectoryTree.FileSelected)
    def file_picked(self, event: DirectoryTree.FileSelected) -> None:
        event.stop()
        path = display_path(event.path)
        self.query_one("#import-path", Input).value = path
        self.choose(path)

    def choose(self, path: str) -> None:
        """A new file: start from detection."""
        self.options = ReadOptions()
        self.replan(path)

    def replan(self, path: str | None = None) -> None:
        if self.importing:
            return
        path = path or (self.view.path if self.view else None)
        if path is None:
            return
        self._status(f"Reading {display_path(path)}…")
        self._planning = path
        self.plan(path, self.options)

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan", name="plan")
    def plan(self, path: str, options: ReadOptions) -> PlanView:
        return plan_view(path, options)

    def show_plan(self, view: PlanView) -> None:
        new_file = self.view is None or self.view.path != view.path
        self.view = view
        self._status(f"{display_path(view.path)}: {view.description}.")
        form = self.query_one(PlanForm)
        form.display = True
        form.show(view, new_file=new_file)
        if new_file and self.focused is self.query_one("#import-path", Input):
            # Next step: check the columns (and number keys switch screens again).
            self.query_one(ColumnsTable).focus()
        self.refresh_bindings()

    def _plan_failed(self) -> None:
        """Keep the last good plan of the same file (and its settings) so it can be fixed."""
        if self.view is not None and self.view.path == self._planning:
            self.options = self.view.plan.options
            self.show_plan(self.view)
        else:
            self.view = None
            self.query_one(PlanForm).display = False

    def on_source_settings_changed(self, event: SourceSettings.Changed) -> None:
        self.options = with_setting(self.options, event.field, event.value)
        self.replan()

    @on(Select.Changed, "#kind")
    def kind_changed(self, event: Select.Changed) -> None:
        if self.view and event.value != self.view.plan.kind and event.value is not Select.NULL:
            self.options = replace(self.options, kind=event.value)  # type: ignore[arg-type]
            self.replan()

    @on(DataTable.RowSelected, "#columns")
    def edit_column(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if self.view is None or self.importing:
            return
        name = event.row_key.value
        try:
            column = self.view.plan.column(name or "")
        except KeyError:
            self.notify("The derived amount is quantity × unit price; set those roles instead.")
            return
        self.app.push_screen(ColumnModal(column), self.apply_column)

    def apply_column(self, choice: ColumnChoice | None) -> None:
        if choice is not None and self.view is not None:
            before = self.view.plan.column(choice.name)
            self.options = with_column_choice(self.options, before, choice)
            self.replan()

    def action_redetect(self) -> None:
        if self.view is not None:
            self.choose(self.view.path)

    # --- importing ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run_import":
            return self.view is not None and not self.importing
        if action == "redetect":
            return self.view is not None
        return True

    @on(Button.Pressed, "#run")
    def action_run_import(self) -> None:
        if self.view is None or self.importing:
            return
        from segtui.core.datasets import check_dataset_name

        name = self.query_one("#dataset-name", Input).value.strip()
        try:
            check_dataset_name(name)
        except ProjectError as exc:
            self.show_error(str(exc))
            self.query_one("#dataset-name", Input).focus()
            return
        replace_it = self.query_one("#replace", Switch).value
        exists = any(d.name == name for d in self.segtui.datasets)
        if exists and not replace_it:
            self.show_error(
                f"A dataset named {name!r} already exists; choose another name or turn on "
                "'Replace existing'."
            )
            self.query_one("#dataset-name", Input).focus()
            return
        if exists:

            def answered(yes: bool | None) -> None:
                if yes:
                    self._start_import(name, True)

            self.app.push_screen(
                ConfirmModal(
                    f"Replace the dataset {name!r}?",
                    "Its rows, rejects and report are replaced by this file's. The old "
                    "data stays if the import fails or is cancelled.",
                    confirm_label="Replace",
                ),
                answered,
            )
            return
        self._start_import(name, False)

    def _start_import(self, name: str, replace_it: bool) -> None:
        assert self.view is not None
        self._set_importing(True)
        self._cancel.clear()
        self._status(f"Importing {display_path(self.view.path)} as {name}…")
        self.run_import(self.view.path, self.view.plan.options, name, replace_it)

    def _set_importing(self, running: bool) -> None:
        self.importing = running
        self.query_one(PlanForm).set_running(running)
        self.refresh_bindings()

    @work(thread=True, exclusive=True, exit_on_error=False, group="import", name="import")
    def run_import(
        self, path: str, options: ReadOptions, name: str, replace_it: bool
    ) -> tuple[DatasetInfo, ImportReport]:
        from segtui.core.ingest import import_file

        worker = get_current_worker()
        project = self.project
        assert project is not None
        info, report = import_file(
            project,
            path,
            options,
            name=name,
            replace=replace_it,
            progress=lambda fraction, text: self.post_message(ImportProgress(fraction, text)),
            cancelled=lambda: self._cancel.is_set() or worker.is_cancelled,
        )
        return info, report

    def on_import_progress(self, message: ImportProgress) -> None:
        if self.importing:
            cancelling = " (cancelling…)" if self._cancel.is_set() else ""
            self.query_one(PlanForm).set_progress(
                message.fraction,
                f"{message.text}{cancelling} · Escape cancels the import (nothing is saved).",
            )

    def action_escape(self) -> None:
        if self.importing:
            self._cancel.set()
            self.query_one("#progress-label", Static).update("Cancelling… (nothing will be saved)")
        else:
            self.segtui.go("home")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "plan":
            if event.state == WorkerState.SUCCESS:
                self.show_plan(worker.result)
            elif event.state == WorkerState.ERROR:
                self._plan_failed()
        elif worker.name == "import" and worker.is_finished:
            self._set_importing(False)
            if event.state == WorkerState.SUCCESS:
                info, report = worker.result
                self._status(
                    f"Imported {fmt_int(report.rows_imported)} rows as {info.name}"
                    f" ({fmt_int(report.rows_rejected)} rejected)."
                )
                self.query_one("#replace", Switch).value = False
                self.segtui.reload_project()
                self.app.push_screen(DatasetModal(info.name))

    def on_unmount(self) -> None:
        self._cancel.set()

    def commands(self) -> list[Command]:
        commands = [Command("import: choose a file…", self.focus_path, "Type or pick a file")]
        if self.view is not None and not self.importing:
            commands += [
                Command("import: run", self.action_run_import, "Import the file as planned"),
                Command("import: detect settings again", self.action_redetect, "Forget changes"),
            ]
        if self.importing:
            commands.append(Command("import: cancel", self.action_escape, "Nothing is saved"))
        return commands
