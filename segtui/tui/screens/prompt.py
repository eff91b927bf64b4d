"""A one-line question: a title, an Input and its check. Enter answers, Escape cancels."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from segtui.core.errors import SegtuiError
from segtui.tui.screens.base import SegtuiModal
from segtui.tui.widgets.footer import KeysFooter


class PromptModal(SegtuiModal[str]):
    """Asks for one value; ``check`` returns the cleaned value or raises SegtuiError (shown
    under the input, and the modal stays open)."""

    PURPOSE = "Type a value and press Enter; Escape cancels."

    def __init__(
        self,
        title: str,
        value: str = "",
        *,
        detail: str = "",
        placeholder: str = "",
        check: Callable[[str], str] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.detail = detail
        self.placeholder = placeholder
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            if self.detail:
                yield Static(self.detail, classes="dialog-text", markup=False)
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Static("", id="prompt-error", classes="error", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            value = self.check(event.value) if self.check else event.value.strip()
        except SegtuiError as exc:
            self.query_one("#prompt-error", Static).update(str(exc))
            return
        self.dismiss(value)
