"""The Import screen, driven like a user: pick a file by typing its path, check and change
how it is read, import it, and find it in the project file. Failures are one sentence."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, ProgressBar, Select, Static, Switch
from tui_helpers import settle, text_of

from segtui.core.errors import ImportCancelled
from segtui.core.project import Project
from segtui.tui.app import build_app
from segtui.tui.screens.column_modal import ColumnModal
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.dataset_modal import DatasetModal
from segtui.tui.screens.home import HomeScreen
from segtui.tui.screens.import_screen import ImportScreen
from segtui.tui.widgets.plan_tables import ColumnsTable, PreviewTable


async def open_import(pilot, path: str) -> ImportScreen:  # type: ignore[no-untyped-def]
    """Go to Import, type the path, press Enter and wait for the plan."""
    await settle(pilot)
    await pilot.press("2")
    screen = pilot.app.screen
    assert isinstance(screen, ImportScreen)
    assert pilot.app.focused is screen.query_one("#import-path", Input)
    await pilot.press(*path, "enter")
    await settle(pilot)
    return screen


async def test_import_a_file_end_to_end(tui_workdir: Path, tui_orders_csv: Path) -> None:
    project_path = tui_workdir / "acme.db"
    app = build_app(str(project_path))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "orders.csv")
        assert screen.view is not None
        status = text_of(screen.query_one("#import-status", Static))
        assert status.startswith("orders.csv: CSV, comma-separated")
        # What the importer detected, and the preview typed as it will be imported.
        assert screen.query_one("#kind", Select).value == "transactions"
        preview = screen.query_one(PreviewTable)
        assert [str(c.label) for c in preview.columns.values()][:3] == [
            "order_id",
            "customer_id",
            "order_date",
        ]
        assert str(preview.get_row_at(2)[3]) == "1,250.00"
        assert str(preview.get_row_at(0)[2]) == "2023-01-05"
        assert screen.view.plan.column("channel").role == "channel"

        # Change a column's role: Enter on the "channel" row, choose "category", apply.
        columns = screen.query_one(ColumnsTable)
        columns.focus()
        columns.move_cursor(row=columns.get_row_index("channel"))
        await pilot.press("enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ColumnModal)
        modal.query_one("#column-role", Select).value = "category"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is screen
        assert screen.view.plan.column("channel").role == "category"
        assert screen.options.roles == {"channel": "", "category": "channel"}
        role_cell = columns.get_row("channel")[4]
        assert str(role_cell) == "category"

        # Name the dataset and import it (ctrl+s); the report opens.
        name = screen.query_one("#dataset-name", Input)
        assert name.value == "orders"
        name.value = "orders_2023"
        await pilot.press("ctrl+s")
        await settle(pilot)
        report = app.screen
        assert isinstance(report, DatasetModal)
        text = text_of(report.query_one("#report", Static))
        assert "rows read                   9" in text
        assert "rows rejected               1" in text
        assert "Rejected rows: 1" in text_of(report.query_one("#rejects-title", Static))
        await pilot.press("escape")
        assert "Imported 8 rows as orders_2023 (1 rejected)." in text_of(
            screen.query_one("#import-status", Static)
        )

        # Home lists it.
        await pilot.press("1")
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        table = home.query_one("#datasets", DataTable)
        row = [str(c).strip() for c in table.get_row("orders_2023")]
        assert row == ["orders_2023", "transactions", "8", "1", "6", "5", "2023-01-05→2023-05-12"]

    # The project file holds it: rows, roles, rejects.
    with Project.open(project_path) as project:
        info = project.dataset("orders_2023")
        roles = {c.name: c.role for c in info.columns}
        rejects = project.read_rejects("orders_2023")
    assert info.kind == "transactions"
    assert (info.rows, info.rejected, info.rows_read) == (8, 1, 9)
    assert roles["channel"] == "category"
    assert roles["customer_id"] == "customer_id"
    assert roles["amount"] == "amount"
    assert rejects["line"].to_list() == [10]
    with sqlite3.connect(project_path) as conn:
        (count,) = conn.execute("SELECT count(*) FROM data_orders_2023").fetchone()
        (negatives,) = conn.execute(
            "SELECT count(*) FROM data_orders_2023 WHERE amount < 0"
        ).fetchone()
    assert count == 8
    assert negatives == 1  # a return: kept, not dropped


async def test_changing_the_kind_plans_again(tui_workdir: Path, tui_orders_csv: Path) -> None:
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "orders.csv")
        assert screen.view is not None and screen.view.plan.kind == "transactions"
        screen.query_one("#kind", Select).value = "customers"
        await settle(pilot)
        assert screen.view.plan.kind == "customers"
        assert screen.options.kind == "customers"
        reason = text_of(screen.query_one("#kind-reason", Static))
        assert reason == "Kind: chosen by you."


async def test_a_setting_change_plans_again(tui_workdir: Path) -> None:
    (tui_workdir / "semi.csv").write_text("id;name\n1;a\n2;b\n", encoding="utf-8")
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "semi.csv")
        assert screen.view is not None
        assert screen.query_one("#set-sep", Select).value == ";"
        assert [c.name for c in screen.view.plan.columns] == ["id", "name"]
        screen.query_one("#set-has_header", Switch).value = False
        await settle(pilot)
        assert screen.options.has_header is False
        assert screen.view.plan.source.has_header is False
        assert len(screen.view.preview_rows) == 3


async def test_a_missing_file_is_one_sentence(tui_workdir: Path) -> None:
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "nowhere.csv")
        message = text_of(screen.query_one("#import-status", Static))
        assert "nowhere.csv" in message
        assert "\n" not in message and "Traceback" not in message
        assert screen.view is None
        assert not screen.query_one("#plan").display


async def test_a_binary_file_is_one_sentence(tui_workdir: Path) -> None:
    (tui_workdir / "photo.dat").write_bytes(bytes(range(256)) * 64)
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "photo.dat")
        message = text_of(screen.query_one("#import-status", Static))
        assert "photo.dat" in message
        assert "\n" not in message and "Traceback" not in message
        notices = [n.message for n in app._notifications]
        assert notices == [message]


async def test_a_bug_is_logged_and_shown_as_one_sentence(
    tui_workdir: Path, tui_orders_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import segtui.tui.screens.import_screen as import_screen

    def broken(path: str, options: object) -> None:
        raise KeyError("no such column in the frame")

    monkeypatch.setattr(import_screen, "plan_view", broken)
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "orders.csv")
        message = text_of(screen.query_one("#import-status", Static))
    log = tui_workdir.parent / "state" / "segtui" / "segtui.log"
    assert message == (f"Something went wrong: 'no such column in the frame'; details in {log}.")
    logged = log.read_text()
    assert "Traceback (most recent call last)" in logged
    assert "KeyError" in logged


async def test_escape_cancels_a_running_import(
    tui_workdir: Path, tui_orders_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import segtui.core.ingest as ingest

    def slow_import(project, path, options, *, name, replace, progress, cancelled):  # type: ignore[no-untyped-def]
        # Stands in for a long import: reports progress until the UI asks it to stop.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            progress(0.3, "reading rows")
            if cancelled():
                raise ImportCancelled("import cancelled; nothing was saved.")
            time.sleep(0.01)
        raise AssertionError("the import was never cancelled")

    monkeypatch.setattr(ingest, "import_file", slow_import)
    project_path = tui_workdir / "acme.db"
    app = build_app(str(project_path))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "orders.csv")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert screen.importing
        assert screen.query_one("#progress", ProgressBar).display
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.importing
        assert isinstance(app.screen, ImportScreen)  # Escape cancelled; it did not go back
        assert text_of(screen.query_one("#import-status", Static)) == (
            "import cancelled; nothing was saved."
        )
        assert not screen.query_one("#progress", ProgressBar).display
    with Project.open(project_path) as project:
        assert project.datasets() == []


async def test_replacing_a_dataset_asks_first(tui_project: Path) -> None:
    app = build_app(str(tui_project))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "orders.csv")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = text_of(screen.query_one("#import-status", Static))
        assert message.startswith("A dataset named 'orders' already exists")
        screen.query_one("#replace", Switch).value = True
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, DatasetModal)
    with Project.open(tui_project) as project:
        assert [d.name for d in project.datasets()] == ["customers", "orders"]


async def test_a_failing_setting_keeps_the_last_good_plan(
    tui_workdir: Path, tui_orders_csv: Path
) -> None:
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "orders.csv")
        assert screen.view is not None
        good = screen.view
        screen.query_one("#set-format", Select).value = "parquet"
        await settle(pilot)
        message = text_of(screen.query_one("#import-status", Static))
        assert "orders.csv" in message and "Traceback" not in message
        # The file stays planned as before, with its settings, so it can still be imported.
        assert screen.view is good
        assert screen.options.format is None
        assert screen.query_one("#set-format", Select).value == "csv"
        assert screen.query_one("#plan").display


async def test_an_xlsx_sheet_can_be_chosen(tui_workdir: Path) -> None:
    import xlsxwriter

    workbook = xlsxwriter.Workbook(str(tui_workdir / "book.xlsx"))
    for sheet_name, rows in (
        ("Notes", [["exported by the shop"]]),
        ("Customers", [["customer_id", "email"], ["C1", "a@example.com"]]),
    ):
        sheet = workbook.add_worksheet(sheet_name)
        for r, row in enumerate(rows):
            sheet.write_row(r, 0, row)
    workbook.close()
    app = build_app(str(tui_workdir / "acme.db"))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_import(pilot, "book.xlsx")
        assert screen.view is not None
        sheet_select = screen.query_one("#set-sheet", Select)
        assert sheet_select.display
        assert not screen.query_one("#set-sep", Select).display
        first = screen.view.plan.source.sheet
        other = "Customers" if first == "Notes" else "Notes"
        sheet_select.value = other
        await settle(pilot)
        assert screen.options.sheet == other
        assert screen.view.plan.source.sheet == other
