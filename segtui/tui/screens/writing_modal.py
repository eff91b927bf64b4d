"""What the dialogs that write files share (the export dialog, export_modal.py, and the
audience dialog, audience_modal.py): ctrl+s writes in a worker behind a progress bar, the
choices are locked meanwhile, Escape cancels a running export (no file is left) or closes,
an existing file is only replaced after asking, and one status line says what was written
or why not."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from textual.binding import Binding
from textual.widgets import ProgressBar, Static
from textual.worker import Worker, WorkerState

from segtui.tui.formatting import display_path, listed
from segtui.tui.screens.base import SegtuiModal

FINISHED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)


def writing_bindings(prefix: str, write_tooltip: str) -> list[Binding]:
    """ctrl+s writes and Escape cancels or closes; the ids stay each dialog's own
    (``<prefix>.write``, ``<prefix>.close``) so keymaps and the help screen tell them apart."""
    return [
        Binding("ctrl+s", "export", "Export", priority=True, id=f"{prefix}.write",
                tooltip=write_tooltip),
        Binding("escape", "close", "Close", id=f"{prefix}.close",
                tooltip="Cancel a running export (no file is left), or close the dialog."),
    ]  # fmt: skip


class WritingModal(SegtuiModal[None]):
    """A dialog whose ctrl+s writes files in a worker. A subclass names its widgets and its
    writing worker, and implements ``export`` (check the choices, then ``start_writing`` and
    start the worker) and ``written`` (the line that reports a success)."""

    STATUS: ClassVar[str] = ""  # the status line's selector, e.g. "#export-status"
    PROGRESS: ClassVar[str] = ""  # the progress bar's selector
    WORKER: ClassVar[str] = ""  # the name of the worker that writes
    REPLACE_DETAIL: ClassVar[str] = ""  # the line under "Replace …?"
    CANCELLED: ClassVar[str] = "The export was cancelled."

    def __init__(self) -> None:
        super().__init__()
        self.cancel_event = threading.Event()
        self.running = False

    def on_mount(self) -> None:
        # Textual also calls the subclass's own on_mount: this only hides the idle bar.
        self.query_one(self.PROGRESS, ProgressBar).display = False

    # --- hooks -----------------------------------------------------------------------------

    def export(self, force: bool) -> None:
        """Check the choices and write (``start_writing``, then the worker), or say what is
        missing in the status line."""
        raise NotImplementedError

    def written(self, result: Any) -> str:
        """What the worker's result wrote: the status line (its first line is notified)."""
        raise NotImplementedError

    # --- writing ---------------------------------------------------------------------------

    def _status(self, text: str, error: bool = False) -> None:
        status = self.query_one(self.STATUS, Static)
        status.set_class(error, "error")
        status.update(text)

    def show_error(self, message: str) -> None:
        # The app's failure handler (SegtuiModal forwards worker failures to it) puts the
        # one-sentence message of a failed export here.
        self._status(message, error=True)

    def action_export(self, force: bool = False) -> None:
        if not self.running:  # one file at a time; the choices are locked meanwhile
            self.export(force)

    def start_writing(self, path: Path, targets: list[Path], force: bool) -> bool:
        """Lock the choices and show the progress bar before writing ``path`` (and the other
        targets). False when that would replace files: it asks first, and yes runs the
        export again with force."""
        existing = [] if force else [p for p in targets if p.exists()]
        if existing:
            self._ask_to_replace(existing)
            return False
        self.running = True
        self.cancel_event.clear()
        self._lock(True)
        progress = self.query_one(self.PROGRESS, ProgressBar)
        progress.display = True
        progress.update(progress=0.0)
        self._status(f"Writing {display_path(path)}… (Escape cancels)")
        return True

    def _ask_to_replace(self, existing: list[Path]) -> None:
        from segtui.tui.screens.confirm import ConfirmModal

        def done(yes: bool | None) -> None:
            if yes:
                self.action_export(force=True)

        names = listed([display_path(p) for p in existing])
        self.app.push_screen(
            ConfirmModal(f"Replace {names}?", self.REPLACE_DETAIL, confirm_label="Replace"),
            done,
        )

    def _lock(self, locked: bool) -> None:
        """The choices cannot change while the files are being written."""
        for widget in self.query("Select, SelectionList, Input"):
            widget.disabled = locked

    def _progress(self, fraction: float, label: str) -> None:
        # Called from the writing worker's thread: the widget is looked up on the UI thread.
        self.app.call_from_thread(self._show_progress, fraction)

    def _show_progress(self, fraction: float) -> None:
        self.query_one(self.PROGRESS, ProgressBar).update(progress=fraction)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name != self.WORKER or event.state not in FINISHED:
            return
        self.running = False
        self._lock(False)
        self.query_one(self.PROGRESS, ProgressBar).display = False
        if event.state == WorkerState.SUCCESS:
            message = self.written(event.worker.result)
            self._status(message)
            self.app.notify(message.split("\n")[0], markup=False)
        elif event.state == WorkerState.CANCELLED:
            self._status(self.CANCELLED, error=True)
        # A failure reaches the status line through show_error (see there).

    def action_close(self) -> None:
        if self.running:
            self.cancel_event.set()
            self._status("Cancelling…")
            return
        self.dismiss(None)
