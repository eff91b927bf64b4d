"""The Messaging screen on the demo's RFM run: the segments with their sizes, a draft written
by hand for one segment (saved as it is typed, history kept per visit), previewed on real
members with the channel's limits, a suggestion for another segment from the playbook, the
confirmation before a suggestion replaces written text, variants, and bad fields that say
what is wrong and save nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea
from tui_helpers import rfm_run, settle, text_of, type_text

from segtui.core.audience import holdout_size
from segtui.core.audience_export import audience_paths
from segtui.tui.app import SegtuiApp, build_app
from segtui.tui.screens.audience_modal import AudienceModal
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.messaging import MessagingScreen
from segtui.tui.widgets.draft_editor import DraftEditor
from segtui.tui.widgets.draft_preview import DraftPreview

NAME = "Customer value"
SUBJECT = "Hi {{ first_name }}, {{ interests | default('what you like') }}"


def stored_drafts(path: Path) -> dict[str, list[dict[str, Any]]]:
    """segment -> its drafts' JSON, in position order, as the project file holds them."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT segment, content FROM segtui_drafts ORDER BY segment, position"
        ).fetchall()
    found: dict[str, list[dict[str, Any]]] = {}
    for segment, content in rows:
        found.setdefault(segment, []).append(json.loads(content))
    return found


def versions(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM segtui_draft_versions").fetchone()[0])


async def open_messaging(app: SegtuiApp, pilot: Pilot) -> MessagingScreen:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, MessagingScreen)
    return screen


def preview_text(screen: MessagingScreen) -> str:
    from io import StringIO

    from rich.console import Console

    console = Console(width=80, file=StringIO(), record=True)
    console.print(screen.query_one(DraftPreview).query_one("#preview-text", Static).content)
    return console.export_text()


