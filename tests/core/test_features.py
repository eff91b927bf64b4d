"""Customer features from real imported files, and the columnar copy they are read from.

The fixture: three customers (C3 never ordered) and seven order lines. C1 has two orders (O2 is
two lines), one return and a discount; C2 has two orders whose categories and channels tie; C9
is not in the customers file.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from project_files import build_project, copy_project, import_csv

from segtui.core.features import build_features, customer_features
from segtui.core.model import ColumnInfo
from segtui.core.project import Project
from segtui.core.segment_model import CriteriaError
from segtui.core.storage import read_table

CUSTOMERS = """\
customer_id,age,gender,country,interests,loyalty_tier,email,signup_date,last_login
C1,34,F,France,running|cooking,gold,c1@example.com,2023-01-05,2024-03-01 10:30:15.250
C2,51,M,Spain,gaming,silver,c2@example.com,2023-02-10,2024-03-02 08:00:00.5
C3,28,F,France,travel,gold,c3@example.com,2023-03-15,2024-03-03 09:00:00
"""

ORDERS = """\
order_id,customer_id,order_date,amount,category,channel,discount_used
O1,C1,2024-01-10,100.00,Shoes,web,no
O2,C1,2024-02-10,50.00,Bags,app,yes
O2,C1,2024-02-10,30.00,Shoes,app,yes
O3,C1,2024-03-01,-20.00,Bags,web,no
O4,C2,2024-03-05,40.00,Bags,web,no
O5,C2,2024-03-20,60.00,Shoes,app,no
O6,C9,2024-03-01,10.00,Toys,web,no
"""

COMPUTED_NAMES = [
    "orders",
    "total_spend",
    "avg_order_value",
    "first_order_date",
    "last_order_date",
    "recency_days",
    "tenure_days",
    "orders_per_month",
    "distinct_categories",
    "favourite_category",
    "favourite_channel",
    "discount_share",
    "returns_count",
    "returns_value",
]


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The imported project, built once per module; each test gets its own copy."""
    return build_project(tmp_path_factory.mktemp("template"), CUSTOMERS, ORDERS)


@pytest.fixture
def project(tmp_path: Path, template: Path) -> Project:
    with Project.open(copy_project(template, tmp_path)) as project:
        yield project


def _rows(frame: pl.DataFrame, columns: list[str]) -> dict[str, dict[str, Any]]:
    return {row["customer_id"]: row for row in frame.select("customer_id", *columns).to_dicts()}


def test_behaviour_per_customer_against_the_automatic_analysis_date(project: Project) -> None:
    features = customer_features(project)
    # The day after the last order, and every order before it counts.
    assert features.analysis_date == dt.date(2024, 3, 21)
    assert (features.customers_dataset, features.transactions_dataset) == ("customers", "orders")
    rows = _rows(features.frame, COMPUTED_NAMES)
    assert set(rows) == {"C1", "C2", "C3"}
    c1 = rows["C1"]
    assert c1["orders"] == 2  # O1 and O2 (two lines); the return O3 is not an order
    assert c1["total_spend"] == pytest.approx(160.0)  # 100 + 50 + 30 - 20
    assert c1["avg_order_value"] == pytest.approx(90.0)  # purchases 180 over 2 orders
    assert (c1["first_order_date"], c1["last_order_date"]) == (
        dt.date(2024, 1, 10),
        dt.date(2024, 2, 10),
    )
    assert c1["recency_days"] == 40  # 2024 is a leap year: 19 + 21 days
    assert c1["tenure_days"] == 71
    assert c1["orders_per_month"] == pytest.approx(2 / (71 / 30.4375))
    assert c1["distinct_categories"] == 2
    assert c1["favourite_category"] == "Shoes"  # two lines against one (the return is ignored)
    assert c1["favourite_channel"] == "app"
    assert c1["discount_share"] == pytest.approx(0.5)  # O2 had a discount, O1 did not
    assert (c1["returns_count"], c1["returns_value"]) == (1, pytest.approx(20.0))

    c2 = rows["C2"]
    assert (c2["orders"], c2["total_spend"], c2["avg_order_value"]) == (2, 100.0, 50.0)
    assert (c2["recency_days"], c2["tenure_days"]) == (1, 16)
    # Under a month of history counts as one month.
    assert c2["orders_per_month"] == pytest.approx(2.0)
    # Ties are broken alphabetically: Bags before Shoes, app before web.
    assert (c2["favourite_category"], c2["favourite_channel"]) == ("Bags", "app")
    assert (c2["discount_share"], c2["returns_count"], c2["returns_value"]) == (0.0, 0, 0.0)


