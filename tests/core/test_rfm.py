"""RFM: rank-then-bin scores, custom cut points, the segment maps, settings and the run."""

from __future__ import annotations

import json
from collections.abc import Sequence

import polars as pl
import pytest

from segtui.core.rfm import (
    NEEDS_TRANSACTIONS,
    NO_PURCHASES,
    OTHERS,
    RangeRule,
    RfmSettings,
    check_ranges,
    default_grid,
    derive_grid,
    grid_counts,
    move_cell,
    rename_segment,
    run_rfm,
    score,
    standard_ranges,
)
from segtui.core.rfm_map import SEGMENT_ORDER, grid_segments, to_five
from segtui.core.segment_model import CriteriaError, Features, RunCancelled

# DESIGN.md "Default RFM segment map", typed out independently of the code.
DESIGN_TABLE = {
    5: ["New Customers", "Potential Loyalists", "Potential Loyalists", "Champions", "Champions"],
    4: ["Promising", "Potential Loyalists", "Potential Loyalists", "Loyal", "Loyal"],
    3: ["About to Sleep", "About to Sleep", "Need Attention", "Loyal", "Loyal"],
    2: ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
    1: ["Hibernating", "Hibernating", "At Risk", "At Risk", "Can't Lose Them"],
}


def _features(
    recency: Sequence[int | None],
    orders: Sequence[int],
    spend: Sequence[float] | None = None,
    *,
    transactions: str | None = "orders",
) -> Features:
    """Customers c0, c1, ... with the behavioural columns RFM reads."""
    spend = [float(o) * 10 for o in orders] if spend is None else [float(s) for s in spend]
    aov = [s / o if o else None for s, o in zip(spend, orders, strict=True)]
    frame = pl.DataFrame(
        {
            "customer_id": [f"c{i}" for i in range(len(orders))],
            "recency_days": pl.Series(list(recency), dtype=pl.Int64),
            "orders": pl.Series(list(orders), dtype=pl.Int64),
            "total_spend": pl.Series(spend, dtype=pl.Float64),
            "avg_order_value": pl.Series(aov, dtype=pl.Float64),
        }
    )
    return Features(frame, [], None, "customers", transactions)


def _scores(features: Features, settings: RfmSettings, dim: str) -> list[int]:
    return score(features, settings).frame[f"{dim}_score"].to_list()


# --- the default map -------------------------------------------------------------------------


def test_default_grid_is_the_design_table_and_a_complete_partition() -> None:
    grid = default_grid(5)
    assert grid == [DESIGN_TABLE[r] for r in (5, 4, 3, 2, 1)]
    cells = [name for row in grid for name in row]
    assert len(cells) == 25
    assert all(name in SEGMENT_ORDER for name in cells)
    assert grid_segments(grid) == list(SEGMENT_ORDER)  # every named segment has a cell


def test_every_one_of_the_25_cells_lands_in_its_design_segment() -> None:
    # one customer per (r, f) cell, placed with cut points: days 0/40/100/200/400 -> R 5..1,
    # orders 1..5 -> F 1..5
    days = {5: 0, 4: 40, 3: 100, 2: 200, 1: 400}
    cells = [(r, f) for r in range(1, 6) for f in range(1, 6)]
    features = _features([days[r] for r, _ in cells], [f for _, f in cells])
    settings = RfmSettings(cuts={"r": [30, 90, 180, 365], "f": [2, 3, 4, 5]})
    result = run_rfm(features, settings)
    rows = result.assignments.sort("customer_id").to_dicts()
    by_id = {row["customer_id"]: row for row in rows}
    for index, (r, f) in enumerate(cells):
        row = by_id[f"c{index}"]
        assert (row["r_score"], row["f_score"]) == (r, f)
        assert row["segment"] == DESIGN_TABLE[r][f - 1]
    assert result.segments == list(SEGMENT_ORDER)
    assert result.details["cells"] == [[1] * 5 for _ in range(5)]


