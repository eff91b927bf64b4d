"""The RFM editor's move-cell dialog: pick the segment a map cell goes to from the map's
segment names, or type a new name (checked like a rename).

Its list's height is set in rfm_editor.tcss (#move-names), loaded with the editor that opens it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static

from segtui.core.errors import SegtuiError
from segtui.core.rfm_map import clean_name
from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.footer import KeysFooter


class MoveCellModal(SegtuiModal[str]):
    """Pick the segment a cell goes to from the map's names, or type a new one."""

    PURPOSE = "Move a cell: Enter on a segment of the list, or type a new name and press Enter."

    def __init__(self, title: str, names: list[str], current: str) -> None:
        super().__init__()
        self.title_text = title
        self.names = names
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*self.names, id="move-names", markup=False)
            yield Label("Or a new segment name")
            yield Input(placeholder="new segment name", id="move-new", compact=True)
            yield Static("", id="move-error", classes="error", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.tooltip = "The segments of the map: Enter moves the cell into the highlighted one."
        self.query_one(Input).tooltip = "Type a new segment's name and press Enter."
        options.highlighted = self.names.index(self.current) if self.current in self.names else 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.names[event.option_index])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            self.dismiss(clean_name(event.value))
        except SegtuiError as exc:
            self.query_one("#move-error", Static).update(str(exc))
