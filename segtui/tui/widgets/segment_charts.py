"""Charts of a run, drawn with textual-plotext from specs prepared in core (segtui.core.charts):
a ChartView shows one chart, or its table when the space it has is too small for the chart to
read (never a garbled chart); a HeatView draws the R × F grid as shaded cells with counts.

Both follow the app theme: plotext's background and text come from textual-plotext's "auto"
theme, the series colours and heat shades from the theme's primary/accent colours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult, RenderResult
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

if TYPE_CHECKING:
    from textual import events

    from segtui.core.charts import Chart, HeatGrid


def theme_colour(widget: Any, variable: str, fallback: str) -> Color:
    try:
        return Color.parse(widget.app.theme_variables.get(variable, fallback))
    except Exception:  # a theme variable that is not a colour
        return Color.parse(fallback)


def fallback_table(chart: Chart) -> Table:
    """The chart's numbers as a table (what is shown when the chart does not fit)."""
    from segtui.core.charts import chart_table

    header, rows = chart_table(chart)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for index, title in enumerate(header):
        table.add_column(title, justify="left" if index == 0 else "right", no_wrap=index > 0)
    for row in rows:
        table.add_row(*row)
    return table


class ChartPlot(PlotextPlot):
    """A PlotextPlot that draws a core chart spec on every render (so it follows the size and
    the theme)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chart: Chart | None = None

    def render(self) -> RenderResult:
        plt = self.plt
        if self.chart is None:
            plt.clear_figure()
        else:
            from segtui.core.charts import draw

            draw(plt, self.chart, (self.size.width, self.size.height))  # type: ignore[arg-type]
        return super().render()


class ChartView(Vertical):
    """One chart with its title line; its table instead when the chart does not fit."""

    DEFAULT_CSS = """
    ChartView { height: 1fr; }
    ChartView > .chart-title { height: auto; color: $text-muted; }
    ChartView > ChartPlot { height: 1fr; }
    ChartView > .chart-table { height: 1fr; overflow-y: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.chart: Chart | None = None
        self.message = ""

    def compose(self) -> ComposeResult:
        yield Static("", classes="chart-title", markup=False)
        yield ChartPlot()
        yield Static("", classes="chart-table", markup=False)

    def on_mount(self) -> None:
        self._layout()

    def show(self, chart: Chart | None, message: str = "") -> None:
        """Show a chart, or ``message`` when there is none."""
        self.chart = chart
        self.message = message
        self.query_one(ChartPlot).chart = chart
        self._layout()

    def on_resize(self, event: events.Resize) -> None:
        self._layout()

    @property
    def fits(self) -> bool:
        from segtui.core.charts import min_size

        if self.chart is None:
            return False
        width, height = min_size(self.chart)
        return self.size.width >= width and self.size.height - 1 >= height

    def _layout(self) -> None:
        title = self.query_one(".chart-title", Static)
        plot = self.query_one(ChartPlot)
        table = self.query_one(".chart-table", Static)
        chart = self.chart
        if chart is None:
            title.display = True
            title.update(self.message)
            plot.display = table.display = False
            return
        fits = self.fits
        note = getattr(chart, "note", "")
        if fits:  # plotext draws the title itself
            title.update(note)
            title.display = bool(note)
        else:
            title.update(f"{chart.title} (as a table: the chart needs more room)")
            title.display = True
        plot.display = fits
        table.display = not fits
        if fits:
            plot.refresh()
        else:
            table.update(fallback_table(chart))


class HeatView(Static):
    """The R × F grid: one cell per score pair, shaded by its value, with the count (or mean
    monetary) and the segment's name where there is room."""

    DEFAULT_CSS = """
    HeatView { height: 1fr; overflow-y: auto; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, markup=False)
        self.grid: HeatGrid | None = None

    def show(self, grid: HeatGrid | None, message: str = "") -> None:
        self.grid = grid
        self.update(self._render_grid() if grid is not None else message)

    def on_resize(self, event: events.Resize) -> None:
        if self.grid is not None:
            self.update(self._render_grid())

    def _render_grid(self) -> Table | Text:
        grid = self.grid
        assert grid is not None
        values = [v for row in grid.values for v in row if v is not None]
        high = max(values) if values else 0.0
        base = theme_colour(self, "panel", "#333333")
        hot = theme_colour(self, "primary", "#3b82f6")
        bins = len(grid.col_labels)
        cell_width = max(6, min(18, (self.size.width - 6) // max(bins, 1) - 1))
        show_names = grid.names is not None and self.size.height >= 2 * len(grid.row_labels) + 3
        table = Table(
            title=grid.title, box=None, show_edge=False, pad_edge=False, padding=(0, 1, 0, 0)
        )
        table.add_column(grid.row_title, justify="right", no_wrap=True)
        for label in grid.col_labels:
            table.add_column(label, justify="center", width=cell_width, no_wrap=True)
        for r, label in enumerate(grid.row_labels):
            cells: list[Text | str] = [label]
            for c, value in enumerate(grid.values[r]):
                share = 0.0 if value is None or not high else value / high
                background = base.blend(hot, 0.15 + 0.85 * share)
                ink = background.get_contrast_text().rich_color
                number = "—" if value is None else _short(value, grid.unit)
                text = Text(number, style=f"{ink.name} on {background.hex}", justify="center")
                if show_names and grid.names is not None:
                    name = grid.names[r][c][: cell_width - 1]
                    text = Text.assemble(
                        (name.center(cell_width), f"{ink.name} on {background.hex}"),
                        "\n",
                        (number.center(cell_width), f"bold {ink.name} on {background.hex}"),
                    )
                cells.append(text)
            table.add_row(*cells)
        table.caption = f"{grid.col_title} →   rows: {grid.row_title}"
        return table


def _short(value: float, unit: str) -> str:
    if unit and unit != "%":
        return f"{unit}{value:,.0f}"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"
