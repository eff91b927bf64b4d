"""SVG snapshots of the key screens (run with --snapshot-update after a deliberate change).

Deterministic by construction: the working folder is a fresh tmp folder used as the cwd, so
paths on screen are relative ("acme.db"), and nothing shown depends on the clock.
"""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot
from tui_helpers import settle

from segtui.tui.app import build_app


def test_home_with_two_datasets(snap_compare, tui_project: Path) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot) -> None:
        await settle(pilot)

    assert snap_compare(build_app(str(tui_project)), terminal_size=(100, 30), run_before=ready)


def test_import_preview(snap_compare, tui_workdir: Path, tui_orders_csv: Path) -> None:  # type: ignore[no-untyped-def]
    (tui_workdir / "customers.csv").write_text("customer_id,email\nC1,a@example.com\n")

    async def plan_orders(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("2", *"orders.csv", "enter")
        await settle(pilot)

    assert snap_compare(
        build_app(str(tui_workdir / "acme.db")), terminal_size=(100, 30), run_before=plan_orders
    )


def test_home_at_80_by_24(snap_compare, tui_project: Path) -> None:  # type: ignore[no-untyped-def]
    async def ready(pilot: Pilot) -> None:
        await settle(pilot)

    assert snap_compare(build_app(str(tui_project)), terminal_size=(80, 24), run_before=ready)
