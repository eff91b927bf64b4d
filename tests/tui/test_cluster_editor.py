"""The clustering editor: pick features and a k range (saved at once), scan k (the chart and the
recommendation match the core's scan), set k, run with r (the stored run has k named clusters
over the 5,000 demo customers), rename a cluster; bad input saves nothing; Escape cancels a
scan without an error, else goes back."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, SelectionList, Static
from tui_helpers import settle, text_of

from segtui.core import clustering
from segtui.core.clustering import ClusterSettings, run_clustering, scan_k
from segtui.core.features import customer_features
from segtui.core.project import Project
from segtui.core.runner import default_definition
from segtui.tui.app import SegtuiApp, build_app
from segtui.tui.screens.cluster_editor import ClusterEditorScreen
from segtui.tui.screens.prompt import PromptModal
from segtui.tui.widgets.kscan_chart import KScanChart

NAME = "Behaviour"


def stored(path: Path) -> tuple[str, dict[str, Any]]:
    with Project.open(path) as project:
        seg = project.segmentation(NAME)
        return seg.method, seg.definition


async def open_editor(app: SegtuiApp, pilot: Any) -> ClusterEditorScreen:
    """A k-means segmentation with the default features, created through the core."""
    await settle(pilot)
    assert app.project is not None
    definition = default_definition("kmeans", customer_features(app.project))
    app.project.create_segmentation(NAME, "kmeans", definition)
    await app.push_screen(ClusterEditorScreen(NAME))
    await settle(pilot)
    editor = app.screen
    assert isinstance(editor, ClusterEditorScreen)
    return editor


async def retype(pilot: Any, field: Input, text: str) -> None:
    field.focus()
    await pilot.press("end", *["backspace"] * len(field.value), *text)
    await settle(pilot)


async def test_features_scan_run_and_rename(demo_project: Path) -> None:
    app = build_app(str(demo_project))
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(app, pilot)
        _, before = stored(demo_project)
        assert "discount_share" in before["features"] and "age" not in before["features"]

        # Drop one feature, add another, narrow the k range: each change is saved at once.
        picker = editor.query_one("#features", SelectionList)
        picker.focus()
        for name in ("discount_share", "age"):
            picker.highlighted = picker.get_option_index(name)
            await pilot.press("space")
        await retype(pilot, editor.query_one("#k-max", Input), "6")
        method, definition = stored(demo_project)
        chosen = [f for f in before["features"] if f != "discount_share"] + ["age"]
        assert method == "kmeans"
        assert definition["features"] == chosen
        assert (definition["k_min"], definition["k_max"], definition["k"]) == (2, 6, None)
        plan = text_of(editor.query_one("#plan", Static))
        assert "Age:" in plan and "Share of orders with a discount" not in plan

        # Scan: the chart and the recommendation are the core's scan of the same settings.
        picker.focus()
        await pilot.press("s")
        await settle(pilot)
        features = customer_features(app.project)  # type: ignore[arg-type]
        expected = scan_k(features, ClusterSettings.from_json(definition))
        chart = editor.query_one(KScanChart)
        assert chart.series is not None
        assert chart.series.ks == [2, 3, 4, 5, 6]
        assert chart.series.silhouette == [row["silhouette"] for row in expected.rows]
        assert chart.series.recommended == expected.recommended
        assert editor.query_one("#scan-table", DataTable).row_count == 5
        reason = text_of(editor.query_one("#scan-reason", Static))
        assert reason.startswith(f"Recommended: {expected.reason}")
        status = text_of(editor.query_one("#scan-status", Static))
        assert status.startswith(f"k = {expected.recommended} recommended")

        # Set k, run with r: k clusters with generated names, every customer assigned.
        k = 3 if expected.recommended != 3 else 4
        await retype(pilot, editor.query_one("#k", Input), str(k))
        _, definition = stored(demo_project)
        assert definition["k"] == k
        picker.focus()
        await pilot.press("r")
        await settle(pilot)
        names = run_clustering(features, ClusterSettings.from_json(definition)).segments
        with Project.open(demo_project) as project:
            (run,) = project.runs(NAME)
            assert [s.name for s in run.segments] == names
            assert len(names) == k and len(set(names)) == k
            assert sum(s.customers for s in run.segments) == 5_000
            assert project.assignments(run.id).height == 5_000
        counts = editor.query_one("#run-counts", DataTable)
        assert counts.row_count == k
        assert "Cluster 1 stands out by" in text_of(editor.query_one("#cluster-detail", Static))

        # n renames the highlighted cluster: stored in the settings under its key at once.
        counts.focus()
        counts.move_cursor(row=1)
        await pilot.press("n")
        await settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, PromptModal)
        assert prompt.query_one(Input).value == names[1]
        await retype(pilot, prompt.query_one(Input), "Big spenders")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is editor
        assert stored(demo_project)[1]["names"] == {"2": "Big spenders"}
        assert str(counts.get_row_at(1)[0]) == "Big spenders"
        # The latest run carries the new name too: its segment row and its customers.
        with Project.open(demo_project) as project:
            run = project.runs(NAME)[0]
            assert [s.name for s in run.segments][1] == "Big spenders"
            members = project.segment_members(NAME, "Big spenders")
            assert len(members) == run.segments[1].customers > 0


async def test_bad_input_saves_nothing_and_the_method_follows(demo_project: Path) -> None:
    app = build_app(str(demo_project))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(app, pilot)
        names = [command.name for command in editor.commands()]
        assert {"clustering: scan k", "clustering: run"} <= set(names)

        # Gaussian mixture: the segmentation's method changes with the definition.
        editor.query_one("#algorithm").focus()
        await pilot.press("enter", "down", "enter")
        await settle(pilot)
        method, definition = stored(demo_project)
        assert (method, definition["algorithm"]) == ("gmm", "gmm")
        assert "Gaussian mixture" in text_of(editor.query_one("#editor-title", Static))

        # A k range that cannot work: one line, nothing saved, and r does not run.
        await retype(pilot, editor.query_one("#k-max", Input), "6")
        await retype(pilot, editor.query_one("#k-min", Input), "9")
        error = editor.query_one("#editor-error", Static)
        assert error.display
        assert text_of(error) == "k_min (9) must be smaller than k_max (6). Nothing was saved."
        assert (stored(demo_project)[1]["k_min"], stored(demo_project)[1]["k_max"]) == (2, 6)
        editor.query_one("#features").focus()
        await pilot.press("r")
        await settle(pilot)
        assert "Fix it to run." in text_of(error)
        with Project.open(demo_project) as project:
            assert project.runs(NAME) == []

        # No features at all is refused too; fixing the range clears the error.
        await retype(pilot, editor.query_one("#k-min", Input), "3")
        assert not error.display
        assert stored(demo_project)[1]["k_min"] == 3
        editor.query_one("#features", SelectionList).deselect_all()
        await settle(pilot)
        assert text_of(error).startswith("Pick at least one feature")
        assert stored(demo_project)[1]["features"] == definition["features"]


async def test_escape_cancels_a_scan_without_an_error(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The scan waits at its first progress report until Escape was pressed (a press waits
    # for the progress bar's animations, which would otherwise last the whole scan).
    escaped = threading.Event()

    def held_scan(features: Any, settings: Any, progress: Any, cancelled: Any) -> Any:
        def report(fraction: float, text: str) -> None:
            progress(fraction, text)
            escaped.wait(30)

        return real_scan(features, settings, progress=report, cancelled=cancelled)

    real_scan = clustering.scan_k
    monkeypatch.setattr(clustering, "scan_k", held_scan)
    app = build_app(str(demo_project))
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(app, pilot)
        await pilot.press("s")
        assert editor.scan_panel.scanning
        await pilot.press("escape")
        escaped.set()
        await settle(pilot)
        assert app.screen is editor  # the first Escape cancelled, it did not go back
        assert text_of(editor.query_one("#scan-status", Static)) == "Scan cancelled."
        assert editor.scan_panel.scan is None and not editor.scan_panel.scanning
        assert not editor.query_one("#editor-error").display
        assert not [n for n in app._notifications if n.severity == "error"]
        await pilot.press("escape")
        assert not isinstance(app.screen, ClusterEditorScreen)
