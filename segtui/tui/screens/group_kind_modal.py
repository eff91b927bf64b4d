"""The rule editor's group dialog: pick how a group's conditions combine, all of, any of or
none of them (to add a nested group or change a group's kind).

Its list's style is in condition_modal.tcss (.group-dialog #group-kinds), beside the condition
dialog's.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from segtui.core.rules import GroupKind
from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.footer import KeysFooter

GROUP_CHOICES = {
    "all": ("All of", "every condition in it must match"),
    "any": ("Any of", "at least one condition in it must match"),
    "not": ("None of", "none of the conditions in it may match"),
}


class GroupKindModal(SegtuiModal[GroupKind | None]):
    """Pick the kind of a group: all of, any of or none of."""

    PURPOSE = "How the conditions of a group combine: all of, any of or none of them."

    def __init__(self, title: str, current: GroupKind = "any") -> None:
        super().__init__()
        self.title_text = title
        self.current = current

    def compose(self) -> ComposeResult:
        kinds = [
            Option(Text.assemble((f"{label}: ", "bold"), help_text), kind)
            for kind, (label, help_text) in GROUP_CHOICES.items()
        ]
        with Vertical(classes="dialog group-dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield OptionList(*kinds, id="group-kinds")
            yield Static("Enter picks; Escape cancels.", classes="dialog-hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        kinds = self.query_one("#group-kinds", OptionList)
        kinds.highlighted = list(GROUP_CHOICES).index(self.current)
        kinds.focus()

    @on(OptionList.OptionSelected, "#group-kinds")
    def picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)  # type: ignore[arg-type]
