"""The playbook editor on a small project: it opens on the commented starter, what is typed is
saved to segtui_playbook with ctrl+s (the modal answers True), a mistake shows the core's
message with the cursor on it and stores nothing, Escape asks before dropping changes, and
ctrl+t copies a shipped archetype in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static, TextArea
from tui_helpers import settle, text_of

from segtui.core.playbook import load_playbook, set_project_playbook
from segtui.core.playbook_blocks import shipped_blocks, starter_text
from segtui.core.project import Project
from segtui.tui.app import SegtuiApp, build_app
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.playbook_modal import PlaybookModal

VIP = """[[archetype]]
id = "vip"
title = "Our VIPs"
goal = "reward"
channels = ["email"]
[[archetype.match]]
names = ["vip"]
[[archetype.variant]]
subject = 'Thank you, {{ first_name | default("friend") }}'
body = "A small gift for our best customers."
[[archetype.variant]]
subject = "Something for you"
body = "Because you shop with us so often."
"""


def stored(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return [row[0] for row in conn.execute("SELECT text FROM segtui_playbook")]


async def open_modal(app: SegtuiApp, pilot: Pilot) -> tuple[PlaybookModal, list[bool | None]]:
    """Push the editor (as the Messaging screen does); the list receives its answer."""
    await settle(pilot)
    answers: list[bool | None] = []
    modal = PlaybookModal()
    app.push_screen(modal, answers.append)
    await settle(pilot)
    assert app.screen is modal
    return modal, answers


def status(modal: PlaybookModal) -> Static:
    return modal.query_one("#playbook-status", Static)


async def test_starter_then_typed_text_is_saved(tui_project: Path) -> None:
    app = build_app(tui_project)
    async with app.run_test(size=(100, 30)) as pilot:
        modal, answers = await open_modal(app, pilot)
        editor = modal.query_one(TextArea)
        assert editor.text == starter_text()
        assert "# id = " in editor.text and not editor.read_only
        assert app.focused is editor

        editor.load_text(VIP)  # as if pasted
        editor.move_cursor(editor.document.end)
        await pilot.press(*"# mine", "enter")
        assert editor.text == VIP + "# mine\n"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert answers == [True], text_of(status(modal))
        assert not app.screen_stack.count(modal)
    assert stored(tui_project) == [VIP + "# mine\n"]
    with Project.open(tui_project) as project:
        first = load_playbook(project).archetypes[0]
    assert (first.id, first.origin) == ("vip", "project")


async def test_a_mistake_is_shown_where_it_is_and_nothing_is_stored(tui_project: Path) -> None:
    app = build_app(tui_project)
    async with app.run_test(size=(100, 30)) as pilot:
        modal, answers = await open_modal(app, pilot)
        editor = modal.query_one(TextArea)

        editor.load_text(VIP.replace('goal = "reward"', 'goal = "reward'))  # line 4
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = text_of(status(modal))
        assert message.startswith("project playbook: ") and "at line 4, column" in message
        assert status(modal).has_class("error")
        assert editor.cursor_location[0] == 3
        assert app.screen is modal and answers == []

        editor.load_text("# my archetypes\n\n" + VIP.replace('"reward"', '"rewards"'))
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = text_of(status(modal))
        assert "archetype 'vip': goal 'rewards' is not known" in message
        assert editor.cursor_location == (3, 0)  # the id line of that archetype
        assert app.screen is modal and answers == []
    assert stored(tui_project) == []


async def test_escape_asks_before_dropping_changes(tui_project: Path) -> None:
    with Project.open(tui_project) as project:
        set_project_playbook(project, VIP)
    app = build_app(tui_project)
    async with app.run_test(size=(100, 30)) as pilot:
        modal, answers = await open_modal(app, pilot)
        editor = modal.query_one(TextArea)
        assert editor.text == VIP  # the stored playbook, not the starter
        await pilot.press("x")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is modal and editor.text == "x" + VIP

        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert answers == [False] and app.screen is not modal

        # Without changes Escape closes at once.
        modal, answers = await open_modal(app, pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert answers == [False] and app.screen is not modal
    assert stored(tui_project) == [VIP]


async def test_ctrl_t_copies_a_shipped_archetype_to_change(tui_project: Path) -> None:
    champions = next(b for b in shipped_blocks() if b.id == "champions")
    app = build_app(tui_project)
    async with app.run_test(size=(100, 30)) as pilot:
        modal, answers = await open_modal(app, pilot)
        editor = modal.query_one(TextArea)
        await pilot.press("ctrl+t")
        await settle(pilot)
        await pilot.press(*"champions")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is modal
        assert editor.text == champions.text  # in place of the untouched starter
        assert "replaces the shipped one" in text_of(status(modal))

        # A second archetype goes after the first; the same one twice is flagged.
        editor.load_text(VIP)
        modal.copy_block(champions)
        assert editor.text == VIP + "\n" + champions.text
        assert editor.cursor_location == (len(VIP.splitlines()) + 1, 0)
        modal.copy_block(champions)
        assert "has that id already" in text_of(status(modal))
        editor.load_text(
            VIP + "\n" + champions.text.replace('title = "Champions"', 'title = "Best"')
        )
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert answers == [True]
    with Project.open(tui_project) as project:
        playbook = load_playbook(project)
    assert [a.id for a in playbook.archetypes[:2]] == ["vip", "champions"]
    assert playbook.archetype("champions").title == "Best"
    assert sum(a.id == "champions" for a in playbook.archetypes) == 1


async def test_saving_the_untouched_starter_stores_nothing(tui_project: Path) -> None:
    app = build_app(tui_project)
    async with app.run_test(size=(100, 30)) as pilot:
        _modal, answers = await open_modal(app, pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert answers == [True]
    assert stored(tui_project) == []