def test_four_and_three_bin_grids_are_derived_from_the_five_grid() -> None:
    assert [to_five(s, 4) for s in (1, 2, 3, 4)] == [1, 2, 4, 5]
    assert [to_five(s, 3) for s in (1, 2, 3)] == [1, 3, 5]
    assert default_grid(4) == [
        ["New Customers", "Potential Loyalists", "Champions", "Champions"],
        ["Promising", "Potential Loyalists", "Loyal", "Loyal"],
        ["Hibernating", "Hibernating", "At Risk", "Can't Lose Them"],
        ["Hibernating", "Hibernating", "At Risk", "Can't Lose Them"],
    ]
    assert default_grid(3) == [
        ["New Customers", "Potential Loyalists", "Champions"],
        ["About to Sleep", "Need Attention", "Loyal"],
        ["Hibernating", "At Risk", "Can't Lose Them"],
    ]
    edited = move_cell(default_grid(5), 5, 1, "Fresh")
    assert derive_grid(edited, 3)[0][0] == "Fresh"
    assert RfmSettings(bins=4).effective_grid() == default_grid(4)


# --- quantile scores -------------------------------------------------------------------------


def test_quintiles_of_one_to_ten() -> None:
    values = list(range(1, 11))
    features = _features(values, values, values)
    settings = RfmSettings()
    frame = score(features, settings).frame
    assert frame["f_score"].to_list() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert frame["m_score"].to_list() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # recency: fewer days is better
    assert frame["r_score"].to_list() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert frame.columns == [
        "customer_id",
        "recency",
        "frequency",
        "monetary",
        "r_score",
        "f_score",
        "m_score",
    ]


def test_quartiles_and_tertiles() -> None:
    values = list(range(1, 13))
    features = _features(values, values)
    assert _scores(features, RfmSettings(bins=4), "f") == [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]
    assert _scores(features, RfmSettings(bins=3), "f") == [1] * 4 + [2] * 4 + [3] * 4
    assert _scores(features, RfmSettings(bins=3), "r") == [3] * 4 + [2] * 4 + [1] * 4


def test_ties_share_a_score_and_the_thresholds_show_it() -> None:
    orders = [1, 2, 2, 2, 3, 4, 5, 6, 7, 8]
    features = _features([1] * 10, orders)
    scores = score(features, RfmSettings())
    assert scores.frame["f_score"].to_list() == [1, 1, 1, 1, 3, 3, 4, 4, 5, 5]
    assert scores.made["f"] == [1, 3, 4, 5]
    assert scores.thresholds["f"] == [
        {"score": 1, "min": 1, "max": 2, "customers": 4},
        {"score": 2, "min": None, "max": None, "customers": 0},
        {"score": 3, "min": 3, "max": 4, "customers": 2},
        {"score": 4, "min": 5, "max": 6, "customers": 2},
        {"score": 5, "min": 7, "max": 8, "customers": 2},
    ]
    # every customer has the same recency: one bin, at the rank of the tie
    assert scores.frame["r_score"].unique().to_list() == [1]
    assert (
        "Recency: asked for 5 bins, made 1 (scores 1): 100.0% of customers last ordered"
        in (scores.warnings[0])
    )
    assert scores.warnings[1] == (
        "Frequency: asked for 5 bins, made 4 (scores 1, 3, 4, 5): "
        "30.0% of customers have exactly 2 orders."
    )


def test_ties_never_straddle_a_bin_on_messy_data() -> None:
    spend = [float(v % 7) for v in range(200)] + [3.0] * 50
    features = _features([v % 13 for v in range(250)], [1 + v % 3 for v in range(250)], spend)
    frame = score(features, RfmSettings()).frame
    for value, dim in (("monetary", "m"), ("recency", "r"), ("frequency", "f")):
        per_value = frame.group_by(value).agg(pl.col(f"{dim}_score").n_unique().alias("n"))
        assert per_value["n"].max() == 1
        ordered = frame.sort(value)[f"{dim}_score"].to_list()
        assert ordered == sorted(ordered, reverse=dim == "r")