def test_customers_without_orders_are_kept_with_zeros_and_no_dates(project: Project) -> None:
    c3 = _rows(customer_features(project).frame, COMPUTED_NAMES)["C3"]
    assert c3 == {
        "customer_id": "C3",
        "orders": 0,
        "total_spend": 0.0,
        "avg_order_value": None,
        "first_order_date": None,
        "last_order_date": None,
        "recency_days": None,
        "tenure_days": None,
        "orders_per_month": 0.0,
        "distinct_categories": 0,
        "favourite_category": None,
        "favourite_channel": None,
        "discount_share": None,
        "returns_count": 0,
        "returns_value": 0.0,
    }


def test_orders_of_unknown_customers_are_left_out_with_a_note(project: Project) -> None:
    features = customer_features(project)
    assert "C9" not in features.frame.get_column("customer_id").to_list()
    assert features.notes == [
        "1 customer ids in orders (1 orders) are not in customers; they are left out."
    ]


def test_an_earlier_analysis_date_leaves_later_orders_out(project: Project) -> None:
    automatic = customer_features(project)
    # O5 is on the new analysis date itself: orders on or after it do not count.
    project.update_settings(analysis_date="2024-03-20")
    earlier = customer_features(project)
    assert earlier is not automatic
    assert earlier.key != automatic.key
    assert earlier.analysis_date == dt.date(2024, 3, 20)
    rows = _rows(earlier.frame, COMPUTED_NAMES)
    c2 = rows["C2"]
    assert (c2["orders"], c2["total_spend"], c2["last_order_date"]) == (
        1,
        40.0,
        dt.date(2024, 3, 5),
    )
    assert (c2["recency_days"], c2["tenure_days"]) == (15, 15)
    assert (c2["favourite_category"], c2["favourite_channel"]) == ("Bags", "web")
    # C1's dates are measured from the new date; the return on 2024-03-01 still counts.
    assert (rows["C1"]["recency_days"], rows["C1"]["tenure_days"]) == (39, 70)
    assert rows["C1"]["total_spend"] == pytest.approx(160.0)
    # Back to automatic: the picture as of the day after the last order again.
    project.update_settings(analysis_date=None)
    again = customer_features(project)
    assert again.analysis_date == dt.date(2024, 3, 21)
    assert _rows(again.frame, ["orders"])["C2"]["orders"] == 2


def test_the_cache_gives_the_same_features_until_a_reimport(tmp_path: Path) -> None:
    with Project.open(tmp_path / "cache.db") as project:
        import_csv(project, tmp_path, "orders", ORDERS)
        first = customer_features(project)
        assert customer_features(project) is first
        # Re-imported straight away: most likely in the same second, and the dataset gets its
        # old id back. The old figures must not be served.
        changed = ORDERS.replace("O4,C2,2024-03-05,40.00", "O4,C2,2024-03-05,400.00")
        import_csv(project, tmp_path, "orders", changed, replace=True)
        fresh = customer_features(project)
        assert fresh is not first
        assert _rows(fresh.frame, ["total_spend"])["C2"]["total_spend"] == pytest.approx(460.0)
        assert customer_features(project) is fresh
        assert customer_features(project, refresh=True) is not fresh


def test_transactions_only_project_has_one_row_per_customer_id(tmp_path: Path) -> None:
    with Project.open(tmp_path / "orders_only.db") as project:
        import_csv(project, tmp_path, "orders", ORDERS)
        features = customer_features(project)
    assert sorted(features.frame.get_column("customer_id")) == ["C1", "C2", "C9"]
    assert features.customers_dataset is None and features.has_transactions
    assert [f.name for f in features.fields] == COMPUTED_NAMES
    assert all(f.computed and f.group == "behavioural" for f in features.fields)
    assert features.notes == []
    assert _rows(features.frame, ["orders", "total_spend"])["C9"] == {
        "customer_id": "C9",
        "orders": 1,
        "total_spend": 10.0,
    }


