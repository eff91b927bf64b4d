"""The export dialog (ctrl+e): what to write (members of the focused segment, of chosen
segments or of the whole run; the segment summary; the chart on screen as text), the format,
the columns and the path. The export runs in a worker with a progress bar (Escape cancels and
leaves no file); an existing file is only replaced after asking; the path written is shown."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, ProgressBar, Select, SelectionList, Static

from segtui.tui.formatting import display_path
from segtui.tui.screens.writing_modal import WritingModal, writing_bindings
from segtui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from segtui.core.charts import Chart
    from segtui.core.export import ExportResult
    from segtui.core.profile import RunSummary
    from segtui.core.run_data import RunData

SLOW_XLSX = 20_000  # member rows above which the dialog warns that Excel will take a while
FORMATS = {
    "members": [("CSV", "csv"), ("Excel (.xlsx)", "xlsx"), ("Parquet", "parquet")],
    "summary": [("CSV", "csv"), ("Excel (.xlsx)", "xlsx")],
    "chart": [("Text", "txt")],
}


class ExportModal(WritingModal):
    PURPOSE = (
        "Export members (of a segment, chosen segments or the whole run), the segment summary "
        "or the chart on screen. ctrl+s or Enter in the path writes the file."
    )
    DEFAULT_CSS = """
    ExportModal > .dialog { width: 90%; max-width: 110; height: 90%; }
    ExportModal .export-row { height: auto; }
    ExportModal .export-row > Static { width: 9; padding-top: 0; }
    ExportModal .export-row > Select { width: 1fr; }
    ExportModal #export-lists { height: 1fr; min-height: 4; }
    ExportModal SelectionList { width: 1fr; height: 1fr; }
    ExportModal #export-path { width: 1fr; }
    ExportModal #export-status { height: auto; }
    ExportModal ProgressBar { height: 1; }
    """
    BINDINGS: ClassVar = writing_bindings("export", "Write the file (asks before replacing one).")
    STATUS = "#export-status"
    PROGRESS = "#export-progress"
    WORKER = "export"
    REPLACE_DETAIL = "The file exists; it is replaced only once the new one is complete."

    def __init__(
        self,
        data: RunData,
        *,
        segments: list[str] | None = None,
        summary: RunSummary | None = None,
        chart: Chart | list[Chart] | None = None,
    ) -> None:
        super().__init__()
        self.data = data
        self.segments = segments  # the focused segment(s); None = the whole run
        self.summary = summary
        # One chart, or several shown together (the k scan's two curves): written one
        # after the other.
        self.charts: list[Chart] = (
            [] if chart is None else list(chart) if isinstance(chart, list) else [chart]
        )
        self.chart = self.charts[0] if self.charts else None
        self.path_edited = False
        self.written_what = ""  # what the running (or last) export writes

    # --- layout ----------------------------------------------------------------------------

    def _what_options(self) -> list[tuple[str, str]]:
        options = []
        if self.segments:
            options.append((f"Members of {', '.join(self.segments)}", "focused"))
        options += [
            ("Members of the segments I tick", "chosen"),
            ("Every member of the run", "all"),
        ]
        if self.summary is not None:
            options.append(("The segment summary table", "summary"))
        if self.chart is not None:
            options.append((f"The chart as text: {self.chart.title}", "chart"))
        return options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"Export from {self.data.run.segmentation} (run {self.data.run.id})",
                classes="dialog-title",
                markup=False,
            )
            options = self._what_options()
            with Horizontal(classes="export-row"):
                yield Static("What")
                yield Select(options, value=options[0][1], allow_blank=False, id="export-what",
                             compact=True, tooltip="What to write.")  # fmt: skip
            with Horizontal(classes="export-row"):
                yield Static("Format")
                yield Select(
                    FORMATS["members"],
                    value="csv",
                    allow_blank=False,
                    id="export-format",
                    compact=True,
                    tooltip="CSV for anything, Excel for people, Parquet for tools.",
                )
            with Horizontal(id="export-lists"):
                segments: SelectionList[str] = SelectionList(
                    *((name, name, name in (self.segments or [])) for name in self.data.segments),
                    id="export-segments",
                )
                segments.border_title = "Segments (space ticks)"
                yield segments
                fixed = {"customer_id", "segment"}
                columns: SelectionList[str] = SelectionList(
                    *((c, c, True) for c in self.data.member_columns() if c not in fixed),
                    id="export-columns",
                )
                columns.border_title = "Columns (customer_id and segment always)"
                yield columns
            with Horizontal(classes="export-row"):
                yield Static("Path")
                yield Input(id="export-path", tooltip="Where to write; Enter exports.")
            yield ProgressBar(total=1.0, show_eta=False, id="export-progress")
            yield Static("", id="export-status", markup=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._follow_what()
        self.query_one("#export-path", Input).focus()

    @property
    def what(self) -> str:
        return str(self.query_one("#export-what", Select).value)

    @property
    def fmt(self) -> str:
        return str(self.query_one("#export-format", Select).value)

    def _follow_what(self) -> None:
        what = self.what
        kind = what if what in ("summary", "chart") else "members"
        formats = self.query_one("#export-format", Select)
        current = formats.value
        formats.set_options(FORMATS[kind])
        values = [v for _, v in FORMATS[kind]]
        formats.value = current if current in values else values[0]
        self.query_one("#export-segments").display = what == "chosen"
        self.query_one("#export-columns").display = kind == "members"
        self.query_one("#export-lists").display = kind == "members"
        self._default_path()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "export-what":
            self._follow_what()
        else:
            self._default_path()

    def on_selection_list_selected_changed(self, event: SelectionList.SelectedChanged) -> None:
        if event.selection_list.id == "export-segments":
            self._default_path()

    def _chosen_segments(self) -> list[str] | None:
        what = self.what
        if what == "focused":
            return self.segments
        if what == "chosen":
            return list(self.query_one("#export-segments", SelectionList).selected)
        return None

    def _rows(self) -> int:
        """How many member rows the current choice writes (from the run's counts)."""
        chosen = self._chosen_segments()
        counts = {seg.name: seg.customers for seg in self.data.run.segments}
        if chosen is None:
            return self.data.assignments.height
        return sum(counts.get(name, 0) for name in chosen)

    def _hint(self) -> None:
        """Warn before a slow Excel export (xlsxwriter writes some tens of thousands of cells a
        second); CSV and Parquet take about a second for 100,000 rows."""
        if self.running:
            return
        rows = self._rows()
        if self.what not in ("summary", "chart") and self.fmt == "xlsx" and rows > SLOW_XLSX:
            self._status(
                f"{rows:,} rows: Excel files are slow to write (minutes at this size); CSV or "
                "Parquet take seconds. Escape cancels a running export."
            )
        else:
            self._status("")

    def _default_path(self) -> None:
        self._hint()
        if self.path_edited:
            return
        from segtui.core.export import chart_name, default_name, summary_name

        name = self.data.run.segmentation
        what = self.what
        if what == "summary":
            path = summary_name(name, self.fmt)  # type: ignore[arg-type]
        elif what == "chart":
            path = chart_name(name, self.chart.title if self.chart else "chart")
        else:
            path = default_name(name, self._chosen_segments(), self.fmt)  # type: ignore[arg-type]
        field = self.query_one("#export-path", Input)
        with field.prevent(Input.Changed):
            field.value = path

    def on_input_changed(self, event: Input.Changed) -> None:
        self.path_edited = True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    # --- writing ---------------------------------------------------------------------------

    def export(self, force: bool) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self._status("Give a path to write to, e.g. champions.csv.", error=True)
            return
        path = Path(text).expanduser()
        if self.what == "chosen" and not self._chosen_segments():
            self._status("Tick at least one segment (space in the list).", error=True)
            return
        if not self.start_writing(path, [path], force):
            return
        self.written_what = self.what
        # The choices are read here, on the UI thread; the worker only writes.
        columns = list(self.query_one("#export-columns", SelectionList).selected)
        self.write(path, force, self.what, self.fmt, self._chosen_segments(), columns)

    @work(thread=True, exclusive=True, exit_on_error=False, name="export")
    def write(
        self,
        path: Path,
        force: bool,
        what: str,
        fmt: str,
        segments: list[str] | None,
        columns: list[str],
    ) -> ExportResult:
        from segtui.core import export

        if what == "summary":
            assert self.summary is not None
            return export.export_summary(self.summary, path, fmt=fmt, force=force)
        if what == "chart":
            from segtui.core.charts import chart_text

            assert self.chart is not None
            text = "\n\n".join(chart_text(chart) for chart in self.charts)
            return export.export_text(text, path, force=force)
        return export.export_members(
            self.data,
            path,
            segments=segments,
            columns=columns,
            fmt=fmt,
            force=force,
            progress=self._progress,
            cancelled=self.cancel_event.is_set,
        )

    def written(self, result: ExportResult) -> str:
        shown = display_path(result.path)
        if self.written_what == "chart":
            return f"Wrote the chart ({result.rows} lines) to {shown}"
        return f"Wrote {result.rows:,} rows × {len(result.columns)} columns to {shown}"
