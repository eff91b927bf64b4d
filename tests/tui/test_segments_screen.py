"""The Segments screen on the demo's RFM run: the table holds the stored run's segments sorted
by value with totals, walking it changes the profile, Enter lists a segment's members, ctrl+e
exports them and the file has the right rows; renames and descriptions land in the project file;
comparison and overlap open; a clustering run shows its projection."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

import polars as pl
from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Static, TabbedContent
from tui_helpers import settle, text_of, type_text

from segtui.core.project import Project
from segtui.core.runner import default_definition, run_segmentation
from segtui.tui.app import SegtuiApp, build_app
from segtui.tui.screens.compare import CompareScreen
from segtui.tui.screens.export_modal import ExportModal
from segtui.tui.screens.overlap import OverlapScreen
from segtui.tui.screens.prompt import PromptModal
from segtui.tui.screens.segments import SegmentsScreen
from segtui.tui.widgets.profile_panel import ProfilePanel
from segtui.tui.widgets.segment_charts import ChartView, HeatView
from segtui.tui.widgets.segment_table import TOTAL_KEY, SegmentTable

NAME = "Customer value"


def make_rfm_run(path: Path) -> dict[str, int]:
    """Run the default RFM segmentation; the stored customers per segment."""
    with Project.open(path) as project:
        project.create_segmentation(NAME, "rfm", default_definition("rfm"))
        run = run_segmentation(project, NAME)
    return {s.name: s.customers for s in run.segments}


def stored_segments(path: Path) -> list[tuple[str, str | None]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(
            "SELECT name, description FROM segtui_run_segments ORDER BY position"
        ).fetchall()


async def open_segments(app: SegtuiApp, pilot: Pilot) -> SegmentsScreen:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, SegmentsScreen)
    return screen


def rendered(panel: ProfilePanel) -> str:
    """What a panel shows, as plain text."""
    console = Console(width=60, file=io.StringIO(), record=True)
    console.print(panel.query_one(Static).content)
    return console.export_text()


def table_order(table: SegmentTable) -> list[str]:
    return [str(row.key.value) for row in table.ordered_rows]


async def test_table_walk_members_and_export(demo_project: Path) -> None:
    counts = make_rfm_run(demo_project)
    app = build_app(demo_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_segments(app, pilot)
        table = screen.query_one(SegmentTable)
        order = table_order(table)
        assert order[-1] == TOTAL_KEY
        assert sorted(order[:-1]) == sorted(counts)
        summary = screen.loaded.summary  # type: ignore[union-attr]
        indexes = {r.name: r.value_index for r in summary.rows}
        ranked = [indexes[n] for n in order[:-1] if indexes[n] is not None]
        assert ranked == sorted(ranked, reverse=True)  # by value, highest first
        assert summary.total.customers == sum(counts.values())

        # Walking the table changes the profile.
        profile = screen.query_one("#side-profile", ProfilePanel)
        first = rendered(profile)
        await pilot.press("down")
        await settle(pilot)
        second = screen.query_one(SegmentTable).highlighted_segment
        assert second == order[1]
        assert rendered(profile) != first

        # Members of the focused segment.
        await pilot.press("enter")
        await settle(pilot)
        members = app.screen
        assert type(members).__name__ == "MembersScreen"
        frame = members.loaded.frame  # type: ignore[attr-defined]
        assert frame.height == counts[second]

        # Export them.
        await pilot.press("ctrl+e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ExportModal)
        path_input = modal.query_one("#export-path", Input)
        path_input.value = "champions-out.csv"
        await pilot.press("ctrl+s")
        await settle(pilot)
        written = Path("champions-out.csv")
        assert written.exists()
        exported = pl.read_csv(written, infer_schema_length=0)
        assert exported.height == counts[second]
        assert set(exported.get_column("segment")) == {second}
        assert "Wrote" in text_of(modal.query_one("#export-status", Static))

        # A second export to the same path asks first; declining leaves the file as it was.
        before = written.read_bytes()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmModal"
        await pilot.press("n")
        await settle(pilot)
        assert written.read_bytes() == before


async def test_rename_and_describe_are_saved(demo_project: Path) -> None:
    make_rfm_run(demo_project)
    app = build_app(demo_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_segments(app, pilot)
        segment = screen.query_one(SegmentTable).highlighted_segment
        assert segment is not None
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, PromptModal)
        app.screen.query_one(Input).value = ""
        await type_text(pilot, "Best of the best")
        await pilot.press("enter")
        await settle(pilot)
        names = [n for n, _ in stored_segments(demo_project)]
        assert "Best of the best" in names and segment not in names
        assert screen.query_one(SegmentTable).highlighted_segment == "Best of the best"

        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one(Input).value = ""
        await type_text(pilot, "Top customers: keep them close")
        await pilot.press("enter")
        await settle(pilot)
        descriptions = dict(stored_segments(demo_project))
        assert descriptions["Best of the best"] == "Top customers: keep them close"
        profile = screen.query_one("#side-profile", ProfilePanel)
        assert "keep them close" in rendered(profile)


async def test_rfm_grid_sort_compare_and_overlap(demo_project: Path) -> None:
    counts = make_rfm_run(demo_project)
    app = build_app(demo_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_segments(app, pilot)
        heat = screen.query_one("#heat-rf", HeatView)
        assert heat.grid is not None
        total = sum(v or 0 for row in heat.grid.values for v in row)
        assert total == sum(n for name, n in counts.items() if name != "No purchases yet")

        table = screen.query_one(SegmentTable)
        await pilot.press("s")  # next column after value index: revenue
        await settle(pilot)
        assert table.sort_by == "revenue"
        table.sort_segments("name")
        await settle(pilot)
        assert table_order(table)[:-1] == sorted(counts, key=str.casefold)

        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")  # the first other segment in the picker
        await settle(pilot)
        assert isinstance(app.screen, CompareScreen)
        title = text_of(app.screen.query_one("#compare-title", Static))
        assert " vs " in title and app.screen.query_one("#compare-summary").row_count == 8
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, OverlapScreen)
        note = text_of(app.screen.query_one("#overlap-note", Static))
        assert "exclusive" in note

        # ctrl+e writes the matrix: one row per pair of segments, none in both (exclusive).
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, PromptModal)
        await pilot.press("enter")  # the suggested name
        await settle(pilot)
        pairs = pl.read_csv("customer-value-overlap.csv")
        n = len(counts)
        assert pairs.height == n * (n - 1) // 2
        assert pairs.get_column("both").sum() == 0


async def test_clustering_run_shows_curves_tab_and_projection(demo_project: Path) -> None:
    with Project.open(demo_project) as project:
        from segtui.core.features import customer_features

        definition = default_definition("kmeans", customer_features(project))
        definition["k"] = 4
        project.create_segmentation("Clusters", "kmeans", definition)
        run_segmentation(project, "Clusters")
    app = build_app(demo_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_segments(app, pilot)
        tabs = screen.query_one(TabbedContent)
        assert not tabs.get_tab("pane-projection").has_class("-hidden")
        assert tabs.get_tab("pane-rf").has_class("-hidden")
        projection = screen.query_one("#chart-projection", ChartView)
        assert projection.chart is not None
        assert len(projection.chart.groups) == 4  # type: ignore[union-attr]
        k1 = screen.query_one("#chart-k1", ChartView)
        assert k1.chart is None and "set by hand" in k1.message

        # K scans k for the run and keeps the curves with it.
        await pilot.press("K")
        await settle(pilot)
        assert k1.chart is not None and k1.chart.marked_x is not None  # type: ignore[union-attr]
        with Project.open(demo_project) as project:
            run = project.runs("Clusters")[0]
        assert [row["k"] for row in run.details["scan"]["rows"]] == list(range(2, 11))

        # The k tab's export writes both curves as text.
        await pilot.press("ctrl+e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ExportModal)
        modal.query_one("#export-what").value = "chart"
        await settle(pilot)
        modal.query_one("#export-path", Input).value = "k.txt"
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = Path("k.txt").read_text(encoding="utf-8").casefold()
        assert "silhouette" in text and "inertia" in text


async def test_narrow_terminal_moves_the_profile_into_a_tab(demo_project: Path) -> None:
    make_rfm_run(demo_project)
    app = build_app(demo_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_segments(app, pilot)
        assert not screen.query_one("#side-profile").display
        tabs = screen.query_one(TabbedContent)
        assert not tabs.get_tab("pane-profile").has_class("-hidden")
        sizes = screen.query_one("#chart-sizes", ChartView)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert tabs.active == "pane-sizes"
        # At 80×24 the sizes chart has too little room: its table is shown instead.
        assert sizes.chart is not None
        assert sizes.fits == sizes.query_one("ChartPlot").display


async def test_a_settings_change_reloads_the_run_and_a_deleted_one_clears(
    demo_project: Path,
) -> None:
    make_rfm_run(demo_project)
    app = build_app(demo_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_segments(app, pilot)
        assert screen.loaded is not None and screen.loaded.data.currency == "£"
        assert app.project is not None
        app.project.update_settings(currency="$")
        app.reload_project()
        await settle(pilot)
        assert screen.loaded is not None and screen.loaded.data.currency == "$"

        app.project.delete_segmentation(NAME)
        app.reload_project()
        await settle(pilot)
        assert screen.loaded is None
        assert "No segmentation has been run yet" in text_of(screen.query_one("#run-line"))
        assert screen.query_one("#heat-rf", HeatView).grid is None
        assert screen.query_one("#chart-sizes", ChartView).chart is None