def test_degenerate_frequency_warns_and_reports_the_bins_it_made() -> None:
    orders = [1] * 306 + [2] * 100 + [3] * 94
    features = _features(list(range(500)), orders, [float(v) for v in range(500)])
    scores = score(features, RfmSettings())
    assert scores.made["f"] == [1, 4, 5]
    assert scores.warnings == [
        "Frequency: asked for 5 bins, made 3 (scores 1, 4, 5): "
        "61.2% of customers have exactly 1 order."
    ]
    result = run_rfm(features, RfmSettings())
    assert result.warnings == scores.warnings
    assert result.details["warnings"] == scores.warnings
    assert result.details["made"]["f"] == [1, 4, 5]
    assert result.details["made"]["r"] == [1, 2, 3, 4, 5]


# --- custom cut points -----------------------------------------------------------------------


def test_custom_cut_points() -> None:
    days = [0, 29, 30, 89, 90, 179, 180, 364, 365, 1000]
    orders = [1, 2, 3, 4, 5, 9, 10, 1, 1, 1]
    features = _features(days, orders, list(range(10)))
    settings = RfmSettings(cuts={"r": [30, 90, 180, 365], "f": [2, 3, 5, 10]})
    scores = score(features, settings)
    assert scores.frame["r_score"].to_list() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert scores.frame["f_score"].to_list() == [1, 2, 3, 3, 4, 4, 5, 1, 1, 1]
    assert scores.thresholds["r"][4] == {"score": 5, "min": 0, "max": 29, "customers": 2}
    assert scores.warnings == []  # monetary by quantiles; every bin filled


def test_recency_under_30_days_is_five_with_one_cut_set() -> None:
    features = _features([3, 29, 31, 200, 400], [1, 1, 1, 1, 1])
    settings = RfmSettings(cuts={"r": [30, 60, 120, 240]})
    assert _scores(features, settings, "r") == [5, 5, 4, 2, 1]
    warning = score(features, settings).warnings[0]
    assert warning == (
        "Recency: asked for 5 bins, made 4 (scores 1, 2, 4, 5): no customer falls in score 3 "
        "with the cut points 30, 60, 120, 240."
    )


@pytest.mark.parametrize(
    ("bins", "cuts", "message"),
    [
        (
            5,
            {"r": [30, 90]},
            "RFM recency cut points: give 4 ascending numbers for 5 bins, e.g. 30, 90, 180, 365",
        ),
        (5, {"r": [30, 30, 90, 180]}, "RFM recency cut points: give 4 ascending numbers"),
        (5, {"r": [365, 180, 90, 30]}, "RFM recency cut points: give 4 ascending numbers"),
        (
            4,
            {"f": [2, 3, 5, 10]},
            "RFM frequency cut points: give 3 ascending numbers for 4 bins, e.g. 2, 3, 5",
        ),
        (3, {"m": ["a", 5]}, "RFM monetary cut points: give 2 ascending numbers for 3 bins"),
        (3, {"m": [float("nan"), 5]}, "RFM monetary cut points: give 2 ascending numbers"),
        (5, {"x": [1, 2, 3, 4]}, "RFM cut points: unknown dimension 'x'; use r, f or m."),
    ],
)
def test_bad_cut_points_are_refused_in_one_line(
    bins: int, cuts: dict[str, list[float]], message: str
) -> None:
    with pytest.raises(CriteriaError) as raised:
        RfmSettings(bins=bins, cuts=cuts)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


# --- monetary --------------------------------------------------------------------------------


