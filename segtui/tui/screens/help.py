"""F1 / ? help: what has focus, what it is for, and the keys that work there now.

The keys are read from the live binding chain of the focused widget (widget → its containers
→ screen → app), so help cannot drift from what the keys really do.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.footer import KeysFooter

# What Textual's own widgets are for, in this app's words.
BUILTIN_PURPOSES = {
    "Input": "A text field: type, ← → move, → at the end accepts the grey completion.",
    "DataTable": "A table: ↑ ↓ move between rows, ← → between columns, Enter opens the row.",
    "DirectoryTree": "Files in the working folder: ↑ ↓ move, Enter opens a folder or picks a file.",
    "Select": "A list of choices: Enter opens it, ↑ ↓ choose, Enter picks.",
    "SelectCurrent": "A list of choices: Enter opens it, ↑ ↓ choose, Enter picks.",
    "Switch": "An on/off setting: Space or Enter toggles it.",
    "Button": "A button: Enter presses it.",
    "Tabs": "The screens: ← → or the number keys switch screen.",
}


def purpose_of(widget: Widget | None, screen: Screen[object]) -> tuple[str, str]:
    """(what it is, what it is for) for the focused widget, or the screen when none."""
    if widget is None:
        return (screen.__class__.__name__, getattr(screen, "PURPOSE", "") or "")
    name = widget.id or widget.__class__.__name__
    for node in (widget, *widget.ancestors):
        tooltip = getattr(node, "tooltip", None)
        if isinstance(tooltip, str) and tooltip:
            return (name, tooltip)
        if getattr(node, "PURPOSE", ""):
            return (name, node.PURPOSE)  # type: ignore[attr-defined]
    return (name, BUILTIN_PURPOSES.get(widget.__class__.__name__, ""))


def _where(node: DOMNode, focused: Widget | None, screen: Screen[object]) -> str:
    if node is focused:
        return "here"
    if node is screen:
        return "this screen"
    if node is screen.app:
        return "everywhere"
    return node.id or node.__class__.__name__


def help_for(screen: Screen[object]) -> tuple[str, str, list[tuple[str, str, str, str]]]:
    """(title, purpose, rows of (keys, action, details, where)) from the live bindings."""
    focused = screen.focused
    name, purpose = purpose_of(focused, screen)
    app = screen.app
    grouped: dict[tuple[int, str], list[Any]] = {}
    for key, active in screen.active_bindings.items():
        binding = active.binding
        if binding.system or not (binding.description or binding.tooltip):
            continue
        entry = grouped.setdefault((id(active.node), binding.id or binding.action), [[], active])
        entry[0].append(app.get_key_display(binding) or key)
    rows = []
    for keys, active in grouped.values():
        binding = active.binding
        rows.append(
            (
                " / ".join(dict.fromkeys(keys)),
                binding.description or binding.action,
                binding.tooltip or "",
                _where(active.node, focused, screen),
            )
        )
    # The screen's and the app's keys first: the focused widget's own (cursor keys and the
    # like) are many and mostly obvious.
    order = {"this screen": 0, "everywhere": 2, "here": 3}
    rows.sort(key=lambda row: order.get(row[3], 1))
    return (f"Help: {name}", purpose, rows)


class HelpScreen(SegtuiModal[None]):
    """The keys of what had focus when help was asked for."""

    PURPOSE = "Help: the focused widget's purpose and the keys that work there."
    BINDINGS: ClassVar = [
        Binding("q,f1,question_mark", "close", "Close", id="help.close", tooltip="Close help."),
    ]

    def __init__(self, title: str, purpose: str, rows: list[tuple[str, str, str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.purpose = purpose
        self.rows = rows

    def compose(self) -> ComposeResult:
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False)
        table.add_column("Key", style="bold", no_wrap=True)
        table.add_column("Does", max_width=28)
        table.add_column("Details", ratio=1)
        table.add_column("Where", style="dim", no_wrap=True)
        for keys, action, details, where in self.rows:
            table.add_row(keys, action, details, where)
        with Vertical(classes="dialog help-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.purpose:
                yield Static(Text(self.purpose), classes="dialog-text", id="help-purpose")
            with VerticalScroll(id="help-keys"):
                yield Static(table, id="help-table")
            yield Static("Escape, q or F1 closes this.", classes="dialog-hint")
        yield KeysFooter()
