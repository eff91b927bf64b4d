"""The RFM editor on the demo: the map shows the customers per cell that the core computes;
changing bins, monetary, cut points and the map saves the definition at once (and nothing when
the input is invalid); r runs it and the stored run has the map's segments with those counts."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Select, Static
from tui_helpers import settle, text_of, type_text

from segtui.core import rfm
from segtui.core.features import customer_features
from segtui.core.project import Project
from segtui.core.rfm_map import NO_PURCHASES, default_grid, derive_grid, grid_segments
from segtui.core.rfm_settings import RfmSettings
from segtui.core.runner import default_definition
from segtui.tui.app import SegtuiApp, build_app
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.prompt import PromptModal
from segtui.tui.screens.rfm_editor import MoveCellModal, RfmEditorScreen
from segtui.tui.widgets.rfm_grid import RfmGrid

NAME = "Customer value"


def expected_counts(path: Path, settings: RfmSettings) -> list[list[int]]:
    with Project.open(path) as project:
        features = customer_features(project)
    return rfm.grid_counts(rfm.score(features, settings), settings)


def stored(path: Path) -> dict[str, object]:
    with Project.open(path) as project:
        return project.segmentation(NAME).definition


def shown(static: Static) -> str:
    """What a Static shows as plain text (a rich table too)."""
    console = Console(width=100, file=io.StringIO(), record=True)
    console.print(static.content)
    return console.export_text()


def counts_on_screen(grid: RfmGrid) -> list[list[int]]:
    """The numbers drawn in the grid, row by row (a row's counts are on its last line)."""
    lines = grid.render().plain.split("\n")
    per_row = (len(lines) - 1) // grid.bins
    rows = [lines[per_row * (row + 1)] for row in range(grid.bins)]
    return [[int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", row[4:])] for row in rows]


async def open_editor(app: SegtuiApp, pilot: Pilot) -> RfmEditorScreen:
    await settle(pilot)
    assert app.project is not None
    app.project.create_segmentation(NAME, "rfm", default_definition("rfm"))
    editor = RfmEditorScreen(NAME)
    await app.push_screen(editor)
    await settle(pilot)
    return editor


async def choose(pilot: Pilot, select: Select[object], downs: int) -> None:
    """Open a select with Enter and pick the option ``downs`` below the current one."""
    select.focus()
    await pilot.press("enter", *["down"] * downs, "enter")
    await settle(pilot)


async def test_the_grid_shows_the_core_counts(demo_project: Path) -> None:
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(app, pilot)
        grid = editor.query_one(RfmGrid)
        expected = expected_counts(demo_project, RfmSettings())
        assert grid.grid == default_grid(5)
        assert counts_on_screen(grid) == expected
        totals = shown(editor.query_one("#totals", Static))
        champions = expected[0][3] + expected[0][4]
        assert re.search(rf"Champions\s+{champions:,}\s", totals)
        assert re.search(r"No purchases yet\s+350\s+7\.0%", totals)
        thresholds = shown(editor.query_one("#thresholds", Static))
        assert "£1,146.06–£28,591.40" in thresholds  # M score 5, in the project currency
        # The highlighted cell is named with its count; arrows move the cursor.
        await pilot.press("right", "right", "right")
        title = text_of(editor.query_one("#map-title", Static))
        assert f"cell R5 F4: Champions, {expected[0][3]} customers" in title
        await pilot.press("escape")
        assert not isinstance(app.screen, RfmEditorScreen)


async def test_bins_and_monetary_are_saved_at_once(demo_project: Path) -> None:
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(app, pilot)
        await choose(pilot, editor.query_one("#rfm-bins", Select), 1)
        assert stored(demo_project)["bins"] == 4
        note = text_of(editor.query_one("#rfm-note", Static))
        assert note == "4 quartiles: the map is the default 4×4 one."
        await choose(pilot, editor.query_one("#rfm-monetary", Select), 1)
        definition = stored(demo_project)
        assert definition["bins"] == 4
        assert definition["monetary"] == "aov"
        grid = editor.query_one(RfmGrid)
        settings = RfmSettings(bins=4, monetary="aov")
        assert grid.grid == default_grid(4)
        assert counts_on_screen(grid) == expected_counts(demo_project, settings)
        assert "average" not in text_of(editor.query_one("#rfm-error", Static))


async def test_invalid_cut_points_show_one_line_and_save_nothing(demo_project: Path) -> None:
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(app, pilot)
        before = stored(demo_project)
        error = editor.query_one("#rfm-error", Static)
        cuts = editor.query_one("#cuts-r", Input)
        cuts.focus()
        await type_text(pilot, "30, 90")
        await pilot.press("enter")
        await settle(pilot)
        assert error.display
        assert text_of(error) == (
            "RFM recency cut points: give 4 ascending numbers for 5 bins, e.g. 30, 90, 180, 365"
        )
        assert cuts.has_class("bad")
        assert stored(demo_project) == before
        await pilot.press("ctrl+u", *"30, 90, soon", "enter")
        await settle(pilot)
        assert "'soon' is not a number" in text_of(error)
        assert stored(demo_project) == before
        await pilot.press("r")  # runs nothing while the cut points are wrong
        await settle(pilot)
        with Project.open(demo_project) as project:
            assert project.runs(NAME) == []
        await pilot.press("ctrl+u", *"30, 90, 180, 365", "enter")
        await settle(pilot)
        assert not error.display
        assert stored(demo_project)["cuts"] == {"r": [30.0, 90.0, 180.0, 365.0]}
        settings = RfmSettings(cuts={"r": [30, 90, 180, 365]})
        assert counts_on_screen(editor.query_one(RfmGrid)) == expected_counts(
            demo_project, settings
        )
        # Cut points that leave a score empty: saved, and the warning is on screen.
        editor.query_one("#cuts-f", Input).focus()
        await pilot.press(*"2 3 5 1000".replace(" ", ","), "enter")
        await settle(pilot)
        warnings = editor.query_one("#rfm-warnings", Static)
        assert warnings.display
        assert text_of(warnings) == (
            "⚠ Frequency: asked for 5 bins, made 4 (scores 1, 2, 3, 4): no customer falls in "
            "score 5 with the cut points 2, 3, 5, 1000."
        )
        assert stored(demo_project)["cuts"]["f"] == [2.0, 3.0, 5.0, 1000.0]  # type: ignore[index]


async def test_palette_commands(demo_project: Path) -> None:
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(app, pilot)
        names = [command.name for command in editor.commands()]
        for name in ("rfm: rename segment…", "rfm: move cell…", "rfm: reset map", "rfm: run"):
            assert name in names
        await pilot.press("ctrl+p", *"rfm: bins 3 tertiles")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert stored(demo_project)["bins"] == 3
        assert editor.query_one(RfmGrid).grid == default_grid(3)


async def test_rename_a_segment_and_move_a_cell(demo_project: Path) -> None:
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(app, pilot)
        await pilot.press("right", "right", "right", "n")  # R5 F4: Champions
        await settle(pilot)
        assert isinstance(app.screen, PromptModal)
        await pilot.press("ctrl+u", *"Best buyers", "enter")
        await settle(pilot)
        expected = default_grid(5)
        expected = [["Best buyers" if n == "Champions" else n for n in row] for row in expected]
        assert stored(demo_project)["grid"] == expected
        await pilot.press("left", "m")  # R5 F3: Potential Loyalists
        await settle(pilot)
        assert isinstance(app.screen, MoveCellModal)
        await pilot.press("tab", *"Rising stars", "enter")
        await settle(pilot)
        expected[0][2] = "Rising stars"
        assert stored(demo_project)["grid"] == expected
        await pilot.press("down", "m")  # R4 F3: into an existing segment, from the list
        await settle(pilot)
        names = list(dict.fromkeys(name for row in expected for name in row))
        downs = names.index("Rising stars") - names.index("Potential Loyalists")
        await pilot.press(*["down"] * downs, "enter")
        await settle(pilot)
        expected[1][2] = "Rising stars"
        assert stored(demo_project)["grid"] == expected
        # Fewer bins: the smaller map is derived from the edited 5×5 one, and the user is told.
        editor = app.screen
        await choose(pilot, editor.query_one("#rfm-bins", Select), 2)
        assert stored(demo_project)["grid"] == derive_grid(expected, 3)
        note = text_of(editor.query_one("#rfm-note", Static))
        assert note == "3 tertiles: the 3×3 map was derived from your 5×5 map."
        # R resets the map to the default, after asking.
        editor.query_one(RfmGrid).focus()
        await pilot.press("R")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert stored(demo_project)["grid"] is None
        assert editor.query_one(RfmGrid).grid == default_grid(3)


async def test_range_template_shows_gaps_and_overlaps(demo_project: Path) -> None:
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(app, pilot)
        await choose(pilot, editor.query_one("#rfm-template", Select), 1)
        assert stored(demo_project)["template"] == "ranges"
        assert not editor.query_one("#grid-view").display
        title = text_of(editor.query_one("#ranges-title", Static))
        assert "36 of 125 score cells match no rule and go to Others" in title
        assert "40 match more than one rule" in title
        problems = editor.query_one("#problem-cells", DataTable)
        assert problems.row_count == 36 + 40
        first = [str(cell) for cell in problems.get_row_at(0)]
        assert first[1] != "0"  # the cell with the most customers comes first


async def test_r_runs_and_stores_the_map_segments(demo_project: Path) -> None:
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_editor(app, pilot)
        await pilot.press("r")
        await settle(pilot)
        runs = Project.open(demo_project).runs(NAME)
        assert len(runs) == 1
        segments = {s.name: s.customers for s in runs[0].segments}
        names = grid_segments(default_grid(5))
        assert list(segments) == [*names, NO_PURCHASES]
        counts = expected_counts(demo_project, RfmSettings())
        for name in names:
            cells = [
                counts[i][j]
                for i, row in enumerate(default_grid(5))
                for j, cell in enumerate(row)
                if cell == name
            ]
            assert segments[name] == sum(cells), name
        assert segments[NO_PURCHASES] == 350
        panel = app.screen.query_one("#run-panel")
        assert panel.display
        assert panel.query_one(DataTable).row_count == len(names) + 1
