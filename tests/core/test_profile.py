"""Segment profiles on a hand-checked shop of eight customers: the segments table (shares,
revenue, value index, totals), every feature against the population (lifts, medians,
standardised differences, category shares), the ranking in words, an empty segment, and two
segments side by side.

The shop (analysis date 2025-01-01; "—" is missing):

    id  spend orders recency age  favourite opt_in signup(days before)  segment
    C1   400    4      10    30   Garden    yes    200                  High
    C2   200    2      20    40   Garden    yes    400                  High
    C3   100    2     100    50   Toys      no     400                  Low
    C4   100    1     200    60   Toys      —      400                  Low
    C5     0    0      —     —    —         no     400                  Low
    C6     0    0      —     40   —         no     400                  Low
    C7   100    1     300    50   Garden    yes    400                  (none)
    C8   100    2      50    10   Books     no     —                    (none)

and a third segment "Empty" nobody is in. Every expected number below was worked out by hand
from this table (the comments show the sums).
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest

from segtui.core.profile import (
    compare_segments,
    profile_run,
    profile_segment,
    summarise,
    summary_frame,
)
from segtui.core.profile_words import fmt_lift, fmt_money, fmt_plain
from segtui.core.run_data import RunData
from segtui.core.segment_model import (
    CriteriaError,
    Features,
    FieldInfo,
    RunCancelled,
    RunInfo,
    RunSegment,
)

DAY = dt.date(2025, 1, 1)
IDS = [f"C{i}" for i in range(1, 9)]
SPEND = [400.0, 200.0, 100.0, 100.0, 0.0, 0.0, 100.0, 100.0]
ORDERS = [4, 2, 2, 1, 0, 0, 1, 2]
RECENCY = [10, 20, 100, 200, None, None, 300, 50]
AGE = [30, 40, 50, 60, None, 40, 50, 10]
FAVOURITE = ["Garden", "Garden", "Toys", "Toys", None, None, "Garden", "Books"]
OPT_IN = [True, True, False, None, False, False, True, False]
SIGNUP_DAYS = [200, 400, 400, 400, 400, 400, 400, None]
SEGMENTS = {"High": ["C1", "C2"], "Low": ["C3", "C4", "C5", "C6"], "Empty": []}

# Population standard deviations (ddof 0), by hand:
SPEND_STD = math.sqrt(115_000 / 8)  # mean 125; squares 75625+5625+4·625+2·15625
ORDERS_STD = math.sqrt(12 / 8)  # mean 1.5; squares 6.25+4·0.25+0.25·... = 12
AGE_STD = math.sqrt(1_600 / 7)  # mean 40 over 7; squares 100+0+100+400+0+100+900
RECENCY_MEAN = 680 / 6
RECENCY_STD = math.sqrt(sum((r - RECENCY_MEAN) ** 2 for r in (10, 20, 100, 200, 300, 50)) / 6)
SIGNUP_MEAN = 2_600 / 7
SIGNUP_STD = math.sqrt(((200 - SIGNUP_MEAN) ** 2 + 6 * (400 - SIGNUP_MEAN) ** 2) / 7)


def _field(name: str, label: str, type_: str, unit: str = "", computed: bool = False) -> FieldInfo:
    return FieldInfo(name, label, type_, "behavioural", computed, unit)  # type: ignore[arg-type]


def shop_features(*, transactions: bool = True) -> Features:
    signup = [None if d is None else DAY - dt.timedelta(days=d) for d in SIGNUP_DAYS]
    last_order = [None if r is None else DAY - dt.timedelta(days=r) for r in RECENCY]
    columns: dict[str, pl.Series] = {
        "customer_id": pl.Series(IDS),
        "age": pl.Series(AGE, dtype=pl.Int64),
        "marketing_opt_in": pl.Series(OPT_IN, dtype=pl.Boolean),
        "signup_date": pl.Series(signup, dtype=pl.Date),
        "notes": pl.Series([f"note {i}" for i in range(8)]),
        "constant": pl.Series([0.0] * 8),
        "empty_score": pl.Series([None] * 8, dtype=pl.Float64),
    }
    fields = [
        _field("age", "Age", "number"),
        _field("marketing_opt_in", "Marketing opt in", "boolean"),
        _field("signup_date", "Signup date", "date"),
        _field("notes", "Notes", "text"),
        _field("constant", "Constant", "number"),
        _field("empty_score", "Empty score", "number"),
    ]
    if transactions:
        columns |= {
            "orders": pl.Series(ORDERS, dtype=pl.Int64),
            "total_spend": pl.Series(SPEND),
            "last_order_date": pl.Series(last_order, dtype=pl.Date),
            "recency_days": pl.Series(RECENCY, dtype=pl.Int64),
            "favourite_category": pl.Series(FAVOURITE, dtype=pl.String),
        }
        fields += [
            _field("orders", "Orders", "number", "orders", True),
            _field("total_spend", "Total spend", "number", "money", True),
            _field("last_order_date", "Last order date", "date", "", True),
            _field("recency_days", "Days since last order", "number", "days", True),
            _field("favourite_category", "Favourite category", "category", "", True),
        ]
    frame = pl.DataFrame(columns)
    return Features(frame, fields, DAY, "customers", "orders" if transactions else None)


def shop_run(segments: dict[str, list[str]] = SEGMENTS, *, transactions: bool = True) -> RunData:
    rows = [(cid, name) for name, ids in segments.items() for cid in ids]
    assignments = pl.DataFrame(rows, schema=["customer_id", "segment"], orient="row")
    run_segments = [
        RunSegment(i, name, len(ids), len(ids) / 8, None, f"about {name}")
        for i, (name, ids) in enumerate(segments.items())
    ]
    customers = assignments.get_column("customer_id").n_unique()
    mode = "overlapping" if customers != assignments.height else "exclusive"
    run = RunInfo(1, "Value", "rules", {"mode": mode}, {}, DAY.isoformat(),
                  "2025-01-01T00:00:00", 8, customers, 0.1, run_segments)  # fmt: skip
    return RunData(run, assignments, shop_features(transactions=transactions), "£")


# --- the segments table --------------------------------------------------------------------


def test_segments_table_shares_revenue_and_value_index() -> None:
    summary = summarise(shop_run())
    high, low, empty = summary.rows
    assert (summary.population, summary.population_revenue, summary.overlapping) == (
        8,
        1000.0,
        False,
    )
    assert (high.position, high.name, high.customers, high.description) == (
        0,
        "High",
        2,
        "about High",
    )
    assert high.share == pytest.approx(0.25)
    assert (high.revenue, high.revenue_share, high.orders) == (600.0, pytest.approx(0.6), 6)
    assert high.aov == pytest.approx(100.0)
    assert high.median_recency == 15.0
    assert high.value_index == pytest.approx(2.4)  # 0.6 ÷ 0.25

    assert (low.customers, low.revenue, low.orders) == (4, 200.0, 3)
    assert low.share == pytest.approx(0.5)
    assert low.revenue_share == pytest.approx(0.2)
    assert low.value_index == pytest.approx(0.4)
    assert low.aov == pytest.approx(200 / 3)
    assert low.median_recency == 150.0  # C5 and C6 never ordered: median of 100 and 200

    assert (empty.customers, empty.share, empty.revenue, empty.orders) == (0, 0.0, 0.0, 0)
    assert (empty.aov, empty.median_recency, empty.value_index) == (None, None, None)

    total = summary.total
    assert (total.name, total.position, total.customers, total.revenue, total.orders) == (
        "Total",
        3,
        6,
        800.0,
        9,
    )
    assert total.share == pytest.approx(0.75)
    assert total.value_index == pytest.approx(0.8 / 0.75)
    assert total.median_recency == 60.0  # 10, 20, 100, 200


def test_overlapping_total_counts_each_customer_once() -> None:
    summary = summarise(shop_run({"A": ["C1", "C2"], "B": ["C2", "C3"]}))
    assert summary.overlapping
    assert [r.customers for r in summary.rows] == [2, 2]
    assert (summary.total.customers, summary.total.revenue, summary.total.orders) == (3, 700.0, 8)


def test_without_transactions_money_and_orders_are_none() -> None:
    summary = summarise(shop_run(transactions=False))
    for row in [*summary.rows, summary.total]:
        assert (row.revenue, row.revenue_share, row.orders, row.aov) == (None, None, None, None)
        assert (row.median_recency, row.value_index) == (None, None)
    assert summary.population_revenue is None
    assert summary.rows[0].share == pytest.approx(0.25)


def test_summary_frame_for_export() -> None:
    frame = summary_frame(summarise(shop_run()))
    assert frame.columns == [
        "segment", "customers", "share_pct", "revenue", "revenue_share_pct", "orders", "aov",
        "median_recency_days", "value_index", "description",
    ]  # fmt: skip
    assert frame.get_column("segment").to_list() == ["High", "Low", "Empty", "Total"]
    assert frame.row(0) == ("High", 2, 25.0, 600.0, 60.0, 6, 100.0, 15.0, 2.4, "about High")
    assert frame.row(3)[:3] == ("Total", 6, 75.0)
    assert frame.row(2)[6:9] == (None, None, None)


# --- profiles ------------------------------------------------------------------------------


def _numeric(profile, name):  # type: ignore[no-untyped-def]
    return next(s for s in profile.numeric if s.field == name)


def _categorical(profile, name):  # type: ignore[no-untyped-def]
    return next(s for s in profile.categorical if s.field == name)


def test_numeric_features_against_the_population() -> None:
    high = profile_run(shop_run())["High"]
    spend = _numeric(high, "total_spend")
    assert (spend.label, spend.unit) == ("Total spend", "money")
    assert (spend.segment_mean, spend.segment_median) == (300.0, 300.0)
    assert (spend.population_mean, spend.population_median) == (125.0, 100.0)
    assert spend.lift == pytest.approx(2.4)
    assert spend.std_diff == pytest.approx(175 / SPEND_STD)
    assert spend.std_diff == pytest.approx(1.45960, abs=1e-5)
    assert spend.missing_share == 0.0

    age = _numeric(profile_segment(shop_run(), "Low"), "age")
    assert (age.segment_mean, age.segment_median, age.population_mean) == (50.0, 50.0, 40.0)
    assert age.population_median == 40.0
    assert age.lift == pytest.approx(1.25)
    assert age.std_diff == pytest.approx(10 / AGE_STD)
    assert age.missing_share == pytest.approx(0.25)  # C5
    assert age.population_missing_share == pytest.approx(1 / 8)

    signup = _numeric(high, "signup_date")  # days before the analysis date
    assert (signup.label, signup.unit) == ("Days since signup date", "days")
    assert (signup.segment_mean, signup.segment_median, signup.population_median) == (
        300.0, 300.0, 400.0
    )  # fmt: skip
    assert signup.std_diff == pytest.approx((300 - SIGNUP_MEAN) / SIGNUP_STD)


def test_constant_empty_text_and_duplicate_date_fields() -> None:
    high = profile_run(shop_run())["High"]
    names = [s.field for s in high.numeric] + [s.field for s in high.categorical]
    assert "notes" not in names  # free text
    assert "last_order_date" not in names  # recency_days says the same
    assert "customer_id" not in names
    constant = _numeric(high, "constant")
    assert (constant.lift, constant.std_diff, constant.population_std) == (None, None, 0.0)
    empty = _numeric(high, "empty_score")
    assert (empty.segment_mean, empty.population_mean, empty.lift, empty.std_diff) == (
        None, None, None, None
    )  # fmt: skip
    assert empty.missing_share == 1.0
    ranked = [d.field for d in high.ranked]
    assert "constant" not in ranked and "empty_score" not in ranked


def test_categories_and_yes_no_against_the_population() -> None:
    profiles = profile_run(shop_run())
    favourite = _categorical(profiles["High"], "favourite_category")
    assert [(c.value, c.segment_share, c.population_share) for c in favourite.top] == [
        ("Garden", 1.0, 0.5)
    ]
    assert favourite.top[0].lift == pytest.approx(2.0)
    assert favourite.score == pytest.approx(1.0)  # 0.5 ÷ √(0.5·0.5)
    assert favourite.population_missing_share == pytest.approx(0.25)

    low = _categorical(profiles["Low"], "favourite_category")
    assert low.missing_share == pytest.approx(0.5)  # C5 and C6 have no favourite
    assert [(c.value, c.segment_share) for c in low.top] == [("Toys", 1.0)]
    assert low.top[0].population_share == pytest.approx(1 / 3)
    assert low.top[0].lift == pytest.approx(3.0)
    assert low.score == pytest.approx((2 / 3) / math.sqrt(2 / 9))
    assert [c.value for c in low.levels] == ["Toys", "Garden", "Books"]

    opt_in = _categorical(profiles["High"], "marketing_opt_in")
    assert [(c.value, c.segment_share) for c in opt_in.top] == [("yes", 1.0)]
    assert opt_in.top[0].population_share == pytest.approx(3 / 7)
    # "yes" and "no" tie on the score; the over-represented value is the one named.
    assert opt_in.distinct is not None and opt_in.distinct.value == "yes"
    assert opt_in.score == pytest.approx(4 / math.sqrt(12))
    low_opt = _categorical(profiles["Low"], "marketing_opt_in")
    assert low_opt.distinct is not None and low_opt.distinct.value == "no"
    assert low_opt.missing_share == pytest.approx(0.25)


def test_ranking_most_distinguishing_first_in_words() -> None:
    profiles = profile_run(shop_run())
    high = profiles["High"]
    # Scores: spend 1.460, orders 1.225, opt in 1.155, signup 1.021, favourite 1.000,
    # recency 0.938, age 0.331.
    assert [d.field for d in high.ranked] == [
        "total_spend", "orders", "marketing_opt_in", "signup_date", "favourite_category",
        "recency_days", "age",
    ]  # fmt: skip
    assert [d.text for d in high.ranked] == [
        "Total spend: mean £300 vs £125 overall (2.4×)",
        "Orders: mean 3 vs 1.5 overall (2.0×)",
        "Marketing opt in: yes for 100.0% vs 42.9% overall (2.3×)",
        "Days since signup date: median 300 vs 400 overall",
        "Favourite category: Garden for 100.0% vs 50.0% overall (2.0×)",
        "Days since last order: median 15 vs 75 overall",
        "Age: mean 35 vs 40 overall (0.9×)",
    ]
    assert high.ranked[0].score == pytest.approx(175 / SPEND_STD)
    assert high.ranked[1].score == pytest.approx(1.5 / ORDERS_STD)
    assert high.ranked[5].score == pytest.approx(abs(15 - RECENCY_MEAN) / RECENCY_STD)
    assert (high.ranked[4].value, high.ranked[4].lift) == ("Garden", pytest.approx(2.0))
    # Low: favourite 1.414, opt in 0.866, age 0.661, spend 0.626, orders 0.612, signup 0.408,
    # recency 0.350.
    assert [d.field for d in profiles["Low"].ranked] == [
        "favourite_category", "marketing_opt_in", "age", "total_spend", "orders",
        "signup_date", "recency_days",
    ]  # fmt: skip
    assert profiles["Low"].ranked[1].text == (
        "Marketing opt in: no for 100.0% vs 57.1% overall (1.8×)"
    )


def test_empty_segment_has_no_stats_and_nothing_ranked() -> None:
    profiles = profile_run(shop_run())
    assert list(profiles) == ["High", "Low", "Empty"]
    empty = profiles["Empty"]
    assert (empty.customers, empty.numeric, empty.categorical, empty.ranked) == (0, [], [], [])
    assert profile_segment(shop_run(), "Empty") == empty
    assert profile_segment(shop_run(), "High") == profiles["High"]


def test_unknown_segment_progress_and_cancel() -> None:
    data = shop_run()
    with pytest.raises(CriteriaError, match="no segment 'Nope'"):
        profile_segment(data, "Nope")
    seen: list[float] = []
    profile_run(data, progress=lambda fraction, _label: seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0
    with pytest.raises(RunCancelled):
        profile_run(data, cancelled=lambda: True)


def test_overlapping_run_profiles_each_membership() -> None:
    profiles = profile_run(shop_run({"A": ["C1", "C2"], "B": ["C2", "C3"]}))
    assert _numeric(profiles["B"], "total_spend").segment_mean == 150.0  # (200 + 100) ÷ 2
    assert _numeric(profiles["A"], "total_spend").segment_mean == 300.0


# --- comparison ----------------------------------------------------------------------------


def test_compare_two_segments_most_different_first() -> None:
    comparison = compare_segments(shop_run(), "High", "Low")
    assert (comparison.a.name, comparison.b.name) == ("High", "Low")
    assert comparison.a.value_index == pytest.approx(2.4)
    # favourite: Toys 0% vs 100% on √(⅓·⅔) = 2.121; spend 250 ÷ 119.9 = 2.085; opt in
    # 1 ÷ √(3/7·4/7) = 2.021; orders 2.25 ÷ 1.225 = 1.837; signup 100 ÷ 70.0 = 1.429;
    # recency 135 ÷ 104.8 = 1.288; age 15 ÷ 15.1 = 0.992.
    rows = comparison.rows
    assert [r.field for r in rows[:7]] == [
        "favourite_category", "total_spend", "marketing_opt_in", "orders", "signup_date",
        "recency_days", "age",
    ]  # fmt: skip
    favourite, spend = rows[0], rows[1]
    assert favourite.score == pytest.approx(1 / math.sqrt(2 / 9))
    assert (favourite.a, favourite.b, favourite.population) == (
        "Garden 100.0%", "Toys 100.0%", "Garden 50.0%"
    )  # fmt: skip
    assert favourite.note == "Toys: 0.0% vs 100.0%"
    assert spend.score == pytest.approx(250 / SPEND_STD)
    assert (spend.a, spend.b, spend.population) == (
        "mean £300 · median £300", "mean £50.00 · median £50.00", "mean £125 · median £100"
    )  # fmt: skip
    assert spend.note == "6.0× as high in High"
    recency = next(r for r in rows if r.field == "recency_days")
    assert (recency.a, recency.note) == ("median 15 · mean 15", "10× as high in Low")
    # constant and all-missing fields are listed last, with nothing to compare
    assert [r.score for r in rows[-2:]] == [0.0, 0.0]


def test_compare_with_an_empty_segment() -> None:
    comparison = compare_segments(shop_run(), "High", "Empty")
    assert comparison.b.customers == 0
    assert all(r.b == "—" and r.score == 0.0 for r in comparison.rows)
    with pytest.raises(CriteriaError):
        compare_segments(shop_run(), "High", "Nope")


def test_number_words() -> None:
    assert fmt_money(1234.5, "£") == "£1,234"
    assert fmt_money(38.5, "£") == "£38.50"
    assert fmt_money(-20, "£") == "-£20.00"
    assert fmt_money(0, "£") == "£0"
    assert fmt_money(1234, "EUR") == "EUR 1,234"
    assert fmt_money(None, "£") == "—"
    assert fmt_plain(1234.0) == "1,234"
    assert fmt_plain(42.26) == "42.3"
    assert fmt_plain(3.14159) == "3.14"
    assert (fmt_lift(3.24), fmt_lift(0.07), fmt_lift(0), fmt_lift(12.4)) == (
        "3.2×", "0.07×", "0×", "12×"
    )  # fmt: skip
