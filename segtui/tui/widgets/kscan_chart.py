"""Choosing k for a clustering: the form of the settings the scan and the run use (method,
k range, k, seed); the scan itself, a cancellable worker with a progress bar; then a plotext chart
of the silhouette (left axis) and the inertia (k-means) or BIC (Gaussian mixture, right axis)
against k with the recommended k marked, the reason for the recommendation, and the numbers
in a small table (Enter on a row picks that k; the screen handles it).

The chart is redrawn on every render, so it follows the app theme (series colours come from
the theme's primary, accent and success colours) and the widget's size.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult, RenderResult
from textual.color import Color
from textual.containers import Grid, Horizontal, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input, ProgressBar, Select, Static
from textual.worker import Worker, WorkerState, get_current_worker
from textual_plotext import PlotextPlot

from segtui.core.chart_model import short_number
from segtui.core.segment_model import CriteriaError, RunCancelled
from segtui.tui.formatting import fmt_int

if TYPE_CHECKING:
    from segtui.core.clustering import ClusterSettings, KScan
    from segtui.core.segment_model import Features

ALGORITHMS = [("k-means", "kmeans"), ("Gaussian mixture", "gmm")]
# The number inputs: id, ClusterSettings field, tooltip.
INPUTS = (
    ("k-min", "k_min", "The smallest k the scan tries (2 to 30)."),
    ("k-max", "k_max", "The largest k the scan tries (up to 30)."),
    ("k", "k", "The number of clusters of the run; blank uses the k the scan recommends."),
    ("seed", "seed", "The random seed: the same seed gives the same clusters."),
)


def parse_int(text: str, setting: str) -> int | None:
    """A whole number, or None for a blank k (CriteriaError names the setting)."""
    if not text.strip() and setting == "k":
        return None
    try:
        return int(text)
    except ValueError:
        raise CriteriaError(f"{setting} must be a whole number, not {text!r}.") from None


class KSettingsForm(Grid):
    """Method, k range, k and seed (the screen saves every change)."""

    def compose(self) -> ComposeResult:
        yield Static("Method", classes="form-label")
        yield Select(ALGORITHMS, value="kmeans", allow_blank=False, compact=True, id="algorithm",
                     tooltip="k-means (default) or a Gaussian mixture (softer clusters; the scan "
                     "shows its BIC).")  # fmt: skip
        inputs = {
            input_id: Input(id=input_id, type="integer", compact=True, tooltip=tip)
            for input_id, _, tip in INPUTS
        }
        inputs["k"].placeholder = "recommended"
        yield Static("k range", classes="form-label")
        with Horizontal(id="k-range"):
            yield inputs["k-min"]
            yield Static(" to ", classes="muted")
            yield inputs["k-max"]
        yield Static("k", classes="form-label")
        yield inputs["k"]
        yield Static("Seed", classes="form-label")
        yield inputs["seed"]

    def fill(self, settings: ClusterSettings) -> None:
        self.query_one(Select).value = settings.algorithm
        for input_id, field, _ in INPUTS:
            value = getattr(settings, field)
            self.query_one(f"#{input_id}", Input).value = "" if value is None else str(value)

    def values(self) -> dict[str, Any]:
        """algorithm, k_min, k_max, k and seed as typed (CriteriaError: not a number)."""
        values: dict[str, Any] = {
            field: parse_int(self.query_one(f"#{input_id}", Input).value, field)
            for input_id, field, _ in INPUTS
        }
        values["algorithm"] = "gmm" if self.query_one(Select).value == "gmm" else "kmeans"
        return values

    def set(self, field: str, value: str) -> None:
        """Change one setting as if typed ("algorithm" or an input's field)."""
        if field == "algorithm":
            self.query_one(Select).value = value
        else:
            input_id = next(i for i, name, _ in INPUTS if name == field)
            self.query_one(f"#{input_id}", Input).value = value


@dataclass(frozen=True)
class ScanSeries:
    """What the chart draws: k, silhouette and the second measure per scanned k."""

    ks: list[int]
    silhouette: list[float | None]
    second: list[float | None]
    second_label: str  # "inertia" or "BIC"
    recommended: int

    @classmethod
    def from_scan(cls, scan: KScan, algorithm: str) -> ScanSeries:
        key, label = ("bic", "BIC") if algorithm == "gmm" else ("inertia", "inertia")
        return cls(
            ks=[int(row["k"]) for row in scan.rows],
            silhouette=[row.get("silhouette") for row in scan.rows],
            second=[row.get(key) for row in scan.rows],
            second_label=label,
            recommended=scan.recommended,
        )


def scan_key(settings: ClusterSettings) -> tuple[object, ...]:
    """What a scan depends on (k and the cluster names do not change it)."""
    features = tuple(settings.features)
    return features, settings.algorithm, settings.k_min, settings.k_max, settings.seed


MARKER = "hd"


def _present(ks: list[int], values: list[float | None]) -> tuple[list[int], list[float]]:
    pairs = [(k, v) for k, v in zip(ks, values, strict=True) if v is not None]
    return [k for k, _ in pairs], [v for _, v in pairs]


class KScanChart(PlotextPlot):
    """Silhouette and inertia/BIC against k, the recommended k as a vertical line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.series: ScanSeries | None = None

    def show(self, series: ScanSeries | None) -> None:
        self.series = series
        self.refresh()

    def _colour(self, variable: str, fallback: str) -> tuple[int, int, int]:
        try:
            return Color.parse(self.app.theme_variables.get(variable, fallback)).rgb
        except Exception:  # a theme variable that is not a colour
            return Color.parse(fallback).rgb

    def colours(self) -> tuple[Any, Any, Any]:
        """Silhouette, inertia/BIC and the recommended-k line, from the app theme."""
        return (
            self._colour("primary", "blue"),
            self._colour("accent", "orange"),
            self._colour("success", "green"),
        )

    def legend(self) -> Text:
        """The key to the chart (plotext's own legend would cover the lines)."""
        if self.series is None:
            return Text("")
        first, second, mark = (f"rgb({r},{g},{b})" for r, g, b in self.colours())
        text = Text()
        text.append("● ", style=first)
        text.append("silhouette ")
        text.append("◆ ", style=second)
        text.append(f"{self.series.second_label} (right) ")
        text.append("│ ", style=mark)
        text.append(f"k = {self.series.recommended}")
        return text

    def render(self) -> RenderResult:
        plt = self.plt
        plt.clear_figure()
        series = self.series
        if series is None:
            return super().render()
        first, second, mark = self.colours()
        ks, silhouette = _present(series.ks, series.silhouette)
        if ks:
            plt.plot(ks, silhouette, marker=MARKER, color=first)
            plt.scatter(ks, silhouette, marker="●", color=first)
        ks2, values = _present(series.ks, series.second)
        if ks2:
            plt.plot(ks2, values, marker=MARKER, color=second, yside="right")
            plt.scatter(ks2, values, marker="◆", color=second, yside="right")
            low, high = min(values), max(values)
            ticks = [low, (low + high) / 2, high] if high > low else [low]
            plt.yticks(ticks, [short_number(t) for t in ticks], yside="right")
        plt.vline(series.recommended, color=mark)
        plt.xticks(series.ks, [str(k) for k in series.ks])
        return super().render()


@dataclass
class ScanProgress(Message):
    """Progress of the running scan (coalesces: only the latest matters)."""

    fraction: float
    text: str

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ScanProgress)


class KScanPanel(Vertical):
    """Scans k in a worker (``start``; ``cancel`` stops it and keeps the last scan), then
    shows the chart, the numbers and the reason. Posts ``Finished`` when the worker ends."""

    @dataclass
    class Finished(Message):
        """The scan ended: ``scan`` is None when it was cancelled or failed."""

        scan: KScan | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.scanning = False
        self.scan: KScan | None = None
        self.settings: ClusterSettings | None = None  # what the shown scan was made with
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1.0, show_eta=False, id="scan-progress")
        yield Static("Not scanned yet: s scans k.", id="scan-status", markup=False)
        with Horizontal(id="scan-row"):
            with Vertical(id="chart-box"):
                chart = KScanChart(id="scan-chart")
                chart.tooltip = (
                    "The silhouette (higher: better separated clusters) and the inertia or BIC "
                    "(lower: tighter fit) of each k; the vertical line marks the recommended k."
                )
                yield chart
                yield Static("", id="scan-legend")
            table: DataTable[Any] = DataTable(
                id="scan-table", cursor_type="row", zebra_stripes=True
            )
            table.tooltip = "The scan's numbers: Enter on a row uses that k for the run."
            yield table
        yield Static("", id="scan-reason", markup=False)

    def on_mount(self) -> None:
        self.query_one(ProgressBar).display = False
        self.query_one("#scan-row").display = False
        self.app.theme_changed_signal.subscribe(self, lambda _: self._legend())

    def _legend(self) -> None:
        self.query_one("#scan-legend", Static).update(self.chart.legend())

    @property
    def chart(self) -> KScanChart:
        return self.query_one(KScanChart)

    def _status(self, text: str) -> None:
        self.query_one("#scan-status", Static).update(text)

    # --- scanning -------------------------------------------------------------------------

    def start(self, features: Features, settings: ClusterSettings) -> None:
        if self.scanning:
            return
        self.scanning = True
        self._cancel.clear()
        bar = self.query_one(ProgressBar)
        bar.update(progress=0)
        bar.display = True
        self._status(f"Scanning k = {settings.k_min}–{settings.k_max}… Escape cancels.")
        self.scan_k(features, settings)

    def cancel(self) -> bool:
        """Stop a running scan (the last complete one stays); False when none runs."""
        if not self.scanning:
            return False
        self._cancel.set()
        self._status("Cancelling the scan…")
        return True

    @work(thread=True, exclusive=True, exit_on_error=False, group="scan", name="scan_k")
    def scan_k(
        self, features: Features, settings: ClusterSettings
    ) -> tuple[KScan, ClusterSettings] | None:
        from segtui.core.clustering import scan_k

        worker = get_current_worker()
        try:
            scan = scan_k(
                features,
                settings,
                progress=lambda fraction, text: self.post_message(ScanProgress(fraction, text)),
                cancelled=lambda: self._cancel.is_set() or worker.is_cancelled,
            )
        except RunCancelled:
            return None  # a cancel is not a failure
        return scan, settings

    def on_scan_progress(self, message: ScanProgress) -> None:
        message.stop()
        if self.scanning and not self._cancel.is_set():
            self.query_one(ProgressBar).update(progress=message.fraction)
            self._status(f"{message.text} · Escape cancels.")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name != "scan_k" or not worker.is_finished:
            return
        self.scanning = False
        self.query_one(ProgressBar).display = False
        if event.state == WorkerState.SUCCESS and worker.result is None:
            self._status("Scan cancelled." + (" The last scan is shown." if self.scan else ""))
        elif event.state == WorkerState.SUCCESS:
            self.show(*worker.result)  # type: ignore[misc]
        else:
            self._status("The scan did not finish: see the message.")
            self.app.on_worker_state_changed(event)  # type: ignore[attr-defined]
        ok = event.state == WorkerState.SUCCESS and worker.result is not None
        self.post_message(self.Finished(self.scan if ok else None))

    # --- showing --------------------------------------------------------------------------

    def show(self, scan: KScan, settings: ClusterSettings) -> None:
        """Draw a scan made with ``settings``."""
        self.scan, self.settings = scan, settings
        series = ScanSeries.from_scan(scan, settings.algorithm)
        self.query_one("#scan-row").display = True
        self.chart.show(series)
        self._legend()
        table = self.query_one(DataTable)
        table.clear(columns=True)
        table.add_column("k", key="k")
        second_label = series.second_label[:1].upper() + series.second_label[1:]
        for label in ("Silhouette", second_label):
            table.add_column(Text(label, justify="right"), key=label)
        rows = zip(series.ks, series.silhouette, series.second, strict=True)
        for k, silhouette, second in rows:
            best = k == series.recommended
            style = "bold" if best else ""
            table.add_row(
                Text(f"{k}{' ◂' if best else ''}", style),
                Text("—" if silhouette is None else f"{silhouette:.3f}", style, justify="right"),
                Text("—" if second is None else f"{second:,.0f}", style, justify="right"),
                key=str(k),
            )
        table.move_cursor(row=series.ks.index(series.recommended))
        fitted = f"each k fitted on {fmt_int(scan.fitted_rows)} customers"
        self._status(f"k = {scan.recommended} recommended ({fitted}).")
        self.follow(settings)

    def follow(self, current: ClusterSettings) -> None:
        """Say below the chart whether the settings changed since the shown scan."""
        if self.scan is None or self.settings is None:
            return
        text = f"Recommended: {self.scan.reason}."
        if scan_key(self.settings) != scan_key(current):
            text += " The settings changed since this scan: s scans again."
        self.query_one("#scan-reason", Static).update(text)