def test_monetary_total_versus_average_order_value() -> None:
    # a: 10 orders for 100 (aov 10); b: 1 order for 50 (aov 50); c: 2 orders for 60 (aov 30)
    features = _features([5, 5, 5], [10, 1, 2], [100.0, 50.0, 60.0])
    total = score(features, RfmSettings(bins=3))
    assert total.frame["monetary"].to_list() == [100.0, 50.0, 60.0]
    assert total.frame["m_score"].to_list() == [3, 1, 2]
    aov = score(features, RfmSettings(bins=3, monetary="aov"))
    assert aov.frame["monetary"].to_list() == [10.0, 50.0, 30.0]
    assert aov.frame["m_score"].to_list() == [1, 3, 2]
    assert aov.thresholds["m"][2] == {"score": 3, "min": 50.0, "max": 50.0, "customers": 1}


# --- editing the map -------------------------------------------------------------------------


def test_rename_and_move_are_pure_and_validated() -> None:
    grid = default_grid(5)
    renamed = rename_segment(grid, "Loyal", "Loyalists")
    assert sum(row.count("Loyalists") for row in renamed) == 4
    assert not any("Loyal" in row for row in renamed)
    assert grid == default_grid(5)  # the original is untouched
    moved = move_cell(renamed, 5, 1, "  First   timers ")
    assert moved[0][0] == "First timers"
    assert renamed[0][0] == "New Customers"
    assert grid_segments(moved)[-2:] == ["First timers", "Loyalists"]  # first appearance
    merged = rename_segment(grid, "Promising", "New Customers")
    assert "Promising" not in grid_segments(merged)
    with pytest.raises(CriteriaError, match="there is no segment 'Loyal Customers' to rename"):
        rename_segment(grid, "Loyal Customers", "x")
    with pytest.raises(CriteriaError, match="give a non-blank name"):
        rename_segment(grid, "Loyal", "   ")
    with pytest.raises(CriteriaError, match="kept for customers without orders"):
        move_cell(grid, 1, 1, "no purchases yet")
    with pytest.raises(CriteriaError, match="F score must be 1 to 5"):
        move_cell(grid, 1, 6, "x")


def test_an_edited_map_is_used_by_the_run() -> None:
    grid = move_cell(rename_segment(default_grid(3), "Champions", "Best"), 1, 1, "Gone")
    features = _features([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1])
    result = run_rfm(features, RfmSettings(bins=3, grid=grid))
    segments = dict(result.assignments.select("customer_id", "segment").iter_rows())
    assert segments == {
        "c0": "Best",
        "c1": "Best",
        "c2": "Need Attention",
        "c3": "Need Attention",
        "c4": "Gone",
        "c5": "Gone",
    }
    assert result.segments == [
        "Loyal",
        "Potential Loyalists",
        "New Customers",
        "Need Attention",
        "About to Sleep",
        "At Risk",
        "Can't Lose Them",
        "Best",
        "Gone",
    ]
    assert grid_counts(score(features, RfmSettings(bins=3)), RfmSettings(bins=3)) == [
        [0, 0, 2],
        [0, 2, 0],
        [2, 0, 0],
    ]


# --- customers without orders ----------------------------------------------------------------


def test_customers_without_orders_are_not_scored_but_segmented() -> None:
    features = _features([1, None, 2, 3, None, 4, 5], [5, 0, 4, 3, 0, 2, 1])
    scores = score(features, RfmSettings())
    assert scores.frame["customer_id"].to_list() == ["c0", "c2", "c3", "c5", "c6"]
    assert scores.frame["f_score"].to_list() == [5, 4, 3, 2, 1]
    result = run_rfm(features, RfmSettings())
    rows = result.assignments.to_dicts()
    assert len(rows) == 7
    assert rows[1] == {
        "customer_id": "c1",
        "segment": NO_PURCHASES,
        "recency": None,
        "frequency": 0.0,
        "monetary": 0.0,
        "r_score": None,
        "f_score": None,
        "m_score": None,
    }
    assert rows[0]["segment"] == "Champions"
    assert result.segments[-1] == NO_PURCHASES
    assert result.details["customers"] == {"scored": 5, "without_orders": 2}
    everyone_bought = run_rfm(_features([1, 2], [1, 2]), RfmSettings())
    assert NO_PURCHASES not in everyone_bought.segments


