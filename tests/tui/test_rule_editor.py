"""The rule editor, driven from the keyboard on the demo project: build a rule segmentation,
watch the live counts agree with the core's preview, undo, delete, reorder, switch the mode,
run it, and check what the project file holds after each step."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from rich.console import Console
from textual.pilot import Pilot
from textual.widgets import Input, Select, SelectionList, Static
from tui_helpers import settle, text_of, type_text

from segtui.core.features import customer_features
from segtui.core.project import Project
from segtui.core.rules import OPERATORS
from segtui.core.rules_run import RuleSegmentation, preview
from segtui.core.runner import run_segmentation
from segtui.tui.app import build_app
from segtui.tui.screens.condition_modal import ConditionModal
from segtui.tui.screens.confirm import ConfirmModal
from segtui.tui.screens.prompt import PromptModal
from segtui.tui.screens.rule_editor import RuleEditorScreen
from segtui.tui.widgets.rule_tree import Edit, RuleTree, SegmentList, count_text

TWO_SEGMENTS: dict[str, Any] = {
    "mode": "exclusive",
    "else": "Everyone else",
    "segments": [
        {
            "name": "UK customers",
            "rule": {"all": [{"field": "country", "op": "in", "value": ["United Kingdom"]}]},
        },
        {"name": "Regulars", "rule": {"all": [{"field": "orders", "op": ">=", "value": 10}]}},
    ],
}


def stored(path: Path, name: str) -> dict[str, Any]:
    """The definition as the project file holds it (read with a fresh connection)."""
    with Project.open(path) as project:
        return project.segmentation(name).definition


def lines_of(widget: SegmentList | RuleTree) -> list[str]:
    """What each option of a list shows, as plain text."""
    console = Console(width=100, record=True, file=io.StringIO())
    texts = []
    for option in widget.options:
        console.print(option.prompt)
        texts.append(" ".join(console.export_text().split()))
    return texts


async def open_editor(pilot: Pilot, name: str = "Lifecycle", definition: Any = None) -> Any:
    app = pilot.app
    await settle(pilot)
    if definition is not None:
        app.project.create_segmentation(name, "rules", definition)  # type: ignore[attr-defined]
    await app.push_screen(RuleEditorScreen(name))
    await settle(pilot)
    return app.screen


async def pick_operator(pilot: Pilot, field_type: str, current: str, wanted: str) -> None:
    """Open the focused operator Select and move from ``current`` to ``wanted``."""
    keys = [key for key, _label in OPERATORS[field_type]]  # type: ignore[index]
    steps = keys.index(wanted) - keys.index(current)
    await pilot.press("enter", *(["down"] * steps if steps > 0 else ["up"] * -steps), "enter")
    await settle(pilot)


async def add_condition(
    pilot: Pilot, search: str, field_type: str, op: str, value: str | None
) -> None:
    """a, find the field, pick the operator, type the value (None: pick the first value from
    the pick list) and save."""
    await pilot.press("a")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConditionModal)
    await type_text(pilot, search)
    await pilot.press("enter")
    await settle(pilot)
    first = OPERATORS[field_type][0][0]  # type: ignore[index]
    if op != first:
        await pick_operator(pilot, field_type, first, op)
    else:
        await pilot.press("tab")
    if value is None:
        await pilot.press("space", "ctrl+s")
    else:
        await type_text(pilot, value)
        await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, RuleEditorScreen), "the condition was not accepted"


async def add_segment(pilot: Pilot, name: str) -> None:
    await pilot.press("s")
    await settle(pilot)
    assert isinstance(pilot.app.screen, PromptModal)
    await type_text(pilot, name)
    await pilot.press("enter")
    await settle(pilot)


async def test_build_a_rule_segmentation_from_the_keyboard(demo_project: Path) -> None:
    app = build_app(str(demo_project))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # Criteria (3), new (n): rules is the first method, its name "Rules" is suggested.
        await pilot.press("3")
        await settle(pilot)
        await pilot.press("n", "enter", "enter")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, RuleEditorScreen)
        assert stored(demo_project, "Rules")["segments"] == []

        await add_segment(pilot, "UK customers")
        await add_condition(pilot, "country", "category", "in", None)
        await add_segment(pilot, "Regulars")
        await add_condition(pilot, "orders", "number", ">=", "10")
        # A nested "any of" group (offered first: any is the default), then two conditions in it.
        await pilot.press("g")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await add_condition(pilot, "age", "number", "between", "25-34")
        before_last = stored(demo_project, "Rules")
        await add_condition(pilot, "days since", "number", "<=", "90")

        definition = stored(demo_project, "Rules")
        assert definition["segments"] == [
            {
                "name": "UK customers",
                "rule": {"all": [{"field": "country", "op": "in", "value": ["United Kingdom"]}]},
            },
            {
                "name": "Regulars",
                "rule": {
                    "all": [
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
        ]

        # The live counts are the core's preview of the same rules on the same features.
        features = customer_features(app.project)  # type: ignore[arg-type]
        rules = RuleSegmentation.from_json(definition, features.by_name)
        expected = preview(features, rules, node_counts_for=1)
        rows = lines_of(editor.query_one(SegmentList))
        for row, segment in zip(rows, expected.segments, strict=False):
            assert f"{segment.assigned:,}" in row and f"{100 * segment.share:.1f}%" in row
        assert f"Everyone else {expected.everyone_else:,}" in rows[-1]
        tree = lines_of(editor.query_one(RuleTree))
        for path, count in expected.node_counts.items():
            line = tree[editor.query_one(RuleTree).paths.index(path)]
            assert line.endswith(count_text(count, expected.total)), (path, line)
        header = text_of(editor.query_one("#rules-header", Static))
        assert count_text(expected.everyone_else, expected.total) in header

        # Undo writes the definition before the last change back.
        await pilot.press("u")
        await settle(pilot)
        assert stored(demo_project, "Rules") == before_last

        # Delete the age condition (2.1): n keeps it, y deletes it.
        assert editor.query_one(RuleTree).highlighted_path == (1, 0)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await settle(pilot)
        assert stored(demo_project, "Rules") == before_last
        await pilot.press("x", "y")
        await settle(pilot)
        regulars = stored(demo_project, "Rules")["segments"][1]["rule"]
        assert regulars == {"all": [{"field": "orders", "op": ">=", "value": 10}, {"any": []}]}
        # The empty group is highlighted now; a run would refuse it, so delete it too.
        assert editor.query_one(RuleTree).highlighted_path == (1,)
        await pilot.press("r")
        await settle(pilot)
        assert "group 'any' is empty" in text_of(editor.query_one("#rules-error", Static))
        await pilot.press("delete", "y")
        await settle(pilot)
        regulars = stored(demo_project, "Rules")["segments"][1]["rule"]
        assert regulars == {"all": [{"field": "orders", "op": ">=", "value": 10}]}

        # Reorder: in the segment list, move Regulars up (ctrl+up), then down again (J).
        await pilot.press("tab")
        assert editor.focused is editor.query_one(SegmentList)
        await pilot.press("ctrl+up")
        await settle(pilot)
        names = [s["name"] for s in stored(demo_project, "Rules")["segments"]]
        assert names == ["Regulars", "UK customers"]
        await pilot.press("J")
        await settle(pilot)
        names = [s["name"] for s in stored(demo_project, "Rules")["segments"]]
        assert names == ["UK customers", "Regulars"]

        # The mode: overlapping has no else segment; back to exclusive.
        await pilot.press("m")
        await settle(pilot)
        assert stored(demo_project, "Rules")["mode"] == "overlapping"
        assert "else" not in stored(demo_project, "Rules")
        assert "overlapping" in text_of(editor.query_one("#rules-header", Static))
        await pilot.press("m")
        await settle(pilot)
        assert stored(demo_project, "Rules")["mode"] == "exclusive"

        # Run: one run whose counts are the preview's.
        definition = stored(demo_project, "Rules")
        expected = preview(features, RuleSegmentation.from_json(definition, features.by_name))
        await pilot.press("r")
        await settle(pilot)
        with Project.open(demo_project) as project:
            runs = project.runs("Rules")
        assert len(runs) == 1
        counts = {segment.name: segment.customers for segment in runs[0].segments}
        assert counts == {
            **{segment.name: segment.assigned for segment in expected.segments},
            "Everyone else": expected.everyone_else,
        }

        # Escape goes back to the list.
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, RuleEditorScreen)


async def test_segment_names_are_checked(demo_project: Path) -> None:
    app = build_app(str(demo_project))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_editor(pilot, definition=TWO_SEGMENTS)
        await pilot.press("s", "enter")
        await settle(pilot)
        assert isinstance(app.screen, PromptModal)
        assert "blank" in text_of(app.screen.query_one("#prompt-error", Static))
        await type_text(pilot, "regulars")
        await pilot.press("enter")
        await settle(pilot)
        assert "already a segment" in text_of(app.screen.query_one("#prompt-error", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert stored(demo_project, "Lifecycle") == TWO_SEGMENTS
        # Rename in the segment list with Enter.
        await pilot.press("enter", *["backspace"] * 20)
        await type_text(pilot, "Britain")
        await pilot.press("enter")
        await settle(pilot)
        assert stored(demo_project, "Lifecycle")["segments"][0]["name"] == "Britain"


async def test_values_are_checked_and_conditions_prefilled(demo_project: Path) -> None:
    app = build_app(str(demo_project))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, definition=TWO_SEGMENTS)
        await pilot.press("down", "tab", "down")  # Regulars, its condition "orders ≥ 10"
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ConditionModal)
        assert modal.query_one("#operator", Select).value == ">="
        value = modal.query_one("#value-input", Input)
        assert value.value == "10" and app.focused is value
        await pilot.press(*["backspace"] * 2)
        await type_text(pilot, "lots")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is modal  # refused
        assert "not a number" in text_of(modal.query_one("#value-problem", Static))
        await pilot.press(*["backspace"] * 4, "2", "0", "enter")
        await settle(pilot)
        assert app.screen is editor
        rule = stored(demo_project, "Lifecycle")["segments"][1]["rule"]
        assert rule == {"all": [{"field": "orders", "op": ">=", "value": 20}]}


async def test_pick_list_and_segment_of_another_segmentation(demo_project: Path) -> None:
    app = build_app(str(demo_project))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        project = app.project
        assert project is not None
        project.create_segmentation("Base", "rules", TWO_SEGMENTS)
        run_segmentation(project, "Base")
        empty = {"mode": "overlapping", "segments": [{"name": "Loyal", "rule": {"all": []}}]}
        await open_editor(pilot, definition=empty)
        await pilot.press("a")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ConditionModal)
        # The country pick list holds the real values with their counts, most common first.
        await type_text(pilot, "country")
        await pilot.press("enter")
        await settle(pilot)
        picks = modal.query_one("#value-picks", SelectionList)
        assert picks.get_option_at_index(0).value == "United Kingdom"
        assert "4,275" in str(picks.get_option_at_index(0).prompt)
        # Now a segment of Base instead.
        modal.query_one("#field-search", Input).focus()
        await pilot.press(*["backspace"] * 7)
        await type_text(pilot, "segment of")
        await pilot.press("enter", "tab")  # operator "in segment", then the segmentation: Base
        await settle(pilot)
        assert modal.query_one("#ref-segmentation", Select).value == "Base"
        await pilot.press("tab", "enter", "down", "enter", "ctrl+s")  # its second segment
        await settle(pilot)
        rule = stored(demo_project, "Lifecycle")["segments"][0]["rule"]
        assert rule == {
            "all": [{"op": "in_segment", "segmentation": "Base", "segment": "Regulars"}]
        }


async def test_a_rejected_change_is_shown_and_not_saved(demo_project: Path) -> None:
    app = build_app(str(demo_project))
    async with app.run_test(size=(80, 24)) as pilot:
        editor = await open_editor(pilot, definition=TWO_SEGMENTS)
        assert editor.rules is not None
        twin = replace(editor.rules.segments[1], name="UK customers")
        clash = replace(editor.rules, segments=[editor.rules.segments[0], twin])
        assert not editor.commit(Edit(clash))
        error = editor.query_one("#rules-error", Static)
        assert error.display and "two segments are named" in text_of(error)
        assert stored(demo_project, "Lifecycle") == TWO_SEGMENTS
        assert not editor.undo_stack
