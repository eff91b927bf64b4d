"""Running a segmentation from any screen: a progress bar while it runs (Escape cancels: the
screen calls ``cancel()``), then the counts of every segment. The run itself is core work in
a thread worker; the panel only shows what the worker reports."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, ProgressBar, Static
from textual.worker import Worker, WorkerState, get_current_worker

from segtui.core.segment_model import METHOD_LABELS
from segtui.tui.formatting import fmt_int, fmt_money

if TYPE_CHECKING:
    from segtui.core.segmentations import RunInfo

COLUMNS = ("Segment", "Customers", "Share", "Revenue")


@dataclass
class RunProgress(Message):
    fraction: float
    text: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, RunProgress)


def run_summary(run: RunInfo, currency: str = "") -> str:
    """One line about a run: when, on which analysis date, how many customers and segments."""
    method = METHOD_LABELS.get(run.method, run.method)
    used = sum(1 for s in run.segments if s.customers)
    return (
        f"Run {run.id} ({method}) on {run.ran_at[:16].replace('T', ' ')}, analysis date "
        f"{run.analysis_date or '—'}: {fmt_int(run.customers)} of {fmt_int(run.population)} "
        f"customers in {used} of {len(run.segments)} segments."
    )


class RunPanel(Vertical):
    """Runs a stored segmentation and shows its segment counts."""

    DEFAULT_CSS = """
    RunPanel { height: auto; }
    RunPanel #run-progress { display: none; }
    RunPanel.-running #run-progress { display: block; }
    RunPanel #run-counts { height: auto; max-height: 16; }
    """

    @dataclass
    class Finished(Message):
        """A run was stored."""

        run: RunInfo

    def __init__(self, segmentation: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.segmentation = segmentation
        self.running = False
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1.0, show_eta=False, id="run-progress")
        yield Static("Not run yet: r runs it.", id="run-status", markup=False)
        table: DataTable[Text] = DataTable(
            id="run-counts", cursor_type="row", zebra_stripes=True, cell_padding=1
        )
        table.add_columns(*COLUMNS)
        yield table

    @property
    def currency(self) -> str:
        settings = getattr(self.app, "settings", None)
        return settings.currency if settings is not None else ""

    def start(self) -> None:
        """Run the segmentation now (a second press while it runs does nothing)."""
        if self.running:
            return
        self.running = True
        self._cancel.clear()
        self.add_class("-running")
        self.query_one(ProgressBar).update(progress=0)
        self._status(f"Running {self.segmentation}… Escape cancels (nothing is saved).")
        self.run_it(self.segmentation)

    def cancel(self) -> bool:
        """Cancel a running run; False when nothing runs."""
        if not self.running:
            return False
        self._cancel.set()
        self._status("Cancelling… (nothing will be saved)")
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="run", name="run_segmentation")
    def run_it(self, name: str) -> RunInfo:
        from segtui.core.runner import run_segmentation

        worker = get_current_worker()
        project = self.app.project  # type: ignore[attr-defined]
        assert project is not None
        return run_segmentation(
            project,
            name,
            progress=lambda fraction, text: self.post_message(RunProgress(fraction, text)),
            cancelled=lambda: self._cancel.is_set() or worker.is_cancelled,
        )

    def on_run_progress(self, message: RunProgress) -> None:
        message.stop()
        if self.running:
            self.query_one(ProgressBar).update(progress=message.fraction)
            if not self._cancel.is_set():
                self._status(f"{message.text}… Escape cancels (nothing is saved).")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name != "run_segmentation" or not worker.is_finished:
            return
        self.running = False
        self.remove_class("-running")
        if event.state == WorkerState.SUCCESS:
            run: RunInfo = worker.result  # type: ignore[assignment]
            self.show_run(run)
            self.post_message(self.Finished(run))
            self.app.notify(
                f"{run.segmentation}: {len(run.segments)} segments, "
                f"{fmt_int(run.customers)} customers.",
                title="Run stored",
                markup=False,
            )
        else:
            self._status("The run did not finish; nothing was saved.")
            self.app.on_worker_state_changed(event)  # type: ignore[attr-defined]

    def show_run(self, run: RunInfo | None) -> None:
        """Show a stored run's counts (or that there is none yet)."""
        table = self.query_one(DataTable)
        table.clear()
        if run is None:
            self._status("Not run yet: r runs it.")
            return
        self._status(run_summary(run, self.currency))
        for segment in run.segments:
            table.add_row(
                Text(segment.name),
                Text(fmt_int(segment.customers), justify="right"),
                Text(f"{100 * segment.share:.1f}%", justify="right"),
                Text(
                    "—" if segment.revenue is None else fmt_money(segment.revenue, self.currency),
                    justify="right",
                ),
                key=str(segment.position),
            )

    def _status(self, text: str) -> None:
        self.query_one("#run-status", Static).update(text)