def test_customers_only_project_has_attributes_and_nothing_computed(tmp_path: Path) -> None:
    with Project.open(tmp_path / "people.db") as project:
        import_csv(project, tmp_path, "customers", CUSTOMERS)
        features = customer_features(project)
    assert not features.has_transactions
    assert features.analysis_date is None
    assert features.frame.height == 3
    assert not any(f.computed for f in features.fields)
    assert "orders" not in features.frame.columns
    assert [f.name for f in features.fields] == [
        "age",
        "gender",
        "country",
        "interests",
        "loyalty_tier",
        "email",
        "signup_date",
        "last_login",
    ]


def test_a_project_without_data_says_to_import_first(tmp_path: Path) -> None:
    with Project.open(tmp_path / "empty.db") as project, pytest.raises(CriteriaError) as caught:
        customer_features(project)
    assert str(caught.value) == (
        "this project has no data yet; import a customers or transactions file first."
    )


def test_field_types_and_groups(project: Project) -> None:
    fields = customer_features(project).by_name
    expected = {
        "age": ("number", "demographic"),
        "gender": ("category", "demographic"),
        "country": ("category", "geographic"),
        "interests": ("category", "psychographic"),
        "loyalty_tier": ("category", "behavioural"),
        "email": ("text", "other"),  # an email is free text however few there are
        "signup_date": ("date", "behavioural"),
        "orders": ("number", "behavioural"),
        "last_order_date": ("date", "behavioural"),
        "favourite_category": ("category", "behavioural"),
    }
    assert {name: (fields[name].type, fields[name].group) for name in expected} == expected
    assert fields["loyalty_tier"].label == "Loyalty tier"
    assert fields["age"].dataset == "customers" and not fields["age"].computed
    assert fields["total_spend"].computed and fields["total_spend"].unit == "money"
    assert fields["recency_days"].unit == "days"


def test_many_distinct_values_make_text_and_names_give_groups() -> None:
    people = 60
    customers = pl.DataFrame(
        {
            "customer_id": [f"C{i}" for i in range(people)],
            "nickname": [f"nick{i}" for i in range(people)],  # 60 distinct: free text
            "city_type": ["urban", "rural", "suburban"] * 20,
            "income_band": ["<25k", "25-50k"] * 30,
            "life_stage": ["student", "family", "retired"] * 20,
            "lifestyle": ["active", "homebody"] * 30,
            "favourite_colour": ["red", "blue"] * 30,
            "usage_level": ["low", "high"] * 30,  # holds "age" but is not an age
            "age_band": ["18-24", "25-34"] * 30,
            "orders": list(range(people)),  # clashes with a computed feature
        }
    )
    columns = [ColumnInfo(name, "text", None) for name in customers.columns[1:-1]]
    columns.append(ColumnInfo("orders", "integer", None))
    transactions = pl.DataFrame({"cid": ["C1", "C1"], "amount": [5.0, 7.0]})
    features = build_features(
        customers,
        columns,
        transactions,
        {"customer_id": "cid", "amount": "amount"},
        dt.date(2024, 1, 1),
        customers_dataset="people",
        transactions_dataset="orders",
    )
    fields = features.by_name
    kinds = {name: (info.type, info.group) for name, info in fields.items() if not info.computed}
    assert kinds == {
        "nickname": ("text", "other"),
        "city_type": ("category", "geographic"),
        "income_band": ("category", "demographic"),
        "life_stage": ("category", "psychographic"),
        "lifestyle": ("category", "psychographic"),
        "favourite_colour": ("category", "other"),
        "usage_level": ("category", "other"),
        "age_band": ("category", "demographic"),
        "orders_attr": ("number", "other"),
    }
    # The file's own "orders" column is kept beside the computed one, under another name.
    assert fields["orders_attr"].label == "Orders"
    row = features.frame.filter(pl.col("customer_id") == "C1").row(0, named=True)
    assert (row["orders_attr"], row["orders"], row["total_spend"]) == (1, 2, 12.0)


# --- the columnar copy -------------------------------------------------------------------------


