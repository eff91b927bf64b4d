"""How segments overlap: within one run, the pairwise counts and Jaccard index of its segments
(only overlapping rule segmentations have any); against another segmentation, a cross-tab of
the customers both runs hold (this run's segments down, the other's across)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from segtui.tui.screens.base import Command, SegtuiScreen
from segtui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from segtui.core.overlap import CrossTab, Overlap
    from segtui.core.run_data import RunData


def _short(name: str, width: int = 16) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


class OverlapScreen(SegtuiScreen):
    PURPOSE = (
        "Overlap of a run's segments (counts; j shows the Jaccard index), or a cross-tab with "
        "another segmentation (% shows row percentages). Escape goes back."
    )
    DEFAULT_CSS = """
    OverlapScreen #overlap { padding: 0 1; }
    OverlapScreen #overlap-title { height: auto; text-style: bold; }
    OverlapScreen #overlap-note { height: auto; color: $text-muted; }
    OverlapScreen #overlap-table { height: 1fr; }
    """
    BINDINGS: ClassVar = [
        Binding("escape", "app.pop_screen", "Back", id="overlap.back",
                tooltip="Back to the Segments screen."),
        Binding("j", "toggle", "Counts/ratio", id="overlap.toggle",
                tooltip="Switch between customer counts and the Jaccard index (overlap) or "
                "row percentages (cross-tab)."),
        Binding("percent_sign", "toggle", "Counts/%", show=False, id="overlap.percent",
                tooltip="Switch between counts and row percentages."),
        Binding("ctrl+e", "export", "Export", id="overlap.export",
                tooltip="Write the table (counts and ratios) to a CSV or XLSX file."),
    ]  # fmt: skip

    def __init__(self, data: RunData, other: str | None = None) -> None:
        super().__init__()
        self.data = data
        self.other = other
        self.ratio = False
        self.result: Overlap | CrossTab | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="overlap"):
            yield Static("Counting…", id="overlap-title", markup=False)
            yield Static("", id="overlap-note", markup=False)
            yield DataTable(id="overlap-table", cursor_type="cell", zebra_stripes=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.count()
        self.query_one(DataTable).focus()

    @work(thread=True, exclusive=True, exit_on_error=False, name="overlap")
    def count(self) -> Overlap | CrossTab:
        from segtui.core.overlap import crosstab, overlap
        from segtui.core.run_data import latest_run

        if self.other is None:
            return overlap(self.data)
        return crosstab(self.data, latest_run(self.project, self.other))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.name == "overlap" and event.state == WorkerState.SUCCESS:
            self.result = event.worker.result  # type: ignore[assignment]
            self.show()

    def action_toggle(self) -> None:
        self.ratio = not self.ratio
        self.show()

    def show(self) -> None:
        from segtui.core.overlap import CrossTab

        if self.result is None:
            return
        if isinstance(self.result, CrossTab):
            self._show_crosstab(self.result)
        else:
            self._show_overlap(self.result)

    def _show_overlap(self, o: Overlap) -> None:
        run = self.data.run
        self.query_one("#overlap-title", Static).update(
            f"Overlap of {run.segmentation}'s segments (run {run.id}) · "
            + ("Jaccard index" if self.ratio else "customers in both")
        )
        note = (
            "Each customer is in one segment only (exclusive), so segments never overlap. "
            "x on the Segments screen cross-tabs with another segmentation."
            if not self.data.overlapping
            else "The diagonal is each segment's size; j switches to the Jaccard index "
            "(customers in both ÷ customers in either)."
        )
        self.query_one("#overlap-note", Static).update(note)
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Segment")
        for name in o.segments:
            table.add_column(Text(_short(name), justify="right"))
        for i, name in enumerate(o.segments):
            cells = [
                Text(f"{o.jaccard[i][j]:.2f}" if self.ratio else f"{o.counts[i][j]:,}",
                     justify="right", style="bold" if i == j else "")
                for j in range(len(o.segments))
            ]  # fmt: skip
            table.add_row(Text(name), *cells)

    def _show_crosstab(self, c: CrossTab) -> None:
        self.query_one("#overlap-title", Static).update(
            f"{c.row_title} (down) × {c.col_title} (across) · "
            + ("% of each row" if self.ratio else "customers")
        )
        self.query_one("#overlap-note", Static).update(
            f"{c.common:,} customers are in both runs; {c.only_rows:,} are only in "
            f"{c.row_title}, {c.only_cols:,} only in {c.col_title}. % shows row shares; "
            "arrows scroll across."
        )
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("Segment")
        for name in c.cols:
            table.add_column(Text(_short(name), justify="right"))
        table.add_column(Text("Total", justify="right"))
        for i, name in enumerate(c.rows):
            total = c.row_totals[i]
            cells = [
                Text(
                    (f"{100 * n / total:.1f}%" if total else "—") if self.ratio else f"{n:,}",
                    justify="right",
                )
                for n in c.counts[i]
            ]
            table.add_row(Text(name), *cells, Text(f"{total:,}", justify="right", style="bold"))
        table.add_row(
            Text("Total", style="bold"),
            *(Text(f"{n:,}", justify="right", style="bold") for n in c.col_totals),
            Text(f"{sum(c.col_totals):,}", justify="right", style="bold"),
        )

    # --- export ----------------------------------------------------------------------------

    def action_export(self) -> None:
        from segtui.core.export import slug
        from segtui.tui.screens.prompt import PromptModal

        if self.result is None:
            return
        name = slug(self.data.run.segmentation)
        default = (
            f"{name}-overlap.csv" if self.other is None else (f"{name}-by-{slug(self.other)}.csv")
        )

        def chosen(path: str | None) -> None:
            if path:
                self._confirm_then_write(Path(path).expanduser())

        self.app.push_screen(
            PromptModal("Write the table to:", default, detail="A .csv or .xlsx file."), chosen
        )

    def _confirm_then_write(self, path: Path) -> None:
        from segtui.tui.formatting import display_path
        from segtui.tui.screens.confirm import ConfirmModal

        if not path.exists():
            self.write_table(path, False)
            return

        def done(yes: bool | None) -> None:
            if yes:
                self.write_table(path, True)

        self.app.push_screen(
            ConfirmModal(f"Replace {display_path(path)}?", confirm_label="Replace"), done
        )

    @work(thread=True, exclusive=True, exit_on_error=False, group="export", name="export-table")
    def write_table(self, path: Path, force: bool) -> None:
        from segtui.core.export import export_table
        from segtui.core.overlap import CrossTab, crosstab_frame, overlap_frame
        from segtui.tui.formatting import display_path

        result = self.result
        if isinstance(result, CrossTab):
            written = export_table(crosstab_frame(result), path, "cross-tab", force=force)
        else:
            assert result is not None
            written = export_table(overlap_frame(result), path, "overlap", force=force)
        message = f"Wrote {written.rows:,} rows to {display_path(written.path)}"
        self.app.call_from_thread(self.app.notify, message, markup=False)

    def commands(self) -> list[Command]:
        return [
            Command("overlap: switch counts and ratios", self.action_toggle, "j or %"),
            Command("export: this table…", self.action_export, "ctrl+e: CSV or XLSX"),
        ]