async def test_write_a_draft_preview_it_and_suggest_another(demo_project: Path) -> None:
    run = rfm_run(demo_project, NAME)
    app = build_app(demo_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_messaging(app, pilot)
        table = screen.query_one("#msg-segments", DataTable)
        assert [str(k.value) for k in table.rows] == [s.name for s in run.segments]
        sizes = {s.name: s.customers for s in run.segments}
        assert table.get_row("Champions")[2].plain == f"{sizes['Champions']:,}"
        assert screen.segment == "Champions" and screen.draft is None

        # Enter starts a blank draft; typing in the subject saves it.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.focused, Input) and app.focused.id == "subject"
        await type_text(pilot, SUBJECT)
        await pilot.press("escape")  # back to the list: the draft is written now
        await settle(pilot)
        saved = stored_drafts(demo_project)["Champions"]
        assert saved[0]["variants"][0]["subject"] == SUBJECT
        assert [v["name"] for v in saved[0]["variants"]] == ["A", "B"]
        assert table.get_row("Champions")[0].plain == "●"

        # The preview is written for a real member of the segment, with the limits.
        rows = screen.loaded.members["Champions"]  # type: ignore[union-attr]
        first = rows[0]
        text = preview_text(screen)
        assert f"Hi {first['first_name']}, {first['interests']}" in text
        assert "of 60 characters" in text  # the email subject limit
        assert first["customer_id"] in str(screen.query_one(DraftPreview).border_title)
        await pilot.press("ctrl+n")
        assert rows[1]["customer_id"] in str(screen.query_one(DraftPreview).border_title)
        assert rows[1]["interests"] is None  # the member with gaps comes second
        assert f"Hi {rows[1]['first_name']}, what you like" in preview_text(screen)

        # An unknown field is named with the place, and the draft is still saved as typed.
        await pilot.press("enter")
        await type_text(pilot, " {{ frist_name }}")
        await pilot.press("escape")
        await settle(pilot)
        assert "frist_name" in preview_text(screen)
        assert "first_name" in preview_text(screen)  # the close match offered
        assert (
            "{{ frist_name }}"
            in stored_drafts(demo_project)["Champions"][0]["variants"][0]["subject"]
        )

        # s on another segment fills it from the playbook.
        await pilot.press("down")
        await settle(pilot)
        assert screen.segment == "Loyal"
        await pilot.press("s")
        await settle(pilot)
        loyal = stored_drafts(demo_project)["Loyal"][0]
        assert loyal["source"].startswith("playbook")
        assert len(loyal["variants"]) >= 2 and all(v["body"] for v in loyal["variants"])
        champions = stored_drafts(demo_project)["Champions"][0]
        assert loyal["variants"][0]["subject"] != champions["variants"][0]["subject"]
        assert (
            screen.query_one(DraftEditor).query_one("#subject", Input).value
            == (loyal["variants"][0]["subject"])
        )

        # A second s on text that exists asks first; No keeps the text.
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("escape")
        await settle(pilot)
        assert stored_drafts(demo_project)["Loyal"][0] == loyal

        # ctrl+e: the ESP list of the shown segment, held out as its draft says.
        await pilot.press("ctrl+e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, AudienceModal)
        assert modal.query_one("#audience-holdout", Input).value == f"{loyal['holdout_pct']:g}"
        await pilot.press("ctrl+s")
        await settle(pilot)
        path = Path(modal.query_one("#audience-path", Input).value)
        sent, held, invalid = (pl.read_csv(p) for p in audience_paths(path))
        assert set(sent["segment"]) == {"Loyal"} and set(held["segment"]) <= {"Loyal"}
        opted_out = sizes["Loyal"] - sent.height - held.height - invalid.height
        assert opted_out > 0  # the demo's customers without marketing consent
        assert f"{opted_out:,} opted out" in text_of(modal.query_one("#audience-status", Static))
        assert held.height == holdout_size(sent.height + held.height, loyal["holdout_pct"])
        await pilot.press("escape")

    # Back on the screen later, everything is where it was left.
    app = build_app(demo_project)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_messaging(app, pilot)
        assert "2 with a draft" in text_of(screen.query_one("#msg-run-line", Static))
        assert screen.draft is not None and "frist_name" in screen.draft.variants[0].subject


async def test_fields_variants_and_history(demo_project: Path) -> None:
    rfm_run(demo_project, NAME)
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_messaging(app, pilot)
        await pilot.press("s")  # Champions from the playbook
        await settle(pilot)
        editor = screen.query_one(DraftEditor)
        suggested = stored_drafts(demo_project)["Champions"][0]

        # A discount as typed, a holdout out of range (said, not saved).
        editor.query_one("#discount", Input).focus()
        await type_text(pilot, "15%")
        editor.query_one("#holdout", Input).value = "80"
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert "Holdout '80'" in text_of(editor.query_one("#draft-status", Static))
        stored = stored_drafts(demo_project)["Champions"][0]
        assert stored["offer"]["discount_kind"] == "percent"
        assert stored["offer"]["discount"] == 15.0
        assert stored["holdout_pct"] == suggested["holdout_pct"]  # 80 % was not taken

        # One visit, one version in the history (the suggestion as it was).
        assert versions(demo_project) == 1

        # a adds variant C from the shown one; ] and [ switch; the body edits C only.
        await pilot.press("a")
        await settle(pilot)
        draft = stored_drafts(demo_project)["Champions"][0]
        assert [v["name"] for v in draft["variants"]] == ["A", "B", "C"]
        assert draft["variants"][2]["subject"] == draft["variants"][0]["subject"]
        assert editor.variant == 2
        body = editor.query_one("#body", TextArea)
        body.focus()
        await pilot.press("end")
        await type_text(pilot, "PS")
        await pilot.press("escape")
        await settle(pilot)
        draft = stored_drafts(demo_project)["Champions"][0]
        assert ",PS\n" in draft["variants"][2]["body"]  # end of the first line
        assert "PS" not in draft["variants"][0]["body"]
        await pilot.press("left_square_bracket")
        assert editor.variant == 1
        assert "variant B" in str(screen.query_one(DraftPreview).border_title)

        # X removes the shown variant after asking; two stay.
        await pilot.press("X")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        names = [v["name"] for v in stored_drafts(demo_project)["Champions"][0]["variants"]]
        assert names == ["A", "C"]
        await pilot.press("X")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)
        assert "at least 2 variants" in text_of(screen.query_one("#msg-error", Static))

        # h restores the suggestion as it was first saved.
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("enter")  # the first entry: the latest earlier version
        await settle(pilot)
        restored = stored_drafts(demo_project)["Champions"][0]
        assert restored["variants"][0]["subject"] == suggested["variants"][0]["subject"]


async def test_suggest_for_every_segment_without_a_draft(demo_project: Path) -> None:
    run = rfm_run(demo_project, NAME)
    app = build_app(demo_project)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_messaging(app, pilot)
        await pilot.press("enter")  # Champions: a draft with text is kept as it is
        await type_text(pilot, "Mine")
        await pilot.press("escape", "down", "enter", "escape")  # Loyal: left blank
        await pilot.press("S")
        await settle(pilot)
        found = stored_drafts(demo_project)
        assert sorted(found) == sorted(s.name for s in run.segments)
        assert all(len(drafts) == 1 for drafts in found.values())
        assert found["Champions"][0]["variants"][0]["subject"] == "Mine"
        assert found["Champions"][0]["source"] == ""
        assert found["Loyal"][0]["source"].startswith("playbook")  # the blank one replaced
        subjects = {found[s.name][0]["variants"][0]["subject"] for s in run.segments[1:]}
        assert len(subjects) == len(run.segments) - 1  # each archetype its own
        assert f"{len(run.segments)} with a draft" in text_of(
            screen.query_one("#msg-run-line", Static)
        )
        assert screen.draft is not None and screen.draft.source.startswith("playbook")


async def test_text_typed_just_before_quitting_is_saved(demo_project: Path) -> None:
    rfm_run(demo_project, NAME)
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_messaging(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "Last words")
        await pilot.press("ctrl+q")  # before the pause after which typing is written
    assert stored_drafts(demo_project)["Champions"][0]["variants"][0]["subject"] == "Last words"


async def test_each_visit_to_a_draft_keeps_one_version(demo_project: Path) -> None:
    rfm_run(demo_project, NAME)
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_messaging(app, pilot)
        await pilot.press("enter")
        await type_text(pilot, "First")
        await pilot.press("escape", "down", "up")  # to Loyal and back: a new visit
        await pilot.press("enter")
        await type_text(pilot, " and")
        await type_text(pilot, " more")
        await pilot.press("escape")
        await settle(pilot)
        assert versions(demo_project) == 1  # "First", not one per pause in typing
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("enter")
        await type_text(pilot, "!")
        await pilot.press("escape")
        await settle(pilot)
        assert versions(demo_project) == 2
        assert stored_drafts(demo_project)["Champions"][0]["variants"][0]["subject"] == (
            "First and more!"
        )


async def test_quitting_with_an_unchecked_playbook_asks_first(demo_project: Path) -> None:
    rfm_run(demo_project, NAME)
    app = build_app(demo_project)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_messaging(app, pilot)
        await pilot.press("P")
        await settle(pilot)
        await type_text(pilot, "x")
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.is_running and app.quit_asked
        await pilot.press("ctrl+q")
    assert not app.is_running