def _copies(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return dict(
            conn.execute(
                "SELECT d.name, c.rows FROM segtui_dataset_copies c "
                "JOIN segtui_datasets d ON d.id = c.dataset_id WHERE c.format = 'parquet'"
            ).fetchall()
        )
    finally:
        conn.close()


def _outside(path: Path, *statements: str) -> None:
    """Change the file like another SQLite tool would."""
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _assert_reads_like_the_table(project: Project, name: str) -> None:
    info = project.dataset(name)
    assert_frame_equal(
        project.read_dataset(name), read_table(project.path, info.table, info.columns)
    )
    some = [c for c in info.columns if c.name in ("customer_id", "amount", "last_login")]
    assert_frame_equal(
        project.read_dataset(name, [c.name for c in some]),
        read_table(project.path, info.table, some),
    )


def test_import_stores_a_columnar_copy_that_reads_like_the_table(project: Project) -> None:
    assert _copies(project.path) == {"customers": 3, "orders": 7}
    _assert_reads_like_the_table(project, "customers")  # datetimes with fractions of seconds
    _assert_reads_like_the_table(project, "orders")


@pytest.mark.parametrize(
    ("statement", "c2_amounts"),
    [
        ("UPDATE data_orders SET amount = 400.0 WHERE order_id = 'O4'", 460.0),
        ("DELETE FROM data_orders WHERE order_id = 'O4'", 60.0),
        (
            "INSERT INTO data_orders (order_id, customer_id, order_date, amount, category, "
            "channel, discount_used, is_return) "
            "VALUES ('O7', 'C2', '2024-03-06', 360.0, 'Bags', 'web', 0, 0)",
            460.0,
        ),
    ],
    ids=["update", "delete", "insert"],
)
def test_an_outside_change_drops_the_copy_and_the_next_read_sees_it(
    project: Project, statement: str, c2_amounts: float
) -> None:
    before = project.read_dataset("orders")
    _outside(project.path, statement)
    # Only the changed dataset's copy is gone.
    assert _copies(project.path) == {"customers": 3}
    after = project.read_dataset("orders")
    c2 = after.filter(pl.col("customer_id") == "C2")
    assert c2.get_column("amount").sum() == pytest.approx(c2_amounts)
    assert not after.equals(before)
    # The read made a new copy, and it holds the new value.
    assert _copies(project.path) == {"customers": 3, "orders": after.height}
    assert project.read_dataset("orders").equals(after)
    _assert_reads_like_the_table(project, "orders")


def test_a_project_from_before_the_copies_reads_and_makes_them(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Project.open(path) as project:
        import_csv(project, tmp_path, "orders", ORDERS)
        expected = project.read_dataset("orders")
    # Make it a version 1 file: no copies, no triggers, no segmentation tables.
    conn = sqlite3.connect(path)
    triggers = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")]
    conn.close()
    assert len(triggers) == 3
    _outside(
        path,
        *(f'DROP TRIGGER "{name}"' for name in triggers),
        "DROP TABLE segtui_playbook",
        "DROP TABLE segtui_draft_versions",
        "DROP TABLE segtui_drafts",
        "DROP TABLE segtui_segment_notes",
        "DROP TABLE segtui_assignments",
        "DROP TABLE segtui_run_segments",
        "DROP TABLE segtui_runs",
        "DROP TABLE segtui_segmentations",
        "DROP TABLE segtui_dataset_copies",
        "PRAGMA user_version = 1",
    )
    with Project.open(path) as project:
        assert _copies(path) == {}
        assert_frame_equal(project.read_dataset("orders"), expected)
        assert _copies(path) == {"orders": 7}
        # The triggers came with the copy: an outside change still drops it.
        _outside(path, "UPDATE data_orders SET amount = 1.0 WHERE order_id = 'O1'")
        assert _copies(path) == {}
        amounts = project.read_dataset("orders").get_column("amount").to_list()
    assert amounts[0] == 1.0


def test_features_follow_an_outside_change_to_the_orders(project: Project) -> None:
    before = customer_features(project)
    spend = before.frame.filter(pl.col("customer_id") == "C2")["total_spend"].item()
    _outside(project.path, "UPDATE data_orders SET amount = amount + 1000 WHERE order_id = 'O4'")
    after = customer_features(project)
    assert after is not before
    assert after.frame.filter(pl.col("customer_id") == "C2")["total_spend"].item() == spend + 1000
    assert customer_features(project) is after  # and it is cached again


def test_favourites_counted_by_polars_match_numpy(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    from segtui.core import behaviour

    dense = customer_features(project, refresh=True).frame
    monkeypatch.setattr(behaviour, "DENSE_CELLS", 0)
    by_polars = customer_features(project, refresh=True).frame
    assert_frame_equal(dense, by_polars)
