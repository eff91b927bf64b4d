"""Two segments of a run side by side: their size and value, then every feature with both
segments' values and everyone's, the features that differ most first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from segtui.tui.screens.base import SegtuiScreen
from segtui.tui.widgets.footer import KeysFooter
from segtui.tui.widgets.segment_table import COLUMNS, cell_text

if TYPE_CHECKING:
    from segtui.core.profile import Comparison, RunSummary
    from segtui.core.run_data import RunData


class CompareScreen(SegtuiScreen):
    PURPOSE = (
        "Two segments side by side: size and value, then each feature for both and for "
        "everyone, the most different first. x swaps them, Escape goes back."
    )
    DEFAULT_CSS = """
    CompareScreen #compare { padding: 0 1; }
    CompareScreen #compare-title { height: auto; text-style: bold; }
    CompareScreen #compare-summary { height: auto; max-height: 12; margin-bottom: 1; }
    CompareScreen #compare-features { height: 1fr; }
    """
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="compare.back",
                tooltip="Back to the Segments screen."),
        Binding("x", "swap", "Swap", id="compare.swap",
                tooltip="Swap the two segments' columns."),
    ]  # fmt: skip

    def __init__(self, data: RunData, a: str, b: str, summary: RunSummary) -> None:
        super().__init__()
        self.data = data
        self.summary = summary  # the Segments screen's, for the whole run's column
        self.a = a
        self.b = b

    def compose(self) -> ComposeResult:
        with Vertical(id="compare"):
            yield Static(f"Comparing {self.a} with {self.b}…", id="compare-title", markup=False)
            summary: DataTable[Text] = DataTable(id="compare-summary", cursor_type="row")
            yield summary
            features: DataTable[Text] = DataTable(
                id="compare-features", cursor_type="row", zebra_stripes=True
            )
            features.tooltip = "Features, the most different first."
            yield features
        yield KeysFooter()

    def on_mount(self) -> None:
        self.compare()

    @work(thread=True, exclusive=True, exit_on_error=False, name="compare")
    def compare(self) -> Comparison:
        from segtui.core.profile import compare_segments

        return compare_segments(self.data, self.a, self.b)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "compare" and event.state == WorkerState.SUCCESS:
            self.show(event.worker.result)  # type: ignore[arg-type]

    def show(self, comparison: Comparison) -> None:
        currency = self.data.currency
        a, b = comparison.a, comparison.b
        self.query_one("#compare-title", Static).update(
            f"{a.name} vs {b.name} · {self.data.run.segmentation}, run {self.data.run.id}"
        )
        table = self.query_one("#compare-summary", DataTable)
        table.clear(columns=True)
        for label in ("", a.name, b.name, "Whole run"):
            table.add_column(Text(label, justify="right" if label else "left"))
        everyone = self.summary.total
        for column in COLUMNS[1:]:
            table.add_row(
                Text(column.header),
                *(
                    Text(cell_text(row, column.attribute, currency), justify="right")
                    for row in (a, b, everyone)
                ),
            )
        features = self.query_one("#compare-features", DataTable)
        features.clear(columns=True)
        for label in ("Feature", a.name, b.name, "Everyone", "Difference"):
            features.add_column(Text(label, justify="left" if label == "Feature" else "right"))
        for row in comparison.rows:
            features.add_row(
                Text(row.label),
                Text(row.a, justify="right"),
                Text(row.b, justify="right"),
                Text(row.population, justify="right", style="dim"),
                Text(row.note, justify="right"),
            )
        if not comparison.rows:
            features.add_row(Text("No features to compare."), *[Text("")] * 4)
        features.focus()

    def action_swap(self) -> None:
        self.a, self.b = self.b, self.a
        self.compare()

    def commands(self) -> list[Any]:
        from segtui.tui.screens.base import Command

        return [Command("compare: swap the two segments", self.action_swap, "x")]
