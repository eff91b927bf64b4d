"""The clustering editor (k-means or Gaussian mixture): pick the features, see how each is
preprocessed, scan k (chart, numbers and the recommended k), run, and rename the clusters.

Every valid change is saved at once (``ClusterSettings.to_json()`` as the definition); an
invalid one shows one line and saves nothing. Loading and planning the preprocessing run in
thread workers here; the scan in KScanPanel's, the run in the shared RunPanel's.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, SelectionList, Static
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState

from segtui.core.segment_model import METHOD_LABELS, CriteriaError
from segtui.tui.formatting import fmt_int
from segtui.tui.screens.base import Command, SegtuiScreenMixin
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.kscan_chart import KScanPanel, KSettingsForm
from segtui.tui.widgets.run_panel import RunPanel

if TYPE_CHECKING:
    from segtui.core.clustering import ClusterSettings
    from segtui.core.segment_model import Features
    from segtui.core.segmentations import RunInfo, Segmentation


@dataclass
class Loaded:
    segmentation: Segmentation
    features: Features
    free_text: dict[str, int]  # text fields with too many values -> distinct values


def feature_selections(loaded: Loaded, chosen: list[str]) -> list[Selection[str]]:
    """ "Total spend  number · computed": computed (behavioural) features first, then the
    attributes; free text is marked and cannot be picked (it cannot be clustered)."""
    selections = []
    for info in sorted(loaded.features.fields, key=lambda info: not info.computed):
        distinct = loaded.free_text.get(info.name)
        prompt = Text(info.label)
        if distinct is not None:
            prompt.append(f"  free text, {fmt_int(distinct)} values", style="dim italic")
        else:
            prompt.append(f"  {info.type} · {'computed' if info.computed else info.group}", "dim")
        disabled = distinct is not None and info.name not in chosen
        selections.append(
            Selection(prompt, info.name, info.name in chosen, id=info.name, disabled=disabled)
        )
    return selections


def settings_from(segmentation: Segmentation) -> tuple[ClusterSettings, str]:
    """The stored settings (the method decides the algorithm), and what is wrong with them."""
    from segtui.core.clustering import ClusterSettings

    problem = ""
    try:
        settings = ClusterSettings.from_json(segmentation.definition)
    except CriteriaError as exc:  # keep what can be shown, so the bad value can be fixed
        data = segmentation.definition if isinstance(segmentation.definition, dict) else {}
        numbers = {k: data[k] for k in ("k", "k_min", "k_max", "seed") if type(data.get(k)) is int}
        features = [name for name in data.get("features") or [] if isinstance(name, str)]
        settings = ClusterSettings(features=features, **numbers)
        problem = f"The stored settings need a fix: {exc}"
    algorithm = "gmm" if segmentation.method == "gmm" else "kmeans"
    return replace(settings, algorithm=algorithm), problem


class ClusterEditorScreen(SegtuiScreenMixin, Screen[None]):
    PURPOSE = (
        "Cluster the customers on the features you pick: s scans k and recommends one, r runs "
        "k-means or a Gaussian mixture and names the clusters, n renames the highlighted "
        "cluster. Every change is saved at once; Escape cancels a scan or run, else goes back."
    )
    CSS_PATH = "cluster_editor.tcss"
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (100, "-medium"), (140, "-wide")]
    BINDINGS: ClassVar = [
        Binding("s", "scan", "Scan k", id="cluster.scan", tooltip="Fit every k in the range "
                "and recommend one (the chart and numbers show why); Escape cancels."),
        Binding("r", "run", "Run", id="cluster.run", tooltip="Cluster every customer and store "
                "the run (Escape cancels; nothing is saved then)."),
        Binding("n", "rename", "Rename", id="cluster.rename", tooltip="Rename the highlighted "
                "cluster (saved at once; the next run uses the name)."),
        Binding("escape", "escape", "Cancel/back", id="cluster.escape", tooltip="Cancel the "
                "running scan or run (nothing is saved), or go back to the segmentations."),
    ]  # fmt: skip

    def __init__(self, name: str) -> None:
        super().__init__()
        self.segmentation_name = name
        self.loaded: Loaded | None = None
        self.settings: ClusterSettings | None = None  # as saved
        self.run: RunInfo | None = None
        self.scan_panel = KScanPanel(id="scan")
        self.run_panel = RunPanel(name, id="run-panel")

    def compose(self) -> ComposeResult:
        yield Static(f"{self.segmentation_name} · clustering", id="editor-title", markup=False)
        yield Static("", id="editor-error", classes="error", markup=False)
        with Horizontal(id="editor-body"):
            with Vertical(id="setup"):
                yield Static("Features (Space picks)", classes="section-title")
                features: SelectionList[str] = SelectionList(id="features", compact=True)
                features.tooltip = (
                    "The customer fields to cluster on: Space picks or drops one. Computed "
                    "behaviour first, then the customers' attributes; free text cannot be used."
                )
                yield features
                yield KSettingsForm(id="settings")
            with VerticalScroll(id="results"):
                yield Static("Preprocessing", classes="section-title")
                yield Static("Loading the segmentation and customer features…", id="plan",
                             markup=False)  # fmt: skip
                yield Static("k scan", classes="section-title", id="scan-title")
                yield self.scan_panel
                yield Static("Clusters", classes="section-title", id="clusters-title")
                yield self.run_panel
                yield Static("", id="cluster-detail", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one("#editor-error").display = False
        self.load()

    # --- loading --------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load", name="load")
    def load(self) -> Loaded:
        # Loading scikit-learn's compiled modules holds the GIL for a moment (~0.25 s): pay it
        # here, while the screen says it is loading, not in the middle of the first k scan.
        import sklearn.cluster
        import sklearn.mixture  # noqa: F401

        import segtui.core.clustering  # noqa: F401 (its numpy and polars: off the UI thread)
        from segtui.core.cluster_prep import MAX_TEXT_LEVELS
        from segtui.core.features import customer_features

        project = self.project
        assert project is not None
        segmentation = project.segmentation(self.segmentation_name)
        features = customer_features(project)
        free_text = {}
        for info in features.fields:
            if info.type == "text":
                distinct = features.frame.get_column(info.name).drop_nulls().n_unique()
                if distinct > MAX_TEXT_LEVELS:
                    free_text[info.name] = distinct
        return Loaded(segmentation, features, free_text)

    def adopt(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.settings, problem = settings_from(loaded.segmentation)
        if problem:
            self.notify(problem, severity="warning", markup=False)
        known = [name for name in self.settings.features if name in loaded.features.by_name]
        if known != self.settings.features:
            gone = ", ".join(sorted(set(self.settings.features) - set(known)))
            self.save(replace(self.settings, features=known))
            message = f"{gone}: no longer customer fields here; dropped from the features."
            self.notify(message, severity="warning", markup=False)
        features = self.query_one("#features", SelectionList)
        features.add_options(feature_selections(loaded, self.settings.features))
        self.query_one(KSettingsForm).fill(self.settings)
        self._title()
        self.run = loaded.segmentation.last_run
        self.run_panel.show_run(self.run)
        self._show_cluster(0)
        self.replan()
        features.focus()
        self.refresh_bindings()

    def _title(self) -> None:
        assert self.settings is not None and self.loaded is not None
        method = METHOD_LABELS[self.settings.algorithm]
        customers = fmt_int(self.loaded.features.frame.height)
        self.query_one("#editor-title", Static).update(
            f"{self.segmentation_name} · clustering with {method} · {customers} customers"
        )

    def show_error(self, message: str) -> None:
        error = self.query_one("#editor-error", Static)
        error.update(message)
        error.display = True

    def clear_error(self) -> None:
        self.query_one("#editor-error").display = False

    # --- editing: every valid change is saved at once -------------------------------------

    def candidate(self) -> ClusterSettings:
        """The settings the widgets show (CriteriaError names the first bad one)."""
        assert self.settings is not None and self.loaded is not None
        chosen = self.query_one("#features", SelectionList).selected
        kept = [name for name in self.settings.features if name in chosen]
        settings = replace(
            self.settings,
            features=kept + [name for name in chosen if name not in kept],
            names=dict(self.settings.names),
            **self.query_one(KSettingsForm).values(),
        )
        settings.check(self.loaded.features.frame.height)
        return settings

    def save(self, settings: ClusterSettings) -> bool:
        """Store the settings (and the method when the algorithm changed)."""
        assert self.settings is not None and self.project is not None
        method = settings.algorithm if settings.algorithm != self.settings.algorithm else None
        try:
            self.project.update_segmentation(
                self.segmentation_name, definition=settings.to_json(), method=method
            )
        except CriteriaError as exc:
            self.show_error(f"{exc} Nothing was saved.")
            return False
        replan = settings.features != self.settings.features
        self.settings = settings
        self.clear_error()
        self._title()
        self.scan_panel.follow(settings)
        if replan:
            self.replan()
        return True

    def apply(self, fix: str = "Nothing was saved.") -> ClusterSettings | None:
        """Save what the widgets show when it is valid (and new); else one line, and None."""
        if self.settings is None:
            return None
        try:
            settings = self.candidate()
        except CriteriaError as exc:
            self.show_error(f"{exc} {fix}")
            return None
        if settings == self.settings:
            self.clear_error()
            return settings
        return settings if self.save(settings) else None

    @on(SelectionList.SelectedChanged, "#features")
    @on(Select.Changed, "#algorithm")
    @on(Input.Changed, "#settings Input")
    def edited(self) -> None:
        self.apply()

    def replan(self) -> None:
        if self.loaded is not None and self.settings is not None:
            self.plan(self.loaded.features, list(self.settings.features))

    @work(thread=True, exclusive=True, exit_on_error=False, group="plan", name="plan")
    def plan(self, features: Features, names: list[str]) -> str:
        """The preprocessing of the chosen features in words (or why it cannot be done)."""
        from segtui.core.cluster_prep import plan_preprocessing

        try:
            plan = plan_preprocessing(features, names)
        except CriteriaError as exc:
            return str(exc)
        lines = [f"• {line}" for line in plan.lines] + [f"! {w}" for w in plan.warnings]
        columns = len(plan.columns)
        return "\n".join([*lines, f"{columns} column{'s' * (columns != 1)} to cluster on."])

    # --- scanning, running and naming -----------------------------------------------------

    def action_scan(self) -> None:
        settings = self.apply("Fix it to scan.")
        if settings is None or self.loaded is None:
            return
        self.scan_panel.start(self.loaded.features, settings)
        self.query_one("#scan-title").scroll_visible(top=True)
        self.refresh_bindings()

    def on_kscan_panel_finished(self, event: KScanPanel.Finished) -> None:
        self.refresh_bindings()
        if event.scan is None or self.settings is None:
            return
        self.scan_panel.follow(self.settings)
        self.query_one("#k", Input).placeholder = f"recommended ({event.scan.recommended})"
        self.query_one("#scan-table").focus(scroll_visible=False)
        title = self.query_one("#scan-title")
        self.call_after_refresh(title.scroll_visible, top=True, animate=False)

    @on(DataTable.RowSelected, "#scan-table")
    def use_scanned_k(self, event: DataTable.RowSelected) -> None:
        """Enter on a row of the scan table: run with that k."""
        event.stop()
        self.query_one(KSettingsForm).set("k", str(event.row_key.value))

    def action_run(self) -> None:
        if self.apply("Fix it to run.") is None:
            return
        self.run_panel.start()
        self.query_one("#clusters-title").scroll_visible(top=True)
        self.refresh_bindings()

    def on_run_panel_finished(self, event: RunPanel.Finished) -> None:
        self.run = event.run
        self._show_cluster(0)
        self.query_one("#run-counts", DataTable).focus(scroll_visible=False)
        self.call_after_refresh(self.query_one("#results").scroll_end, animate=False)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#run-counts")
    def cluster_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_cluster(event.cursor_row)

    def _profile(self, row: int) -> dict[str, Any] | None:
        profiles = (self.run.details.get("profiles") or []) if self.run else []
        return profiles[row] if 0 <= row < len(profiles) else None

    def _show_cluster(self, row: int) -> None:
        """What sets the highlighted cluster apart, and its new name when renamed."""
        detail = self.query_one("#cluster-detail", Static)
        profile = self._profile(row)
        if profile is None or self.settings is None:
            detail.update("")
            return
        key = str(profile["key"])
        terms = [
            f"{d['term']} ({d['z']:+.1f} sd)" if "cluster_mean" in d else str(d["term"])
            for d in profile.get("differences", [])
        ]
        text = f"Cluster {key} stands out by: {', '.join(terms) or 'nothing (typical)'}."
        renamed = self.settings.names.get(key)
        if renamed and renamed != profile["name"]:
            text += f"\nRenamed {renamed!r} (in the latest run too)."
        detail.update(text + "\nn renames the highlighted cluster.")

    def _named(self, key: str, name: str) -> ClusterSettings:
        """The settings with cluster ``key`` named ``name`` (blank: the generated name)."""
        assert self.settings is not None
        names = {k: v for k, v in self.settings.names.items() if k != key}
        if name.strip():
            names[key] = " ".join(name.split())
        settings = replace(self.settings, names=names)
        settings.check()  # CriteriaError: a name given twice
        return settings

    def _rename_in_run(self, row: int, name: str) -> None:
        """The latest run shows the new name too (its segment rows and its customers)."""
        from segtui.core.errors import SegtuiError

        if self.run is None or self.project is None or not 0 <= row < len(self.run.segments):
            return
        try:
            self.run = self.project.rename_run_segment(
                self.run.id, self.run.segments[row].name, name
            )
        except SegtuiError as exc:
            self.show_error(str(exc))

    def action_rename(self) -> None:
        from segtui.tui.screens.prompt import PromptModal

        row = self.query_one("#run-counts", DataTable).cursor_row
        profile = self._profile(row)
        if profile is None or self.settings is None:
            return
        key, shown = str(profile["key"]), self.settings.names.get(str(profile["key"]))

        def check(text: str) -> str:
            self._named(key, text)  # its CriteriaError is shown in the modal
            return " ".join(text.split())

        def done(name: str | None) -> None:
            if name is not None and self.save(self._named(key, name)):
                table = self.query_one("#run-counts", DataTable)
                table.update_cell_at(Coordinate(row, 0), Text(name or str(profile["name"])))
                self._rename_in_run(row, name or str(profile.get("generated", profile["name"])))
                self._show_cluster(row)

        detail = f"In the last run: {profile['name']}. Blank: the generated name."
        title, current = f"Name of cluster {key}", shown or str(profile["name"])
        self.app.push_screen(PromptModal(title, current, detail=detail, check=check), done)

    # --- keys, workers and the palette ----------------------------------------------------

    def action_escape(self) -> None:
        if not self.scan_panel.cancel() and not self.run_panel.cancel():
            self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A run's end is not reported when it fails, so "run" stays shown (a press while it
        # runs does nothing); a scan always reports its end.
        if action == "scan":
            return self.loaded is not None and not self.scan_panel.scanning
        if action == "run":
            return self.loaded is not None
        if action == "rename":
            return self._profile(0) is not None
        return True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name == "load" and event.state == WorkerState.SUCCESS:
            self.adopt(worker.result)  # type: ignore[arg-type]
        elif worker.name == "load" and event.state == WorkerState.ERROR:
            self.query_one("#plan", Static).update("The segmentation could not be loaded.")
        elif worker.name == "plan" and event.state == WorkerState.SUCCESS:
            self.query_one("#plan", Static).update(str(worker.result))

    def commands(self) -> list[Command]:
        if self.settings is None:
            return []
        c = Command
        commands = [
            c("clustering: choose features", self.query_one("#features").focus, "Space picks")
        ]
        if self.scan_panel.scanning or self.run_panel.running:
            commands.append(c("clustering: cancel", self.action_escape, "Nothing is saved"))
        else:
            commands += [
                c("clustering: scan k", self.action_scan, "Recommend a k (chart and numbers)"),
                c("clustering: run", self.action_run, "Cluster and store the run"),
            ]
        form = self.query_one(KSettingsForm)
        other = "gmm" if self.settings.algorithm == "kmeans" else "kmeans"
        commands.append(c(f"clustering: use {METHOD_LABELS[other]}",
                          lambda: form.set("algorithm", other), "Saved at once"))  # fmt: skip
        if self.settings.k is not None:
            commands.append(c("clustering: use the recommended k", lambda: form.set("k", ""),
                              "Blank k: the run uses the k its scan recommends"))  # fmt: skip
        if self._profile(0) is not None:
            commands.append(c("clustering: rename cluster…", self.action_rename, "Saved at once"))
        return commands
