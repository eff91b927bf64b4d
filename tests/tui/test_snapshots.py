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


def test_rfm_grid_snapshot(snap_compare, demo_project: Path) -> None:  # type: ignore[no-untyped-def]
    """The RFM editor on the demo: the default 5×5 map with the customers per cell, the
    segment totals and the score thresholds (nothing on screen depends on the clock)."""
    from segtui.core.project import Project
    from segtui.core.runner import default_definition
    from segtui.tui.screens.rfm_editor import RfmEditorScreen

    with Project.open(demo_project) as project:
        project.create_segmentation("Customer value", "rfm", default_definition("rfm"))

    async def open_editor(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(RfmEditorScreen("Customer value"))
        await settle(pilot)

    assert snap_compare(
        build_app(str(demo_project)), terminal_size=(100, 30), run_before=open_editor
    )


def test_rule_editor_snapshot(snap_compare, demo_project: Path) -> None:  # type: ignore[no-untyped-def]
    """The rule editor on the demo: two segments (exclusive) with their live counts and the
    first one's condition tree, a nested group included (no run, so no time on screen)."""
    from segtui.core.project import Project
    from segtui.tui.screens.rule_editor import RuleEditorScreen

    definition = {
        "mode": "exclusive",
        "else": "Everyone else",
        "segments": [
            {
                "name": "UK regulars",
                "rule": {
                    "all": [
                        {"field": "country", "op": "in", "value": ["United Kingdom"]},
                        {"field": "orders", "op": ">=", "value": 10},
                        {
                            "any": [
                                {"field": "age", "op": "between", "value": [25, 34]},
                                {"field": "recency_days", "op": "<=", "value": 90},
                            ]
                        },
                    ]
                },
            },
            {
                "name": "High spenders",
                "rule": {"all": [{"field": "total_spend", "op": ">", "value": 1000}]},
            },
        ],
    }
    with Project.open(demo_project) as project:
        project.create_segmentation("Lifecycle", "rules", definition)

    async def open_editor(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.app.push_screen(RuleEditorScreen("Lifecycle"))
        await settle(pilot)

    assert snap_compare(
        build_app(str(demo_project)), terminal_size=(100, 30), run_before=open_editor
    )


def _demo_rfm_run(path: Path) -> None:
    """The demo's default RFM run, with its time fixed so the screen does not show the clock."""
    import sqlite3

    from segtui.core.project import Project
    from segtui.core.runner import default_definition, run_segmentation

    with Project.open(path) as project:
        project.create_segmentation("Customer value", "rfm", default_definition("rfm"))
        run_segmentation(project, "Customer value")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE segtui_runs SET ran_at = '2026-10-02T09:30:00'")


async def _open_segments(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.press("4")
    await settle(pilot)


def test_segments_with_charts_120_by_40(snap_compare, demo_project: Path) -> None:  # type: ignore[no-untyped-def]
    """The Segments screen on the demo's RFM run: the table by value with totals, and the
    customer and revenue shares as two bar charts."""
    _demo_rfm_run(demo_project)

    async def open_sizes(pilot: Pilot) -> None:
        await _open_segments(pilot)
        await pilot.press("right_square_bracket")  # from the Profile tab to the sizes charts
        await settle(pilot)

    assert snap_compare(
        build_app(str(demo_project)), terminal_size=(120, 40), run_before=open_sizes
    )


def test_segments_at_80_by_24(snap_compare, demo_project: Path) -> None:  # type: ignore[no-untyped-def]
    """At 80×24 the profile moves into the first tab and the R×F grid still reads."""
    _demo_rfm_run(demo_project)

    async def open_grid(pilot: Pilot) -> None:
        await _open_segments(pilot)
        await pilot.press("m")  # the R × F tab (mean monetary)
        await pilot.press("m")  # back to counts
        await settle(pilot)

    assert snap_compare(build_app(str(demo_project)), terminal_size=(80, 24), run_before=open_grid)


def test_messaging_screen(snap_compare, demo_project: Path) -> None:  # type: ignore[no-untyped-def]
    """The Messaging screen at 100×30: the segments with their draft marks, Champions' draft
    as the playbook suggests it, and its preview on the segment's most complete member."""
    from segtui.core.contacts import stored_roles
    from segtui.core.messaging_store import save_draft
    from segtui.core.playbook import load_playbook, suggest
    from segtui.core.project import Project
    from segtui.core.run_data import latest_run

    _demo_rfm_run(demo_project)
    with Project.open(demo_project) as project:
        data = latest_run(project, "Customer value")
        roles = stored_roles(project, data)
        draft = suggest(data, "Champions", load_playbook(project), roles=roles)
        save_draft(project, "Customer value", draft)

    async def open_messaging(pilot: Pilot) -> None:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)

    assert snap_compare(
        build_app(str(demo_project)), terminal_size=(100, 30), run_before=open_messaging
    )
