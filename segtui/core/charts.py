"""The Segments screen's charts, prepared in core: segment sizes and revenue shares, a field's
distribution in a segment against all customers, the RFM recency × frequency grid, the k scan
curves of a clustering run and its 2-D projection.

Each function returns a frozen spec (chart_model.py) holding the finished numbers; the screen
draws it with ``draw`` (or shows ``chart_table`` when it is smaller than ``min_size``) and the
export writes ``chart_text``. The distribution bins live in chart_bins.py, the PCA projection
in projection.py, drawing and text in chart_render.py; everything is re-exported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from segtui.core.chart_bins import distribution_chart
from segtui.core.chart_model import (
    BarChart,
    Chart,
    HeatGrid,
    LineChart,
    Scatter,
    format_value,
    short_labels,
    shorten,
)
from segtui.core.chart_render import (
    bar_legend,
    chart_table,
    chart_text,
    draw,
    min_size,
    table_text,
)
from segtui.core.projection import projection
from segtui.core.segment_model import CriteriaError

if TYPE_CHECKING:
    from segtui.core.profile import RunSummary
    from segtui.core.run_data import RunData
    from segtui.core.segment_model import RunInfo

__all__ = [
    "BarChart",
    "Chart",
    "HeatGrid",
    "LineChart",
    "Scatter",
    "bar_legend",
    "chart_table",
    "chart_text",
    "distribution_chart",
    "draw",
    "format_value",
    "k_curves",
    "min_size",
    "projection",
    "rf_grid",
    "short_labels",
    "shorten",
    "sizes_chart",
    "table_text",
]


def sizes_chart(summary: RunSummary) -> BarChart:
    """Each segment's share of the customers and, when the data has revenue, of the revenue."""
    rows = summary.rows
    series: list[tuple[str, list[float]]] = [("% of customers", [100 * row.share for row in rows])]
    has_revenue = any(row.revenue_share is not None for row in rows)
    if has_revenue:
        series.append(("% of revenue", [100 * (row.revenue_share or 0.0) for row in rows]))
    note = (
        "A customer can be in several segments, so the shares add up to more than 100%."
        if summary.overlapping
        else ""
    )
    return BarChart(
        title="Share of customers and revenue" if has_revenue else "Share of customers",
        labels=[row.name for row in rows],
        series=series,
        unit="%",
        label_title="Segment",
        note=note,
    )


def rf_grid(
    data: RunData, value: Literal["customers", "monetary"] = "customers"
) -> HeatGrid | None:
    """The recency × frequency grid of an RFM run (None for other methods): rows R = bins..1
    (top to bottom), columns F = 1..bins, as in the RFM editor; each cell's customers or their
    mean monetary value, and its segment when the run used the grid map."""
    import polars as pl

    if value not in ("customers", "monetary"):
        raise CriteriaError(f'the R × F grid shows "customers" or "monetary", not {value!r}.')
    run = data.run
    if run.method != "rfm":
        return None
    details = run.details
    settings: dict[str, Any] = details.get("settings") or run.parameters or {}
    bins = int(settings.get("bins") or 5)
    frame = data.assignments
    if "r_score" not in frame.columns or "f_score" not in frame.columns:
        scored = frame.clear()
    else:
        scored = frame.filter(pl.col("r_score").is_not_null() & pl.col("f_score").is_not_null())
    money = "monetary" in scored.columns
    cells: dict[tuple[int, int], tuple[int, float | None]] = {}
    if scored.height:
        stats = scored.group_by("r_score", "f_score").agg(
            pl.len().alias("n"),
            (pl.col("monetary").mean() if money else pl.lit(None)).alias("mean"),
        )
        for r, f, count, mean in stats.iter_rows():
            cells[(int(r), int(f))] = (int(count), None if mean is None else float(mean))
    values: list[list[float | None]] = []
    for r in range(bins, 0, -1):
        row: list[float | None] = []
        for f in range(1, bins + 1):
            count, mean = cells.get((r, f), (0, None))
            row.append(float(count) if value == "customers" else mean)
        values.append(row)
    grid = details.get("grid")
    names = None
    if isinstance(grid, list) and len(grid) == bins and all(len(row) == bins for row in grid):
        names = [[str(name) for name in row] for row in grid]
    left_out = frame.get_column("customer_id").n_unique() - scored.height
    note = ""
    if left_out == 1:
        note = "1 customer without purchases has no scores and is left out."
    elif left_out:
        note = f"{left_out:,} customers without purchases have no scores and are left out."
    if value == "customers":
        title, unit = "Customers by recency and frequency score", ""
    else:
        measure = "average order value" if settings.get("monetary") == "aov" else "total spend"
        title, unit = f"Mean {measure} by recency and frequency score", data.currency
    return HeatGrid(
        title=title,
        row_title="Recency score (R)",
        col_title="Frequency score (F)",
        row_labels=[f"R{r}" for r in range(bins, 0, -1)],
        col_labels=[f"F{f}" for f in range(1, bins + 1)],
        values=values,
        names=names,
        unit=unit,
        note=note,
    )


def k_curves(run: RunInfo) -> list[LineChart] | None:
    """The k scan of a clustering run as two charts (their scales differ): the silhouette, and
    the inertia (k-means) or BIC (Gaussian mixture), the recommended k marked on both. None when
    the run chose no k by a scan (k was given)."""
    scan = (run.details or {}).get("scan")
    if not isinstance(scan, dict) or not scan.get("rows"):
        return None
    rows: list[dict[str, Any]] = scan["rows"]
    recommended = scan.get("recommended")
    marked = float(recommended) if recommended is not None else None
    reason = scan.get("reason") or ""
    fitted = scan.get("fitted_rows") or 0
    note = f"Recommended: {reason}." if reason else ""
    if fitted:
        note += f" Each k was fitted on {fitted:,} customers."
    gmm = run.method == "gmm" or all(row.get("inertia") is None for row in rows)
    key, name = ("bic", "BIC") if gmm else ("inertia", "Inertia")
    second_note = note
    elbow = scan.get("elbow")
    if not gmm and elbow is not None:
        second_note = f"The inertia elbow (where it stops falling fast) is at k = {elbow}. {note}"
    specs = [
        ("silhouette", "Silhouette", "Silhouette by k (higher: better separated clusters)", note),
        (key, name, f"{name} by k (lower: tighter clusters)", second_note.strip()),
    ]
    charts = []
    for column, label, title, text in specs:
        points = [
            (float(row["k"]), float(row[column])) for row in rows if row.get(column) is not None
        ]
        if not points:
            continue
        charts.append(
            LineChart(
                title=title,
                x_label="k (number of clusters)",
                x=[k for k, _ in points],
                series=[(label, [v for _, v in points])],
                marked_x=marked,
                note=text.strip(),
            )
        )
    return charts or None