def test_nobody_with_orders_is_all_no_purchases_with_a_warning() -> None:
    result = run_rfm(_features([None, None], [0, 0]), RfmSettings())
    assert result.assignments["segment"].to_list() == [NO_PURCHASES] * 2
    assert result.warnings == [f"No customer has an order yet: everyone is in {NO_PURCHASES!r}."]


# --- the R/F/M range template ----------------------------------------------------------------


def test_the_standard_range_table_gaps_and_overlaps() -> None:
    check = check_ranges(standard_ranges(5), 5)
    # DESIGN.md says 39 cells matched twice; counting cells matched by two or more rules of
    # this table gives 40 (34 by two, 5 by three, 1 by four).
    assert (check.cells, len(check.uncovered), len(check.overlaps)) == (125, 36, 40)
    assert sorted(len(names) for _, names in check.overlaps).count(2) == 34
    assert (5, 5, 1) in check.uncovered
    assert ((5, 1, 1), ["Potential Loyalist", "New Customers"]) in check.overlaps
    assert ((1, 1, 1), ["Hibernating", "Lost"]) in check.overlaps
    assert check.winners[(5, 1, 1)] == "Potential Loyalist"
    assert check.winners[(5, 5, 1)] == OTHERS
    assert check.shadowed == ["New Customers", "Promising", "Can't Lose Them", "Lost"]
    assert check.summary().startswith(
        "RFM range table: 36 of 125 score cells match no rule (they go to 'Others') and 40 "
        "match more than one"
    )


def test_range_template_for_fewer_bins_and_custom_rules() -> None:
    three = {rule.name: rule for rule in standard_ranges(3)}
    assert three["Champions"] == RangeRule("Champions", (3, 3), (3, 3), (3, 3))
    assert three["Loyal Customers"] == RangeRule("Loyal Customers", (2, 3), (2, 3), (2, 3))
    everything = [
        RangeRule("All", (1, 4), (1, 4), (1, 4)),
        RangeRule("Top", (4, 4), (4, 4), (4, 4)),
    ]
    check = check_ranges(everything, 4)
    assert (check.uncovered, len(check.overlaps), check.shadowed) == ([], 1, ["Top"])


def test_run_with_the_range_template() -> None:
    # c0: R5 F5 M1 (uncovered), c1: R5 F1 M1 (Potential Loyalist over New Customers)
    features = _features([1, 2], [9, 1], [1.0, 2.0])
    settings = RfmSettings(
        template="ranges", cuts={"r": [10, 20, 30, 40], "f": [2, 3, 4, 5], "m": [5, 6, 7, 8]}
    )
    result = run_rfm(features, settings)
    assert result.assignments["segment"].to_list() == [OTHERS, "Potential Loyalist"]
    assert result.segments == [rule.name for rule in standard_ranges(5)] + [OTHERS]
    assert len(result.details["ranges_check"]["uncovered"]) == 36
    assert result.warnings[-1].startswith("RFM range table: 36 of 125")


# --- settings --------------------------------------------------------------------------------


