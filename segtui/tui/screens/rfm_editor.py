"""The RFM editor: how customers are scored (bins, monetary measure, custom cut points) and
which segment each score cell belongs to (the R × F grid, or the R/F/M range table template),
with the customers per cell and per segment, the score thresholds and the scoring warnings.

Every change is checked and written to the project file at once; invalid input shows one line
and saves nothing. Scores are recomputed in a thread worker (rfm.score: one pass over the
customer features) when something that changes them does (bins, monetary, cut points); map
edits only rename cells, so the counts per cell stay.

This module holds the screen: its layout, loading and scoring, the settings controls, running.
Showing and editing the segment map is in rfm_segment_map.py (a mixin), the move-cell dialog in
rfm_move_modal.py, the settings' choices and cut-point parsing in rfm_settings_inputs.py, and
the map widget and the tables beside it in widgets/rfm_grid.py and widgets/rfm_tables.py.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from segtui.core.errors import SegtuiError
from segtui.core.rfm_map import check_ranges
from segtui.core.rfm_settings import DIMENSION_NAMES, DIMENSIONS, RfmSettings
from segtui.core.segment_model import CriteriaError
from segtui.tui.screens.base import Command, SegtuiScreenMixin
from segtui.tui.screens.rfm_move_modal import MoveCellModal  # noqa: F401 (tests import it here)
from segtui.tui.screens.rfm_segment_map import RfmSegmentMapMixin
from segtui.tui.screens.rfm_settings_inputs import (
    BINS,
    CUT_EXAMPLES,
    CUT_LABELS,
    MONETARY,
    TEMPLATES,
    cuts_text,
    parse_cuts,
    with_bins,
)
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.rfm_grid import RfmGrid, segment_colours
from segtui.tui.widgets.rfm_tables import (
    ScoreView,
    score_view,
    scoring_key,
    segment_totals,
    thresholds_table,
    totals_table,
)
from segtui.tui.widgets.run_panel import RunPanel

if TYPE_CHECKING:
    from segtui.core.segmentations import Segmentation


class RfmEditorScreen(RfmSegmentMapMixin, SegtuiScreenMixin, Screen[None]):
    PURPOSE = (
        "Edit an RFM segmentation: how customers are scored (bins, monetary, cut points) and "
        "which segment each recency × frequency cell belongs to. Every change is saved at once."
    )
    CSS_PATH = "rfm_editor.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar = [
        Binding("escape", "back", "Back", id="rfm.back",
                tooltip="Back to the list of segmentations (cancels a running run first)."),
        Binding("n", "rename", "Rename", id="rfm.rename",
                tooltip="Rename the segment of the highlighted cell (every cell of it)."),
        Binding("m", "move", "Move", id="rfm.move",
                tooltip="Put the highlighted cell in another segment (pick one or type a name)."),
        Binding("R", "reset", "Reset", id="rfm.reset",
                tooltip="Reset the segment map to the default for these bins (asks first)."),
        Binding("r", "run", "Run", id="rfm.run",
                tooltip="Run the segmentation and store the run (Escape cancels)."),
    ]  # fmt: skip

    def __init__(self, name: str) -> None:
        super().__init__()
        self.segmentation = name
        self.settings: RfmSettings | None = None
        self.view: ScoreView | None = None
        self.bad_cuts: set[str] = set()

    @property
    def currency(self) -> str:
        settings = self.segtui.settings
        return settings.currency if settings is not None else ""

    def compose(self) -> ComposeResult:
        yield Static(f"RFM segmentation · {self.segmentation}", id="rfm-title", markup=False)
        with VerticalScroll(id="rfm-body"):
            with Horizontal(classes="rfm-row"):
                for key, label, options, tip in (
                    ("bins", "Bins", BINS, "How many scores per dimension (quantiles)."),
                    ("monetary", "Monetary", MONETARY, "What M measures: total spend or AOV."),
                    ("template", "Map", TEMPLATES, "The R × F grid (a complete map) or the "
                     "R/F/M range table template (it leaves gaps and overlaps: see below)."),
                ):  # fmt: skip
                    yield Label(label, classes="rfm-label")
                    choices = [(text, value) for value, text in options.items()]
                    yield Select(choices, allow_blank=False, compact=True, id=f"rfm-{key}",
                                 tooltip=tip)  # fmt: skip
            with Horizontal(classes="rfm-row"):
                yield Label("Cut points", classes="rfm-label")
                for dim in DIMENSIONS:
                    label = CUT_LABELS[dim] + (f" {self.currency}" if dim == "m" else "")
                    yield Label(label.strip(), classes="rfm-label")
                    yield Input(
                        compact=True,
                        id=f"cuts-{dim}",
                        classes="rfm-cuts",
                        placeholder="quantiles",
                        tooltip=f"Custom {DIMENSION_NAMES[dim]} cut points, e.g. "
                        f"{CUT_EXAMPLES[dim]}; blank = quantiles. Enter applies.",
                    )
            yield Static("", id="rfm-error", classes="error", markup=False)
            yield Static("", id="rfm-warnings", markup=False)
            yield Static("", id="rfm-note", markup=False)
            with Vertical(id="grid-view"):
                yield Static("Segment map", id="map-title", classes="rfm-title", markup=False)
                yield RfmGrid(id="rfm-grid")
            with Vertical(id="ranges-view"):
                yield Static("", id="ranges-title", classes="rfm-title", markup=False)
                yield Static("", id="rules")
                table: DataTable[Any] = DataTable(id="problem-cells", cursor_type="row")
                table.add_columns("Cell", "Customers", "Rules that match", "Goes to")
                table.tooltip = "Score cells no rule covers (→ Others) or more rules match."
                yield table
            with Horizontal(id="rfm-tables"):
                with Vertical(id="totals-box"):
                    yield Static("Segments", classes="rfm-title")
                    yield Static("", id="totals")
                with Vertical(id="thresholds-box"):
                    yield Static("", id="thresholds-title", classes="rfm-title", markup=False)
                    yield Static("", id="thresholds")
            yield RunPanel(self.segmentation, id="run-panel")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(RfmGrid).tooltip = (
            "The segment map: rows are recency scores (best at the top), columns frequency "
            "scores. Enter or n renames a cell's segment, m moves the cell, R resets the map."
        )
        for widget in ("#rfm-error", "#rfm-warnings", "#rfm-note", "#ranges-view", "#run-panel"):
            self.query_one(widget).display = False
        self.load()

    # --- loading and scoring -------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="rfm", name="rfm_load")
    def load(self) -> tuple[Segmentation, RfmSettings]:
        project = self.project
        assert project is not None
        seg = project.segmentation(self.segmentation)
        if seg.method != "rfm":
            raise CriteriaError(f"{seg.name!r} is not an RFM segmentation.")
        return seg, RfmSettings.from_json(seg.definition)

    @work(thread=True, exclusive=True, exit_on_error=False, group="rfm_score", name="rfm_score")
    def score(self, settings: RfmSettings) -> ScoreView:
        """Score with the customer features (built once, then from the per-process cache)."""
        from segtui.core.features import customer_features

        assert self.project is not None
        return score_view(customer_features(self.project), settings)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.SUCCESS and worker.name == "rfm_load":
            seg, self.settings = worker.result  # type: ignore[misc]
            self.segmentation = seg.name
            self._sync_controls()
            panel = self.query_one(RunPanel)
            panel.display = seg.last_run is not None
            panel.show_run(seg.last_run)
            self.score(self.settings)
            self.show()
            self.query_one(RfmGrid).focus()
        elif event.state == WorkerState.SUCCESS and worker.name == "rfm_score":
            view: ScoreView = worker.result  # type: ignore[assignment]
            if self.settings is not None and view.key == scoring_key(self.settings):
                self.view = view
                self.show()
        # Failures: SegtuiScreenMixin's handler (Textual calls it too) routes them to the app,
        # which shows them here through show_error.

    def show_error(self, message: str) -> None:
        error = self.query_one("#rfm-error", Static)
        error.update(message)
        error.display = bool(message)

    def clear_error(self) -> None:
        self.show_error("")

    def _note(self, text: str) -> None:
        note = self.query_one("#rfm-note", Static)
        note.update(text)
        note.display = bool(text)

    # --- showing --------------------------------------------------------------------------

    def _sync_controls(self) -> None:
        """Controls show the saved settings (a change made here never echoes back)."""
        settings = self.settings
        assert settings is not None
        with self.prevent(Select.Changed):
            self.query_one("#rfm-bins", Select).value = settings.bins
            self.query_one("#rfm-monetary", Select).value = settings.monetary
            self.query_one("#rfm-template", Select).value = settings.template
        for dim in DIMENSIONS:
            cut = self.query_one(f"#cuts-{dim}", Input)
            cut.value = cuts_text(settings.cuts.get(dim))
            cut.remove_class("bad")
        self.bad_cuts.clear()

    def show(self) -> None:
        """Everything below the settings, from the settings and the latest scores."""
        settings, view = self.settings, self.view
        if settings is None:
            return
        grid_mode = settings.template == "grid"
        self.query_one("#grid-view").display = grid_mode
        self.query_one("#ranges-view").display = not grid_mode
        current = view if view is not None and view.key == scoring_key(settings) else None
        check = None if grid_mode else check_ranges(settings.effective_ranges(), settings.bins)
        totals = segment_totals(settings, current, check) if current else {}
        names = list(totals) or [n for row in settings.effective_grid() for n in row]
        colours = segment_colours(names)
        if grid_mode:
            self.query_one(RfmGrid).show(
                settings.effective_grid(), current.counts if current else None, colours
            )
            self._show_cell()
        elif check is not None:
            self._show_ranges(settings, check, current, colours)
        warnings = self.query_one("#rfm-warnings", Static)
        warnings.update("\n".join(f"⚠ {w}" for w in current.warnings) if current else "")
        warnings.display = bool(current and current.warnings)
        if current is None:
            return
        self.query_one("#totals", Static).update(totals_table(totals, current.population, colours))
        measure = MONETARY[settings.monetary]
        self.query_one("#thresholds-title", Static).update(
            f"Thresholds: R days · F orders · M {measure}"
        )
        self.query_one("#thresholds", Static).update(
            thresholds_table(current, settings.bins, self.currency)
        )

    # --- changing the settings -------------------------------------------------------------

    def apply(self, settings: RfmSettings, note: str = "") -> bool:
        """Check and save new settings; on a problem show it and keep the saved ones."""
        old = self.settings
        project = self.project
        if old is None or project is None:
            return False
        try:
            settings.validate()
            project.update_segmentation(self.segmentation, definition=settings.to_json())
        except SegtuiError as exc:
            self.show_error(str(exc))
            return False
        self.settings = settings
        self.clear_error()
        self._note(note)
        if scoring_key(settings) != scoring_key(old):
            self.score(settings)
        self.show()
        self.refresh_bindings()
        return True

    @on(Select.Changed)
    def setting_chosen(self, event: Select.Changed) -> None:
        event.stop()
        settings, value = self.settings, event.value
        if settings is None or value is Select.NULL:
            return
        if event.select.id == "rfm-bins" and value != settings.bins:
            new, note = with_bins(settings, int(value))  # type: ignore[call-overload]
            if self.apply(new, note):
                self._sync_controls()
                self.notify(note, title="Bins changed", markup=False)
        elif event.select.id == "rfm-monetary" and value != settings.monetary:
            self.apply(replace(settings, monetary=value))  # type: ignore[arg-type]
        elif event.select.id == "rfm-template" and value != settings.template:
            self.apply(replace(settings, template=value))  # type: ignore[arg-type]

    @on(Input.Submitted, ".rfm-cuts")
    @on(Input.Blurred, ".rfm-cuts")
    def cuts_entered(self, event: Input.Submitted | Input.Blurred) -> None:
        event.stop()
        settings = self.settings
        dim = (event.input.id or "")[-1]
        if settings is None or dim not in DIMENSIONS:
            return
        try:
            values = parse_cuts(event.value, dim)
            if values == settings.cuts.get(dim) and dim not in self.bad_cuts:
                return
            cuts = {k: v for k, v in settings.cuts.items() if k != dim}
            if values is not None:
                cuts[dim] = values
            new = replace(settings, cuts=cuts)
        except SegtuiError as exc:
            self.show_error(str(exc))
            ok = False
        else:
            ok = self.apply(new)
        event.input.set_class(not ok, "bad")
        if ok:
            self.bad_cuts.discard(dim)
            event.input.value = cuts_text(self.settings.cuts.get(dim))  # type: ignore[union-attr]
        else:
            self.bad_cuts.add(dim)

    # --- editing the map ------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rename", "move"):
            return self._editable()
        if action in ("reset", "run"):
            return self.settings is not None and not self.query_one(RunPanel).running
        return True

    # --- running and leaving ----------------------------------------------------------------

    def action_run(self) -> None:
        if self.bad_cuts:
            self.show_error("Fix the cut points first (the last valid ones are saved).")
            return
        panel = self.query_one(RunPanel)
        panel.display = True
        panel.start()
        self.refresh_bindings()
        self.call_after_refresh(panel.scroll_visible)

    def on_run_panel_finished(self, event: RunPanel.Finished) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        panel = self.query_one(RunPanel)
        if panel.running:
            panel.cancel()
        else:
            self.app.pop_screen()

    def commands(self) -> list[Command]:
        settings = self.settings
        if settings is None:
            return []
        commands = [Command("rfm: run", self.action_run, "Run it and store the run")]
        if self.query_one(RunPanel).running:
            commands = [Command("rfm: cancel the run", self.action_back, "Nothing is saved")]
        if self._editable():
            commands += [
                Command("rfm: rename segment…", self.action_rename, "Of the highlighted cell"),
                Command("rfm: move cell…", self.action_move, "Into another or a new segment"),
            ]
        commands.append(Command("rfm: reset map", self.action_reset, "Back to the default"))
        for key, options, current in (
            ("bins", BINS, settings.bins),
            ("monetary", MONETARY, settings.monetary),
            ("template", TEMPLATES, settings.template),
        ):
            select = self.query_one(f"#rfm-{key}", Select)
            commands += [
                Command(f"rfm: {key} {text}", lambda s=select, v=value: setattr(s, "value", v))  # type: ignore[misc]
                for value, text in options.items()
                if value != current
            ]
        return commands
