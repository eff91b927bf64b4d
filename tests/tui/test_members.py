"""The member list on the demo's RFM run: it holds the segment's customers as stored in the
project file, / narrows it to the customers whose id or text matches (any case), s sorts by the
column under the cursor (largest first, again: smallest), g and G go to the top and the bottom,
Escape clears the search and then goes back; the same when searching runs in a worker."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static
from tui_helpers import settle, text_of, type_text

from segtui.core.project import Project
from segtui.core.run_data import RunData, load_run
from segtui.core.runner import default_definition, run_segmentation
from segtui.tui.app import SegtuiApp
from segtui.tui.screens.members import MembersScreen
from segtui.tui.widgets import members_table
from segtui.tui.widgets.members_table import MembersTable

NAME = "Customer value"
SEGMENT = "Champions"


def make_rfm_run(path: Path) -> tuple[int, dict[str, int]]:
    """Run the default RFM segmentation: the run id and the stored customers per segment."""
    with Project.open(path) as project:
        project.create_segmentation(NAME, "rfm", default_definition("rfm"))
        run = run_segmentation(project, NAME)
    with Project.open(path) as project:  # as stored in the file
        stored = project.run(run.id)
    return run.id, {s.name: s.customers for s in stored.segments}


async def open_members(
    app: SegtuiApp, pilot: Pilot, run_id: int, segments: list[str] | None
) -> tuple[MembersScreen, RunData]:
    await settle(pilot)
    assert app.project is not None
    data = load_run(app.project, run_id)
    screen = MembersScreen(data, segments)
    await app.push_screen(screen)
    await settle(pilot)
    return screen, data


def table_of(screen: MembersScreen) -> MembersTable:
    table = screen.table()
    assert table is not None
    return table


def ids_shown(table: MembersTable) -> list[str]:
    return [str(value) for value in table.get_column_at(0)]


def header(screen: MembersScreen) -> str:
    return text_of(screen.query_one("#members-header", Static))


def matching_ids(data: RunData, segment: str, query: str) -> list[str]:
    """The ids whose id or any text/category value contains ``query`` (any case), in run
    order, worked out row by row in Python."""
    searched = ["customer_id"] + [
        f.name for f in data.features.fields if f.type in ("text", "category")
    ]
    rows = data.members([segment]).select(searched).iter_rows(named=True)
    needle = query.lower()
    return [
        row["customer_id"]
        for row in rows
        if any(value is not None and needle in str(value).lower() for value in row.values())
    ]


def column_index(table: MembersTable, name: str) -> int:
    return list(table.view.frame.columns).index(name)


async def test_the_segment_search_sort_and_keys(demo_project: Path) -> None:
    run_id, counts = make_rfm_run(demo_project)
    app = SegtuiApp(str(demo_project))
    async with app.run_test(size=(120, 40)) as pilot:
        screen, data = await open_members(app, pilot, run_id, [SEGMENT])
        table = table_of(screen)
        champions = counts[SEGMENT]
        assert table.row_count == champions
        assert header(screen) == f"{SEGMENT} · {champions:,} customers"
        assert ids_shown(table) == data.segment_ids(SEGMENT).to_list()
        # Money is shown with the project's currency and two decimals.
        first = data.members([SEGMENT]).row(0, named=True)
        assert f"£{first['monetary']:,.2f}" in table.render_line(1).text

        # Search: a surname typed in capitals finds the same customers as Python does.
        surname = str(first["last_name"])
        expected = matching_ids(data, SEGMENT, surname)
        assert 0 < len(expected) < champions
        await pilot.press("slash")
        await type_text(pilot, surname.upper())
        await settle(pilot)
        table = table_of(screen)
        assert ids_shown(table) == expected
        assert header(screen) == (
            f"{SEGMENT} · {len(expected):,} of {champions:,} match '{surname.upper()}'"
        )
        await pilot.press("enter")  # keeps the search, back in the table
        assert screen.query_one("#members-search", Input).display is False
        assert isinstance(app.focused, MembersTable)
        await pilot.press("escape")  # clears the search first
        await settle(pilot)
        table = table_of(screen)
        assert table.row_count == champions
        assert isinstance(app.screen, MembersScreen)

        # Sort by the column under the cursor: largest first, then smallest first.
        table.move_cursor(column=column_index(table, "total_spend"))
        await pilot.press("s")
        await settle(pilot)
        table = table_of(screen)
        frame = data.members([SEGMENT])
        spend = frame.get_column("total_spend")
        top = frame.filter(pl.col("total_spend") == spend.max()).get_column("customer_id")[0]
        assert ids_shown(table)[0] == top
        assert header(screen).endswith("sorted by Total spend ▼")
        assert table.cursor_column == column_index(table, "total_spend")  # the cursor stays
        await pilot.press("s")
        await settle(pilot)
        table = table_of(screen)
        bottom = frame.filter(pl.col("total_spend") == spend.min()).get_column("customer_id")[0]
        assert ids_shown(table)[0] == bottom
        assert header(screen).endswith("sorted by Total spend ▲")

        # G goes to the last row, g back to the first.
        await pilot.press("G")
        assert table.cursor_row == champions - 1
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("end")
        assert table.cursor_row == champions - 1

        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, MembersScreen)


async def test_the_whole_run_and_palette(demo_project: Path) -> None:
    run_id, counts = make_rfm_run(demo_project)
    app = SegtuiApp(str(demo_project))
    async with app.run_test(size=(80, 24)) as pilot:
        screen, data = await open_members(app, pilot, run_id, None)
        table = table_of(screen)
        assert table.row_count == sum(counts.values())
        assert header(screen) == f"{NAME}: all segments · {sum(counts.values()):,} customers"
        assert table.view.frame.columns[:2] == ["customer_id", "segment"]
        names = [command.name for command in screen.commands()]
        for name in ("members: search…", "members: sort by Customer", "members: bottom"):
            assert name in names
        await pilot.press("ctrl+p", *"members: sort by column")
        await settle(pilot)
        await pilot.press("enter", *"Segment", "enter")
        await settle(pilot)
        assert header(screen).endswith("sorted by Segment ▲")
        assert (
            ids_shown(table_of(screen))[0]
            == (data.members().sort("segment", maintain_order=True).get_column("customer_id")[0])
        )


async def test_a_large_list_searches_and_sorts_in_a_worker(
    demo_project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(members_table, "LARGE", 100)  # the demo's segments count as large
    run_id, _ = make_rfm_run(demo_project)
    app = SegtuiApp(str(demo_project))
    async with app.run_test(size=(120, 40)) as pilot:
        screen, data = await open_members(app, pilot, run_id, [SEGMENT])
        views: list[Any] = []
        original = screen.compute_view

        def spy(*args: Any) -> Any:
            views.append(args[3:])
            return original(*args)

        monkeypatch.setattr(screen, "compute_view", spy)
        await pilot.press("slash", *"c00")
        await settle(pilot)
        assert [query for query, _ in views] == ["c", "c0", "c00"]
        assert ids_shown(table_of(screen)) == matching_ids(data, SEGMENT, "c00")
        await pilot.press("enter", "s")  # the cursor is on the customer id: A first
        await settle(pilot)
        assert ids_shown(table_of(screen)) == sorted(matching_ids(data, SEGMENT, "c00"))
        assert matching_ids(data, SEGMENT, "qxq") == []
        await pilot.press("slash", "ctrl+u", *"qxq")
        await settle(pilot)
        assert table_of(screen).row_count == 0
        assert "0 of" in header(screen)
        await pilot.press("escape")
        await settle(pilot)
        assert table_of(screen).row_count == data.segment_ids(SEGMENT).len()


@pytest.mark.skipif(
    importlib.util.find_spec("segtui.tui.screens.export_modal") is None,
    reason="the export dialog is not written yet",
)
async def test_ctrl_e_opens_the_export_dialog(demo_project: Path) -> None:
    from segtui.tui.screens.export_modal import ExportModal

    run_id, _ = make_rfm_run(demo_project)
    app = SegtuiApp(str(demo_project))
    async with app.run_test(size=(120, 40)) as pilot:
        await open_members(app, pilot, run_id, [SEGMENT])
        await pilot.press("ctrl+e")
        await settle(pilot)
        assert isinstance(app.screen, ExportModal)


def test_a_cell_fits_its_width() -> None:
    assert members_table.fit("£1,234.50", 12, "right") == "   £1,234.50"
    assert members_table.fit("Ada", 5, "left") == "Ada  "
    assert members_table.fit("—", 5, "center") == "  —  "
    assert members_table.fit("ada.lovelace@example.com", 10, "left") == "ada.lovel…"
    assert members_table.fit("two\nlines", 8, "left") == "two…    "
    assert members_table.fit("Zoë 東京", 6, "left") == "Zoë  …"  # 東 is 2 cells: it cannot fit
    assert members_table.fit("a\tb", 4, "left") == "a b "
