"""The Segments screen's chart tabs: the customer and revenue shares, the R × F grid (counts
or mean monetary), the k-selection curves and the projection of a clustering run, which tabs a
run's method shows, and moving between the tabs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Static, TabbedContent, TabPane

from segtui.tui.widgets.segment_charts import ChartView, HeatView
from segtui.tui.widgets.segment_table import SegmentTable

if TYPE_CHECKING:
    from segtui.tui.screens.segments import Loaded

CLUSTERING = ("kmeans", "gmm")


class SegmentCharts:
    """Mixed into SegmentsScreen."""

    if TYPE_CHECKING:
        loaded: Loaded | None
        heat_monetary: bool
        projection_shown_for: int | None

        def query_one(self, selector: Any, expect_type: Any = None) -> Any: ...
        def load_projection(self, data: Any) -> Any: ...
        def query(self, selector: Any) -> Any: ...
        def _show_focus(self) -> None: ...
        def refresh_bindings(self) -> None: ...

        segmentation_name: str | None

    def _show_sizes(self, loaded: Loaded) -> None:
        """Customers and revenue shares as two charts side by side (one row per segment
        each, so an 11-segment RFM run still fits at 120×40)."""
        from dataclasses import replace

        sizes = loaded.sizes
        charts = [
            replace(sizes, title=name.replace("% of", "Share of"), series=[(name, values)])
            for name, values in sizes.series
        ]  # fmt: skip
        self.query_one("#chart-sizes", ChartView).show(charts[0] if charts else None)
        revenue = self.query_one("#chart-revenue", ChartView)
        revenue.show(charts[1] if len(charts) > 1 else None, "No revenue: import orders.")
        revenue.display = len(charts) > 1

    def _show_method_tabs(self, loaded: Loaded) -> None:
        tabs = self.query_one(TabbedContent)
        method = loaded.data.run.method
        for pane, shown in (
            ("pane-rf", loaded.rf_grid is not None),
            ("pane-k", method in CLUSTERING),
            ("pane-projection", method in CLUSTERING),
        ):
            if shown:
                tabs.show_tab(pane)
            else:
                if tabs.active == pane:
                    tabs.active = "pane-sizes"
                tabs.hide_tab(pane)
        self._show_heat()
        if method in CLUSTERING:
            curves = loaded.k_curves or []
            hand = (
                f"This run used k = {loaded.data.run.details.get('k')} set by hand, so it has "
                "no k scan: press K to scan k for it (same features and seed) and keep the "
                "curves with the run."
            )
            self.query_one("#chart-k1", ChartView).show(curves[0] if curves else None, hand)
            self.query_one("#chart-k2", ChartView).show(curves[1] if len(curves) > 1 else None)
            if self.projection_shown_for != loaded.data.run.id:
                self.projection_shown_for = loaded.data.run.id
                self.query_one("#chart-projection", ChartView).show(
                    None, "Projecting a sample of customers…"
                )
                self.load_projection(loaded.data)

    def _show_heat(self) -> None:
        loaded = self.loaded
        grid = None
        if loaded is not None:
            grid = loaded.rf_monetary if self.heat_monetary else loaded.rf_grid
        self.query_one("#heat-rf", HeatView).show(grid)

    def action_heat(self) -> None:
        self.heat_monetary = not self.heat_monetary
        self.query_one(TabbedContent).active = "pane-rf"
        self._show_heat()

    def action_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        panes = [
            pane.id
            for pane in tabs.query(TabPane)
            if pane.id and not tabs.get_tab(pane.id).has_class("-hidden")
        ]
        if panes and tabs.active in panes:
            tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]

    def show_nothing(self) -> None:
        """No run to show: say how to make one, and clear every view of the last one."""
        self.loaded = None
        self.segmentation_name = None
        self.projection_shown_for = None
        self.query_one(SegmentTable).show(None, "")
        self.query_one("#run-line", Static).update(
            "No segmentation has been run yet: define one on the Criteria screen (3) and run "
            "it with r."
        )
        for view in self.query(ChartView):
            view.show(None, "")
        self.query_one("#heat-rf", HeatView).show(None)
        tabs = self.query_one(TabbedContent)
        for pane in ("pane-rf", "pane-k", "pane-projection"):
            if tabs.active == pane:
                tabs.active = "pane-sizes"
            tabs.hide_tab(pane)
        self._show_focus()
        self.refresh_bindings()
