"""Home: a project prepared with the importer shows its settings and datasets; Enter shows a
dataset's report and rejects; d deletes it after asking."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Static
from tui_helpers import settle, text_of

from segtui.core.project import Project
from segtui.tui.app import build_app
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.dataset_modal import DatasetModal
from segtui.tui.screens.home import HomeScreen


def row_text(table: DataTable[object], key: str) -> list[str]:
    return [str(cell).strip() for cell in table.get_row(key)]


async def test_home_lists_the_datasets(tui_project: Path) -> None:
    app = build_app(str(tui_project))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        assert text_of(home.query_one("#project-title", Static)) == "Acme retail"
        assert text_of(home.query_one("#project-file", Static)) == "File: acme.db"
        assert text_of(home.query_one("#project-settings", Static)) == (
            "Currency: €    Analysis date: 2023-05-13 (automatic: day after the last order)"
        )
        table = home.query_one("#datasets", DataTable)
        assert table.row_count == 2
        assert row_text(table, "customers") == [
            "customers",
            "customers",
            "5",
            "0",
            "6",
            "5",
            "2021-01-15→2021-05-05",
        ]
        assert row_text(table, "orders") == [
            "orders",
            "transactions",
            "8",
            "1",
            "6",
            "5",
            "2023-01-05→2023-05-12",
        ]
        steps = text_of(home.query_one("#next-steps", Static))
        assert "Customers and orders are imported." in steps
        assert "1 row was rejected in orders: Enter on it shows why." in steps


async def test_enter_shows_the_report_and_d_deletes(tui_project: Path) -> None:
    app = build_app(str(tui_project))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one("#datasets", DataTable)
        table.move_cursor(row=table.get_row_index("orders"))
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, DatasetModal)
        report = text_of(modal.query_one("#report", Static))
        assert "Source: orders.csv" in report
        assert "negative amounts            1" in report
        rejects = modal.query_one("#rejects", DataTable)
        assert rejects.row_count == 1
        line, column, reason, _raw = (str(c) for c in rejects.get_row_at(0))
        assert (line, column) == ("10", "amount")
        assert "not a number" in reason

        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert table.row_count == 2

        await pilot.press("d")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert table.row_count == 1
    with Project.open(tui_project) as project:
        assert [d.name for d in project.datasets()] == ["customers"]
