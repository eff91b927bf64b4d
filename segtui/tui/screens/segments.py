"""Segments (review): one segmentation's latest run at a glance. The table of its segments
(sorted by value, sortable by any column, with totals), the focused segment's profile (what
sets it apart), and charts: sizes and revenue shares, the distribution of a feature in the
segment against everyone, the R × F grid of an RFM run, the k-selection curves and a 2-D
projection of a clustering run. From here: members, comparison, overlap and cross-tab, rename,
description and export (segments_actions.py).

All loading and computing runs in thread workers; the screen only shows what they return.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from segtui.core.segment_model import METHOD_LABELS
from segtui.tui.formatting import fmt_int
from segtui.tui.screens.base import SegtuiScreen
from segtui.tui.screens.run_choice import segmentation_to_show
from segtui.tui.screens.segments_actions import SegmentActions
from segtui.tui.screens.segments_charts import SegmentCharts
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.profile_panel import ProfilePanel
from segtui.tui.widgets.segment_charts import ChartView, HeatView
from segtui.tui.widgets.segment_table import SegmentTable
from segtui.tui.widgets.tabbar import ScreenTabs

if TYPE_CHECKING:
    from segtui.core.charts import BarChart, HeatGrid, LineChart, Scatter
    from segtui.core.profile import RunSummary, SegmentProfile, SegmentRow
    from segtui.core.run_data import RunData
    from segtui.core.segmentations import Segmentation

WIDE = 150  # columns from which the profile sits beside the table rather than in a tab
CLUSTERING = ("kmeans", "gmm")


@dataclass
class Loaded:
    """What the loading worker hands the screen."""

    data: RunData
    summary: RunSummary
    profiles: dict[str, SegmentProfile]
    sizes: BarChart
    rf_grid: HeatGrid | None
    rf_monetary: HeatGrid | None  # the same grid with the mean monetary value per cell
    k_curves: list[LineChart] | None


def load_run_view(data: RunData) -> Loaded:
    """Everything the screen shows for a run, computed off the UI thread."""
    from segtui.core.charts import k_curves, rf_grid, sizes_chart
    from segtui.core.profile import profile_run, summarise

    summary = summarise(data)
    rfm = data.run.method == "rfm"
    return Loaded(
        data,
        summary,
        profile_run(data),
        sizes_chart(summary),
        rf_grid(data) if rfm else None,
        rf_grid(data, "monetary") if rfm else None,
        k_curves(data.run) if data.run.method in CLUSTERING else None,
    )


class SegmentsScreen(SegmentCharts, SegmentActions, SegtuiScreen):
    PURPOSE = (
        "Review a segmentation's latest run: its segments by value, what sets each apart, "
        "charts, members, comparison, overlap and export. p picks another segmentation."
    )
    CSS_PATH = "segments.tcss"
    BINDINGS: ClassVar = [
        Binding("p", "pick", "Segmentation", id="segments.pick",
                tooltip="Pick the segmentation to review (fuzzy search)."),
        Binding("enter", "members", "Members", id="segments.members",
                tooltip="List the highlighted segment's customers with their features."),
        Binding("M", "all_members", "All members", show=False, id="segments.all_members",
                tooltip="List every customer of the run with their segment."),
        Binding("c", "compare", "Compare", id="segments.compare",
                tooltip="Compare the highlighted segment with another, side by side."),
        Binding("o", "overlap", "Overlap", id="segments.overlap",
                tooltip="The overlap matrix (counts and Jaccard) of the run's segments."),
        Binding("x", "crosstab", "Cross-tab", show=False, id="segments.crosstab",
                tooltip="Cross-tab this run's segments with another segmentation's."),
        Binding("f", "feature", "Feature", id="segments.feature",
                tooltip="Pick the feature whose distribution the chart shows."),
        Binding("m", "heat", "Count/value", show=False, id="segments.heat",
                tooltip="R × F grid: switch between customers and mean monetary per cell."),
        Binding("K", "scan_k", "Scan k", show=False, id="segments.scan_k",
                tooltip="Clustering run with k set by hand: scan k and keep its curves."),
        Binding("s", "sort", "Sort", show=False, id="segments.sort",
                tooltip="Sort the table by the next column."),
        Binding("S", "reverse", "Reverse", show=False, id="segments.reverse",
                tooltip="Reverse the table's order."),
        Binding("n", "rename", "Rename", show=False, id="segments.rename",
                tooltip="Rename the highlighted segment (saved at once, next runs keep it)."),
        Binding("e", "describe", "Describe", show=False, id="segments.describe",
                tooltip="Describe the highlighted segment in your words (saved at once)."),
        Binding("ctrl+e", "export", "Export", id="segments.export",
                tooltip="Export members, the summary table or the chart to a file."),
        Binding("right_square_bracket", "tab(1)", "Next chart", show=False,
                id="segments.next_tab", tooltip="Show the next chart tab."),
        Binding("left_square_bracket", "tab(-1)", "Previous chart", show=False,
                id="segments.previous_tab", tooltip="Show the previous chart tab."),
    ]  # fmt: skip

    def __init__(self) -> None:
        super().__init__()
        self.segmentations: list[Segmentation] = []
        self.segmentation_name: str | None = None
        self.loaded: Loaded | None = None
        self.feature: str | None = None  # chosen with f; else the segment's most distinctive
        self.projection_shown_for: int | None = None
        self.pending_select: str | None = None  # a segment to highlight once reloaded
        self.heat_monetary = False  # the R × F grid shows mean monetary rather than counts
        self.stale = False  # the project changed: load the run again even if it is the same

    def compose(self) -> ComposeResult:
        yield ScreenTabs("segments", [(s.mode, s.title, s.key) for s in self.segtui.main_screens])
        with Vertical(id="segments"):
            yield Static("Loading…", id="run-line", markup=False)
            yield Static("", id="segments-error", classes="error", markup=False)
            with Horizontal(id="segments-top"):
                table = SegmentTable(id="segment-table")
                table.tooltip = "Segments: Enter lists members, s sorts, c compares, n renames."
                yield table
                yield ProfilePanel(id="side-profile")
            with TabbedContent(id="charts"):
                with TabPane("Profile", id="pane-profile"):
                    yield ProfilePanel(id="tab-profile")
                with TabPane("Sizes", id="pane-sizes"), Horizontal():
                    yield ChartView(id="chart-sizes")
                    yield ChartView(id="chart-revenue")
                with TabPane("Distribution", id="pane-distribution"):
                    yield ChartView(id="chart-distribution")
                with TabPane("R × F", id="pane-rf"):
                    yield HeatView(id="heat-rf")
                with TabPane("k selection", id="pane-k"), Horizontal():
                    yield ChartView(id="chart-k1")
                    yield ChartView(id="chart-k2")
                with TabPane("Projection", id="pane-projection"):
                    yield ChartView(id="chart-projection")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.segtui.project_changed.subscribe(self, lambda _: self.on_project_changed())
        self._arrange()
        self.reload()
        self.query_one(SegmentTable).focus()

    def on_screen_resume(self) -> None:
        self.reload()  # back from the Criteria screen or a pushed screen: runs may be new

    def on_resize(self) -> None:
        self._arrange()

    def _arrange(self) -> None:
        """Profile beside the table when wide; in the first chart tab when narrow."""
        wide = self.size.width >= WIDE
        self.query_one("#side-profile").display = wide
        tabs = self.query_one(TabbedContent)
        if wide:
            if tabs.active == "pane-profile":
                tabs.active = "pane-sizes"
            tabs.hide_tab("pane-profile")
        else:
            tabs.show_tab("pane-profile")

    # --- loading ---------------------------------------------------------------------------

    def show_segmentation(self, name: str) -> None:
        """Review ``name`` (from the picker, the palette or the Criteria screen)."""
        self.segmentation_name = name
        self.feature = None
        self.load_run(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="list", name="segmentations")
    def reload(self) -> list[Segmentation]:
        assert self.project is not None
        return self.project.segmentations()

    def load_run(self, name: str) -> None:
        self.query_one("#run-line", Static).update(
            f"Loading {name}: its customers, their features and the profiles…"
        )
        self._load_run(name)

    @work(thread=True, exclusive=True, exit_on_error=False, group="run", name="load-run")
    def _load_run(self, name: str) -> Loaded:
        from segtui.core.run_data import latest_run

        assert self.project is not None
        return load_run_view(latest_run(self.project, name))

    @work(thread=True, exclusive=True, exit_on_error=False, group="chart", name="distribution")
    def load_distribution(self, segment: str, field: str) -> BarChart:
        from segtui.core.charts import distribution_chart

        assert self.loaded is not None
        return distribution_chart(self.loaded.data, segment, field)

    @work(thread=True, exclusive=True, exit_on_error=False, group="projection", name="projection")
    def load_projection(self, data: RunData) -> Scatter | None:
        from segtui.core.charts import projection

        return projection(data, seed=int(data.run.parameters.get("seed", 0) or 0))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state == WorkerState.SUCCESS:
            result: Any = worker.result
            if worker.name == "segmentations":
                self.show_segmentations(result)
            elif worker.name == "load-run":
                self.show_loaded(result)
            elif worker.name == "distribution":
                self.query_one("#chart-distribution", ChartView).show(result)
            elif worker.name == "projection":
                self.query_one("#chart-projection", ChartView).show(
                    result, "A projection is drawn for clustering runs only."
                )
        elif event.state == WorkerState.ERROR:
            from segtui.tui.errors import failure_message

            why = failure_message(worker.error) if worker.error else "it failed"
            if worker.name == "load-run":
                self.loaded = None
                self.query_one("#run-line", Static).update(
                    f"{self.segmentation_name}: could not be loaded: {why}"
                )
                self.refresh_bindings()
            elif worker.name == "distribution":
                self.query_one("#chart-distribution", ChartView).show(None, why)
            elif worker.name == "projection":
                self.query_one("#chart-projection", ChartView).show(None, why)
            elif worker.name == "scan-k":
                self.query_one("#chart-k1", ChartView).show(None, why)

    def show_segmentations(self, segmentations: list[Segmentation]) -> None:
        self.segmentations = segmentations
        wanted = self.segtui.review_target or self.segmentation_name
        self.segtui.review_target = None
        shown = self.loaded.data.run.id if self.loaded is not None else None
        seg = segmentation_to_show(segmentations, wanted, shown)
        if seg is None:
            self.show_nothing()
            return
        target = seg.name
        current = self.loaded
        if (
            current is None
            or target != self.segmentation_name
            or current.data.run.id != seg.last_run.id  # type: ignore[union-attr]
            or self._renamed(current, seg)
            or self.stale
        ):
            if current is not None and self._renamed(current, seg):
                self.projection_shown_for = None  # its legend names the segments
            self.stale = False
            self.segmentation_name = target
            self.load_run(target)
        self.refresh_bindings()

    def show_error(self, message: str) -> None:
        self.query_one("#segments-error", Static).update(message)

    def clear_error(self) -> None:
        self.query_one("#segments-error", Static).update("")

    def on_project_changed(self) -> None:
        """Settings or data changed: the currency, the analysis date or the features may
        differ, so the run is loaded again even when it is the same run."""
        self.stale = True
        self.reload()

    @staticmethod
    def _renamed(current: Loaded, seg: Segmentation) -> bool:
        assert seg.last_run is not None
        then = [(s.name, s.description) for s in current.data.run.segments]
        return then != [(s.name, s.description) for s in seg.last_run.segments]

    def show_loaded(self, loaded: Loaded) -> None:
        self.loaded = loaded
        self.clear_error()
        data = loaded.data
        run = data.run
        method = METHOD_LABELS.get(run.method, run.method)
        kind = "overlapping" if loaded.summary.overlapping else "exclusive"
        line = (
            f"{run.segmentation} ({method}, {kind}) · run {run.id} of {run.ran_at[:16]}"
            f" · analysis date {run.analysis_date or '—'} · {fmt_int(run.customers)} of "
            f"{fmt_int(run.population)} customers · {len(run.segments)} segments"
        ).replace("T", " ")
        if data.notes:
            line += "\n" + " ".join(data.notes)
        self.query_one("#run-line", Static).update(line)
        table = self.query_one(SegmentTable)
        table.show(loaded.summary, data.currency)
        if self.pending_select is not None:
            table.select(self.pending_select)
            self.pending_select = None
        self._show_sizes(loaded)
        self._show_method_tabs(loaded)
        self._show_focus()
        self.refresh_bindings()

    # --- the focused segment -------------------------------------------------------------

    @property
    def focused_segment(self) -> str | None:
        return self.query_one(SegmentTable).highlighted_segment

    def focused_row(self) -> SegmentRow | None:
        name = self.focused_segment
        if self.loaded is None or name is None:
            return None
        return next((r for r in self.loaded.summary.rows if r.name == name), None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if isinstance(event.data_table, SegmentTable):
            self._show_focus()
            self.refresh_bindings()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if isinstance(event.data_table, SegmentTable):
            event.stop()
            self.action_members()

    def _show_focus(self) -> None:
        self.clear_error()  # a failure shown was about what was focused before
        row = self.focused_row()
        loaded = self.loaded
        profile = loaded.profiles.get(row.name) if loaded and row else None
        currency = loaded.data.currency if loaded else ""
        for panel in self.query(ProfilePanel):
            panel.show(row, profile, currency)
        distribution = self.query_one("#chart-distribution", ChartView)
        if row is None or profile is None:
            distribution.show(None, "Highlight a segment to see how a feature is spread in it.")
            return
        if self.feature is not None and not self._drawable(self.feature):
            self.feature = None  # a field the data no longer has
        field = self.feature or next(
            (d.field for d in profile.ranked if self._drawable(d.field)), None
        )
        if field is None:
            distribution.show(None, "No feature to draw: press f to pick one.")
            return
        self.load_distribution(row.name, field)

    def _drawable(self, field: str) -> bool:
        assert self.loaded is not None
        info = self.loaded.data.features.by_name.get(field)
        return info is not None and info.type != "text"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("members", "compare", "rename", "describe"):
            return self.loaded is not None and self.focused_segment is not None
        if action in ("all_members", "overlap", "crosstab", "feature", "export", "sort"):
            return self.loaded is not None
        if action == "reverse":
            return self.loaded is not None
        if action == "scan_k":
            return (
                self.loaded is not None
                and self.loaded.k_curves is None
                and (self.loaded.data.run.method in CLUSTERING)
            )
        if action == "heat":
            return self.loaded is not None and self.loaded.rf_grid is not None
        return True
