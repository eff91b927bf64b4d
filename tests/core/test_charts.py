"""Charts for the Segments screen: the numbers behind each chart on small hand-made runs, the
RFM grid oriented like the editor, the k scan curves and the PCA projection of a real
clustering, and the chart drawn, sized, tabled and written as plain text."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from segtui.core.charts import (
    BarChart,
    HeatGrid,
    LineChart,
    Scatter,
    chart_table,
    chart_text,
    distribution_chart,
    draw,
    k_curves,
    min_size,
    projection,
    rf_grid,
    shorten,
    sizes_chart,
)
from segtui.core.clustering import ClusterSettings, run_clustering
from segtui.core.rfm import RfmSettings, run_rfm
from segtui.core.rfm_map import default_grid
from segtui.core.run_data import RunData
from segtui.core.segment_model import (
    CriteriaError,
    Features,
    FieldInfo,
    MethodResult,
    RunInfo,
)
from segtui.core.segmentations import segment_counts

ANALYSIS = dt.date(2024, 6, 1)
IDS = [f"C{i:02d}" for i in range(1, 11)]


FIELDS = [
    FieldInfo(name, label, type_, "behavioural", unit=unit)  # type: ignore[arg-type]
    for name, label, type_, unit in [
        ("total_spend", "Total spend", "number", "money"),
        ("orders", "Orders", "number", "orders"),
        ("recency_days", "Days since last order", "number", "days"),
        ("discount_share", "Discount share", "number", "share"),
        ("country", "Country", "category", ""),
        ("vip", "VIP", "boolean", ""),
        ("signup_date", "Signup date", "date", ""),
        ("email", "Email", "text", ""),
    ]
]


def _features(**changes: list) -> Features:
    columns = {
        "customer_id": IDS,
        "total_spend": [5.0, 15.0, 25.0, 35.0, 45.0, 55.0, 65.0, 75.0, 85.0, 95.0],
        "orders": [1, 1, 2, 2, 3, 3, 4, 4, 5, 5],
        "recency_days": [10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
        "discount_share": [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
        "country": ["UK", "UK", "UK", "FR", "FR", "UK", "DE", "FR", "DE", None],
        "vip": [True, True, False, False, None, False, False, False, True, False],
        "signup_date": [dt.date(2024, m, 1) for m in (1, 1, 2, 2, 2, 3, 4, 4, 5, 5)],
        "email": [f"{i}@example.com" for i in IDS],
    } | changes
    return Features(pl.DataFrame(columns), FIELDS, ANALYSIS, "customers", "orders")


def _run_data(
    features: Features, result: MethodResult, method: str, parameters: dict | None = None
) -> RunData:
    customers = result.assignments.get_column("customer_id").n_unique()
    run = RunInfo(1, "Test", method, parameters or {}, result.details, ANALYSIS.isoformat(),  # type: ignore[arg-type]
                  "2024-06-01T00:00:00", features.frame.height, customers, 0.1,
                  segment_counts(result, features))  # fmt: skip
    return RunData(run, result.assignments, features, "£")


@pytest.fixture
def halves() -> RunData:
    """A rules run: "First half" holds C01–C05, "Second half" C06–C10."""
    assignments = pl.DataFrame(
        {"customer_id": IDS, "segment": ["First half"] * 5 + ["Second half"] * 5}
    )
    result = MethodResult(assignments, ["First half", "Second half"])
    return _run_data(_features(), result, "rules")


# -- sizes ---------------------------------------------------------------------------------


def test_sizes_chart_shows_customer_and_revenue_shares(halves: RunData) -> None:
    from segtui.core.profile import summarise

    chart = sizes_chart(summarise(halves))
    assert chart.labels == ["First half", "Second half"]
    assert chart.unit == "%"
    names = [name for name, _ in chart.series]
    assert names == ["% of customers", "% of revenue"]
    customers, revenue = (values for _, values in chart.series)
    assert customers == pytest.approx([50.0, 50.0])
    # spend 5+15+25+35+45 = 125 of 500
    assert revenue == pytest.approx([25.0, 75.0])


def test_sizes_chart_leaves_out_revenue_when_there_is_none(halves: RunData) -> None:
    from segtui.core.profile import summarise

    summary = summarise(halves)
    rows = [
        type(row)(**{**row.__dict__, "revenue": None, "revenue_share": None})
        for row in summary.rows
    ]
    chart = sizes_chart(type(summary)(**{**summary.__dict__, "rows": rows}))
    assert [name for name, _ in chart.series] == ["% of customers"]
    assert chart.title == "Share of customers"


# -- distributions -------------------------------------------------------------------------


def test_numeric_bins_are_round_and_percentages_add_up(halves: RunData) -> None:
    chart = distribution_chart(halves, "First half", "total_spend")
    assert chart.labels == [
        "0–9", "10–19", "20–29", "30–39", "40–49", "50–59", "60–69", "70–79", "80–89", "90–99",
    ]  # fmt: skip
    assert chart.label_title == "Total spend (£)"
    (segment_name, segment), (all_name, everyone) = chart.series
    assert (segment_name, all_name) == ("% of First half", "% of all customers")
    assert segment == [20.0] * 5 + [0.0] * 5
    assert everyone == [10.0] * 10
    assert sum(segment) == pytest.approx(100) and sum(everyone) == pytest.approx(100)
    assert chart.note == ""


def test_an_outlier_goes_to_an_open_last_bin_instead_of_squashing_the_rest() -> None:
    spend = [5.5, 15.5, 25.5, 35.5, 45.5, 55.5, 65.5, 75.5, 85.5, 100_000.0]
    assignments = pl.DataFrame({"customer_id": IDS, "segment": ["All"] * 10})
    data = _run_data(_features(total_spend=spend), MethodResult(assignments, ["All"]), "rules")
    chart = distribution_chart(data, "All", "total_spend")
    # the bins cover the bulk (3 interquartile ranges past the quartiles), not 0–100,000
    assert chart.labels == [
        "0–25", "25–50", "50–75", "75–100", "100–125", "125–150", "150–175", "175–200",
        "200–225", "≥ 225",
    ]  # fmt: skip
    assert chart.series[1][1] == [20.0, 30.0, 20.0, 20.0, 0.0, 0.0, 0.0, 0.0, 0.0, 10.0]
    assert "first and last bars" in chart.note
    assert sum(chart.series[0][1]) == pytest.approx(100)


def test_shares_are_binned_as_percentages(halves: RunData) -> None:
    chart = distribution_chart(halves, "Second half", "discount_share", bins=5)
    assert chart.labels == ["0%–20%", "20%–40%", "40%–60%", "60%–80%", "80%–100%"]
    assert chart.series[0][1] == [0.0, 0.0, 20.0, 40.0, 40.0]


def test_categories_keep_the_population_order_and_a_missing_bar(halves: RunData) -> None:
    chart = distribution_chart(halves, "First half", "country")
    assert chart.labels == ["UK", "FR", "DE", "Missing"]
    assert chart.series[0][1] == [60.0, 40.0, 0.0, 0.0]
    assert chart.series[1][1] == [40.0, 30.0, 20.0, 10.0]


def test_many_categories_become_the_top_eight_and_other() -> None:
    countries = ["A", "A", "B", "C", "D", "E", "F", "G", "H", "I"]  # 9 distinct
    assignments = pl.DataFrame({"customer_id": IDS, "segment": ["All"] * 10})
    data = _run_data(_features(country=countries), MethodResult(assignments, ["All"]), "rules")
    chart = distribution_chart(data, "All", "country")
    assert chart.labels == ["A", "B", "C", "D", "E", "F", "G", "H", "Other"]
    assert chart.series[1][1][-1] == pytest.approx(10.0)


def test_yes_no_and_dates(halves: RunData) -> None:
    vip = distribution_chart(halves, "First half", "vip")
    assert vip.labels == ["Yes", "No", "Missing"]
    assert vip.series[0][1] == [40.0, 40.0, 20.0]
    months = distribution_chart(halves, "Second half", "signup_date")
    assert months.labels == ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05"]
    assert months.series[0][1] == [0.0, 0.0, 20.0, 40.0, 40.0]


def test_free_text_and_unknown_names_are_refused(halves: RunData) -> None:
    with pytest.raises(CriteriaError, match="Email is free text"):
        distribution_chart(halves, "First half", "email")
    with pytest.raises(CriteriaError, match="no segment 'Nobody'"):
        distribution_chart(halves, "Nobody", "orders")
    with pytest.raises(CriteriaError, match="'shoe_size'"):
        distribution_chart(halves, "First half", "shoe_size")


# -- RFM grid ------------------------------------------------------------------------------


@pytest.fixture
def rfm3() -> RunData:
    """A 3-bin RFM run with hand-set scores; C10 has no purchases."""
    r = [3, 3, 3, 2, 2, 1, 1, 1, 1, None]
    f = [3, 3, 1, 2, 2, 1, 1, 3, 3, None]
    monetary = [100.0, 300.0, 50.0, 20.0, 40.0, 10.0, 30.0, 60.0, 80.0, 0.0]
    grid = default_grid(3)
    segment = [grid[3 - a][b - 1] if a else "No purchases yet" for a, b in zip(r, f, strict=True)]
    assignments = pl.DataFrame(
        {"customer_id": IDS, "segment": segment, "r_score": r, "f_score": f, "monetary": monetary}
    )
    names = list(dict.fromkeys(segment))
    details = {"settings": RfmSettings(bins=3).to_json(), "grid": grid}
    return _run_data(_features(), MethodResult(assignments, names, details), "rfm")


def test_rf_grid_counts_are_oriented_like_the_editor(rfm3: RunData) -> None:
    grid = rf_grid(rfm3)
    assert isinstance(grid, HeatGrid)
    assert grid.row_labels == ["R3", "R2", "R1"]
    assert grid.col_labels == ["F1", "F2", "F3"]
    assert grid.values == [[1.0, 0.0, 2.0], [0.0, 2.0, 0.0], [2.0, 0.0, 2.0]]
    assert sum(v for row in grid.values for v in row if v) == 9  # the scored customers
    assert grid.names == default_grid(3)
    assert grid.names[0][2] == "Champions"  # top right: recent and frequent
    assert grid.note == "1 customer without purchases has no scores and is left out."


def test_rf_grid_mean_monetary_in_money(rfm3: RunData) -> None:
    grid = rf_grid(rfm3, "monetary")
    assert grid is not None and grid.unit == "£"
    assert grid.values[0] == [50.0, None, 200.0]
    assert grid.title.startswith("Mean total spend")
    _, rows = chart_table(grid)
    assert rows[0][3] == "£200.00 (Champions)"


def test_rf_grid_of_a_real_rfm_run_adds_up_to_the_scored_customers(halves: RunData) -> None:
    assert rf_grid(halves) is None  # RFM runs only
    features = _features()
    result = run_rfm(features, RfmSettings(bins=3))
    data = _run_data(features, result, "rfm", RfmSettings(bins=3).to_json())
    grid = rf_grid(data)
    assert grid is not None
    total = sum(v for row in grid.values for v in row if v)
    assert total == result.details["customers"]["scored"] == 10
    assert grid.values == [[float(c) for c in row] for row in result.details["cells"]]


# -- clustering: k curves and projection ---------------------------------------------------


def _planted(n: int = 240) -> Features:
    """Three well-separated groups of customers."""
    rng = np.random.default_rng(3)
    group = np.repeat(np.arange(3), n // 3)
    spend = rng.lognormal(np.array([3.0, 5.0, 7.0])[group], 0.15)
    orders = rng.poisson(np.array([1, 8, 20])[group]) + 1
    recency = rng.integers(1, 30, n) + np.array([400, 100, 5])[group]
    frame = pl.DataFrame(
        {
            "customer_id": [f"K{i:04d}" for i in range(n)],
            "total_spend": spend.round(2),
            "orders": orders,
            "recency_days": recency,
        }
    )
    return Features(frame, FIELDS[:3], ANALYSIS, "customers", "orders")


@pytest.fixture(scope="module")
def clusters() -> RunData:
    features = _planted()
    settings = ClusterSettings(features=["total_spend", "orders", "recency_days"], k_max=5)
    result = run_clustering(features, settings)
    return _run_data(features, result, "kmeans", settings.to_json())


def test_k_curves_mark_the_recommended_k(clusters: RunData) -> None:
    curves = k_curves(clusters.run)
    assert curves is not None and len(curves) == 2
    silhouette, inertia = curves
    scan = clusters.run.details["scan"]
    assert silhouette.x == [2.0, 3.0, 4.0, 5.0]
    assert silhouette.marked_x == inertia.marked_x == scan["recommended"] == 3
    assert silhouette.series[0][1] == [row["silhouette"] for row in scan["rows"]]
    assert inertia.series[0][0] == "Inertia"
    assert scan["reason"] in silhouette.note
    _, rows = chart_table(silhouette)
    assert rows[1][0] == "3 ◂"


def test_k_curves_show_bic_for_a_mixture_and_none_without_a_scan(clusters: RunData) -> None:
    rows = [
        {"k": 2, "silhouette": 0.4, "inertia": None, "bic": 900.0},
        {"k": 3, "silhouette": 0.5, "inertia": None, "bic": 800.0},
    ]
    scan = {"rows": rows, "recommended": 3, "reason": "k = 3 has the highest silhouette (0.50)"}
    run = RunInfo(2, "Mix", "gmm", {}, {"scan": scan}, None, "", 10, 10, 0.1)
    curves = k_curves(run)
    assert curves is not None
    assert curves[1].series == [("BIC", [900.0, 800.0])]
    assert k_curves(RunInfo(3, "Fixed", "kmeans", {}, {"k": 4}, None, "", 10, 10, 0.1)) is None


def test_projection_is_reproducible_with_one_group_per_cluster(
    clusters: RunData, halves: RunData
) -> None:
    assert projection(halves) is None  # clustering runs only
    first = projection(clusters, sample=100, seed=1)
    assert isinstance(first, Scatter)
    assert [name for name, _, _ in first.groups] == clusters.segments
    assert sum(len(xs) for _, xs, _ in first.groups) == 100
    assert first == projection(clusters, sample=100, seed=1)
    assert first != projection(clusters, sample=100, seed=2)
    assert first.x_label.startswith("PC1 (") and first.x_label.endswith("% of variance)")
    assert "100 of the 240 customers" in first.note
    everyone = projection(clusters)
    assert everyone is not None and sum(len(xs) for _, xs, _ in everyone.groups) == 240


# -- drawing, sizes, tables and text -------------------------------------------------------


def test_chart_text_is_plain_and_holds_the_title_and_note(halves: RunData) -> None:
    chart = distribution_chart(halves, "First half", "total_spend")
    text = chart_text(chart, 80, 20)
    assert "\x1b" not in text
    assert chart.title in text and "█ % of First half" in text
    width, height = min_size(chart)
    assert len(text.splitlines()) >= height
    assert max(len(line) for line in text.splitlines()) <= max(80, width)


def test_chart_text_of_a_grid_names_every_cell(rfm3: RunData) -> None:
    grid = rf_grid(rfm3)
    assert grid is not None
    text = chart_text(grid, 100)
    assert "\x1b" not in text and grid.title in text
    assert "Champions" in text and "R3" in text and "F3" in text
    assert "without purchases" in text


def test_min_size_and_table_fit_the_chart(halves: RunData, rfm3: RunData) -> None:
    bars = distribution_chart(halves, "First half", "country")
    width, height = min_size(bars)
    assert height >= len(bars.labels) * 2 + 4  # two series: a row each, plus the frame
    assert width >= max(len(label) for label in bars.labels) + 20
    header, rows = chart_table(bars)
    assert header == ["Country", "% of First half", "% of all customers"]
    assert rows[0] == ["UK", "60.0%", "40.0%"]
    assert len(rows) == len(bars.labels)
    grid = rf_grid(rfm3)
    assert grid is not None
    header, rows = chart_table(grid)
    assert header == ["Recency score (R)", "F1", "F2", "F3"]
    assert [row[0] for row in rows] == ["R3", "R2", "R1"]


def test_draw_replaces_the_previous_chart() -> None:
    bars = BarChart("Sizes", ["A", "B"], [("% of customers", [60.0, 40.0])], "%")
    line = LineChart("Silhouette", "k", [2.0, 3.0], [("Silhouette", [0.3, 0.4])], 3.0, "")
    from plotext._figure import _figure_class

    figure = _figure_class()
    draw(figure, line)
    draw(figure, bars)
    figure.plot_size(60, 12)
    once = figure.build()
    draw(figure, bars)
    figure.plot_size(60, 12)
    assert figure.build() == once


def test_draw_works_on_a_textual_plotext_plot(clusters: RunData) -> None:
    from textual_plotext.plot import Plot

    plot = Plot()
    for chart in [*(k_curves(clusters.run) or []), projection(clusters, sample=60)]:
        assert chart is not None
        draw(plot, chart)
        plot.plot_size(70, 20)
        assert plot.build()
    with pytest.raises(TypeError):
        draw(plot, HeatGrid("", "", "", [], [], [], None, ""))  # type: ignore[arg-type]


def test_long_labels_are_shortened_at_a_word() -> None:
    assert shorten("Discount-driven · Narrow · Infrequent", 24) == "Discount-driven…"
    assert shorten("Broad · Frequent · High spend", 24) == "Broad · Frequent · High…"
    assert shorten("Champions", 24) == "Champions"


def test_bars_are_equally_thick_when_the_size_is_known() -> None:
    bars = BarChart("Sizes", ["A", "B"], [("% of customers", [60.0, 40.0])], "%")
    text = chart_text(bars, 60, 11)  # 6 plot rows for 2 bars: 3 rows each
    rows = [line for line in text.splitlines() if "█" in line and "%" not in line]
    assert len(rows) == 6
    assert rows[0].count("█") > rows[-1].count("█") > 0
