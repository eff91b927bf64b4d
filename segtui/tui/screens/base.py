"""What every segtui screen and modal shares: worker state changes go to the app's one
handler (which routes failures), an optional in-screen error line, contextual palette
commands, and the purpose text the help screen shows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple, TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen, Screen
from textual.worker import Worker

if TYPE_CHECKING:
    from segtui.core.project import Project
    from segtui.tui.app import SegtuiApp


ResultT = TypeVar("ResultT")


class Command(NamedTuple):
    """A command palette entry: "namespace: action" text, what it runs, one line of help."""

    name: str
    run: Callable[[], Any]
    help: str = ""


class SegtuiScreenMixin:
    """Mixed into Screen and ModalScreen (kept as a mixin so both get the same behaviour)."""

    PURPOSE: ClassVar[str] = ""

    @property
    def segtui(self) -> SegtuiApp:
        return self.app  # type: ignore[attr-defined,no-any-return]

    @property
    def project(self) -> Project | None:
        return self.segtui.project

    def show_error(self, message: str) -> None:
        """Show a failure in the screen (screens with an error line override this)."""

    def clear_error(self) -> None:
        """Forget a failure shown in the screen."""

    def commands(self) -> list[Command]:
        """Palette commands that apply on this screen right now."""
        return []

    def save_pending(self) -> bool:
        """Write any change held back (e.g. typing saved after a pause) before the app quits;
        False when something would be lost (the app then asks before quitting)."""
        return True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker messages do not bubble: hand each to the app's one routing handler. Screens
        # that need a worker's result define their own handler too (Textual calls both).
        self.segtui.on_worker_state_changed(event)


class SegtuiScreen(SegtuiScreenMixin, Screen[None]):
    """A main screen (one per workflow step, shown in the tab bar)."""


class SegtuiModal(SegtuiScreenMixin, ModalScreen[ResultT]):
    """A modal: Escape closes it, F1 explains it."""

    BINDINGS: ClassVar[list[Binding]] = [
        Binding(
            "escape",
            "close",
            "Close",
            id="modal.close",
            tooltip="Close this dialog without doing anything more.",
        ),
        Binding(
            "f1",
            "app.help",
            "Help",
            id="modal.help",
            tooltip="Show what has focus and the keys that work here.",
        ),
    ]

    def action_close(self) -> None:
        self.dismiss(None)  # type: ignore[arg-type]
