"""Criteria: the project's segmentations (name, method, segments, last run, customers), and
from here: create one, open its editor (rules, RFM or clustering), run it, rename or delete it.
Below the list, the highlighted segmentation's latest run: its segment counts."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from segtui.core.segment_model import METHOD_LABELS
from segtui.tui.formatting import fmt_int
from segtui.tui.screens.base import Command, SegtuiScreen
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.run_panel import RunPanel
from segtui.tui.widgets.tabbar import ScreenTabs

if TYPE_CHECKING:
    from segtui.core.segment_model import Features
    from segtui.core.segmentations import Segmentation
    from segtui.tui.screens.new_segmentation import NewSegmentation

COLUMNS = ("Name", "Method", "Segments", "Last run", "Customers")
NUMERIC = {"Segments", "Customers"}
EDITORS = {
    "rules": ("rule_editor", "RuleEditorScreen"),
    "rfm": ("rfm_editor", "RfmEditorScreen"),
    "kmeans": ("cluster_editor", "ClusterEditorScreen"),
    "gmm": ("cluster_editor", "ClusterEditorScreen"),
}


def _cell(text: str, numeric: bool = False) -> Text:
    return Text(text, justify="right" if numeric else "left")


class CriteriaScreen(SegtuiScreen):
    PURPOSE = (
        "The project's segmentations: n creates one (rules, RFM or clustering), Enter edits "
        "the highlighted one, r runs it and shows how many customers each segment holds."
    )
    CSS_PATH = "criteria.tcss"
    BINDINGS: ClassVar = [
        Binding("n", "new", "New", id="criteria.new",
                tooltip="Create a segmentation: rules, RFM, k-means or Gaussian mixture."),
        Binding("enter", "edit", "Edit", id="criteria.edit",
                tooltip="Open the highlighted segmentation's editor."),
        Binding("r", "run", "Run", id="criteria.run",
                tooltip="Run the highlighted segmentation and store the run."),
        Binding("v", "review", "Review", id="criteria.review",
                tooltip="Review the highlighted segmentation's latest run on the Segments "
                "screen."),
        Binding("R", "rename", "Rename", id="criteria.rename",
                tooltip="Rename the highlighted segmentation."),
        Binding("d", "delete", "Delete", id="criteria.delete",
                tooltip="Delete the highlighted segmentation and its runs (asks first)."),
        Binding("escape", "escape", "Cancel run", show=False, id="criteria.escape",
                tooltip="Cancel a running run (nothing is saved)."),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.segmentations: list[Segmentation] = []
        self.features: Features | None = None

    def compose(self) -> ComposeResult:
        yield ScreenTabs("criteria", [(s.mode, s.title, s.key) for s in self.segtui.main_screens])
        with Vertical(id="criteria"):
            yield Static("Loading customer features…", id="features-line", markup=False)
            table: DataTable[Text] = DataTable(
                id="segmentations", cursor_type="row", zebra_stripes=True
            )
            table.tooltip = "Segmentations: Enter edits, r runs, n creates, d deletes."
            yield table
            yield Static("", id="criteria-error", classes="error", markup=False)
            yield Static("Latest run", classes="section-title")
            yield RunPanel("", id="run-panel")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#segmentations", DataTable)
        for label in COLUMNS:
            table.add_column(_cell(label, label in NUMERIC), key=label)
        self.segtui.project_changed.subscribe(self, lambda _: self.reload())
        self.reload()
        self.load_features()
        table.focus()

    def on_screen_resume(self) -> None:
        # Back from an editor: its changes and runs are in the file.
        self.reload()

    # --- loading ---------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="list", name="segmentations")
    def reload(self) -> list[Segmentation]:
        assert self.project is not None
        return self.project.segmentations()

    @work(thread=True, exclusive=True, exit_on_error=False, group="features", name="features")
    def load_features(self) -> Features:
        from segtui.core.features import customer_features

        assert self.project is not None
        return customer_features(self.project)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.SUCCESS:
            if worker.name == "segmentations":
                self.show_segmentations(worker.result)  # type: ignore[arg-type]
            elif worker.name == "features":
                self.show_features(worker.result)  # type: ignore[arg-type]
        elif event.state == WorkerState.ERROR and worker.name == "features":
            self.query_one("#features-line", Static).update(
                "Customer features are not available: see the message. Import data first."
            )

    def show_features(self, features: Features) -> None:
        self.features = features
        groups: dict[str, int] = {}
        for info in features.fields:
            groups[info.group] = groups.get(info.group, 0) + 1
        kinds = ", ".join(f"{count} {group}" for group, count in groups.items())
        date = features.analysis_date.isoformat() if features.analysis_date else "not set"
        text = (
            f"{fmt_int(features.frame.height)} customers · {len(features.fields)} fields "
            f"({kinds}) · analysis date {date}"
        )
        if features.notes:
            text += "\n" + " ".join(features.notes)
        self.query_one("#features-line", Static).update(text)

    def show_segmentations(self, segmentations: list[Segmentation]) -> None:
        self.segmentations = segmentations
        table = self.query_one("#segmentations", DataTable)
        current = self.highlighted()
        table.clear()
        for seg in segmentations:
            run = seg.last_run
            table.add_row(
                _cell(seg.name),
                _cell(METHOD_LABELS.get(seg.method, seg.method)),
                _cell(fmt_int(len(run.segments)) if run else "—", True),
                _cell(run.ran_at[:16].replace("T", " ") if run else "not run yet"),
                _cell(fmt_int(run.customers) if run else "—", True),
                key=seg.name,
            )
        if not segmentations:
            table.add_row(_cell("(none yet: n creates one)"), *[_cell("")] * 4)
        names = [seg.name for seg in segmentations]
        if current in names:
            table.move_cursor(row=names.index(current))
        self._show_selected()
        self.refresh_bindings()

    def highlighted(self) -> str | None:
        table = self.query_one("#segmentations", DataTable)
        if not self.segmentations or table.row_count == 0:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def _selected(self) -> Segmentation | None:
        name = self.highlighted()
        return next((s for s in self.segmentations if s.name == name), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_selected()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def _show_selected(self) -> None:
        panel = self.query_one(RunPanel)
        if panel.running:
            return
        seg = self._selected()
        panel.segmentation = seg.name if seg else ""
        panel.show_run(seg.last_run if seg else None)
        if seg is None:
            panel.query_one("#run-status", Static).update(
                "Create a segmentation with n: rules, RFM or clustering."
            )

    # --- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "run", "rename", "delete"):
            return self._selected() is not None
        if action == "review":
            seg = self._selected()
            return seg is not None and seg.last_run is not None
        if action == "escape":
            return self.query_one(RunPanel).running
        return True

    def action_new(self) -> None:
        from segtui.tui.screens.new_segmentation import NewSegmentationModal

        taken = {seg.name for seg in self.segmentations}
        self.app.push_screen(NewSegmentationModal(taken), self._create)

    def _create(self, answer: NewSegmentation | None) -> None:
        if answer is not None:
            self.create(answer.name, answer.method)

    @work(thread=True, exclusive=True, exit_on_error=False, group="edit", name="create")
    def create(self, name: str, method: str) -> None:
        from segtui.core.features import customer_features
        from segtui.core.runner import default_definition

        project = self.project
        assert project is not None
        features = customer_features(project) if method in ("kmeans", "gmm") else None
        project.create_segmentation(name, method, default_definition(method, features))
        self.app.call_from_thread(self._created, name)

    def _created(self, name: str) -> None:
        self.reload()
        self.open_editor(name)

    def open_editor(self, name: str) -> None:
        import importlib

        seg = next((s for s in self.segmentations if s.name == name), None)
        method = seg.method if seg else None
        if seg is None:
            project = self.project
            assert project is not None
            method = project.segmentation(name).method
        module, cls = EDITORS[str(method)]
        editor = getattr(importlib.import_module(f"segtui.tui.screens.{module}"), cls)
        self.app.push_screen(editor(name))

    def action_edit(self) -> None:
        seg = self._selected()
        if seg is not None:
            self.open_editor(seg.name)

    def action_review(self) -> None:
        seg = self._selected()
        if seg is not None and seg.last_run is not None:
            self.segtui.review(seg.name)

    def action_run(self) -> None:
        seg = self._selected()
        if seg is not None:
            panel = self.query_one(RunPanel)
            panel.segmentation = seg.name
            panel.start()
            self.refresh_bindings()

    def on_run_panel_finished(self, event: RunPanel.Finished) -> None:
        self.reload()
        self.refresh_bindings()

    def action_escape(self) -> None:
        self.query_one(RunPanel).cancel()

    def action_rename(self) -> None:
        from segtui.core.segmentations import check_segmentation_name
        from segtui.tui.screens.prompt import PromptModal

        seg = self._selected()
        if seg is None:
            return

        def done(new_name: str | None) -> None:
            if new_name and new_name != seg.name:
                self.rename(seg.name, new_name)

        self.app.push_screen(
            PromptModal(f"Rename {seg.name!r} to:", seg.name, check=check_segmentation_name),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="edit", name="rename")
    def rename(self, old: str, new: str) -> None:
        assert self.project is not None
        self.project.update_segmentation(old, new_name=new)
        self.app.call_from_thread(self.reload)

    def action_delete(self) -> None:
        from segtui.tui.screens.confirm import ConfirmModal

        seg = self._selected()
        if seg is None:
            return
        runs = "its runs" if seg.last_run else "it"

        def done(confirmed: bool | None) -> None:
            if confirmed:
                self.delete(seg.name)

        self.app.push_screen(
            ConfirmModal(
                f"Delete the segmentation {seg.name!r}?",
                f"Its definition and {runs} are removed from the project file. "
                "This cannot be undone.",
                confirm_label="Delete",
            ),
            done,
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="edit", name="delete")
    def delete(self, name: str) -> None:
        assert self.project is not None
        self.project.delete_segmentation(name)
        self.app.call_from_thread(self.app.notify, f"Segmentation {name!r} deleted.")
        self.app.call_from_thread(self.reload)

    def commands(self) -> list[Command]:
        commands = [Command("segment: new segmentation…", self.action_new, "Rules, RFM, clusters")]
        seg = self._selected()
        if seg is not None:
            commands += [
                Command(f"segment: edit {seg.name}", self.action_edit, "Open its editor"),
                Command(f"segment: run {seg.name}", self.action_run, "Run and store the run"),
                Command(f"segment: rename {seg.name}…", self.action_rename, "Give it a new name"),
                Command(f"segment: delete {seg.name}…", self.action_delete, "Asks first"),
            ]
            if seg.last_run is not None:
                commands.append(
                    Command(f"segment: review {seg.name}", self.action_review, "Segments screen")
                )
        commands += [
            Command(
                f"segment: open {s.name}",
                lambda name=s.name: self.open_editor(name),  # type: ignore[misc]
                f"{METHOD_LABELS.get(s.method, s.method)} segmentation",
            )
            for s in self.segmentations
            if seg is None or s.name != seg.name
        ]
        return commands