def test_settings_json_round_trip() -> None:
    settings = RfmSettings(
        bins=4,
        monetary="aov",
        cuts={"r": [30, 90, 365], "m": [20.5, 50, 100]},
        template="ranges",
        grid=move_cell(default_grid(4), 4, 1, "Fresh"),
        ranges=[
            RangeRule("Best", (3, 4), (3, 4), (1, 4)),
            RangeRule("Rest", (1, 4), (1, 4), (1, 4)),
        ],
    )
    data = json.loads(json.dumps(settings.to_json()))
    assert data["cuts"] == {"r": [30.0, 90.0, 365.0], "m": [20.5, 50.0, 100.0]}
    assert RfmSettings.from_json(data) == settings
    assert RfmSettings.from_json({}) == RfmSettings()
    assert RfmSettings().to_json() == {
        "bins": 5,
        "monetary": "total",
        "cuts": {},
        "template": "grid",
        "grid": None,
        "ranges": None,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"bins": 6}, "RFM bins: use 3, 4 or 5 (quintiles, quartiles or tertiles), got 6."),
        ({"bins": True}, "RFM bins: use 3, 4 or 5"),
        ({"monetary": "avg"}, 'RFM monetary: use "total" (total spend) or "aov"'),
        ({"template": "table"}, 'RFM template: use "grid" (the R × F map) or "ranges"'),
        ({"colour": "red"}, "RFM settings: unknown setting 'colour'; use bins, monetary"),
        ({"cuts": [1, 2]}, "RFM cut points: give them per dimension"),
        ({"grid": [["a"] * 5] * 4}, "RFM segment map: give 5 rows (R 5 down to 1) of 5"),
        ({"bins": 3, "grid": default_grid(5)}, "RFM segment map: give 3 rows"),
        (
            {"grid": [["a"] * 5] * 4 + [["a", "", "a", "a", "a"]]},
            "RFM segment map: give a non-blank name.",
        ),
        (
            {"ranges": [{"name": "x", "r": [0, 5], "f": [1, 5], "m": [1, 5]}]},
            "RFM range table rule 'x': r must be two scores low, high from 1 to 5 (got [0, 5]).",
        ),
        ({"ranges": [{"name": "x", "r": [1, 5]}]}, "RFM range table rule 1: give exactly name"),
        ({"ranges": []}, "RFM range table: give at least one rule"),
        ("bins=5", "RFM settings: expected an object"),
    ],
)
def test_settings_validation_messages(data: object, message: str) -> None:
    with pytest.raises(CriteriaError) as raised:
        RfmSettings.from_json(data)
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)


# --- the run ---------------------------------------------------------------------------------


def test_rfm_needs_transactions() -> None:
    without = _features([1], [1], transactions=None)
    with pytest.raises(CriteriaError) as raised:
        run_rfm(without, RfmSettings())
    assert str(raised.value) == NEEDS_TRANSACTIONS
    assert NEEDS_TRANSACTIONS == (
        "RFM needs a transactions dataset with order dates and amounts; import one first."
    )
    features = _features([1], [1])
    features.frame = features.frame.drop("avg_order_value")
    run_rfm(features, RfmSettings())  # total spend is enough for monetary = total
    with pytest.raises(CriteriaError, match="needs a transactions dataset"):
        score(features, RfmSettings(monetary="aov"))


def test_run_details_progress_and_cancel() -> None:
    values = list(range(1, 11))
    features = _features(values, values, values)
    seen: list[float] = []
    result = run_rfm(features, RfmSettings(), progress=lambda done, _text: seen.append(done))
    assert seen[0] == 0.0 and seen[-1] == 1.0
    details = json.loads(json.dumps(result.details))  # JSON-able
    assert details["settings"] == RfmSettings().to_json()
    assert details["thresholds"]["r"][4] == {"score": 5, "min": 1, "max": 2, "customers": 2}
    assert details["thresholds"]["m"][0] == {"score": 1, "min": 1.0, "max": 2.0, "customers": 2}
    assert sum(map(sum, details["cells"])) == 10
    assert details["grid"] == default_grid(5)
    assert result.assignments.schema["r_score"] == pl.Int64
    assert result.assignments.schema["recency"] == pl.Float64
    with pytest.raises(RunCancelled):
        run_rfm(features, RfmSettings(), cancelled=lambda: True)


def test_fewer_bins_explained_for_money_and_for_few_customers() -> None:
    features = _features([1, 2, 3], [1, 2, 3], [25.0, 25.0, 30.0])
    assert score(features, RfmSettings(bins=3)).warnings == [
        "Monetary: asked for 3 bins, made 2 (scores 1, 3): 66.7% of customers spent exactly 25.00."
    ]
    assert score(_features([1, 2, 3], [1, 2, 3], [1, 2, 3]), RfmSettings()).warnings[0] == (
        "Recency: asked for 5 bins, made 3 (scores 1, 2, 4): only 3 customers have orders."
    )
